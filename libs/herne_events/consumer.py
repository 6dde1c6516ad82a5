"""The consumer runner: at-least-once delivery, made effectively-once by event ids.

For each batch the runner decodes records (undecodable ones go to the
dead-letter topic at once), drops events whose id it has applied before
(Redis, with a TTL), hands the rest to the subscription's handler, records the
applied ids, dead-letters the events the handler rejected, and only then
commits the offsets. Transient failures (Redis or Kafka down) are retried with
backoff until they pass; a handler that raises is retried, then the batch is
split to find the culprit, which is dead-lettered with the error after
``max_handler_attempts``. Nothing is committed before it is applied or
dead-lettered, so a crash loses nothing: the uncommitted records are delivered
again and the ids keep their effect single.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import redis.asyncio as aioredis
import redis.exceptions
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from google.protobuf.message import Message

from herne_events import metrics
from herne_events.connection import KafkaConnection
from herne_events.envelope import Event, UndecodableEvent, decode
from herne_events.publisher import EventPublisher
from herne_events.topics import Topic
from herne_runtime.errors import DomainError, Unavailable
from herne_runtime.logging import get_logger

M = TypeVar("M", bound=Message)
log = get_logger(__name__)

# Failures of a dependency rather than of the event: retried until they pass.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    KafkaError,
    ConnectionError,
    TimeoutError,
    Unavailable,
)

DLQ_HEADER_PREFIX = "dlq-"


class PermanentEventError(Exception):
    """Raised by a per-event handler: this event can never be applied (it goes to the DLQ)."""


class _Stopping(Exception):
    """The runner was asked to stop while waiting for a dependency."""


class Deduplicator:
    """Remembers applied event ids per consumer group in Redis."""

    def __init__(self, client: aioredis.Redis, group_id: str, ttl_seconds: int) -> None:
        self._client = client
        self._prefix = f"herne:events:applied:{group_id}:"
        self.ttl_seconds = ttl_seconds

    def key(self, event_id: str) -> str:
        """Redis key marking ``event_id`` as applied; handlers may set it in their own transaction."""
        return self._prefix + event_id

    async def applied(self, event_ids: Sequence[str]) -> set[str]:
        if not event_ids:
            return set()
        values = await self._client.mget([self.key(event_id) for event_id in event_ids])
        return {event_id for event_id, value in zip(event_ids, values, strict=True) if value is not None}

    async def mark(self, event_ids: Iterable[str]) -> None:
        async with self._client.pipeline(transaction=False) as pipe:
            for event_id in event_ids:
                pipe.set(self.key(event_id), b"1", ex=self.ttl_seconds)
            await pipe.execute()


class Batch(Generic[M]):
    """Events of one topic partition handed to a handler, in offset order."""

    def __init__(self, events: list[Event[M]], deduplicator: Deduplicator | None) -> None:
        self.events = events
        self._deduplicator = deduplicator
        self.rejected: dict[str, str] = {}
        self.applied: set[str] = set()

    def reject(self, event: Event[M], reason: str) -> None:
        """This event can never be applied; it goes to the dead-letter topic with ``reason``."""
        self.rejected[event.id] = reason

    async def mark_applied(self, events: Sequence[Event[M]]) -> None:
        """Record events as applied now, so a retry of the batch skips them."""
        if self._deduplicator is not None:
            await self._deduplicator.mark(event.id for event in events)
        self.applied.update(event.id for event in events)

    def dedup_key(self, event: Event[M]) -> str | None:
        """Redis key an atomic handler may SET (with ``dedup_ttl``) in the same transaction as its effect."""
        return self._deduplicator.key(event.id) if self._deduplicator is not None else None

    @property
    def dedup_ttl(self) -> int:
        return self._deduplicator.ttl_seconds if self._deduplicator is not None else 0


BatchHandler = Callable[[Batch[Any]], Awaitable[None]]
EventHandler = Callable[[Event[Any]], Awaitable[None]]


def per_event(handler: EventHandler) -> BatchHandler:
    """Adapt a handler of single events: PermanentEventError and domain errors reject the event."""

    async def handle(batch: Batch[Any]) -> None:
        for event in batch.events:
            try:
                await handler(event)
            except (PermanentEventError, DomainError) as error:
                batch.reject(event, str(error))
                continue
            await batch.mark_applied([event])

    return handle


@dataclass(frozen=True)
class Subscription:
    """A topic and what to do with its events.

    ``deduplicate`` is off only for handlers that are idempotent by
    themselves (e.g. last-writer-wins on observed time), to spare Redis.
    """

    topic: Topic[Any]
    handler: BatchHandler
    deduplicate: bool = True


@dataclass
class ConsumerCounters:
    """Running totals, exposed by OpsService.GetServiceStatus."""

    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    lag: dict[tuple[str, int], int] = field(default_factory=dict)


class EventConsumer:
    """Runs one consumer group over a set of subscriptions until stopped."""

    def __init__(
        self,
        connection: KafkaConnection,
        *,
        group_id: str,
        subscriptions: Sequence[Subscription],
        redis_client: aioredis.Redis,
        publisher: EventPublisher,
        dedup_ttl_seconds: int = 24 * 3600,
        max_batch: int = 1000,
        max_handler_attempts: int = 3,
        max_backoff_seconds: float = 10.0,
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 3_000,
    ) -> None:
        if not subscriptions:
            raise ValueError("a consumer needs at least one subscription")
        self.group_id = group_id
        self._connection = connection
        self._subscriptions = {subscription.topic.name: subscription for subscription in subscriptions}
        self._publisher = publisher
        self._deduplicator = Deduplicator(redis_client, group_id, dedup_ttl_seconds)
        self._max_batch = max_batch
        self._max_handler_attempts = max_handler_attempts
        self._max_backoff = max_backoff_seconds
        self._group_timing = {"session_timeout_ms": session_timeout_ms, "heartbeat_interval_ms": heartbeat_interval_ms}
        self._stopping = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self.counters = ConsumerCounters()

    @property
    def topics(self) -> list[str]:
        return sorted(self._subscriptions)

    def stop(self) -> None:
        """Ask the runner to finish the current batch, commit and leave the group."""
        self._stopping.set()

    async def run(self) -> None:
        """Consume until ``stop``; reconnects with backoff when the broker is away."""
        delay = 0.2
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(
                *self._subscriptions,
                **self._connection.client_kwargs(),
                group_id=self.group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_interval_ms=300_000,
                **self._group_timing,
            )
            try:
                await consumer.start()
            except (KafkaError, OSError) as error:
                await consumer.stop()
                log.warning("consumer_cannot_connect", group=self.group_id, error=str(error), retry_in_s=delay)
                await self._pause(delay, raise_on_stop=False)
                delay = min(delay * 2, self._max_backoff)
                continue
            delay = 0.2
            self._consumer = consumer
            try:
                await self._poll(consumer)
            except KafkaError as error:
                log.warning("consumer_restarting", group=self.group_id, error=str(error))
                await self._pause(delay, raise_on_stop=False)
            except Exception as error:  # a bug must not end consumption for good
                log.error("consumer_crashed", group=self.group_id, exc_info=error)
                await self._pause(self._max_backoff, raise_on_stop=False)
            finally:
                self._consumer = None
                await consumer.stop()
        log.info("consumer_stopped", group=self.group_id)

    async def _poll(self, consumer: AIOKafkaConsumer) -> None:
        while not self._stopping.is_set():
            records = await consumer.getmany(timeout_ms=300, max_records=self._max_batch)
            done: dict[TopicPartition, int] = {}
            try:
                for partition, messages in records.items():
                    await self._process(partition, messages)
                    done[partition] = messages[-1].offset + 1
            except _Stopping:
                pass
            finally:
                if done:
                    await self._commit(consumer, done)
            await self._update_lag(consumer)

    async def _commit(self, consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> None:
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as error:
            # The partitions moved to another member during a rebalance; it will
            # see the records again and the applied ids keep their effect single.
            log.warning("commit_failed_after_rebalance", group=self.group_id, error=str(error))

    async def _process(self, partition: TopicPartition, messages: list[ConsumerRecord[Any, Any]]) -> None:
        subscription = self._subscriptions[partition.topic]
        topic = subscription.topic
        events: list[tuple[ConsumerRecord[Any, Any], Event[Any]]] = []
        seen: set[str] = set()
        for message in messages:
            try:
                event = decode(topic, message.value, partition=message.partition, offset=message.offset)
            except UndecodableEvent as error:
                await self._dead_letter(topic, message, str(error))
                continue
            if event.id in seen:
                self._count_duplicates(topic, 1)
                continue
            seen.add(event.id)
            events.append((message, event))
        if subscription.deduplicate and events:
            applied = await self._retrying(topic, lambda: self._deduplicator.applied([e.id for _, e in events]))
            if applied:
                self._count_duplicates(topic, len(applied))
                events = [(m, e) for m, e in events if e.id not in applied]
        if events:
            await self._apply(subscription, events)

    async def _apply(
        self, subscription: Subscription, events: list[tuple[ConsumerRecord[Any, Any], Event[Any]]]
    ) -> None:
        topic = subscription.topic
        deduplicator = self._deduplicator if subscription.deduplicate else None
        attempts = 0
        delay = 0.1
        while True:
            if attempts and deduplicator is not None:
                applied = await deduplicator.applied([e.id for _, e in events])
                events = [(m, e) for m, e in events if e.id not in applied]
                if not events:
                    return
            batch = Batch([event for _, event in events], deduplicator)
            began = time.perf_counter()
            try:
                await subscription.handler(batch)
                accepted = [e.id for _, e in events if e.id not in batch.rejected and e.id not in batch.applied]
                if deduplicator is not None and accepted:
                    await deduplicator.mark(accepted)
            except TRANSIENT_ERRORS as error:
                metrics.HANDLER_RETRIES.labels(self.group_id, topic.name, "transient").inc()
                log.warning("dependency_unavailable", group=self.group_id, topic=topic.name, error=str(error))
                await self._pause(delay)
                delay = min(delay * 2, self._max_backoff)
                continue
            except Exception as error:
                attempts += 1
                metrics.HANDLER_RETRIES.labels(self.group_id, topic.name, "error").inc()
                if len(events) > 1:
                    # Find the event that breaks the handler instead of failing the whole batch.
                    for item in events:
                        await self._apply(subscription, [item])
                    return
                if attempts >= self._max_handler_attempts:
                    message, event = events[0]
                    log.error(
                        "event_handler_failed", group=self.group_id, topic=topic.name, event_id=event.id, exc_info=error
                    )
                    await self._dead_letter(
                        topic, message, f"handler failed {attempts} times: {type(error).__name__}: {error}"
                    )
                    return
                await self._pause(delay)
                delay = min(delay * 2, self._max_backoff)
                continue
            metrics.HANDLER_SECONDS.labels(self.group_id, topic.name).observe(time.perf_counter() - began)
            applied_count = len(events) - len(batch.rejected)
            self.counters.applied += applied_count
            metrics.EVENTS_CONSUMED.labels(self.group_id, topic.name, "applied").inc(applied_count)
            for message, event in events:
                if event.id in batch.rejected:
                    await self._dead_letter(topic, message, batch.rejected[event.id])
            return

    async def _dead_letter(self, topic: Topic[Any], message: ConsumerRecord[Any, Any], reason: str) -> None:
        headers = [(key, value) for key, value in message.headers or () if not key.startswith(DLQ_HEADER_PREFIX)]
        headers += [
            ("dlq-reason", reason[:1000].encode()),
            ("dlq-original-topic", topic.name.encode()),
            ("dlq-original-partition", str(message.partition).encode()),
            ("dlq-original-offset", str(message.offset).encode()),
            ("dlq-consumer-group", self.group_id.encode()),
            ("dlq-time", datetime.now(UTC).isoformat().encode()),
        ]

        async def send() -> None:
            await self._publisher.publish_raw(topic.dead_letter, key=message.key, value=message.value, headers=headers)

        await self._retrying(topic, send)
        log.warning(
            "event_dead_lettered", group=self.group_id, topic=topic.name, offset=message.offset, reason=reason[:300]
        )
        self.counters.dead_lettered += 1
        metrics.EVENTS_CONSUMED.labels(self.group_id, topic.name, "dead_lettered").inc()

    async def _retrying(self, topic: Topic[Any], operation: Callable[[], Awaitable[Any]]) -> Any:
        delay = 0.1
        while True:
            try:
                return await operation()
            except TRANSIENT_ERRORS as error:
                metrics.HANDLER_RETRIES.labels(self.group_id, topic.name, "transient").inc()
                log.warning("dependency_unavailable", group=self.group_id, topic=topic.name, error=str(error))
                await self._pause(delay)
                delay = min(delay * 2, self._max_backoff)

    def _count_duplicates(self, topic: Topic[Any], count: int) -> None:
        self.counters.duplicates += count
        metrics.EVENTS_CONSUMED.labels(self.group_id, topic.name, "duplicate").inc(count)

    async def _pause(self, seconds: float, *, raise_on_stop: bool = True) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except TimeoutError:
            return
        if raise_on_stop:
            raise _Stopping

    async def _update_lag(self, consumer: AIOKafkaConsumer) -> None:
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition)
            if highwater is None:
                continue
            try:
                position = await consumer.position(partition)
            except IllegalStateError:
                continue
            lag = max(highwater - position, 0)
            self.counters.lag[(partition.topic, partition.partition)] = lag
            metrics.CONSUMER_LAG.labels(self.group_id, partition.topic, str(partition.partition)).set(lag)
