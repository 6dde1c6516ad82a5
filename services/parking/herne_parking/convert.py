"""Conversion between the parking domain types and herne.parking.v1 messages, in one place."""

from __future__ import annotations

from datetime import datetime

from herne.common.v1 import geo_pb2
from herne.parking.v1 import parking_pb2, parking_service_pb2
from herne_parking.domain import Availability, Facility, FacilityKind, Space, SpaceType, Trend

KIND_TO_PB: dict[FacilityKind, int] = {
    FacilityKind.GARAGE: parking_pb2.FACILITY_KIND_GARAGE,
    FacilityKind.PARK_AND_RIDE: parking_pb2.FACILITY_KIND_PARK_AND_RIDE,
    FacilityKind.SURFACE_LOT: parking_pb2.FACILITY_KIND_SURFACE_LOT,
    FacilityKind.ON_STREET_ZONE: parking_pb2.FACILITY_KIND_ON_STREET_ZONE,
}
KIND_FROM_PB = {value: kind for kind, value in KIND_TO_PB.items()}
SPACE_TYPE_TO_PB: dict[SpaceType, int] = {
    SpaceType.STANDARD: parking_pb2.SPACE_TYPE_STANDARD,
    SpaceType.DISABLED: parking_pb2.SPACE_TYPE_DISABLED,
    SpaceType.EV_CHARGING: parking_pb2.SPACE_TYPE_EV_CHARGING,
    SpaceType.FAMILY: parking_pb2.SPACE_TYPE_FAMILY,
    SpaceType.SHORT_STAY: parking_pb2.SPACE_TYPE_SHORT_STAY,
}
SPACE_TYPE_FROM_PB = {value: space_type for space_type, value in SPACE_TYPE_TO_PB.items()}
TREND_TO_PB: dict[Trend, int] = {
    Trend.STABLE: parking_pb2.TREND_STABLE,
    Trend.FILLING: parking_pb2.TREND_FILLING,
    Trend.EMPTYING: parking_pb2.TREND_EMPTYING,
}


def trend_pb(trend: Trend) -> int:
    return TREND_TO_PB[trend]


def facility_pb(facility: Facility) -> parking_service_pb2.Facility:
    return parking_service_pb2.Facility(
        facility_id=facility.facility_id,
        name=facility.name,
        kind=KIND_TO_PB[facility.kind],  # type: ignore[arg-type]
        address=facility.address,
        position=geo_pb2.GeoPoint(latitude=facility.latitude, longitude=facility.longitude),
        area=facility.area,
        capacity=facility.capacity,
        capacity_by_space_type=[
            parking_service_pb2.SpaceTypeCapacity(space_type=SPACE_TYPE_TO_PB[t], capacity=c)  # type: ignore[arg-type]
            for t, c in facility.capacity_by_type.items()
        ],
        opening_hours=parking_service_pb2.OpeningHours(
            always_open=facility.always_open, osm_opening_hours=facility.opening_hours
        ),
        tariff_note=facility.tariff_note,
        operator=facility.operator,
        has_counters=facility.has_counters,
        sensor_spaces=len(facility.spaces),
        demo=facility.demo,
    )


def space_pb(space: Space, occupied: bool | None, observed_at: datetime | None) -> parking_service_pb2.Space:
    state = (
        parking_service_pb2.SPACE_STATE_UNKNOWN
        if occupied is None
        else parking_service_pb2.SPACE_STATE_OCCUPIED
        if occupied
        else parking_service_pb2.SPACE_STATE_FREE
    )
    message = parking_service_pb2.Space(
        space_id=space.space_id,
        facility_id=space.facility_id,
        sensor_id=space.sensor_id,
        space_type=SPACE_TYPE_TO_PB[space.space_type],  # type: ignore[arg-type]
        position=geo_pb2.GeoPoint(latitude=space.latitude, longitude=space.longitude),
        state=state,
    )
    if observed_at is not None:
        message.observed_time.FromDatetime(observed_at)
    return message


def availability_by_type_pb(item: Availability) -> list[parking_pb2.SpaceTypeAvailability]:
    return [
        parking_pb2.SpaceTypeAvailability(
            space_type=SPACE_TYPE_TO_PB[t.space_type],  # type: ignore[arg-type]
            capacity=t.capacity,
            free=t.free,
            occupied=t.occupied,
            unknown=t.unknown,
        )
        for t in item.by_type
    ]


def availability_pb(item: Availability, now: datetime) -> parking_service_pb2.FacilityAvailability:
    message = parking_service_pb2.FacilityAvailability(
        facility_id=item.facility_id,
        capacity=item.capacity,
        free=item.free,
        occupied=item.occupied,
        unknown=item.unknown,
        by_space_type=availability_by_type_pb(item),
        trend=TREND_TO_PB[item.trend],  # type: ignore[arg-type]
        stale_sensors=item.stale_sensors,
        stale=item.stale,
    )
    age = item.age_seconds(now)
    message.data_age_seconds = -1.0 if age is None else age
    if item.observed_at is not None:
        message.observed_time.FromDatetime(item.observed_at)
    return message
