"""Publishing events over aiokafka with acks=all and the herne envelope."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from google.protobuf.message import Message

from herne_events import metrics
from herne_events.connection import KafkaConnection
from herne_events.envelope import encode
from herne_events.topics import Topic
from herne_runtime.errors import Unavailable
from herne_runtime.logging import get_logger

M = TypeVar("M", bound=Message)
log = get_logger(__name__)


class EventPublisher:
    """Publishes events; connects in the background and retries until the broker is there.

    ``publish`` waits up to ``ready_timeout`` for a connection and then raises
    Unavailable, so an RPC that must emit an event fails clearly instead of
    hanging while the broker is down.
    """

    def __init__(
        self,
        connection: KafkaConnection,
        *,
        source: str,
        enable_idempotence: bool = False,
        ready_timeout: float = 5.0,
        linger_ms: int = 5,
    ) -> None:
        self._connection = connection
        self._source = source
        self._enable_idempotence = enable_idempotence
        self._ready_timeout = ready_timeout
        self._linger_ms = linger_ms
        self._producer: AIOKafkaProducer | None = None
        self._ready = asyncio.Event()
        self._connect_task: asyncio.Task[None] | None = None

    @property
    def source(self) -> str:
        return self._source

    async def start(self, *, wait: bool = False) -> None:
        """Begin connecting (in the background unless ``wait``)."""
        if self._connect_task is None:
            self._connect_task = asyncio.create_task(self._connect(), name="publisher-connect")
        if wait:
            await self._connect_task

    async def _connect(self) -> None:
        delay = 0.2
        while True:
            producer = AIOKafkaProducer(
                **self._connection.client_kwargs(),
                acks="all",
                enable_idempotence=self._enable_idempotence,
                linger_ms=self._linger_ms,
                request_timeout_ms=15000,
            )
            try:
                await producer.start()
            except (KafkaError, OSError) as error:
                await producer.stop()
                log.warning("broker_unreachable", component="publisher", error=str(error), retry_in_s=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            self._producer = producer
            self._ready.set()
            return

    async def stop(self) -> None:
        """Flush pending records and close."""
        if self._connect_task is not None and not self._connect_task.done():
            self._connect_task.cancel()
            await asyncio.gather(self._connect_task, return_exceptions=True)
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        self._ready.clear()

    async def _ready_producer(self) -> AIOKafkaProducer:
        if self._connect_task is None:
            await self.start()
        try:
            await asyncio.wait_for(self._ready.wait(), self._ready_timeout)
        except TimeoutError:
            raise Unavailable("the event broker is unavailable; try again shortly") from None
        assert self._producer is not None
        return self._producer

    async def publish(
        self,
        topic: Topic[M],
        payload: M,
        *,
        subject: str | None = None,
        event_id: str | None = None,
        time: datetime | None = None,
    ) -> str:
        """Publish one event and wait for the broker's acknowledgement; returns the event id."""
        ids = await self.publish_many(topic, [payload], subjects=[subject], event_ids=[event_id], times=[time])
        return ids[0]

    async def publish_many(
        self,
        topic: Topic[M],
        payloads: Sequence[M],
        *,
        subjects: Sequence[str | None] | None = None,
        event_ids: Sequence[str | None] | None = None,
        times: Sequence[datetime | None] | None = None,
    ) -> list[str]:
        """Publish a batch, pipelined, and wait until every record is acknowledged."""
        producer = await self._ready_producer()
        count = len(payloads)
        encoded = [
            encode(
                topic,
                payload,
                source=self._source,
                subject=(subjects or [None] * count)[index],
                event_id=(event_ids or [None] * count)[index],
                time=(times or [None] * count)[index],
            )
            for index, payload in enumerate(payloads)
        ]
        try:
            futures = [
                await producer.send(topic.name, key=item.key, value=item.value, headers=item.headers)
                for item in encoded
            ]
            await asyncio.gather(*futures)
        except KafkaError as error:
            metrics.PUBLISH_FAILURES.labels(topic.name).inc(count)
            raise Unavailable(f"could not publish to {topic.name}: {type(error).__name__}") from error
        metrics.EVENTS_PUBLISHED.labels(topic.name).inc(count)
        return [item.event_id for item in encoded]

    async def publish_raw(
        self, topic_name: str, *, key: bytes | None, value: bytes | None, headers: Iterable[tuple[str, bytes]]
    ) -> None:
        """Publish bytes as they are (dead letters and their replay)."""
        producer = await self._ready_producer()
        try:
            await producer.send_and_wait(topic_name, key=key, value=value, headers=list(headers))
        except KafkaError as error:
            metrics.PUBLISH_FAILURES.labels(topic_name).inc()
            raise Unavailable(f"could not publish to {topic_name}: {type(error).__name__}") from error
        metrics.EVENTS_PUBLISHED.labels(topic_name).inc()

    async def check(self) -> None:
        """Raise when the broker cannot be reached (used by the health monitor)."""
        producer = await self._ready_producer()
        client: Any = producer.client
        ok = await client.fetch_all_metadata()
        if ok is None:
            raise Unavailable("no metadata from the broker")
