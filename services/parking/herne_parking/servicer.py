"""gRPC servicer of herne.parking.v1.ParkingService: converts proto to domain calls and back."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from herne.parking.v1 import events_pb2, parking_service_pb2_grpc
from herne.parking.v1 import parking_service_pb2 as pb
from herne_parking.convert import (
    KIND_FROM_PB,
    SPACE_TYPE_FROM_PB,
    availability_pb,
    facility_pb,
    space_pb,
)
from herne_parking.domain import SpaceType
from herne_parking.service import CounterEventInput, ItemOutcome, ItemResult, ParkingApp, SensorReadingInput
from herne_runtime.errors import InvalidArgument
from herne_runtime.streams import stream_client
from herne_runtime.wellknown import optional_time

_READING_OUTCOME = {
    ItemOutcome.APPLIED: pb.READING_OUTCOME_APPLIED,
    ItemOutcome.IGNORED_OLDER: pb.READING_OUTCOME_IGNORED_OLDER,
    ItemOutcome.REJECTED: pb.READING_OUTCOME_REJECTED,
}
_COUNTER_OUTCOME = {
    ItemOutcome.APPLIED: pb.COUNTER_OUTCOME_APPLIED,
    ItemOutcome.DUPLICATE: pb.COUNTER_OUTCOME_DUPLICATE,
    ItemOutcome.IGNORED_OLDER: pb.COUNTER_OUTCOME_IGNORED_OLDER,
    ItemOutcome.REJECTED: pb.COUNTER_OUTCOME_REJECTED,
}


def _space_type(value: int, field: str) -> SpaceType | None:
    if value == 0:
        return None
    try:
        return SPACE_TYPE_FROM_PB[value]
    except KeyError:
        raise InvalidArgument(f"{field}: unknown space type {value}") from None


def reading_input(reading: events_pb2.SensorReading) -> SensorReadingInput:
    """The domain view of a SensorReading message (topic or RPC)."""
    return SensorReadingInput(
        sensor_id=reading.sensor_id,
        occupied=reading.occupied,
        observed_at=optional_time(reading, "observed_time"),
        battery_percent=reading.battery_percent if reading.HasField("battery_percent") else None,
        rssi_dbm=reading.rssi_dbm if reading.HasField("rssi_dbm") else None,
        snr_db=reading.snr_db if reading.HasField("snr_db") else None,
    )


def counter_input(event: events_pb2.CounterEvent) -> CounterEventInput:
    """The domain view of a CounterEvent message (topic or RPC)."""
    change = event.WhichOneof("change")
    entering = 0
    recount = None
    if change == "recalibration":
        recount = event.recalibration.occupied
    elif change == "passage":
        vehicles = max(event.passage.vehicles, 0)
        if event.passage.direction == events_pb2.COUNTER_DIRECTION_ENTRY:
            entering = vehicles
        elif event.passage.direction == events_pb2.COUNTER_DIRECTION_EXIT:
            entering = -vehicles
    return CounterEventInput(
        facility_id=event.facility_id,
        observed_at=optional_time(event, "observed_time"),
        recalibration_occupied=recount,
        entering=entering,
        event_id=event.event_id,
    )


class ParkingServicer(parking_service_pb2_grpc.ParkingServiceServicer):
    """Implements herne.parking.v1.ParkingService."""

    def __init__(self, app: ParkingApp) -> None:
        self.app = app

    async def ListFacilities(
        self, request: pb.ListFacilitiesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListFacilitiesResponse:
        kinds = []
        for index, kind in enumerate(request.kinds):
            if kind not in KIND_FROM_PB:
                raise InvalidArgument(f"kinds[{index}]: unknown facility kind {kind}")
            kinds.append(KIND_FROM_PB[kind])
        facilities = self.app.list_facilities(
            kinds=kinds, area=request.area, space_type=_space_type(request.space_type, "space_type")
        )
        return pb.ListFacilitiesResponse(facilities=[facility_pb(f) for f in facilities])

    async def GetFacility(
        self, request: pb.GetFacilityRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetFacilityResponse:
        facility = self.app.facility(request.facility_id)
        response = pb.GetFacilityResponse(facility=facility_pb(facility))
        if request.include_spaces:
            states = await self.app.space_states(facility)
            response.spaces.extend(space_pb(s, *states.get(s.sensor_id, (None, None))) for s in facility.spaces)
        return response

    async def GetAvailability(
        self, request: pb.GetAvailabilityRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetAvailabilityResponse:
        items = await self.app.availability(list(request.facility_ids))
        now = self.app.now()
        return pb.GetAvailabilityResponse(availability=[availability_pb(item, now) for item in items])

    async def FindNearby(
        self, request: pb.FindNearbyRequest, context: grpc.aio.ServicerContext
    ) -> pb.FindNearbyResponse:
        if not request.HasField("position"):
            raise InvalidArgument("position is required")
        found = await self.app.find_nearby(
            latitude=request.position.latitude,
            longitude=request.position.longitude,
            radius_m=request.radius_m,
            min_free=request.min_free,
            space_type=_space_type(request.space_type, "space_type"),
            limit=request.limit,
        )
        now = self.app.now()
        return pb.FindNearbyResponse(
            facilities=[
                pb.NearbyFacility(facility=facility_pb(f), distance_m=d, availability=availability_pb(a, now))
                for f, d, a in found
            ]
        )

    async def WatchAvailability(
        self, request: pb.WatchAvailabilityRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.WatchAvailabilityResponse]:
        ids = self.app.resolve_ids(list(request.facility_ids))
        # Subscribe before the snapshot so no change between the two is missed.
        with self.app.feed.subscribe(stream_client(context), ids) as subscription:
            snapshot = await self.app.availability(ids)
            now = self.app.now()
            yield pb.WatchAvailabilityResponse(snapshot=True, availability=[availability_pb(a, now) for a in snapshot])
            async for batch in subscription:
                now = self.app.now()
                yield pb.WatchAvailabilityResponse(availability=[availability_pb(a, now) for _, a in batch])

    async def GetOccupancyHistory(
        self, request: pb.GetOccupancyHistoryRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetOccupancyHistoryResponse:
        facility, buckets = await self.app.history(
            request.facility_id,
            optional_time(request, "start_time"),
            optional_time(request, "end_time"),
            request.bucket_minutes,
        )
        response = pb.GetOccupancyHistoryResponse(facility_id=facility.facility_id, capacity=facility.capacity)
        for bucket in buckets:
            message = response.buckets.add(
                mean_occupied=bucket.mean_occupied,
                mean_free=bucket.mean_free,
                max_occupied=bucket.max_occupied,
                mean_unknown=bucket.mean_unknown,
                samples=bucket.samples,
            )
            message.start_time.FromDatetime(bucket.start)
        return response

    async def ForecastOccupancy(
        self, request: pb.ForecastOccupancyRequest, context: grpc.aio.ServicerContext
    ) -> pb.ForecastOccupancyResponse:
        result = await self.app.forecast(request.facility_id, list(request.horizons_minutes))
        response = pb.ForecastOccupancyResponse(
            facility_id=result.facility.facility_id,
            capacity=result.facility.capacity,
            current_free=result.current_free,
            profile_samples=result.profile_samples,
        )
        for point in result.points:
            message = response.forecasts.add(
                horizon_minutes=point.horizon_minutes,
                expected_free=point.expected_free,
                expected_occupied=point.expected_occupied,
                profile_weight=point.profile_weight,
            )
            message.target_time.FromDatetime(point.target)
        return response

    async def ReportSensorReadings(
        self, request: pb.ReportSensorReadingsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReportSensorReadingsResponse:
        results = await self.app.report_readings([reading_input(r) for r in request.readings])
        return pb.ReportSensorReadingsResponse(
            results=[
                pb.ReadingResult(
                    index=r.index,
                    sensor_id=r.subject[:200],
                    outcome=_READING_OUTCOME[r.outcome],  # type: ignore[arg-type]
                    reason=r.reason,
                )
                for r in results
            ],
            **_totals(results),
        )

    async def ReportCounterEvents(
        self, request: pb.ReportCounterEventsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReportCounterEventsResponse:
        results = await self.app.report_counter_events([counter_input(e) for e in request.events])
        return pb.ReportCounterEventsResponse(
            results=[
                pb.CounterEventResult(
                    index=r.index,
                    facility_id=r.subject[:200],
                    outcome=_COUNTER_OUTCOME[r.outcome],  # type: ignore[arg-type]
                    reason=r.reason,
                    counted_occupied=r.counted_occupied,
                )
                for r in results
            ],
            **_totals(results),
        )


def _totals(results: list[ItemResult]) -> dict[str, int]:
    applied = sum(r.outcome == ItemOutcome.APPLIED for r in results)
    rejected = sum(r.outcome == ItemOutcome.REJECTED for r in results)
    return {"applied": applied, "rejected": rejected, "ignored": len(results) - applied - rejected}
