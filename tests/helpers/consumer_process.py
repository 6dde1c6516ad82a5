"""A consumer in its own process, for tests that kill it for real.

argv: bootstrap redis_url topic group. The handler appends each sensor id to
the Redis list "handled". CRASH_AT=handler SIGKILLs the process inside the
handler (before the event is marked applied); CRASH_AT=commit lets the runner
apply and mark the batch and SIGKILLs it just before the offset commit.
EXIT_AFTER_SEEN=N stops cleanly after N events were applied or found to be
duplicates, and prints the counters.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import replace

import redis.asyncio as aioredis

from herne_events.connection import KafkaConnection
from herne_events.consumer import EventConsumer, Subscription, per_event
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_SENSOR_READINGS


def _die(*_args: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


async def main(bootstrap: str, redis_url: str, topic_name: str, group: str) -> None:
    topic = replace(PARKING_SENSOR_READINGS, name=topic_name)
    client = aioredis.Redis.from_url(redis_url)
    connection = KafkaConnection(bootstrap, client_id="test-consumer")
    publisher = EventPublisher(connection, source="/tests/consumer-process")
    crash_at = os.environ.get("CRASH_AT", "")
    exit_after = int(os.environ.get("EXIT_AFTER_SEEN", "0"))

    async def handle(event) -> None:
        await client.rpush("handled", event.payload.sensor_id)
        if crash_at == "handler":
            _die()

    consumer = EventConsumer(
        connection,
        group_id=group,
        subscriptions=[Subscription(topic, per_event(handle))],
        redis_client=client,
        publisher=publisher,
        session_timeout_ms=3000,
        heartbeat_interval_ms=300,
    )
    if crash_at == "commit":
        consumer._commit = _die  # type: ignore[method-assign]

    async def stop_when_seen() -> None:
        while consumer.counters.applied + consumer.counters.duplicates < exit_after:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # let the runner commit the batch
        consumer.stop()

    watcher = asyncio.create_task(stop_when_seen()) if exit_after else None
    await asyncio.wait_for(consumer.run(), 50)
    if watcher is not None:
        await watcher
    print(f"applied={consumer.counters.applied} duplicates={consumer.counters.duplicates}")
    await publisher.stop()
    await client.aclose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
