"""Redis keys of the signals service: plans, the plan index per intersection and the active plan.

- ``signals:plan:<plan id>``: the plan as JSON (``SignalPlan.to_dict``).
- ``signals:plans:<intersection id>``: sorted set of plan ids by creation time.
- ``signals:active:<intersection id>``: id of the active plan.
- ``signals:detector:<detector id>``: the detector's smoothed state as JSON.
- ``signals:estimate:<segment id>``: the last travel-time factor published from detector counts.
- ``signals:manual:<segment id>``: a condition entered by the traffic centre (expires with it);
  detector estimates leave such a segment alone so they never reopen a closure.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime

import redis.asyncio as aioredis

from herne_signals.detectors import DetectorState
from herne_signals.plan import SignalPlan

_PLAN = "signals:plan:"
_INDEX = "signals:plans:"
_ACTIVE = "signals:active:"
_DETECTOR = "signals:detector:"
_ESTIMATE = "signals:estimate:"
_MANUAL = "signals:manual:"


class SignalsStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client

    async def save(self, *plans: SignalPlan) -> None:
        """Store plans (new or changed) in one transaction."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for plan in plans:
                pipe.set(_PLAN + plan.plan_id, json.dumps(plan.to_dict()))
                created = plan.created_time.timestamp() if plan.created_time else 0.0
                pipe.zadd(_INDEX + plan.intersection_id, {plan.plan_id: created})
            await pipe.execute()

    async def get(self, plan_id: str) -> SignalPlan | None:
        raw = await self.redis.get(_PLAN + plan_id)
        return SignalPlan.from_dict(json.loads(raw)) if raw else None

    async def list(self, intersection_id: str, limit: int) -> list[SignalPlan]:
        ids = await self.redis.zrevrange(_INDEX + intersection_id, 0, limit - 1)
        if not ids:
            return []
        raws = await self.redis.mget([_PLAN + plan_id.decode() for plan_id in ids])
        return [SignalPlan.from_dict(json.loads(raw)) for raw in raws if raw]

    async def active_id(self, intersection_id: str) -> str | None:
        raw = await self.redis.get(_ACTIVE + intersection_id)
        return raw.decode() if raw else None

    async def activate(self, plan: SignalPlan, previous: SignalPlan | None) -> None:
        """Make ``plan`` active and ``previous`` superseded, atomically."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(_PLAN + plan.plan_id, json.dumps(plan.to_dict()))
            if previous is not None:
                pipe.set(_PLAN + previous.plan_id, json.dumps(previous.to_dict()))
            pipe.set(_ACTIVE + plan.intersection_id, plan.plan_id)
            await pipe.execute()

    async def detector(self, detector_id: str) -> DetectorState | None:
        raw = await self.redis.get(_DETECTOR + detector_id)
        return _detector_from_json(raw) if raw else None

    async def detectors(self, detector_ids: Sequence[str]) -> dict[str, DetectorState]:
        if not detector_ids:
            return {}
        raws = await self.redis.mget([_DETECTOR + d for d in detector_ids])
        return {d: _detector_from_json(raw) for d, raw in zip(detector_ids, raws, strict=True) if raw}

    async def save_detector(self, state: DetectorState) -> None:
        data = dataclasses.asdict(state)
        data["interval_start"] = state.interval_start.isoformat()
        await self.redis.set(_DETECTOR + state.detector_id, json.dumps(data))

    async def estimate(self, segment_id: str) -> tuple[float, datetime] | None:
        """The last published (factor, time) of a segment's detector estimate."""
        raw = await self.redis.get(_ESTIMATE + segment_id)
        if not raw:
            return None
        data = json.loads(raw)
        return float(data["factor"]), datetime.fromisoformat(data["published"])

    async def save_estimate(self, segment_id: str, factor: float, published: datetime) -> None:
        await self.redis.set(_ESTIMATE + segment_id, json.dumps({"factor": factor, "published": published.isoformat()}))

    async def set_manual(self, segment_id: str, kind: int, valid_for_s: float | None) -> None:
        """Remember a traffic-centre condition; ``valid_for_s`` None keeps it until cleared."""
        if valid_for_s is None:
            await self.redis.set(_MANUAL + segment_id, kind)
        else:
            await self.redis.set(_MANUAL + segment_id, kind, px=max(1, int(valid_for_s * 1000)))

    async def clear_manual(self, segment_id: str) -> None:
        await self.redis.delete(_MANUAL + segment_id)

    async def manual(self, segment_ids: Sequence[str]) -> set[str]:
        """The segments among ``segment_ids`` with a valid traffic-centre condition."""
        if not segment_ids:
            return set()
        raws = await self.redis.mget([_MANUAL + s for s in segment_ids])
        return {s for s, raw in zip(segment_ids, raws, strict=True) if raw}


def _detector_from_json(raw: bytes) -> DetectorState:
    data = json.loads(raw)
    data["interval_start"] = datetime.fromisoformat(data["interval_start"])
    return DetectorState(**data)
