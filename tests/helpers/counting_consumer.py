"""A consumer process that counts sensor readings exactly once, for kill -9 tests.

argv: bootstrap redis_url topic group. Each reading increments
``counts`` [sensor_id] in the same Redis transaction that marks its event id
applied (``Batch.dedup_key``), the pattern a service uses for effects that are
not idempotent by themselves (counter passages, bookings). A kill -9 at any
moment therefore either applied an event with its id or neither, and a
redelivery is dropped as a duplicate. Counters of this process are written to
the hash ``stats:<pid>`` every 50 ms (a killed process loses at most the
last 50 ms of them).
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from typing import Any

import redis.asyncio as aioredis

from herne_events.connection import KafkaConnection
from herne_events.consumer import Batch, EventConsumer, Subscription
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_SENSOR_READINGS


async def main(bootstrap: str, redis_url: str, topic_name: str, group: str) -> None:
    topic = replace(PARKING_SENSOR_READINGS, name=topic_name)
    client = aioredis.Redis.from_url(redis_url)
    connection = KafkaConnection(bootstrap, client_id="counting-consumer")
    publisher = EventPublisher(connection, source="/tests/counting-consumer")

    async def handle(batch: Batch[Any]) -> None:
        async with client.pipeline(transaction=True) as pipe:
            for event in batch.events:
                pipe.hincrby("counts", event.payload.sensor_id, 1)
                key = batch.dedup_key(event)
                assert key is not None
                pipe.set(key, b"1", ex=batch.dedup_ttl)
            await pipe.execute()
        batch.applied.update(event.id for event in batch.events)

    consumer = EventConsumer(
        connection,
        group_id=group,
        subscriptions=[Subscription(topic, handle)],
        redis_client=client,
        publisher=publisher,
        max_batch=50,
        session_timeout_ms=3000,
        heartbeat_interval_ms=300,
        max_backoff_seconds=1.0,
    )
    stats_key = f"stats:{os.getpid()}"

    async def report() -> None:
        while True:
            counters = consumer.counters
            await client.hset(stats_key, mapping={"applied": counters.applied, "duplicates": counters.duplicates})
            await asyncio.sleep(0.05)

    reporter = asyncio.create_task(report())
    try:
        await consumer.run()
    finally:
        reporter.cancel()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
