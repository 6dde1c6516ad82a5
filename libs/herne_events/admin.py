"""Topic creation at start-up: idempotent, from the registry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from herne_events.connection import KafkaConnection
from herne_events.topics import DEAD_LETTER_RETENTION, REGISTRY, Topic
from herne_runtime.logging import get_logger

log = get_logger(__name__)
TOPIC_ALREADY_EXISTS = 36


def topic_specs(
    topics: Iterable[Topic[Any]], *, partitions: int | None = None, replication_factor: int = 1
) -> list[NewTopic]:
    """NewTopic requests for the topics and their dead-letter topics."""
    specs = []
    for topic in topics:
        specs.append(
            NewTopic(topic.name, partitions or topic.partitions, replication_factor, topic_configs=topic.config())
        )
        dlq_config = {
            "cleanup.policy": "delete",
            "retention.ms": str(int(DEAD_LETTER_RETENTION.total_seconds() * 1000)),
        }
        specs.append(NewTopic(topic.dead_letter, 1, replication_factor, topic_configs=dlq_config))
    return specs


async def ensure_topics(
    connection: KafkaConnection,
    topics: Iterable[Topic[Any]] = REGISTRY,
    *,
    partitions: int | None = None,
    replication_factor: int = 1,
) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    admin = AIOKafkaAdminClient(**connection.client_kwargs())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            spec
            for spec in topic_specs(topics, partitions=partitions, replication_factor=replication_factor)
            if spec.name not in existing
        ]
        if not missing:
            return []
        response = await admin.create_topics(missing)
        created = []
        for name, code, message in response.topic_errors:
            if code == 0:
                created.append(name)
            elif code != TOPIC_ALREADY_EXISTS:
                raise RuntimeError(f"could not create topic {name}: error {code} {message}")
        log.info("topics_created", topics=created)
        return created
    finally:
        await admin.close()
