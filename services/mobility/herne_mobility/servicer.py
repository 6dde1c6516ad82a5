"""gRPC servicer of herne.mobility.v1.MobilityService: converts proto to domain calls and back."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

import grpc

from herne.mobility.v1 import mobility_pb2, mobility_service_pb2_grpc
from herne.mobility.v1 import mobility_service_pb2 as pb
from herne_mobility.model import HubView, Kind, SourceAge, StationView, Vehicle
from herne_mobility.service import (
    FORM_BY_PB,
    KIND_BY_PB,
    PROPULSION_BY_PB,
    MobilityApp,
    NearbyQuery,
    form_factor_pb,
    propulsion_pb,
    timestamp,
)
from herne_runtime.errors import InvalidArgument
from herne_runtime.streams import stream_client

MAX_FILTER_VALUES = 16
_KIND_PB = {kind: number for number, kind in KIND_BY_PB.items()}
_MODE_FIELDS = {
    "bicycle": "bikes_available",
    "e-bike": "ebikes_available",
    "cargo-bicycle": "cargo_bikes_available",
    "scooter": "scooters_available",
    "car": "cars_available",
}


def age_pb(age: SourceAge) -> pb.SourceAge:
    return pb.SourceAge(
        source=age.source,
        last_updated_time=timestamp(age.last_updated) if age.last_updated else None,
        age_seconds=age.age_s,
        stale=age.stale,
    )


def station_pb(app: MobilityApp, view: StationView) -> pb.Station:
    info = view.info
    return pb.Station(
        station_id=info.station_id,
        hub_id=info.hub_id,
        kind=_KIND_PB[info.kind],
        system_id=info.system_id,
        name=info.name,
        latitude=info.lat,
        longitude=info.lon,
        capacity=info.capacity,
        vehicles_available=view.vehicles_available,
        vehicles_by_type=app.type_counts(view.vehicles_by_type),
        docks_available=view.docks_available,
        chargers=[
            mobility_pb2.ChargerAvailability(power_kw=power, available=view.chargers_free.get(power, 0), total=total)
            for power, total in sorted(info.chargers_total.items())
        ],
        is_renting=view.is_renting,
        is_returning=view.is_returning,
        age=age_pb(view.age),
        no_status=view.no_status,
        parking_facility_id=info.parking_facility_id,
    )


def hub_pb(app: MobilityApp, view: HubView) -> pb.HubView:
    message = pb.HubView(
        hub_id=view.hub.hub_id,
        name=view.hub.name,
        latitude=view.hub.lat,
        longitude=view.hub.lon,
        docks_available=view.docks_available,
        chargers=[
            mobility_pb2.ChargerAvailability(power_kw=power, available=free, total=total)
            for power, (free, total) in sorted(view.chargers.items())
        ],
        park_and_ride_free=view.park_and_ride_free,
        park_and_ride_capacity=view.park_and_ride_capacity,
        sources=[age_pb(source) for source in view.sources],
        modes=[pb.ModeCount(mode=mode, available=count) for mode, count in view.modes.items()],
        station_ids=[station.info.station_id for station in view.stations],
        demo=view.hub.demo,
    )
    for mode, field in _MODE_FIELDS.items():
        setattr(message, field, view.modes.get(mode, 0))
    return message


def vehicle_pb(app: MobilityApp, vehicle: Vehicle) -> pb.Vehicle:
    vehicle_type = app.types.get(vehicle.vehicle_type_id)
    return pb.Vehicle(
        vehicle_id=vehicle.vehicle_id,
        system_id=vehicle.system_id,
        vehicle_type_id=vehicle.vehicle_type_id,
        form_factor=form_factor_pb(vehicle_type.form_factor if vehicle_type else "other"),
        propulsion=propulsion_pb(vehicle_type.propulsion if vehicle_type else "other"),
        latitude=vehicle.lat,
        longitude=vehicle.lon,
        current_range_m=vehicle.current_range_m,
        age=age_pb(app.vehicle_age(vehicle, app.now())),
    )


def _kind(value: int, field: str) -> Kind:
    kind = KIND_BY_PB.get(value)
    if kind is None:
        raise InvalidArgument(f"{field}: unknown station kind {value}")
    return kind


def _enum_set(values: object, table: dict[int, str], field: str) -> frozenset[str]:
    items = list(values)  # type: ignore[call-overload]
    if len(items) > MAX_FILTER_VALUES:
        raise InvalidArgument(f"{field}: at most {MAX_FILTER_VALUES} values")
    result = set()
    for value in items:
        if value not in table:
            raise InvalidArgument(f"{field}: unknown value {value}")
        result.add(table[value])
    return frozenset(result)


class MobilityServicer(mobility_service_pb2_grpc.MobilityServiceServicer):
    """Implements herne.mobility.v1.MobilityService."""

    def __init__(self, app: MobilityApp) -> None:
        self.app = app

    async def ListHubs(self, request: pb.ListHubsRequest, context: grpc.aio.ServicerContext) -> pb.ListHubsResponse:
        return pb.ListHubsResponse(hubs=[hub_pb(self.app, view) for view in self.app.hub_views()])

    async def GetHub(self, request: pb.GetHubRequest, context: grpc.aio.ServicerContext) -> pb.GetHubResponse:
        return pb.GetHubResponse(hub=hub_pb(self.app, self.app.hub_view(request.hub_id)))

    async def ListStations(
        self, request: pb.ListStationsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListStationsResponse:
        kind = _kind(request.kind, "kind") if request.kind else None
        views, token = self.app.list_stations(
            request.hub_id, request.system_id, kind, request.page_size, request.page_token
        )
        return pb.ListStationsResponse(stations=[station_pb(self.app, view) for view in views], next_page_token=token)

    async def GetStationStatus(
        self, request: pb.GetStationStatusRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetStationStatusResponse:
        return pb.GetStationStatusResponse(station=station_pb(self.app, self.app.view(request.station_id)))

    async def FindNearby(
        self, request: pb.FindNearbyRequest, context: grpc.aio.ServicerContext
    ) -> pb.FindNearbyResponse:
        kinds = list(request.filter.kinds)
        if len(kinds) > MAX_FILTER_VALUES:
            raise InvalidArgument(f"filter.kinds: at most {MAX_FILTER_VALUES} values")
        query = NearbyQuery(
            lat=request.latitude,
            lon=request.longitude,
            radius_m=request.radius_m,
            form_factors=_enum_set(request.filter.form_factors, FORM_BY_PB, "filter.form_factors"),
            propulsions=_enum_set(request.filter.propulsions, PROPULSION_BY_PB, "filter.propulsions"),
            min_vehicles=request.filter.min_vehicles,
            min_docks=request.filter.min_docks,
            min_range_m=request.filter.min_range_m,
            min_charger_kw=request.filter.min_charger_power_kw,
            kinds=frozenset(_kind(value, "filter.kinds") for value in kinds),
            limit=request.limit,
        )
        results = []
        for distance, item in self.app.find_nearby(query):
            if isinstance(item, StationView):
                results.append(pb.NearbyResult(distance_m=distance, station=station_pb(self.app, item)))
            else:
                results.append(pb.NearbyResult(distance_m=distance, vehicle=vehicle_pb(self.app, item)))
        return pb.FindNearbyResponse(results=results)

    async def WatchHub(
        self, request: pb.WatchHubRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.WatchHubResponse]:
        ids = self.app.resolve_hubs(list(request.hub_ids))
        # Subscribe before the snapshot so no change between the two is missed.
        with self.app.hub_feed.subscribe(stream_client(context), ids) as subscription:
            for hub_id in ids or sorted(self.app.hub_data.hubs):
                yield pb.WatchHubResponse(hub=hub_pb(self.app, self.app.hub_view(hub_id)))
            async for batch in subscription:
                for _hub_id, view in batch:
                    yield pb.WatchHubResponse(hub=hub_pb(self.app, view))

    async def WatchStations(
        self, request: pb.WatchStationsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.WatchStationsResponse]:
        ids = self.app.resolve_stations(list(request.station_ids), request.hub_id)
        with self.app.station_feed.subscribe(stream_client(context), ids) as subscription:
            for station_id in ids or sorted(self.app.stations):
                yield pb.WatchStationsResponse(station=station_pb(self.app, self.app.view(station_id)))
            async for batch in subscription:
                for _station_id, view in batch:
                    yield pb.WatchStationsResponse(station=station_pb(self.app, view))

    async def ReportStationStatus(
        self, request: pb.ReportStationStatusRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReportStationStatusResponse:
        chargers = []
        for index, charger in enumerate(request.chargers):
            if not math.isfinite(charger.power_kw):
                raise InvalidArgument(f"chargers[{index}].power_kw must be a finite number")
            chargers.append((charger.power_kw, charger.available, charger.total))
        observed = None
        if request.HasField("observed_time"):
            observed = request.observed_time.seconds + request.observed_time.nanos / 1e9
        view, applied = await self.app.report(
            request.station_id,
            [(entry.vehicle_type_id, entry.count) for entry in request.vehicles_by_type],
            request.docks_available,
            chargers,
            request.is_renting,
            request.is_returning,
            observed,
        )
        return pb.ReportStationStatusResponse(station=station_pb(self.app, view), applied=applied)

    async def ListFeeds(self, request: pb.ListFeedsRequest, context: grpc.aio.ServicerContext) -> pb.ListFeedsResponse:
        now = self.app.now()
        feeds = []
        for system_id in sorted(self.app.feeds):
            state = self.app.feeds[system_id]
            feeds.append(
                pb.FeedState(
                    system_id=system_id,
                    enabled=state.config.enabled,
                    source=state.config.source,
                    version=state.version,
                    last_success_time=timestamp(state.last_success) if state.last_success else None,
                    last_error=state.last_error,
                    warnings=state.warnings,
                    stale=not state.last_success or now > state.valid_until,
                    demo=state.config.demo,
                )
            )
        return pb.ListFeedsResponse(feeds=feeds)
