"""ChangeFeed: coalescing fan-out with per-client limits."""

from __future__ import annotations

import pytest

from herne_runtime.errors import ResourceExhausted
from herne_runtime.streams import ChangeFeed


async def test_slow_subscriber_gets_latest_value_per_key() -> None:
    """Tests that changes accumulate as the newest value per key, without blocking the publisher."""
    feed: ChangeFeed[str, int] = ChangeFeed(max_per_client=2)
    with feed.subscribe("client-a") as subscription:
        for value in range(10_000):
            feed.publish("P1", value)
        feed.publish("P2", 7)
        assert dict(await subscription.next_batch()) == {"P1": 9_999, "P2": 7}
        assert subscription.coalesced == 9_999


async def test_key_filter() -> None:
    """Tests that a subscriber only receives the keys it asked for."""
    feed: ChangeFeed[str, int] = ChangeFeed(max_per_client=2)
    with feed.subscribe("client-a", keys={"P1"}) as subscription:
        feed.publish("P2", 1)
        feed.publish("P1", 2)
        assert await subscription.next_batch() == [("P1", 2)]


def test_per_client_limit_and_release() -> None:
    """Tests that a client cannot exceed its stream limit and that closing frees a slot."""
    feed: ChangeFeed[str, int] = ChangeFeed(max_per_client=1)
    first = feed.subscribe("client-a")
    with pytest.raises(ResourceExhausted):
        feed.subscribe("client-a")
    feed.subscribe("client-b").close()
    first.close()
    feed.subscribe("client-a").close()
    assert feed.subscriber_count == 0
