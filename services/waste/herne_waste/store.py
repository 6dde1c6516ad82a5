"""Redis keys of the waste service, and the atomic booking transaction.

Keys (all JSON unless noted):
- ``waste:pickup:<id>``: the booking record (personal data: contact, address).
- ``waste:day:<date>``: the day plan (tours, and per pickup only planning data).
- ``waste:idem:<key>``: pickup id booked under an idempotency key (kept 30 days).
- ``waste:outbox``: list of events still to publish (written in the same transaction as
  the change they announce, so no booking is ever without its event).
- ``waste:conditions``: hash segment id -> current road condition (re-applied on start).
- ``waste:days``: sorted set of dates that have a plan (score: ordinal of the date).

Redis is the store of record (AOF on, see README "How bookings survive"). Changes of a
day go through `update_day`: WATCH the day (and idempotency key), compute the new state
with plain domain code, write everything in one MULTI/EXEC; a concurrent change of the
same day makes EXEC fail and the computation runs again on fresh data. That is what makes
"the slot is still free" and "book once per idempotency key" atomic across replicas.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import WatchError

from herne_runtime.errors import Unavailable
from herne_waste.domain import DayPlan, Pickup

PREFIX = "waste"
IDEMPOTENCY_TTL_S = 30 * 86400
MAX_RETRIES = 20


def pickup_key(pickup_id: str) -> str:
    return f"{PREFIX}:pickup:{pickup_id}"


def day_key(day: str) -> str:
    return f"{PREFIX}:day:{day}"


def idem_key(key: str) -> str:
    return f"{PREFIX}:idem:{key}"


OUTBOX = f"{PREFIX}:outbox"
CONDITIONS = f"{PREFIX}:conditions"
DAYS = f"{PREFIX}:days"


@dataclass(frozen=True)
class OutboxEvent:
    """An event to publish: topic name, key, id and the serialized payload."""

    topic: str
    subject: str
    event_id: str
    payload: bytes

    def encode(self) -> bytes:
        return json.dumps(
            {
                "topic": self.topic,
                "subject": self.subject,
                "event_id": self.event_id,
                "payload": base64.b64encode(self.payload).decode(),
            }
        ).encode()

    @classmethod
    def decode(cls, raw: bytes) -> OutboxEvent:
        data = json.loads(raw)
        return cls(data["topic"], data["subject"], data["event_id"], base64.b64decode(data["payload"]))


@dataclass
class DayChange:
    """What a day update writes: the new plan, changed pickups, events, an idempotency key."""

    plan: DayPlan | None = None
    pickups: list[Pickup] = field(default_factory=list)
    events: list[OutboxEvent] = field(default_factory=list)
    idempotency_key: str | None = None
    idempotency_value: str = ""


class WasteStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client

    async def get_pickup(self, pickup_id: str) -> Pickup | None:
        raw = await self.redis.get(pickup_key(pickup_id))
        return None if raw is None else Pickup.from_json(json.loads(raw))

    async def get_plan(self, day: str) -> DayPlan:
        raw = await self.redis.get(day_key(day))
        return DayPlan(day) if raw is None else DayPlan.from_json(json.loads(raw))

    async def get_plans(self, days: Sequence[date]) -> list[DayPlan]:
        if not days:
            return []
        raws = await self.redis.mget([day_key(d.isoformat()) for d in days])
        return [
            DayPlan(d.isoformat()) if raw is None else DayPlan.from_json(json.loads(raw))
            for d, raw in zip(days, raws, strict=True)
        ]

    async def pickups_of(self, plan: DayPlan) -> list[Pickup]:
        ids = list(plan.jobs)
        if not ids:
            return []
        raws = await self.redis.mget([pickup_key(i) for i in ids])
        return [Pickup.from_json(json.loads(raw)) for raw in raws if raw is not None]

    async def idempotent(self, key: str) -> str | None:
        raw = await self.redis.get(idem_key(key))
        return None if raw is None else raw.decode()

    async def update_day(
        self,
        day: str,
        compute: Callable[[DayPlan], Awaitable[DayChange]],
        *,
        watch_idempotency: str | None = None,
    ) -> DayChange:
        """Run ``compute`` on the current plan and write its change atomically (optimistic)."""
        keys = [day_key(day)] + ([idem_key(watch_idempotency)] if watch_idempotency else [])
        for _attempt in range(MAX_RETRIES):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(*keys)
                    raw = await pipe.get(day_key(day))
                    plan = DayPlan(day) if raw is None else DayPlan.from_json(json.loads(raw))
                    change = await compute(plan)
                    pipe.multi()
                    self._write(pipe, day, change)
                    await pipe.execute()
                    return change
                except WatchError:
                    continue
        raise Unavailable(f"the plan of {day} is changing too often right now; try again")

    @staticmethod
    def _write(pipe: Any, day: str, change: DayChange) -> None:
        if change.plan is not None:
            pipe.set(day_key(day), json.dumps(change.plan.to_json()))
            pipe.zadd(DAYS, {day: date.fromisoformat(day).toordinal()})
        for pickup in change.pickups:
            pipe.set(pickup_key(pickup.id), json.dumps(pickup.to_json()))
        if change.idempotency_key:
            pipe.set(idem_key(change.idempotency_key), change.idempotency_value, ex=IDEMPOTENCY_TTL_S)
        if change.events:
            pipe.rpush(OUTBOX, *[event.encode() for event in change.events])

    async def save_pickup(self, pickup: Pickup) -> None:
        await self.redis.set(pickup_key(pickup.id), json.dumps(pickup.to_json()))

    # -- outbox ------------------------------------------------------------------------------

    async def peek_outbox(self, limit: int) -> list[OutboxEvent]:
        raws = await self.redis.lrange(OUTBOX, 0, limit - 1)
        return [OutboxEvent.decode(raw) for raw in raws]

    async def drop_outbox(self, count: int) -> None:
        await self.redis.ltrim(OUTBOX, count, -1)

    async def outbox_length(self) -> int:
        return int(await self.redis.llen(OUTBOX))

    # -- road conditions -----------------------------------------------------------------------

    async def save_condition(self, segment: str, value: dict[str, Any] | None) -> None:
        if value is None:
            await self.redis.hdel(CONDITIONS, segment)
        else:
            await self.redis.hset(CONDITIONS, segment, json.dumps(value))

    async def conditions(self) -> dict[str, dict[str, Any]]:
        raw = await self.redis.hgetall(CONDITIONS)
        return {k.decode(): json.loads(v) for k, v in raw.items()}

    async def planned_days(self, start: date, end: date) -> list[str]:
        raw = await self.redis.zrangebyscore(DAYS, start.toordinal(), end.toordinal())
        return [d.decode() for d in raw]
