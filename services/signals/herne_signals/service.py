"""Use cases of the signals service: propose, approve and reject plans; enter road conditions."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from herne.signals.v1 import events_pb2
from herne_events.publisher import EventPublisher
from herne_events.topics import TRAFFIC_ROAD_CONDITIONS, TRAFFIC_SIGNAL_PLANS
from herne_runtime.errors import FailedPrecondition, InvalidArgument, NotFound
from herne_signals import metrics
from herne_signals.detectors import Reading, apply, drift, measured_demand
from herne_signals.model import Intersection, Network, detectors, historic_flow, stage_problem
from herne_signals.optimise import CorridorResult, Options, optimise_corridor, optimise_intersection
from herne_signals.plan import ACTIVE, PROPOSED, REJECTED, SUPERSEDED, GroupTiming, SignalPlan, window_length
from herne_signals.store import SignalsStore
from herne_signals.travel_times import DEFAULT_GREEN_SHARE, bpr_factor, material_change, measured_segments
from herne_signals.validator import UnsafePlan, ensure_safe

MAX_PLANS_LISTED = 100
MAX_REASON_CHARS = 500


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def demand(
    intersection: Intersection, given: Mapping[str, float], hour: int, measured: Mapping[str, float] | None = None
) -> tuple[dict[str, float], str]:
    """Vehicle flows per group: given ones first, then healthy detectors, then the historic profile."""
    flows = {g.group_id: historic_flow(g, hour) for g in intersection.groups if g.kind == "vehicle"}
    sources = dict.fromkeys(flows, "historic")
    for group_id, flow in (measured or {}).items():
        flows[group_id], sources[group_id] = flow, "detectors"
    for group_id in given:
        sources[group_id] = "request"
    flows.update(given)
    kinds = set(sources.values())
    return flows, kinds.pop() if len(kinds) == 1 else "mixed"


class SignalsApp:
    """What the gRPC API does, over the network model, the store and the event publisher."""

    def __init__(
        self,
        network: Network,
        store: SignalsStore,
        publisher: EventPublisher,
        road_segments: frozenset[str],
        *,
        silent_after_s: float = 600.0,
        stuck_after: int = 10,
        drift_threshold: float = 0.25,
        travel_time_change: float = 0.1,
        travel_time_valid_s: float = 900.0,
    ) -> None:
        self.network = network
        self.travel_time_change = travel_time_change
        self.travel_time_valid_s = travel_time_valid_s
        self.silent_after_s = silent_after_s
        self.stuck_after = stuck_after
        self.drift_threshold = drift_threshold
        self._detector_intersection = {
            detector_id: intersection.intersection_id
            for intersection in network.intersections.values()
            for detector_id, _group in detectors(intersection)
        }
        self.road_segments = road_segments  # segment ids of the shared road network (herne_optim.network)
        self.measured_segments = measured_segments(network, road_segments)
        self.store = store
        self.publisher = publisher
        self._decisions = asyncio.Lock()  # one approval at a time per process: no two active plans

    async def optimise_intersection(
        self, intersection_id: str, flows: Mapping[str, float], max_dos: float, now: datetime
    ) -> SignalPlan:
        intersection = self.network.intersection(intersection_id)
        full, source = demand(intersection, flows, now.hour, await self.live_flows(intersection, now))
        options = Options(max_degree_of_saturation=max_dos or 0.9)
        try:
            plan = await asyncio.to_thread(optimise_intersection, intersection, full, options)
        except InvalidArgument:
            metrics.OPTIMISATION_FAILURES.labels("invalid_input").inc()
            raise
        except UnsafePlan:
            metrics.OPTIMISATION_FAILURES.labels("unsafe").inc()
            raise
        plan = replace(plan, created_time=now, demand_source=source, status=PROPOSED, reason="request")
        ensure_safe(intersection, plan)  # the gate before anything is stored
        await self.store.save(plan)
        return plan

    async def optimise_corridor(
        self, corridor_id: str, flows: Mapping[str, Mapping[str, float]], max_dos: float, now: datetime
    ) -> CorridorResult:
        corridor = self.network.corridor(corridor_id)
        unknown = set(flows) - set(corridor.intersections)
        if unknown:
            raise InvalidArgument(f"intersections {sorted(unknown)} are not on corridor {corridor_id}")
        full: dict[str, dict[str, float]] = {}
        sources = set()
        for intersection_id in corridor.intersections:
            intersection = self.network.intersection(intersection_id)
            live = await self.live_flows(intersection, now)
            full[intersection_id], source = demand(intersection, flows.get(intersection_id, {}), now.hour, live)
            sources.add(source)
        options = Options(max_degree_of_saturation=max_dos or 0.9)
        try:
            result = await asyncio.to_thread(optimise_corridor, self.network, corridor, full, options)
        except (InvalidArgument, FailedPrecondition):
            metrics.OPTIMISATION_FAILURES.labels("invalid_input").inc()
            raise
        except UnsafePlan:
            metrics.OPTIMISATION_FAILURES.labels("unsafe").inc()
            raise
        source = sources.pop() if len(sources) == 1 else "mixed"
        plans = [
            replace(p, created_time=now, demand_source=source, status=PROPOSED, reason="request") for p in result.plans
        ]
        for plan in plans:
            ensure_safe(self.network.intersection(plan.intersection_id), plan)
        await self.store.save(*plans)
        result.plans = plans
        return result

    async def live_flows(self, intersection: Intersection, now: datetime) -> dict[str, float]:
        """Flows of the groups whose detectors are all healthy (the rest falls back to history)."""
        states = await self.store.detectors([d for d, _ in detectors(intersection)])
        measured = measured_demand(
            intersection, states, now, silent_after_s=self.silent_after_s, stuck_after=self.stuck_after
        )
        return {g.group_id: g.flow_veh_h for g in measured if g.source == "detectors"}

    async def record_count(self, reading: Reading) -> bool:
        """Apply one detector interval; False when it was older than what is known (ignored)."""
        if reading.detector_id not in self._detector_intersection:
            raise NotFound(f"unknown detector_id {reading.detector_id!r}")
        state = apply(await self.store.detector(reading.detector_id), reading)
        if state is None:
            return False
        await self.store.save_detector(state)
        return True

    async def reoptimise_drifted(self, now: datetime) -> list[SignalPlan]:
        """Propose new plans where measured demand drifted beyond the threshold from the active plan's basis.

        An intersection running a corridor plan is re-optimised with its whole corridor: a new
        common cycle and offsets, proposed as one set, since changing one signal alone would
        break the progression of the others.
        """
        proposed: list[SignalPlan] = []
        corridors_due: set[str] = set()
        for intersection_id in sorted(self.network.intersections):
            active_id = await self.store.active_id(intersection_id)
            if active_id is None:
                continue
            active = await self.store.get(active_id)
            if active is None:
                continue
            intersection = self.network.intersection(intersection_id)
            live = await self.live_flows(intersection, now)
            if not live or drift(active.flows_basis, live) <= self.drift_threshold:
                continue
            if active.corridor_id:
                if active.corridor_id in self.network.corridors:
                    corridors_due.add(active.corridor_id)
                continue
            if await self._drift_pending(intersection_id, ""):
                continue  # one pending drift proposal is enough for the engineer to decide on
            plan = await self.optimise_intersection(intersection_id, {}, 0.0, now)
            plan = replace(plan, reason="demand drift")
            await self.store.save(plan)
            proposed.append(plan)
        for corridor_id in sorted(corridors_due):
            corridor = self.network.corridor(corridor_id)
            if await self._drift_pending(corridor.intersections[0], corridor_id):
                continue
            result = await self.optimise_corridor(corridor_id, {}, 0.0, now)
            plans = [replace(plan, reason="demand drift") for plan in result.plans]
            await self.store.save(*plans)
            proposed.extend(plans)
        return proposed

    async def _drift_pending(self, intersection_id: str, corridor_id: str) -> bool:
        recent = await self.store.list(intersection_id, 5)
        return any(p.status == PROPOSED and p.reason == "demand drift" and p.corridor_id == corridor_id for p in recent)

    async def publish_travel_times(self, now: datetime) -> list[events_pb2.RoadConditionChanged]:
        """Publish link travel-time factors from detector counts where they changed materially.

        Segments whose detectors are faulty are skipped (no estimate is better than a historic
        guess posing as a measurement), and so are segments with a condition entered by the
        traffic centre. An unchanged estimate is re-published before its validity runs out.
        """
        published = []
        manual = await self.store.manual([s.segment_id for s in self.measured_segments])
        for segment in self.measured_segments:
            if segment.segment_id in manual:
                continue
            intersection = self.network.intersection(segment.intersection_id)
            live = await self.live_flows(intersection, now)
            if segment.group_id not in live:
                continue
            flows, _ = demand(intersection, {}, now.hour, live)
            capacity = await self._capacity(intersection, segment.group_id, flows)
            factor = round(bpr_factor(live[segment.group_id], capacity), 2)
            previous = await self.store.estimate(segment.segment_id)
            before, when = previous if previous else (1.0, None)
            stale = when is not None and (now - when).total_seconds() >= self.travel_time_valid_s / 2
            if not material_change(before, factor, self.travel_time_change) and not stale:
                continue
            congested = factor > 1.0
            condition = events_pb2.RoadConditionChanged(
                segment_id=segment.segment_id,
                from_node_id=segment.from_node,
                to_node_id=segment.to_node,
                kind=events_pb2.ROAD_CONDITION_KIND_CONGESTED if congested else events_pb2.ROAD_CONDITION_KIND_NORMAL,
                travel_time_factor=factor,
                valid_from_time=timestamp(now),
                reason=(
                    f"estimated from detector counts: {live[segment.group_id]:.0f} veh/h "
                    f"of {capacity:.0f} veh/h capacity"
                ),
            )
            condition.valid_until_time.CopyFrom(timestamp(now + timedelta(seconds=self.travel_time_valid_s)))
            await self.publisher.publish(TRAFFIC_ROAD_CONDITIONS, condition, subject=segment.segment_id)
            await self.store.save_estimate(segment.segment_id, factor, now)
            metrics.TRAVEL_TIME_FACTOR.labels(segment.segment_id).set(factor)
            published.append(condition)
        return published

    async def _capacity(self, intersection: Intersection, group_id: str, flows: Mapping[str, float]) -> float:
        """The group's stop-line capacity under the active plan (a typical green share without one)."""
        spec = next(g for g in stage_problem(intersection, flows).groups if g.group_id == group_id)
        active_id = await self.store.active_id(intersection.intersection_id)
        plan = await self.store.get(active_id) if active_id else None
        share = DEFAULT_GREEN_SHARE
        if plan is not None:
            window = plan.window(group_id)
            share = window_length(window.green_start_s, window.green_end_s, plan.cycle_s) / plan.cycle_s
        return spec.saturation_flow_veh_h * share

    async def plan(self, plan_id: str) -> SignalPlan:
        if not plan_id:
            raise InvalidArgument("plan_id is required")
        plan = await self.store.get(plan_id)
        if plan is None:
            raise NotFound(f"unknown plan_id {plan_id!r}")
        return plan

    async def active_plan(self, intersection_id: str) -> SignalPlan:
        self.network.intersection(intersection_id)
        plan_id = await self.store.active_id(intersection_id)
        if plan_id is None:
            raise NotFound(f"intersection {intersection_id} has no approved plan yet")
        return await self.plan(plan_id)

    async def plans(self, intersection_id: str, limit: int) -> list[SignalPlan]:
        self.network.intersection(intersection_id)
        if limit < 0 or limit > MAX_PLANS_LISTED:
            raise InvalidArgument(f"limit must be 0 (default 20) to {MAX_PLANS_LISTED}, got {limit}")
        return await self.store.list(intersection_id, limit or 20)

    async def approve(self, plan_id: str, decided_by: str, now: datetime) -> SignalPlan:
        async with self._decisions:
            plan = await self.plan(plan_id)
            if plan.status != PROPOSED:
                raise FailedPrecondition(f"plan {plan_id} is {plan.status}; only proposed plans can be approved")
            intersection = self.network.intersection(plan.intersection_id)
            ensure_safe(intersection, plan)  # checked again: the data may have changed since the proposal
            previous_id = await self.store.active_id(plan.intersection_id)
            previous = await self.store.get(previous_id) if previous_id else None
            if previous is not None:
                previous = replace(previous, status=SUPERSEDED)
            plan = replace(plan, status=ACTIVE, decided_time=now, decided_by=decided_by)
            await self.store.activate(plan, previous)
        await self.publisher.publish(TRAFFIC_SIGNAL_PLANS, activated_event(plan, now), subject=plan.intersection_id)
        metrics.ACTIVE_PLAN_CYCLE.labels(plan.intersection_id).set(plan.cycle_s)
        metrics.ACTIVE_PLAN_DELAY.labels(plan.intersection_id).set(plan.mean_delay_s)
        return plan

    async def reject(self, plan_id: str, reason: str, decided_by: str, now: datetime) -> SignalPlan:
        if not reason.strip() or len(reason) > MAX_REASON_CHARS:
            raise InvalidArgument(f"reason must be 1 to {MAX_REASON_CHARS} characters")
        async with self._decisions:
            plan = await self.plan(plan_id)
            if plan.status != PROPOSED:
                raise FailedPrecondition(f"plan {plan_id} is {plan.status}; only proposed plans can be rejected")
            plan = replace(plan, status=REJECTED, decided_time=now, decided_by=decided_by, reject_reason=reason)
            await self.store.save(plan)
        return plan

    async def road_condition(
        self,
        from_node: str,
        to_node: str,
        kind: int,
        factor: float,
        valid_until: datetime | None,
        reason: str,
        now: datetime,
    ) -> events_pb2.RoadConditionChanged:
        if not from_node or not to_node or from_node == to_node:
            raise InvalidArgument("from_node_id and to_node_id are required and must differ")
        if kind not in (
            events_pb2.ROAD_CONDITION_KIND_NORMAL,
            events_pb2.ROAD_CONDITION_KIND_CONGESTED,
            events_pb2.ROAD_CONDITION_KIND_CLOSED,
        ):
            raise InvalidArgument("kind must be NORMAL, CONGESTED or CLOSED")
        if kind == events_pb2.ROAD_CONDITION_KIND_CONGESTED and not (math.isfinite(factor) and 1.0 <= factor <= 20.0):
            raise InvalidArgument(f"travel_time_factor of a congestion must be 1.0 to 20.0, got {factor}")
        if len(reason) > 200:
            raise InvalidArgument("reason must be at most 200 characters")
        if valid_until is not None and valid_until <= now:
            raise InvalidArgument("valid_until_time must lie in the future")
        segment_id = f"{from_node}>{to_node}"
        if segment_id not in self.road_segments:
            raise NotFound(f"road segment {segment_id!r} is not in the shared road network")
        condition = events_pb2.RoadConditionChanged(
            segment_id=segment_id,
            from_node_id=from_node,
            to_node_id=to_node,
            kind=kind,  # type: ignore[arg-type]
            travel_time_factor=factor if kind == events_pb2.ROAD_CONDITION_KIND_CONGESTED else 1.0,
            valid_from_time=timestamp(now),
            reason=reason,
        )
        if valid_until is not None:
            condition.valid_until_time.CopyFrom(timestamp(valid_until))
        await self.publisher.publish(TRAFFIC_ROAD_CONDITIONS, condition, subject=segment_id)
        # An entered condition wins over detector estimates until it ends; NORMAL hands back to them.
        if kind == events_pb2.ROAD_CONDITION_KIND_NORMAL:
            await self.store.clear_manual(segment_id)
        else:
            valid_for = (valid_until - now).total_seconds() if valid_until is not None else None
            await self.store.set_manual(segment_id, kind, valid_for)
        return condition


def timing_fields(group: GroupTiming) -> dict[str, Any]:
    """A group's timing as the fields shared by the API's GroupTiming and the event's SignalGroupTiming."""
    return {
        "signal_group_id": group.group_id,
        "green_start_seconds": group.green_start_s,
        "green_end_seconds": group.green_end_s,
        "min_green_seconds": group.min_green_s,
        "max_green_seconds": group.max_green_s,
        "extension_seconds": group.extension_s,
        "coordinated": group.coordinated,
        "free_max_green_seconds": group.free_max_green_s or group.max_green_s,
    }


def activated_event(plan: SignalPlan, now: datetime) -> events_pb2.SignalPlanActivated:
    return events_pb2.SignalPlanActivated(
        intersection_id=plan.intersection_id,
        plan_id=plan.plan_id,
        cycle_seconds=plan.cycle_s,
        offset_seconds=plan.offset_s,
        groups=[events_pb2.SignalGroupTiming(**timing_fields(g)) for g in plan.groups],
        approved_by=plan.decided_by,
        activated_time=timestamp(now),
    )
