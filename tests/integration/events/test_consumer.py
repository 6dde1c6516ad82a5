"""Publisher and consumer runner over the real broker and Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import redis.exceptions
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from herne.parking.v1.events_pb2 import SensorReading
from herne_events.consumer import Batch, EventConsumer, PermanentEventError, Subscription, per_event
from herne_events.envelope import Event
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_SENSOR_READINGS, Topic
from tests.fixtures.services import wait_until

# Tansu waits out a session before re-assigning partitions of a member that left.
FAST_GROUP = {"session_timeout_ms": 3000, "heartbeat_interval_ms": 300}


def _reading(sensor: str) -> SensorReading:
    reading = SensorReading(sensor_id=sensor, occupied=True)
    reading.observed_time.FromDatetime(datetime.now(UTC))
    return reading


@pytest.fixture
def topic(fresh_topic: str) -> Topic[SensorReading]:
    """The sensor-readings contract on a fresh topic name."""
    return replace(PARKING_SENSOR_READINGS, name=fresh_topic.removesuffix(".v1") + ".v1")


@pytest.fixture
async def publisher(kafka_broker):
    publisher = EventPublisher(kafka_broker.connection, source="/tests")
    await publisher.start(wait=True)
    yield publisher
    await publisher.stop()


async def _dead_letters(kafka_broker, topic: Topic, count: int) -> list:
    consumer = AIOKafkaConsumer(
        topic.dead_letter, bootstrap_servers=kafka_broker.bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    records = []
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while len(records) < count and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                records.extend(messages)
    finally:
        await consumer.stop()
    return records


class Recorder:
    """A handler that records what it applied (and can be told to fail)."""

    def __init__(self) -> None:
        self.applied: list[Event[SensorReading]] = []
        self.transient_failures = 0
        self.poison_sensor: str | None = None

    async def __call__(self, event: Event[SensorReading]) -> None:
        if self.transient_failures:
            self.transient_failures -= 1
            raise redis.exceptions.ConnectionError("Redis went away")
        if event.payload.sensor_id == self.poison_sensor:
            raise PermanentEventError(f"unknown sensor {event.payload.sensor_id}")
        self.applied.append(event)


async def _run(consumer: EventConsumer):
    task = asyncio.create_task(consumer.run())
    return task


async def _stop(consumer: EventConsumer, task) -> None:
    consumer.stop()
    await asyncio.wait_for(task, 20)


def _consumer(kafka_broker, redis_client, publisher, topic, handler, group=None) -> EventConsumer:
    return EventConsumer(
        kafka_broker.connection,
        group_id=group or f"test-{uuid.uuid4().hex[:8]}",
        subscriptions=[Subscription(topic, per_event(handler))],
        redis_client=redis_client,
        publisher=publisher,
        max_backoff_seconds=0.5,
        **FAST_GROUP,
    )


async def test_event_delivered_twice_is_applied_once(kafka_broker, redis_client, publisher, topic) -> None:
    """Tests that a re-published event (same id) is applied once and counted as a duplicate."""
    event_id = str(uuid.uuid4())
    await publisher.publish(topic, _reading("s-1"), event_id=event_id)
    await publisher.publish(topic, _reading("s-1"), event_id=event_id)
    await publisher.publish(topic, _reading("s-2"))
    recorder = Recorder()
    consumer = _consumer(kafka_broker, redis_client, publisher, topic, recorder)
    task = await _run(consumer)
    await wait_until(lambda: len(recorder.applied) >= 2 and consumer.counters.duplicates >= 1)
    await _stop(consumer, task)
    assert [e.payload.sensor_id for e in recorder.applied] == ["s-1", "s-2"]
    assert consumer.counters.duplicates == 1


async def test_poison_message_goes_to_dlq_and_consumer_continues(kafka_broker, redis_client, publisher, topic) -> None:
    """Tests that garbage and rejected events land in the DLQ with a reason, and later events still apply."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap)
    await producer.start()
    await producer.send_and_wait(topic.name, key=b"x", value=b"\x00not an envelope", partition=0)
    await producer.stop()
    await publisher.publish(topic, _reading("ghost"))
    await publisher.publish(topic, _reading("good"))
    recorder = Recorder()
    recorder.poison_sensor = "ghost"
    consumer = _consumer(kafka_broker, redis_client, publisher, topic, recorder)
    task = await _run(consumer)
    await wait_until(lambda: [e.payload.sensor_id for e in recorder.applied] == ["good"])
    await wait_until(lambda: consumer.counters.dead_lettered == 2)
    await _stop(consumer, task)
    letters = await _dead_letters(kafka_broker, topic, 2)
    reasons = sorted(dict(r.headers)["dlq-reason"].decode() for r in letters)
    assert any("not a herne.events.v1.Envelope" in reason for reason in reasons)
    assert any("unknown sensor ghost" in reason for reason in reasons)
    assert all(dict(r.headers)["dlq-original-topic"] == topic.name.encode() for r in letters)


