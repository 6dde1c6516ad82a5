"""Dead-letter replay: move dead letters back to their original topic after a fix."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from herne_events.connection import KafkaConnection
from herne_events.consumer import DLQ_HEADER_PREFIX
from herne_events.publisher import EventPublisher
from herne_events.topics import Topic
from herne_runtime.errors import Unavailable


async def replay_dead_letters(
    connection: KafkaConnection, publisher: EventPublisher, topic: Topic[object], *, group_id: str, max_events: int
) -> tuple[int, int]:
    """Re-publish up to ``max_events`` dead letters of ``topic``; returns (replayed, remaining).

    Progress is kept by the consumer group ``<group_id>.replay`` on the
    dead-letter topic, so each dead letter is replayed once. Replayed events keep
    their envelope and id; consumers still apply each only once.
    """
    consumer = AIOKafkaConsumer(
        topic.dead_letter,
        **connection.client_kwargs(),
        group_id=f"{group_id}.replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    replayed = 0
    try:
        await consumer.start()
        while replayed < max_events:
            records = await consumer.getmany(timeout_ms=1000, max_records=max_events - replayed)
            if not records:
                break
            for messages in records.values():
                for message in messages:
                    headers = [(k, v) for k, v in message.headers or () if not k.startswith(DLQ_HEADER_PREFIX)]
                    headers.append(("replayed-from", topic.dead_letter.encode()))
                    await publisher.publish_raw(topic.name, key=message.key, value=message.value, headers=headers)
                    replayed += 1
            await consumer.commit()
        remaining = 0
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition) or 0
            remaining += max(highwater - await consumer.position(partition), 0)
        return replayed, remaining
    except KafkaError as error:
        # The broker went away (or is not there yet): the operator can simply retry; what was
        # replayed and committed so far stays replayed, the rest is delivered by the next call.
        raise Unavailable(
            f"the event broker is unavailable ({type(error).__name__}) after replaying {replayed}; retry shortly"
        ) from None
    finally:
        await consumer.stop()
