"""The waste application: use cases over the planner (domain), the store (Redis) and the outbox.

Each use case reads through the store, computes with `Planner` and writes through
`WasteStore.update_day` (atomic per day). Events go to the Redis outbox in the same
transaction; `relay_outbox` publishes them. Optimisations run in a worker thread so the
event loop keeps answering (OR-Tools searches in C++ on matrices it owns).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from herne.signals.v1 import events_pb2 as signals_events
from herne.waste.v1 import events_pb2 as waste_events
from herne_events.publisher import EventPublisher
from herne_events.topics import WASTE_PICKUP_BOOKED, WASTE_PICKUP_CANCELLED, WASTE_TOURS_PLANNED, topic_named
from herne_optim.network import NetworkError, parse_segment_id
from herne_runtime.errors import FailedPrecondition, InvalidArgument, NotFound, Unavailable
from herne_runtime.logging import get_logger
from herne_waste import metrics
from herne_waste.domain import (
    VISITED,
    DayPlan,
    Demand,
    ItemLine,
    Location,
    Pickup,
    PickupState,
    PlanJob,
    Planner,
    SlotOffer,
    Unserved,
    UnservedReason,
    new_pickup_id,
    parse_date,
    parse_slot_id,
)
from herne_waste.store import DayChange, OutboxEvent, WasteStore

log = get_logger(__name__)
MAX_HORIZON_DAYS = 28
MAX_SLOTS = 50
ALTERNATIVES = 5
OUTBOX_LOCK = "waste:outbox:lock"


class SlotTaken(FailedPrecondition):
    """The chosen slot is no longer feasible; carries fresh alternatives."""

    def __init__(self, message: str, alternatives: list[SlotOffer], location: Location, demand: Demand) -> None:
        super().__init__(message)
        self.alternatives = alternatives
        self.location = location
        self.demand = demand


@dataclass(frozen=True)
class OfferResult:
    offers: list[SlotOffer]
    location: Location
    demand: Demand
    note: str


class WasteApp:
    def __init__(
        self,
        planner: Planner,
        store: WasteStore,
        publisher: EventPublisher | None,
        *,
        plan_time_limit_s: float = 10.0,
        replan_time_limit_s: float = 2.0,
        default_horizon_days: int = 14,
    ) -> None:
        self.planner = planner
        self.store = store
        self.publisher = publisher
        self.plan_time_limit_s = plan_time_limit_s
        self.replan_time_limit_s = replan_time_limit_s
        self.default_horizon_days = default_horizon_days
        self._outbox_kick = asyncio.Event()
        self._day_locks: dict[str, asyncio.Lock] = {}

    # -- slots ---------------------------------------------------------------------------------

    async def offer(
        self,
        location: Location,
        items: Sequence[ItemLine],
        earliest: str,
        horizon_days: int,
        max_slots: int,
        now: datetime,
    ) -> OfferResult:
        if horizon_days < 0 or horizon_days > MAX_HORIZON_DAYS:
            raise InvalidArgument(f"horizon_days must be 1..{MAX_HORIZON_DAYS}, got {horizon_days}")
        if max_slots < 0 or max_slots > MAX_SLOTS:
            raise InvalidArgument(f"max_slots must be 1..{MAX_SLOTS}, got {max_slots}")
        demand = self.planner.demand(items)
        self.planner.check_serviceable(demand)
        today = self.planner.today(now)
        first = parse_date(earliest, "earliest_date") if earliest else today + timedelta(days=1)
        days = self.planner.bookable_days(first, horizon_days or self.default_horizon_days, today)
        offers = await self._offers(days, location, demand, max_slots or 10, first)
        note = (
            "" if offers else f"no free slot in the {len(days)} working days from {first.isoformat()}; try later dates"
        )
        return OfferResult(offers, location, demand, note)

    async def _offers(
        self, days: list[date], location: Location, demand: Demand, max_slots: int, first: date
    ) -> list[SlotOffer]:
        plans = await self.store.get_plans(days)
        return self.planner.offer(plans, location, demand, max_slots, first)

    # -- booking -----------------------------------------------------------------------------

    async def book(
        self,
        slot: str,
        location: Location,
        items: Sequence[ItemLine],
        contact: dict[str, str],
        idempotency_key: str,
        note: str,
        now: datetime,
    ) -> tuple[Pickup, bool]:
        if not 8 <= len(idempotency_key) <= 128:
            raise InvalidArgument("idempotency_key must be 8..128 characters")
        if len(note) > 500:
            raise InvalidArgument("note must be at most 500 characters")
        day, window = parse_slot_id(slot)
        if window not in self.planner.fleet.slot_windows_s:
            raise InvalidArgument(f"slot_id {slot!r}: no such time window")
        demand = self.planner.demand(items)
        self.planner.check_serviceable(demand)
        today = self.planner.today(now)
        if day <= today:
            raise InvalidArgument(f"slot {slot}: pickups are booked from tomorrow on")
        if not self.planner.fleet.is_working_day(day):
            raise InvalidArgument(f"slot {slot}: {day.isoformat()} is not a working day")
        self.planner.bookable_days(day, 1, today)  # the same bounds as OfferSlots (not too far ahead)
        fingerprint = _fingerprint(slot, location, items)
        key = idempotency_key
        existing = await self._idempotent(key, fingerprint)
        if existing is not None:
            return existing, False
        pickup = Pickup(
            new_pickup_id(),
            PickupState.BOOKED,
            day.isoformat(),
            window,
            location,
            list(items),
            demand,
            contact=contact,
            note=note,
            booked_at=now.isoformat(),
        )

        async def compute(plan: DayPlan) -> DayChange:
            if await self._idempotent(key, fingerprint) is not None:
                return DayChange()  # booked meanwhile under the same key (another replica)
            new = self.planner.insert(plan, pickup, now)
            if new is None:
                return DayChange(plan=None, idempotency_key=None)
            event = self._booked_event(pickup, now)
            return DayChange(
                plan=new,
                pickups=[pickup],
                events=[event],
                idempotency_key=key,
                idempotency_value=json.dumps({"pickup_id": pickup.id, "fingerprint": fingerprint}),
            )

        change = await self.store.update_day(day.isoformat(), compute, watch_idempotency=key)
        if change.plan is None and not change.pickups:
            existing = await self._idempotent(key, fingerprint)
            if existing is not None:
                return existing, False
            days = self.planner.bookable_days(day, self.default_horizon_days, today)
            alternatives = (await self._offers(days, location, demand, MAX_SLOTS, day))[:ALTERNATIVES]
            listed = "; ".join(o.slot_id for o in alternatives) or "none in the next days"
            raise SlotTaken(
                f"slot {slot} is no longer available for this pickup; alternatives: {listed}",
                alternatives,
                location,
                demand,
            )
        self._outbox_kick.set()
        if change.plan is not None:
            self._export(change.plan)
        log.info("pickup_booked", pickup_id=pickup.id, date=pickup.date, district=location.district)
        return pickup, True

    async def _idempotent(self, key: str, fingerprint: str) -> Pickup | None:
        raw = await self.store.idempotent(key)
        if raw is None:
            return None
        data = json.loads(raw)
        if data["fingerprint"] != fingerprint:
            raise FailedPrecondition("idempotency_key was already used for a different booking request")
        pickup = await self.store.get_pickup(data["pickup_id"])
        if pickup is None:
            raise Unavailable("the booking of this idempotency key is being written; try again")
        return pickup

    # -- cancel / get --------------------------------------------------------------------------

    async def get(self, pickup_id: str) -> tuple[Pickup, DayPlan]:
        pickup = await self._pickup(pickup_id)
        return pickup, await self.store.get_plan(pickup.date)

    async def _pickup(self, pickup_id: str) -> Pickup:
        if not pickup_id or len(pickup_id) > 64:
            raise InvalidArgument("pickup_id must be 1..64 characters")
        pickup = await self.store.get_pickup(pickup_id)
        if pickup is None:
            raise NotFound(f"no pickup {pickup_id}")
        return pickup

    async def cancel(self, pickup_id: str, reason: str, now: datetime) -> Pickup:
        if len(reason) > 200:
            raise InvalidArgument("reason must be at most 200 characters")
        pickup = await self._pickup(pickup_id)
        if pickup.state is PickupState.CANCELLED:
            return pickup  # cancelling twice is harmless
        if pickup.state is not PickupState.BOOKED:
            raise FailedPrecondition(
                f"pickup {pickup_id} was already visited ({pickup.state.value}); it cannot be cancelled"
            )
        cancelled = replace(pickup, state=PickupState.CANCELLED, reason=reason or "cancelled")

        async def compute(plan: DayPlan) -> DayChange:
            new = self.planner.remove(plan, pickup_id, now) if pickup_id in plan.jobs else None
            payload = waste_events.PickupCancelled(
                pickup_id=pickup_id, date=pickup.date, reason=reason or "cancelled", cancelled_time=_ts(now)
            )
            return DayChange(
                plan=new, pickups=[cancelled], events=[_event(WASTE_PICKUP_CANCELLED.name, pickup_id, payload)]
            )

        change = await self.store.update_day(pickup.date, compute)
        self._outbox_kick.set()
        if change.plan is not None:
            self._export(change.plan)
        log.info("pickup_cancelled", pickup_id=pickup_id, date=pickup.date)
        return cancelled

    # -- tours -----------------------------------------------------------------------------------

    async def tours(self, day_text: str) -> DayPlan:
        parse_date(day_text)
        return await self.store.get_plan(day_text)

    async def plan(self, day_text: str, time_limit_s: float, now: datetime, *, kind: str = "plan") -> DayPlan:
        day = parse_date(day_text)
        if day < self.planner.today(now):
            raise InvalidArgument(f"date {day_text} is in the past")
        if not math.isfinite(time_limit_s) or time_limit_s < 0 or time_limit_s > 120:
            raise InvalidArgument("time_limit_seconds must be 0..120")
        limit = time_limit_s or (self.plan_time_limit_s if kind == "plan" else self.replan_time_limit_s)
        lock = self._day_locks.setdefault(day_text, asyncio.Lock())
        async with lock:
            base = await self.store.get_plan(day_text)
            status = "optimised" if kind == "plan" else "replanned"
            try:
                optimised, _solution, violations = await asyncio.to_thread(
                    self.planner.optimise, base, now, time_limit_s=limit, status=status
                )
            except Exception:
                metrics.SOLVES.labels(kind, "error").inc()
                raise
            if violations:
                metrics.SOLVES.labels(kind, "failed_check").inc()
                log.error("plan_failed_check", date=day_text, violations=violations[:10])
                raise FailedPrecondition(
                    f"the optimised plan of {day_text} failed the constraint check ({violations[0]}); "
                    "the previous plan is kept"
                )
            metrics.SOLVES.labels(kind, "infeasible" if optimised.unserved else "ok").inc()

            async def compute(current: DayPlan) -> DayChange:
                merged = self._merge(base, optimised, current, now)
                return DayChange(plan=merged, events=[self._planned_event(merged, now)])

            change = await self.store.update_day(day_text, compute)
        assert change.plan is not None
        self._outbox_kick.set()
        self._export(change.plan)
        log.info(
            "tours_planned",
            date=day_text,
            kind=kind,
            stops=sum(len(r) for r in change.plan.routes.values()),
            unserved=len(change.plan.unserved),
            solve_s=change.plan.solve_s,
        )
        return change.plan

    def _merge(self, base: DayPlan, optimised: DayPlan, current: DayPlan, now: datetime) -> DayPlan:
        """Bring in bookings and cancellations that happened while the solver ran."""
        if current.plan_id == base.plan_id:
            return optimised
        merged = replace(optimised, jobs={**optimised.jobs})
        for job_id in [j for j in merged.jobs if j not in current.jobs]:
            merged = self.planner.remove(merged, job_id, now)
        for job_id, job in current.jobs.items():
            merged.jobs[job_id] = replace(merged.jobs.get(job_id, job), state=job.state, visited_at_s=job.visited_at_s)
        for job_id in [j for j in current.jobs if j not in base.jobs]:
            probe = _probe_pickup(job_id, current.jobs[job_id], current.date)
            inserted = self.planner.insert(
                replace(merged, jobs={k: v for k, v in merged.jobs.items() if k != job_id}), probe, now
            )
            if inserted is None:
                merged.unserved.append(
                    Unserved(job_id, UnservedReason.NO_ROOM, "booked during planning; re-plan the day")
                )
            else:
                merged = inserted
        merged.status = optimised.status
        return merged

    def _export(self, plan: DayPlan) -> None:
        metrics.TOUR_STOPS.labels(plan.date).set(sum(1 for r in plan.routes.values() for s in r if s in plan.jobs))
        km = sum(self.planner.route_distance_m(steps) for steps in plan.steps.values()) / 1000.0
        metrics.TOUR_KM.labels(plan.date).set(round(km, 3))
        metrics.TOUR_UNSERVED.labels(plan.date).set(len(plan.unserved))

    async def report(
        self, pickup_id: str, result: PickupState, at: datetime | None, note: str, now: datetime
    ) -> tuple[Pickup, DayPlan]:
        if result not in VISITED:
            raise InvalidArgument("result must be DONE, NOT_FOUND or REFUSED")
        if len(note) > 500:
            raise InvalidArgument("note must be at most 500 characters")
        pickup = await self._pickup(pickup_id)
        if pickup.state is PickupState.CANCELLED:
            raise FailedPrecondition(f"pickup {pickup_id} is cancelled")
        if at is None and pickup.date != self.planner.today(now).isoformat():
            # reported from another day (late entry): take the planned time of the stop
            step = (await self.store.get_plan(pickup.date)).step_of(pickup_id)
            at = self.planner.instant(pickup.date, step.start_s if step else pickup.window_s[0])
        moment = at or now
        at_s = self.planner.seconds_of_day(pickup.date, moment)
        if not 0 <= at_s < 86400 + 6 * 3600:
            raise InvalidArgument(f"reported_time is not on the pickup's day {pickup.date}")
        reported = replace(pickup, state=result, reason=note or result.value, visited_at_s=at_s)

        async def compute(plan: DayPlan) -> DayChange:
            if pickup_id not in plan.jobs:
                return DayChange(pickups=[reported])
            jobs = {**plan.jobs, pickup_id: replace(plan.jobs[pickup_id], state=result.value, visited_at_s=at_s)}
            return DayChange(plan=replace(plan, jobs=jobs), pickups=[reported])

        await self.store.update_day(pickup.date, compute)
        log.info("stop_reported", pickup_id=pickup_id, result=result.value)
        if date.fromisoformat(pickup.date) < self.planner.today(now):
            return reported, await self.store.get_plan(pickup.date)  # a late report of a past day
        return reported, await self.plan(pickup.date, 0, max(now, moment), kind="replan")

    # -- events ----------------------------------------------------------------------------------

    def _booked_event(self, pickup: Pickup, now: datetime) -> OutboxEvent:
        payload = waste_events.PickupBooked(
            pickup_id=pickup.id,
            date=pickup.date,
            window_start_time=_ts(self.planner.instant(pickup.date, pickup.window_s[0])),
            window_end_time=_ts(self.planner.instant(pickup.date, pickup.window_s[1])),
            volume_m3=pickup.demand.volume_m3,
            district=pickup.location.district,
            booked_time=_ts(now),
        )
        return _event(WASTE_PICKUP_BOOKED.name, pickup.id, payload)

    def _planned_event(self, plan: DayPlan, now: datetime) -> OutboxEvent:
        km = sum(self.planner.route_distance_m(s) for s in plan.steps.values())
        co2 = sum(self.planner.co2_kg(v, self.planner.route_distance_m(s)) for v, s in plan.steps.items())
        payload = waste_events.ToursPlanned(
            date=plan.date,
            plan_id=plan.plan_id,
            vehicles_used=sum(1 for r in plan.routes.values() if r),
            stops_planned=sum(1 for r in plan.routes.values() for s in r if s in plan.jobs),
            stops_unserved=len(plan.unserved),
            distance_km=round(km / 1000.0, 3),
            co2_kg=round(co2, 2),
            planned_time=_ts(now),
        )
        return _event(WASTE_TOURS_PLANNED.name, plan.date, payload, event_id=f"tours-{plan.plan_id}")

    async def relay_outbox(self, *, interval_s: float = 1.0, batch: int = 100) -> None:
        """Publish outbox events forever (one relay at a time across replicas, via a Redis lock)."""
        while True:
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation that
            # races with the event, and the relay would then never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(interval_s):
                    await self._outbox_kick.wait()
            self._outbox_kick.clear()
            try:
                await self.flush_outbox(batch)
            except Unavailable as error:
                log.warning("outbox_publish_failed", error=str(error))
            except Exception as error:  # keep relaying; the events stay in the outbox
                log.error("outbox_relay_failed", exc_info=error)

    async def flush_outbox(self, batch: int = 100) -> int:
        if self.publisher is None:
            return 0
        token = uuid.uuid4().hex
        if not await self.store.redis.set(OUTBOX_LOCK, token, nx=True, px=15000):
            return 0
        published = 0
        try:
            while events := await self.store.peek_outbox(batch):
                for event in events:
                    topic = topic_named(event.topic)
                    await self.publisher.publish(
                        topic, topic.message.FromString(event.payload), subject=event.subject, event_id=event.event_id
                    )
                await self.store.drop_outbox(len(events))
                published += len(events)
        finally:
            if (await self.store.redis.get(OUTBOX_LOCK)) == token.encode():
                await self.store.redis.delete(OUTBOX_LOCK)
        return published

    # -- road conditions ---------------------------------------------------------------------------

    async def apply_road_condition(self, change: signals_events.RoadConditionChanged, now: datetime) -> None:
        """Apply a traffic.road-conditions.v1 event; raises InvalidArgument for unknown segments."""
        try:
            from_node, to_node = parse_segment_id(change.segment_id)
            value = _condition_value(change)
            self._apply(from_node, to_node, value, now)
        except NetworkError as error:
            raise InvalidArgument(str(error)) from None
        await self.store.save_condition(change.segment_id, value)
        log.info("road_condition_applied", segment=change.segment_id, closed=value["closed"], factor=value["factor"])

    def _apply(self, from_node: str, to_node: str, value: dict[str, float | bool | None], now: datetime) -> None:
        until = value.get("until")
        active = until is None or float(until) > now.timestamp()  # type: ignore[arg-type]
        closed = bool(value["closed"]) and active
        factor = float(value["factor"]) if active else 1.0  # type: ignore[arg-type]
        self.planner.network.set_condition(from_node, to_node, factor=factor if factor > 0 else 1.0, closed=closed)

    async def restore_conditions(self, now: datetime) -> int:
        """Re-apply stored road conditions (the network starts at free flow after a restart)."""
        restored = 0
        for segment, value in (await self.store.conditions()).items():
            try:
                self._apply(*parse_segment_id(segment), value, now)
                restored += 1
            except NetworkError as error:
                log.warning("stored_condition_ignored", segment=segment, error=str(error))
        return restored

    async def sweep_conditions(self, *, interval_s: float = 60.0) -> None:
        while True:
            await asyncio.sleep(interval_s)
            await self.restore_conditions(datetime.now(UTC))


def _condition_value(change: signals_events.RoadConditionChanged) -> dict[str, float | bool | None]:
    kind = change.kind
    if kind == signals_events.ROAD_CONDITION_KIND_UNSPECIFIED:
        raise NetworkError("kind must be NORMAL, CONGESTED or CLOSED")
    factor = change.travel_time_factor or 1.0
    if not math.isfinite(factor) or factor <= 0:
        raise NetworkError(f"travel_time_factor must be > 0, got {change.travel_time_factor}")
    until = change.valid_until_time.ToDatetime(tzinfo=UTC).timestamp() if change.HasField("valid_until_time") else None
    return {
        "closed": kind == signals_events.ROAD_CONDITION_KIND_CLOSED,
        "factor": 1.0 if kind == signals_events.ROAD_CONDITION_KIND_NORMAL else factor,
        "until": until,
    }


def _event(topic: str, subject: str, payload: object, event_id: str | None = None) -> OutboxEvent:
    return OutboxEvent(topic, subject, event_id or uuid.uuid4().hex, payload.SerializeToString())  # type: ignore[attr-defined]


def _ts(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def _fingerprint(slot: str, location: Location, items: Sequence[ItemLine]) -> str:
    text = json.dumps([slot, location.node, location.address, [(i.kind, i.count, i.volume_m3) for i in items]])
    return hashlib.sha256(text.encode()).hexdigest()


def _probe_pickup(job_id: str, job: PlanJob, day: str) -> Pickup:
    """A pickup standing in for a plan job (planning data only) for re-insertion."""
    return Pickup(
        job_id,
        PickupState(job.state),
        day,
        job.window_s,
        Location(job.node, 0.0, 0.0, "", ""),
        [],
        Demand(job.volume_m3, job.service_s, frozenset(job.skills)),
    )
