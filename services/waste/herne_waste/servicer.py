"""gRPC servicer of herne.waste.v1.WasteService: converts proto to domain calls and back."""

from __future__ import annotations

from datetime import UTC, datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from herne.common.v1 import geo_pb2
from herne.waste.v1 import waste_service_pb2 as pb
from herne.waste.v1 import waste_service_pb2_grpc
from herne_runtime.errors import InvalidArgument
from herne_runtime.wellknown import optional_time
from herne_waste.domain import DayPlan, ItemLine, Location, Pickup, PickupState, PlannedStep, SlotOffer
from herne_waste.service import SlotTaken, WasteApp

ALTERNATIVES_METADATA = "herne-alternatives-bin"
_STATE = {
    PickupState.BOOKED: pb.PICKUP_STATE_BOOKED,
    PickupState.CANCELLED: pb.PICKUP_STATE_CANCELLED,
    PickupState.DONE: pb.PICKUP_STATE_DONE,
    PickupState.NOT_FOUND: pb.PICKUP_STATE_NOT_FOUND,
    PickupState.REFUSED: pb.PICKUP_STATE_REFUSED,
}
_RESULT = {
    pb.STOP_RESULT_DONE: PickupState.DONE,
    pb.STOP_RESULT_NOT_FOUND: PickupState.NOT_FOUND,
    pb.STOP_RESULT_REFUSED: PickupState.REFUSED,
}
_STOP_KIND = {
    "start": pb.STOP_KIND_START,
    "job": pb.STOP_KIND_PICKUP,
    "unload": pb.STOP_KIND_UNLOAD,
    "break": pb.STOP_KIND_BREAK,
    "end": pb.STOP_KIND_END,
}


def _now() -> datetime:
    return datetime.now(UTC)


