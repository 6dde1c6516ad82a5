import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from herne.common.v1 import access_pb2 as _access_pb2
from herne.mobility.v1 import mobility_pb2 as _mobility_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SourceAge(_message.Message):
    __slots__ = ("source", "last_updated_time", "age_seconds", "stale")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    LAST_UPDATED_TIME_FIELD_NUMBER: _ClassVar[int]
    AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    source: str
    last_updated_time: _timestamp_pb2.Timestamp
    age_seconds: float
    stale: bool
    def __init__(self, source: _Optional[str] = ..., last_updated_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., age_seconds: _Optional[float] = ..., stale: _Optional[bool] = ...) -> None: ...

class ModeCount(_message.Message):
    __slots__ = ("mode", "available")
    MODE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    mode: str
    available: int
    def __init__(self, mode: _Optional[str] = ..., available: _Optional[int] = ...) -> None: ...

class HubView(_message.Message):
    __slots__ = ("hub_id", "name", "latitude", "longitude", "bikes_available", "ebikes_available", "cargo_bikes_available", "scooters_available", "cars_available", "docks_available", "chargers", "park_and_ride_free", "park_and_ride_capacity", "sources", "modes", "station_ids", "demo")
    HUB_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    BIKES_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    EBIKES_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CARGO_BIKES_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    SCOOTERS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CARS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    DOCKS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CHARGERS_FIELD_NUMBER: _ClassVar[int]
    PARK_AND_RIDE_FREE_FIELD_NUMBER: _ClassVar[int]
    PARK_AND_RIDE_CAPACITY_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    MODES_FIELD_NUMBER: _ClassVar[int]
    STATION_IDS_FIELD_NUMBER: _ClassVar[int]
    DEMO_FIELD_NUMBER: _ClassVar[int]
    hub_id: str
    name: str
    latitude: float
    longitude: float
    bikes_available: int
    ebikes_available: int
    cargo_bikes_available: int
    scooters_available: int
    cars_available: int
    docks_available: int
    chargers: _containers.RepeatedCompositeFieldContainer[_mobility_pb2.ChargerAvailability]
    park_and_ride_free: int
    park_and_ride_capacity: int
    sources: _containers.RepeatedCompositeFieldContainer[SourceAge]
    modes: _containers.RepeatedCompositeFieldContainer[ModeCount]
    station_ids: _containers.RepeatedScalarFieldContainer[str]
    demo: bool
    def __init__(self, hub_id: _Optional[str] = ..., name: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., bikes_available: _Optional[int] = ..., ebikes_available: _Optional[int] = ..., cargo_bikes_available: _Optional[int] = ..., scooters_available: _Optional[int] = ..., cars_available: _Optional[int] = ..., docks_available: _Optional[int] = ..., chargers: _Optional[_Iterable[_Union[_mobility_pb2.ChargerAvailability, _Mapping]]] = ..., park_and_ride_free: _Optional[int] = ..., park_and_ride_capacity: _Optional[int] = ..., sources: _Optional[_Iterable[_Union[SourceAge, _Mapping]]] = ..., modes: _Optional[_Iterable[_Union[ModeCount, _Mapping]]] = ..., station_ids: _Optional[_Iterable[str]] = ..., demo: _Optional[bool] = ...) -> None: ...