async def test_transient_failure_is_retried_not_dead_lettered(kafka_broker, redis_client, publisher, topic) -> None:
    """Tests that a dependency outage in the handler is retried until it passes."""
    await publisher.publish(topic, _reading("s-9"))
    recorder = Recorder()
    recorder.transient_failures = 3
    consumer = _consumer(kafka_broker, redis_client, publisher, topic, recorder)
    task = await _run(consumer)
    await wait_until(lambda: len(recorder.applied) == 1)
    await _stop(consumer, task)
    assert consumer.counters.dead_lettered == 0


async def test_buggy_handler_isolates_the_bad_event(kafka_broker, redis_client, publisher, topic) -> None:
    """Tests that a handler crashing on one event of a batch dead-letters only that event."""
    for sensor in ("ok-1", "boom", "ok-2"):
        await publisher.publish(topic, _reading(sensor), subject="same-key")

    applied: list[str] = []

    async def handler(batch: Batch[SensorReading]) -> None:
        if any(e.payload.sensor_id == "boom" for e in batch.events):
            raise ZeroDivisionError("bug")
        applied.extend(e.payload.sensor_id for e in batch.events)

    consumer = EventConsumer(
        kafka_broker.connection,
        group_id=f"test-{uuid.uuid4().hex[:8]}",
        subscriptions=[Subscription(topic, handler)],
        redis_client=redis_client,
        publisher=publisher,
        max_backoff_seconds=0.2,
        **FAST_GROUP,
    )
    task = await _run(consumer)
    await wait_until(lambda: consumer.counters.dead_lettered == 1 and len(applied) == 2)
    await _stop(consumer, task)
    assert applied == ["ok-1", "ok-2"]
    letters = await _dead_letters(kafka_broker, topic, 1)
    assert "ZeroDivisionError" in dict(letters[0].headers)["dlq-reason"].decode()


def _run_consumer_process(kafka_broker, redis_server, topic, group: str, **env: str) -> subprocess.CompletedProcess:
    argv = [
        sys.executable,
        "-m",
        "tests.helpers.consumer_process",
        kafka_broker.bootstrap,
        redis_server.url,
        topic.name,
        group,
    ]
    return subprocess.run(argv, env={**os.environ, **env}, timeout=60, capture_output=True, text=True)


@pytest.mark.slow
async def test_consumer_killed_in_handler_loses_nothing(
    kafka_broker, redis_server, redis_client, publisher, topic
) -> None:
    """Tests that a consumer SIGKILLed while handling (nothing committed) leaves the event to its successor."""
    await publisher.publish(topic, _reading("k-1"))
    group = f"test-{uuid.uuid4().hex[:8]}"
    crashed = _run_consumer_process(kafka_broker, redis_server, topic, group, CRASH_AT="handler")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    completed = _run_consumer_process(kafka_broker, redis_server, topic, group, EXIT_AFTER_SEEN="1")
    assert completed.returncode == 0, completed.stderr[-2000:]
    # At-least-once: the successor handled it again because the first never finished.
    assert await redis_client.lrange("handled", 0, -1) == [b"k-1", b"k-1"]


@pytest.mark.slow
async def test_consumer_killed_before_commit_applies_once(
    kafka_broker, redis_server, redis_client, publisher, topic
) -> None:
    """Tests that a consumer SIGKILLed after applying but before committing does not get the event applied twice."""
    await publisher.publish(topic, _reading("k-2"))
    group = f"test-{uuid.uuid4().hex[:8]}"
    crashed = _run_consumer_process(kafka_broker, redis_server, topic, group, CRASH_AT="commit")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    completed = _run_consumer_process(kafka_broker, redis_server, topic, group, EXIT_AFTER_SEEN="1")
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "applied=0 duplicates=1" in completed.stdout
    assert await redis_client.lrange("handled", 0, -1) == [b"k-2"]