def _ts(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


class WasteServicer(waste_service_pb2_grpc.WasteServiceServicer):
    """Implements herne.waste.v1.WasteService."""

    def __init__(self, app: WasteApp) -> None:
        self.app = app
        self.planner = app.planner

    # -- conversions -------------------------------------------------------------------------

    def _items(self, items: object) -> list[ItemLine]:
        out = []
        for index, item in enumerate(items):  # type: ignore[attr-defined]
            if item.kind == pb.ITEM_KIND_UNSPECIFIED:
                raise InvalidArgument(f"items[{index}].kind is required")
            name = pb.ItemKind.Name(item.kind).removeprefix("ITEM_KIND_")
            out.append(ItemLine(name, item.count or 1, item.volume_m3))
        return out

    def _location(self, location: pb.PickupLocation) -> Location:
        which = location.WhichOneof("location")
        if which == "address":
            return self.planner.locate(location.address, None)
        if which == "position":
            return self.planner.locate(None, (location.position.latitude, location.position.longitude))
        raise InvalidArgument("location: give an address or a position")

    def _slot(self, offer: SlotOffer) -> pb.Slot:
        return pb.Slot(
            slot_id=offer.slot_id,
            date=offer.date,
            window_start_time=_ts(self.planner.instant(offer.date, offer.window_s[0])),
            window_end_time=_ts(self.planner.instant(offer.date, offer.window_s[1])),
            added_km=offer.added_km,
            added_minutes=offer.added_minutes,
        )

    def _pickup(self, pickup: Pickup, plan: DayPlan | None = None) -> pb.Pickup:
        message = pb.Pickup(
            pickup_id=pickup.id,
            state=_STATE[pickup.state],
            date=pickup.date,
            window_start_time=_ts(self.planner.instant(pickup.date, pickup.window_s[0])),
            window_end_time=_ts(self.planner.instant(pickup.date, pickup.window_s[1])),
            address=pickup.location.address,
            position=geo_pb2.GeoPoint(latitude=pickup.location.lat, longitude=pickup.location.lon),
            district=pickup.location.district,
            items=[
                pb.Item(kind=pb.ItemKind.Value(f"ITEM_KIND_{i.kind}"), count=i.count, volume_m3=i.volume_m3)
                for i in pickup.items
            ],
            volume_m3=pickup.demand.volume_m3,
            service_minutes=round(pickup.demand.service_s / 60.0, 1),
            required_skills=sorted(pickup.demand.skills),
            contact=pb.Contact(**pickup.contact),
            note=pickup.note,
            reason=pickup.reason,
        )
        if pickup.booked_at:
            message.booked_time.CopyFrom(_ts(datetime.fromisoformat(pickup.booked_at)))
        if plan is not None and pickup.state is not PickupState.CANCELLED:
            vehicle = plan.vehicle_of(pickup.id)
            step = plan.step_of(pickup.id)
            if vehicle:
                message.vehicle_id = vehicle
            if step is not None:
                message.eta_time.CopyFrom(_ts(self.planner.instant(pickup.date, step.arrival_s)))
        return message

    def _stop(self, day: str, step: PlannedStep, plan: DayPlan) -> pb.TourStop:
        network = self.planner.network
        stop = pb.TourStop(
            kind=_STOP_KIND[step.kind],
            id=step.id,
            node_id=step.node,
            arrival_time=_ts(self.planner.instant(day, step.arrival_s)),
            start_time=_ts(self.planner.instant(day, step.start_s)),
            departure_time=_ts(self.planner.instant(day, step.departure_s)),
            load_m3=step.load_m3,
        )
        if step.node:
            lat, lon = network.position(step.node)
            stop.position.CopyFrom(geo_pb2.GeoPoint(latitude=lat, longitude=lon))
        if step.kind == "job" and step.id in plan.jobs:
            stop.pickup_state = _STATE[PickupState(plan.jobs[step.id].state)]
        elif step.kind == "unload" and step.id in network.disposal_sites:
            stop.name = network.disposal_sites[step.id].name
        elif step.kind in ("start", "end"):
            stop.name = network.depots[self.planner.fleet.depot].name
        return stop

    def _plan(self, plan: DayPlan) -> pb.TourPlan:
        tours = []
        total_km = total_co2 = 0.0
        for vehicle_id, steps in sorted(plan.steps.items()):
            if not any(s.kind == "job" for s in steps):
                continue
            metres = self.planner.route_distance_m(steps)
            co2 = self.planner.co2_kg(vehicle_id, metres)
            try:
                crew = self.planner.fleet.crew(vehicle_id)
                truck, crew_name, capacity = crew.truck.id, crew.name, crew.truck.capacity_m3
            except KeyError:
                truck, crew_name, capacity = "", "", 0.0
            tours.append(
                pb.Tour(
                    vehicle_id=vehicle_id,
                    truck=truck,
                    crew=crew_name,
                    stops=[self._stop(plan.date, step, plan) for step in steps],
                    distance_km=round(metres / 1000.0, 3),
                    co2_kg=round(co2, 2),
                    pickups=sum(1 for s in steps if s.kind == "job"),
                    unloading_trips=sum(1 for s in steps if s.kind == "unload"),
                    max_load_m3=max((s.load_m3 for s in steps), default=0.0),
                    capacity_m3=capacity,
                )
            )
            total_km += metres / 1000.0
            total_co2 += co2
        message = pb.TourPlan(
            date=plan.date,
            plan_id=plan.plan_id,
            status=plan.status,
            tours=tours,
            unserved=[
                pb.UnservedPickup(
                    pickup_id=u.pickup_id,
                    reason=pb.UnservedReason.Value(f"UNSERVED_REASON_{u.reason.name}"),
                    detail=u.detail,
                )
                for u in plan.unserved
            ],
            distance_km=round(total_km, 3),
            co2_kg=round(total_co2, 2),
            vehicles_used=len(tours),
            stops_planned=sum(t.pickups for t in tours),
            solve_seconds=plan.solve_s,
        )
        if plan.planned_at:
            message.planned_time.CopyFrom(_ts(datetime.fromisoformat(plan.planned_at)))
        return message

    # -- RPCs ----------------------------------------------------------------------------------

    async def OfferSlots(
        self, request: pb.OfferSlotsRequest, context: grpc.aio.ServicerContext
    ) -> pb.OfferSlotsResponse:
        location = self._location(request.location)
        result = await self.app.offer(
            location, self._items(request.items), request.earliest_date, request.horizon_days, request.max_slots, _now()
        )
        return pb.OfferSlotsResponse(
            slots=[self._slot(o) for o in result.offers],
            district=location.district,
            volume_m3=result.demand.volume_m3,
            service_minutes=round(result.demand.service_s / 60.0, 1),
            required_skills=sorted(result.demand.skills),
            note=result.note,
        )

    async def BookPickup(
        self, request: pb.BookPickupRequest, context: grpc.aio.ServicerContext
    ) -> pb.BookPickupResponse:
        location = self._location(request.location)
        contact = {
            "name": request.contact.name[:200],
            "phone": request.contact.phone[:50],
            "email": request.contact.email[:200],
        }
        try:
            pickup, created = await self.app.book(
                request.slot_id,
                location,
                self._items(request.items),
                contact,
                request.idempotency_key,
                request.note,
                _now(),
            )
        except SlotTaken as taken:
            alternatives = pb.OfferSlotsResponse(
                slots=[self._slot(o) for o in taken.alternatives],
                district=taken.location.district,
                volume_m3=taken.demand.volume_m3,
                service_minutes=round(taken.demand.service_s / 60.0, 1),
                required_skills=sorted(taken.demand.skills),
            )
            context.set_trailing_metadata(((ALTERNATIVES_METADATA, alternatives.SerializeToString()),))
            raise
        plan = await self.app.store.get_plan(pickup.date)
        return pb.BookPickupResponse(pickup=self._pickup(pickup, plan), created=created)

    async def CancelPickup(
        self, request: pb.CancelPickupRequest, context: grpc.aio.ServicerContext
    ) -> pb.CancelPickupResponse:
        pickup = await self.app.cancel(request.pickup_id, request.reason, _now())
        return pb.CancelPickupResponse(pickup=self._pickup(pickup))

    async def GetPickup(self, request: pb.GetPickupRequest, context: grpc.aio.ServicerContext) -> pb.GetPickupResponse:
        pickup, plan = await self.app.get(request.pickup_id)
        return pb.GetPickupResponse(pickup=self._pickup(pickup, plan))

    async def PlanTours(self, request: pb.PlanToursRequest, context: grpc.aio.ServicerContext) -> pb.PlanToursResponse:
        plan = await self.app.plan(request.date, request.time_limit_seconds, _now())
        return pb.PlanToursResponse(plan=self._plan(plan))

    async def GetTours(self, request: pb.GetToursRequest, context: grpc.aio.ServicerContext) -> pb.GetToursResponse:
        plan = await self.app.tours(request.date)
        return pb.GetToursResponse(plan=self._plan(plan))

    async def ReportStopResult(
        self, request: pb.ReportStopResultRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReportStopResultResponse:
        result = _RESULT.get(request.result)
        if result is None:
            raise InvalidArgument("result must be DONE, NOT_FOUND or REFUSED")
        at = optional_time(request, "reported_time")
        pickup, plan = await self.app.report(request.pickup_id, result, at, request.note, _now())
        return pb.ReportStopResultResponse(pickup=self._pickup(pickup, plan), plan=self._plan(plan))