class Station(_message.Message):
    __slots__ = ("station_id", "hub_id", "kind", "system_id", "name", "latitude", "longitude", "capacity", "vehicles_available", "vehicles_by_type", "docks_available", "chargers", "is_renting", "is_returning", "age", "no_status", "parking_facility_id")
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    HUB_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_BY_TYPE_FIELD_NUMBER: _ClassVar[int]
    DOCKS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CHARGERS_FIELD_NUMBER: _ClassVar[int]
    IS_RENTING_FIELD_NUMBER: _ClassVar[int]
    IS_RETURNING_FIELD_NUMBER: _ClassVar[int]
    AGE_FIELD_NUMBER: _ClassVar[int]
    NO_STATUS_FIELD_NUMBER: _ClassVar[int]
    PARKING_FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    station_id: str
    hub_id: str
    kind: _mobility_pb2.StationKind
    system_id: str
    name: str
    latitude: float
    longitude: float
    capacity: int
    vehicles_available: int
    vehicles_by_type: _containers.RepeatedCompositeFieldContainer[_mobility_pb2.VehicleTypeCount]
    docks_available: int
    chargers: _containers.RepeatedCompositeFieldContainer[_mobility_pb2.ChargerAvailability]
    is_renting: bool
    is_returning: bool
    age: SourceAge
    no_status: bool
    parking_facility_id: str
    def __init__(self, station_id: _Optional[str] = ..., hub_id: _Optional[str] = ..., kind: _Optional[_Union[_mobility_pb2.StationKind, str]] = ..., system_id: _Optional[str] = ..., name: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., capacity: _Optional[int] = ..., vehicles_available: _Optional[int] = ..., vehicles_by_type: _Optional[_Iterable[_Union[_mobility_pb2.VehicleTypeCount, _Mapping]]] = ..., docks_available: _Optional[int] = ..., chargers: _Optional[_Iterable[_Union[_mobility_pb2.ChargerAvailability, _Mapping]]] = ..., is_renting: _Optional[bool] = ..., is_returning: _Optional[bool] = ..., age: _Optional[_Union[SourceAge, _Mapping]] = ..., no_status: _Optional[bool] = ..., parking_facility_id: _Optional[str] = ...) -> None: ...

class Vehicle(_message.Message):
    __slots__ = ("vehicle_id", "system_id", "vehicle_type_id", "form_factor", "propulsion", "latitude", "longitude", "current_range_m", "age")
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_TYPE_ID_FIELD_NUMBER: _ClassVar[int]
    FORM_FACTOR_FIELD_NUMBER: _ClassVar[int]
    PROPULSION_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_RANGE_M_FIELD_NUMBER: _ClassVar[int]
    AGE_FIELD_NUMBER: _ClassVar[int]
    vehicle_id: str
    system_id: str
    vehicle_type_id: str
    form_factor: _mobility_pb2.FormFactor
    propulsion: _mobility_pb2.Propulsion
    latitude: float
    longitude: float
    current_range_m: float
    age: SourceAge
    def __init__(self, vehicle_id: _Optional[str] = ..., system_id: _Optional[str] = ..., vehicle_type_id: _Optional[str] = ..., form_factor: _Optional[_Union[_mobility_pb2.FormFactor, str]] = ..., propulsion: _Optional[_Union[_mobility_pb2.Propulsion, str]] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., current_range_m: _Optional[float] = ..., age: _Optional[_Union[SourceAge, _Mapping]] = ...) -> None: ...

class ListHubsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListHubsResponse(_message.Message):
    __slots__ = ("hubs",)
    HUBS_FIELD_NUMBER: _ClassVar[int]
    hubs: _containers.RepeatedCompositeFieldContainer[HubView]
    def __init__(self, hubs: _Optional[_Iterable[_Union[HubView, _Mapping]]] = ...) -> None: ...

class GetHubRequest(_message.Message):
    __slots__ = ("hub_id",)
    HUB_ID_FIELD_NUMBER: _ClassVar[int]
    hub_id: str
    def __init__(self, hub_id: _Optional[str] = ...) -> None: ...

class GetHubResponse(_message.Message):
    __slots__ = ("hub",)
    HUB_FIELD_NUMBER: _ClassVar[int]
    hub: HubView
    def __init__(self, hub: _Optional[_Union[HubView, _Mapping]] = ...) -> None: ...

