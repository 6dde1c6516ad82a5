"""Malformed and wrongly-typed Kafka records on every consumed topic: DLQ with the reason, then on.

Two levels. The consumer runner over every registered topic at once (fresh
topic names on the session broker): each broken record is dead-lettered with
a reason naming the defect and the good event after it is applied. And each
catalog service process over the topics it reports consuming
(OpsService.GetServiceStatus), on the suite's own broker: the same records end
in the topic's DLQ under the service's consumer group and the service keeps
consuming (its counters account for the event after them).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from google.protobuf.message import Message

from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc
from herne_events.consumer import EventConsumer, Subscription, per_event
from herne_events.envelope import Event
from herne_events.publisher import EventPublisher
from herne_events.topics import REGISTRY, Topic, topic_named
from herne_stack.catalog import SERVICES
from tests.fixtures.services import wait_until
from tests.helpers.hostile import dead_letters, hostile_records, produce
from tests.helpers.stack import Infra, ServiceProcess, health

# Words the DLQ reason must contain for each broken record: it names the defect.
REASON_WORDS = {
    "garbage bytes": "not a herne.events.v1.Envelope",
    "tombstone": "empty",
    "json instead of protobuf": "Envelope",
    "another topic's event type": "does not belong",
    "future schema version": "schema version",
    "id not a UUID": "not a UUID",
    "no event time": "no time",
    "payload not protobuf": "payload is not a valid",
}


async def _fresh_topics(bootstrap: str) -> list[Topic[Message]]:
    suffix = uuid.uuid4().hex[:8]
    topics = [replace(topic, name=f"hostile-{suffix}.{topic.name}") for topic in REGISTRY]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        specs = [NewTopic(t.name, 1, 1) for t in topics] + [NewTopic(t.dead_letter, 1, 1) for t in topics]
        await admin.create_topics(specs)
    finally:
        await admin.close()
    return topics


@pytest.mark.slow
async def test_runner_dead_letters_every_broken_record_on_every_topic(kafka_broker, redis_client) -> None:
    """Tests that each broken record of every registered topic is dead-lettered with its reason; the next applies."""
    topics = await _fresh_topics(kafka_broker.bootstrap)
    applied: list[Event[Any]] = []

    async def accept(event: Event[Any]) -> None:
        applied.append(event)

    publisher = EventPublisher(kafka_broker.connection, source="/tests/hostile")
    await publisher.start(wait=True)
    sent: dict[str, dict[int, str]] = {}
    good_ids: set[str] = set()
    for topic in topics:
        records = [r for r in hostile_records(topic) if r.undecodable]
        offsets = await produce(kafka_broker.bootstrap, topic.name, [r.value for r in records])
        sent[topic.name] = dict(zip(offsets, (r.label for r in records), strict=True))
        good_ids.add(await publisher.publish(topic, topic.message(), subject="good"))
    consumer = EventConsumer(
        kafka_broker.connection,
        group_id=f"hostile-{uuid.uuid4().hex[:8]}",
        subscriptions=[Subscription(topic, per_event(accept)) for topic in topics],
        redis_client=redis_client,
        publisher=publisher,
        session_timeout_ms=3000,
        heartbeat_interval_ms=300,
    )
    task = asyncio.create_task(consumer.run())
    try:
        await wait_until(lambda: {e.id for e in applied} >= good_ids, timeout=40)
        expected_letters = sum(len(offsets) for offsets in sent.values())
        await wait_until(lambda: consumer.counters.dead_lettered >= expected_letters, timeout=20)
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 20)
        await publisher.stop()
    problems = []
    for topic in topics:
        letters = await dead_letters(kafka_broker.bootstrap, topic, set(sent[topic.name]), timeout=10)
        for offset, label in sent[topic.name].items():
            if offset not in letters:
                problems.append(f"{topic.name}: {label} not in {topic.dead_letter}")
                continue
            headers = {key: value.decode() for key, value in letters[offset].headers}
            if REASON_WORDS[label] not in headers.get("dlq-reason", ""):
                problems.append(f"{topic.name}: {label}: reason {headers.get('dlq-reason')!r}")
            if headers.get("dlq-original-topic") != topic.name:
                problems.append(f"{topic.name}: {label}: dlq-original-topic {headers.get('dlq-original-topic')!r}")
    assert not problems, "\n".join(problems)
    assert consumer.counters.dead_lettered == sum(len(offsets) for offsets in sent.values())
    assert len(applied) == len(topics)


def _status(service: ServiceProcess) -> ops_service_pb2.GetServiceStatusResponse:
    with service.channel() as channel:
        return ops_service_pb2_grpc.OpsServiceStub(channel).GetServiceStatus(
            ops_service_pb2.GetServiceStatusRequest(), timeout=5
        )


def _group_of(service: ServiceProcess, topic: str) -> ops_service_pb2.ConsumerStatus:
    return next(c for c in _status(service).consumers if topic in c.topics)


@pytest.mark.slow
@pytest.mark.parametrize("name", [entry.name for entry in SERVICES])
async def test_service_dead_letters_broken_records_and_keeps_consuming(
    catalog_services: dict[str, ServiceProcess], reliability_infra: Infra, name: str
) -> None:
    """Tests each topic a service consumes: broken records go to the DLQ with a reason, then the next is taken."""
    service = catalog_services[name]
    consumed = sorted({topic for consumer in _status(service).consumers for topic in consumer.topics})
    if not consumed:
        pytest.skip(f"{name} consumes no topic")
    problems = []
    for topic_name in consumed:
        topic = topic_named(topic_name)
        group = _group_of(service, topic_name)
        before = group.applied + group.dead_lettered
        records = hostile_records(topic)
        offsets = await produce(reliability_infra.bootstrap, topic.name, [r.value for r in records])
        labels = dict(zip(offsets, (r.label for r in records), strict=True))
        letters = await dead_letters(reliability_infra.bootstrap, topic, set(labels), timeout=30, group=group.group_id)
        for offset, label in labels.items():
            if offset not in letters:
                problems.append(f"{topic.name}: {label!r} not dead-lettered by {group.group_id}")
                continue
            reason = dict(letters[offset].headers).get("dlq-reason", b"").decode()
            if not reason or (label in REASON_WORDS and REASON_WORDS[label] not in reason):
                problems.append(f"{topic.name}: {label!r}: unhelpful reason {reason!r}")
        # The next event after the broken ones is taken: the service's counters move on past them.
        await produce(reliability_infra.bootstrap, topic.name, [records[-1].value])

        def moved_on(topic_name: str = topic_name, target: int = before + len(records) + 1) -> bool:
            now = _group_of(service, topic_name)
            return now.applied + now.dead_lettered >= target

        try:
            await wait_until(moved_on, timeout=20)
        except AssertionError:
            problems.append(f"{topic.name}: {group.group_id} did not take the event after the broken ones")
    assert service.running, f"{name} died"
    assert health(service.target) == "SERVING"
    assert not problems, "\n".join(problems)


def test_hostile_records_cover_every_registered_topic() -> None:
    """Tests that the hostile set can be built for every registered topic (new topics are covered)."""
    for topic in REGISTRY:
        labels = [record.label for record in hostile_records(topic)]
        assert set(REASON_WORDS) <= set(labels), topic.name
    with pytest.raises(KeyError):
        topic_named("no.such.topic.v1")
