"""gRPC servicer of herne.signals.v1.SignalsService: converts proto to domain calls and back."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc

from herne.common.v1 import geo_pb2
from herne.signals.v1 import signals_service_pb2 as pb
from herne.signals.v1 import signals_service_pb2_grpc
from herne_runtime.auth import current_caller
from herne_runtime.errors import InvalidArgument
from herne_runtime.wellknown import optional_time
from herne_signals.model import Intersection
from herne_signals.plan import ACTIVE, PROPOSED, REJECTED, SUPERSEDED, SignalPlan
from herne_signals.service import SignalsApp, timestamp, timing_fields

_STATUS = {
    PROPOSED: pb.PLAN_STATUS_PROPOSED,
    ACTIVE: pb.PLAN_STATUS_ACTIVE,
    REJECTED: pb.PLAN_STATUS_REJECTED,
    SUPERSEDED: pb.PLAN_STATUS_SUPERSEDED,
}
MAX_FLOW_ENTRIES = 200


def _now() -> datetime:
    return datetime.now(UTC)


def _flows(entries: object, where: str) -> dict[str, float]:
    flows: dict[str, float] = {}
    items = list(entries)  # type: ignore[call-overload]
    if len(items) > MAX_FLOW_ENTRIES:
        raise InvalidArgument(f"{where}: at most {MAX_FLOW_ENTRIES} flows, got {len(items)}")
    for index, entry in enumerate(items):
        if not entry.signal_group_id:
            raise InvalidArgument(f"{where}[{index}].signal_group_id is required")
        if entry.signal_group_id in flows:
            raise InvalidArgument(f"{where}[{index}]: signal group {entry.signal_group_id} given twice")
        flows[entry.signal_group_id] = entry.flow_veh_per_hour
    return flows


def _decider() -> str:
    caller = current_caller()
    return ",".join(sorted(caller.roles)) or "anonymous"


def plan_message(plan: SignalPlan) -> pb.SignalPlan:
    return pb.SignalPlan(
        plan_id=plan.plan_id,
        intersection_id=plan.intersection_id,
        cycle_seconds=plan.cycle_s,
        offset_seconds=plan.offset_s,
        groups=[pb.GroupTiming(**timing_fields(g)) for g in plan.groups],
        expectations=[
            pb.GroupExpectation(
                signal_group_id=e.group_id,
                flow_veh_per_hour=e.flow_veh_h,
                saturation_flow_veh_per_hour=e.saturation_flow_veh_h,
                capacity_veh_per_hour=e.capacity_veh_h,
                degree_of_saturation=e.degree_of_saturation,
                delay_seconds=e.delay_s,
                stops_per_vehicle=e.stops_per_vehicle,
            )
            for e in plan.expectations
        ],
        mean_delay_seconds=plan.mean_delay_s,
        oversaturated_signal_group_ids=plan.oversaturated_groups,
        status=_STATUS[plan.status],
        created_time=timestamp(plan.created_time) if plan.created_time else None,
        decided_time=timestamp(plan.decided_time) if plan.decided_time else None,
        decided_by=plan.decided_by,
        reject_reason=plan.reject_reason,
        demand_source=plan.demand_source,
        corridor_id=plan.corridor_id,
        outbound_band_seconds=plan.outbound_band_s,
        inbound_band_seconds=plan.inbound_band_s,
        proposal_reason=plan.reason,
    )


class SignalsServicer(signals_service_pb2_grpc.SignalsServiceServicer):
    """Implements herne.signals.v1.SignalsService."""

    def __init__(self, app: SignalsApp) -> None:
        self.app = app

    async def _summary(self, intersection: Intersection) -> pb.IntersectionSummary:
        corridor = self.app.network.corridor_of(intersection.intersection_id)
        return pb.IntersectionSummary(
            intersection_id=intersection.intersection_id,
            name=intersection.name,
            position=geo_pb2.GeoPoint(latitude=intersection.lat, longitude=intersection.lon),
            corridor_id=corridor.corridor_id if corridor else "",
            signal_groups=len(intersection.groups),
            active_plan_id=await self.app.store.active_id(intersection.intersection_id) or "",
        )

    async def ListIntersections(
        self, request: pb.ListIntersectionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListIntersectionsResponse:
        network = self.app.network
        summaries = [await self._summary(network.intersections[key]) for key in sorted(network.intersections)]
        return pb.ListIntersectionsResponse(intersections=summaries, data_notice=network.demo_notice)

    async def GetIntersection(
        self, request: pb.GetIntersectionRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetIntersectionResponse:
        intersection = self.app.network.intersection(request.intersection_id)
        return pb.GetIntersectionResponse(
            intersection=await self._summary(intersection),
            signal_groups=[
                pb.SignalGroup(
                    signal_group_id=g.group_id,
                    kind=g.kind,
                    approach=g.approach,
                    lanes=len(g.lanes),
                    min_green_seconds=g.min_green_s,
                    permissive_left=g.permissive_left,
                    detector_ids=list(g.detectors),
                )
                for g in intersection.groups
            ],
            stages=[pb.Stage(stage_id=s.stage_id, signal_group_ids=list(s.groups)) for s in intersection.stages],
            intergreens=[
                pb.Intergreen(from_signal_group_id=a, to_signal_group_id=b, seconds=seconds)
                for (a, b), seconds in sorted(intersection.intergreens.items())
            ],
            cycle_min_seconds=intersection.cycle_min_s,
            cycle_max_seconds=intersection.cycle_max_s,
        )

    async def GetActivePlan(
        self, request: pb.GetActivePlanRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetActivePlanResponse:
        return pb.GetActivePlanResponse(plan=plan_message(await self.app.active_plan(request.intersection_id)))

    async def ListPlans(self, request: pb.ListPlansRequest, context: grpc.aio.ServicerContext) -> pb.ListPlansResponse:
        plans = await self.app.plans(request.intersection_id, request.limit)
        return pb.ListPlansResponse(plans=[plan_message(plan) for plan in plans])

    async def OptimizeIntersection(
        self, request: pb.OptimizeIntersectionRequest, context: grpc.aio.ServicerContext
    ) -> pb.OptimizeIntersectionResponse:
        flows = _flows(request.flows, "flows")
        plan = await self.app.optimise_intersection(
            request.intersection_id, flows, request.max_degree_of_saturation, _now()
        )
        return pb.OptimizeIntersectionResponse(plan=plan_message(plan))

    async def OptimizeCorridor(
        self, request: pb.OptimizeCorridorRequest, context: grpc.aio.ServicerContext
    ) -> pb.OptimizeCorridorResponse:
        flows: dict[str, dict[str, float]] = {}
        for index, entry in enumerate(request.flows):
            if not entry.intersection_id:
                raise InvalidArgument(f"flows[{index}].intersection_id is required")
            if entry.intersection_id in flows:
                raise InvalidArgument(f"flows[{index}]: intersection {entry.intersection_id} given twice")
            flows[entry.intersection_id] = _flows(entry.flows, f"flows[{index}].flows")
        result = await self.app.optimise_corridor(request.corridor_id, flows, request.max_degree_of_saturation, _now())
        return pb.OptimizeCorridorResponse(
            plans=[plan_message(plan) for plan in result.plans],
            cycle_seconds=result.cycle_s,
            outbound_band_seconds=result.outbound_band_s,
            inbound_band_seconds=result.inbound_band_s,
            outbound_stops_per_vehicle=result.outbound_stops,
            inbound_stops_per_vehicle=result.inbound_stops,
        )

    async def ApprovePlan(
        self, request: pb.ApprovePlanRequest, context: grpc.aio.ServicerContext
    ) -> pb.ApprovePlanResponse:
        plan = await self.app.approve(request.plan_id, _decider(), _now())
        return pb.ApprovePlanResponse(plan=plan_message(plan))

    async def RejectPlan(
        self, request: pb.RejectPlanRequest, context: grpc.aio.ServicerContext
    ) -> pb.RejectPlanResponse:
        plan = await self.app.reject(request.plan_id, request.reason, _decider(), _now())
        return pb.RejectPlanResponse(plan=plan_message(plan))

    async def ReportRoadCondition(
        self, request: pb.ReportRoadConditionRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReportRoadConditionResponse:
        valid_until = optional_time(request, "valid_until_time")
        condition = await self.app.road_condition(
            request.from_node_id,
            request.to_node_id,
            request.kind,
            request.travel_time_factor,
            valid_until,
            request.reason,
            _now(),
        )
        return pb.ReportRoadConditionResponse(condition=condition)