class ListStationsRequest(_message.Message):
    __slots__ = ("hub_id", "system_id", "kind", "page_size", "page_token")
    HUB_ID_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    hub_id: str
    system_id: str
    kind: _mobility_pb2.StationKind
    page_size: int
    page_token: str
    def __init__(self, hub_id: _Optional[str] = ..., system_id: _Optional[str] = ..., kind: _Optional[_Union[_mobility_pb2.StationKind, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListStationsResponse(_message.Message):
    __slots__ = ("stations", "next_page_token")
    STATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    stations: _containers.RepeatedCompositeFieldContainer[Station]
    next_page_token: str
    def __init__(self, stations: _Optional[_Iterable[_Union[Station, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetStationStatusRequest(_message.Message):
    __slots__ = ("station_id",)
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    station_id: str
    def __init__(self, station_id: _Optional[str] = ...) -> None: ...

class GetStationStatusResponse(_message.Message):
    __slots__ = ("station",)
    STATION_FIELD_NUMBER: _ClassVar[int]
    station: Station
    def __init__(self, station: _Optional[_Union[Station, _Mapping]] = ...) -> None: ...

class NearbyFilter(_message.Message):
    __slots__ = ("form_factors", "propulsions", "min_vehicles", "min_docks", "min_range_m", "min_charger_power_kw", "kinds")
    FORM_FACTORS_FIELD_NUMBER: _ClassVar[int]
    PROPULSIONS_FIELD_NUMBER: _ClassVar[int]
    MIN_VEHICLES_FIELD_NUMBER: _ClassVar[int]
    MIN_DOCKS_FIELD_NUMBER: _ClassVar[int]
    MIN_RANGE_M_FIELD_NUMBER: _ClassVar[int]
    MIN_CHARGER_POWER_KW_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    form_factors: _containers.RepeatedScalarFieldContainer[_mobility_pb2.FormFactor]
    propulsions: _containers.RepeatedScalarFieldContainer[_mobility_pb2.Propulsion]
    min_vehicles: int
    min_docks: int
    min_range_m: float
    min_charger_power_kw: float
    kinds: _containers.RepeatedScalarFieldContainer[_mobility_pb2.StationKind]
    def __init__(self, form_factors: _Optional[_Iterable[_Union[_mobility_pb2.FormFactor, str]]] = ..., propulsions: _Optional[_Iterable[_Union[_mobility_pb2.Propulsion, str]]] = ..., min_vehicles: _Optional[int] = ..., min_docks: _Optional[int] = ..., min_range_m: _Optional[float] = ..., min_charger_power_kw: _Optional[float] = ..., kinds: _Optional[_Iterable[_Union[_mobility_pb2.StationKind, str]]] = ...) -> None: ...

class FindNearbyRequest(_message.Message):
    __slots__ = ("latitude", "longitude", "radius_m", "filter", "limit")
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    RADIUS_M_FIELD_NUMBER: _ClassVar[int]
    FILTER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    latitude: float
    longitude: float
    radius_m: float
    filter: NearbyFilter
    limit: int
    def __init__(self, latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., radius_m: _Optional[float] = ..., filter: _Optional[_Union[NearbyFilter, _Mapping]] = ..., limit: _Optional[int] = ...) -> None: ...

class NearbyResult(_message.Message):
    __slots__ = ("distance_m", "station", "vehicle")
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    STATION_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_FIELD_NUMBER: _ClassVar[int]
    distance_m: float
    station: Station
    vehicle: Vehicle
    def __init__(self, distance_m: _Optional[float] = ..., station: _Optional[_Union[Station, _Mapping]] = ..., vehicle: _Optional[_Union[Vehicle, _Mapping]] = ...) -> None: ...

class FindNearbyResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[NearbyResult]
    def __init__(self, results: _Optional[_Iterable[_Union[NearbyResult, _Mapping]]] = ...) -> None: ...

class WatchHubRequest(_message.Message):
    __slots__ = ("hub_ids",)
    HUB_IDS_FIELD_NUMBER: _ClassVar[int]
    hub_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, hub_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class WatchStationsRequest(_message.Message):
    __slots__ = ("station_ids", "hub_id")
    STATION_IDS_FIELD_NUMBER: _ClassVar[int]
    HUB_ID_FIELD_NUMBER: _ClassVar[int]
    station_ids: _containers.RepeatedScalarFieldContainer[str]
    hub_id: str
    def __init__(self, station_ids: _Optional[_Iterable[str]] = ..., hub_id: _Optional[str] = ...) -> None: ...

class WatchHubResponse(_message.Message):
    __slots__ = ("hub",)
    HUB_FIELD_NUMBER: _ClassVar[int]
    hub: HubView
    def __init__(self, hub: _Optional[_Union[HubView, _Mapping]] = ...) -> None: ...

class WatchStationsResponse(_message.Message):
    __slots__ = ("station",)
    STATION_FIELD_NUMBER: _ClassVar[int]
    station: Station
    def __init__(self, station: _Optional[_Union[Station, _Mapping]] = ...) -> None: ...

class ReportStationStatusRequest(_message.Message):
    __slots__ = ("station_id", "vehicles_by_type", "docks_available", "chargers", "is_renting", "is_returning", "observed_time")
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_BY_TYPE_FIELD_NUMBER: _ClassVar[int]
    DOCKS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CHARGERS_FIELD_NUMBER: _ClassVar[int]
    IS_RENTING_FIELD_NUMBER: _ClassVar[int]
    IS_RETURNING_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_TIME_FIELD_NUMBER: _ClassVar[int]
    station_id: str
    vehicles_by_type: _containers.RepeatedCompositeFieldContainer[_mobility_pb2.VehicleTypeCount]
    docks_available: int
    chargers: _containers.RepeatedCompositeFieldContainer[_mobility_pb2.ChargerAvailability]
    is_renting: bool
    is_returning: bool
    observed_time: _timestamp_pb2.Timestamp
    def __init__(self, station_id: _Optional[str] = ..., vehicles_by_type: _Optional[_Iterable[_Union[_mobility_pb2.VehicleTypeCount, _Mapping]]] = ..., docks_available: _Optional[int] = ..., chargers: _Optional[_Iterable[_Union[_mobility_pb2.ChargerAvailability, _Mapping]]] = ..., is_renting: _Optional[bool] = ..., is_returning: _Optional[bool] = ..., observed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReportStationStatusResponse(_message.Message):
    __slots__ = ("station", "applied")
    STATION_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    station: Station
    applied: bool
    def __init__(self, station: _Optional[_Union[Station, _Mapping]] = ..., applied: _Optional[bool] = ...) -> None: ...

class ListFeedsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class FeedState(_message.Message):
    __slots__ = ("system_id", "enabled", "source", "version", "last_success_time", "last_error", "warnings", "stale", "demo")
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LAST_SUCCESS_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_ERROR_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    DEMO_FIELD_NUMBER: _ClassVar[int]
    system_id: str
    enabled: bool
    source: str
    version: str
    last_success_time: _timestamp_pb2.Timestamp
    last_error: str
    warnings: _containers.RepeatedScalarFieldContainer[str]
    stale: bool
    demo: bool
    def __init__(self, system_id: _Optional[str] = ..., enabled: _Optional[bool] = ..., source: _Optional[str] = ..., version: _Optional[str] = ..., last_success_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_error: _Optional[str] = ..., warnings: _Optional[_Iterable[str]] = ..., stale: _Optional[bool] = ..., demo: _Optional[bool] = ...) -> None: ...

class ListFeedsResponse(_message.Message):
    __slots__ = ("feeds",)
    FEEDS_FIELD_NUMBER: _ClassVar[int]
    feeds: _containers.RepeatedCompositeFieldContainer[FeedState]
    def __init__(self, feeds: _Optional[_Iterable[_Union[FeedState, _Mapping]]] = ...) -> None: ...
