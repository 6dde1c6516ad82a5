"""Server-stream fan-out that never lets a slow client hold up ingest.

``ChangeFeed.publish`` is synchronous and O(subscribers): it only records the
latest value per key for each interested subscriber and wakes it. A slow
subscriber therefore receives coalesced updates (the newest state of every key
that changed since its last read) instead of a growing queue, which is the
right thing for availability displays and guidance signs. Subscriptions are
limited per client (token or peer) to protect the server.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Collection, Hashable
from typing import Generic, TypeVar

import grpc

from herne_runtime.auth import current_caller
from herne_runtime.errors import ResourceExhausted

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def stream_client(context: grpc.aio.ServicerContext) -> str:
    """Who the per-client stream limit counts against: the token, else the peer's address."""
    caller = current_caller()
    if caller.token_label:
        return f"token:{caller.token_label}"
    peer = context.peer() or "unknown"
    return "peer:" + peer.rsplit(":", 1)[0]


class Subscription(Generic[K, V]):
    """One subscriber's pending changes; iterate to receive batches of (key, value)."""

    def __init__(self, feed: ChangeFeed[K, V], keys: frozenset[K] | None, client: str) -> None:
        self._feed = feed
        self.keys = keys
        self.client = client
        self._pending: dict[K, V] = {}
        self._wake = asyncio.Event()
        self.coalesced = 0

    def offer(self, key: K, value: V) -> None:
        if self.keys is not None and key not in self.keys:
            return
        if key in self._pending:
            self.coalesced += 1
        self._pending[key] = value
        self._wake.set()

    async def next_batch(self) -> list[tuple[K, V]]:
        """Wait for changes; returns every key that changed since the last call, newest value each."""
        await self._wake.wait()
        self._wake.clear()
        batch, self._pending = list(self._pending.items()), {}
        return batch

    async def __aiter__(self) -> AsyncIterator[list[tuple[K, V]]]:
        while True:
            yield await self.next_batch()

    def close(self) -> None:
        self._feed._remove(self)

    def __enter__(self) -> Subscription[K, V]:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class ChangeFeed(Generic[K, V]):
    """Latest-value fan-out of keyed changes to stream subscribers."""

    def __init__(self, *, max_per_client: int) -> None:
        self._subscriptions: set[Subscription[K, V]] = set()
        self._per_client: Counter[str] = Counter()
        self._max_per_client = max_per_client

    def subscribe(self, client: str, keys: Collection[K] | None = None) -> Subscription[K, V]:
        """Register a subscriber (all keys when ``keys`` is None); ResourceExhausted past the per-client limit."""
        if self._per_client[client] >= self._max_per_client:
            raise ResourceExhausted(
                f"at most {self._max_per_client} concurrent streams per client; close one before opening another"
            )
        subscription = Subscription(self, frozenset(keys) if keys is not None else None, client)
        self._subscriptions.add(subscription)
        self._per_client[client] += 1
        return subscription

    def publish(self, key: K, value: V) -> None:
        """Record a change for every interested subscriber; never blocks."""
        for subscription in self._subscriptions:
            subscription.offer(key, value)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscriptions)

    def _remove(self, subscription: Subscription[K, V]) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.discard(subscription)
            self._per_client[subscription.client] -= 1
