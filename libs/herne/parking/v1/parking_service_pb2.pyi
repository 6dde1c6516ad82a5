import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from herne.common.v1 import access_pb2 as _access_pb2
from herne.common.v1 import geo_pb2 as _geo_pb2
from herne.parking.v1 import events_pb2 as _events_pb2
from herne.parking.v1 import parking_pb2 as _parking_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SpaceState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPACE_STATE_UNSPECIFIED: _ClassVar[SpaceState]
    SPACE_STATE_FREE: _ClassVar[SpaceState]
    SPACE_STATE_OCCUPIED: _ClassVar[SpaceState]
    SPACE_STATE_UNKNOWN: _ClassVar[SpaceState]

class ReadingOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    READING_OUTCOME_UNSPECIFIED: _ClassVar[ReadingOutcome]
    READING_OUTCOME_APPLIED: _ClassVar[ReadingOutcome]
    READING_OUTCOME_IGNORED_OLDER: _ClassVar[ReadingOutcome]
    READING_OUTCOME_REJECTED: _ClassVar[ReadingOutcome]

class CounterOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUNTER_OUTCOME_UNSPECIFIED: _ClassVar[CounterOutcome]
    COUNTER_OUTCOME_APPLIED: _ClassVar[CounterOutcome]
    COUNTER_OUTCOME_DUPLICATE: _ClassVar[CounterOutcome]
    COUNTER_OUTCOME_IGNORED_OLDER: _ClassVar[CounterOutcome]
    COUNTER_OUTCOME_REJECTED: _ClassVar[CounterOutcome]
SPACE_STATE_UNSPECIFIED: SpaceState
SPACE_STATE_FREE: SpaceState
SPACE_STATE_OCCUPIED: SpaceState
SPACE_STATE_UNKNOWN: SpaceState
READING_OUTCOME_UNSPECIFIED: ReadingOutcome
READING_OUTCOME_APPLIED: ReadingOutcome
READING_OUTCOME_IGNORED_OLDER: ReadingOutcome
READING_OUTCOME_REJECTED: ReadingOutcome
COUNTER_OUTCOME_UNSPECIFIED: CounterOutcome
COUNTER_OUTCOME_APPLIED: CounterOutcome
COUNTER_OUTCOME_DUPLICATE: CounterOutcome
COUNTER_OUTCOME_IGNORED_OLDER: CounterOutcome
COUNTER_OUTCOME_REJECTED: CounterOutcome

class OpeningHours(_message.Message):
    __slots__ = ("always_open", "osm_opening_hours")
    ALWAYS_OPEN_FIELD_NUMBER: _ClassVar[int]
    OSM_OPENING_HOURS_FIELD_NUMBER: _ClassVar[int]
    always_open: bool
    osm_opening_hours: str
    def __init__(self, always_open: _Optional[bool] = ..., osm_opening_hours: _Optional[str] = ...) -> None: ...

class SpaceTypeCapacity(_message.Message):
    __slots__ = ("space_type", "capacity")
    SPACE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    space_type: _parking_pb2.SpaceType
    capacity: int
    def __init__(self, space_type: _Optional[_Union[_parking_pb2.SpaceType, str]] = ..., capacity: _Optional[int] = ...) -> None: ...

class Space(_message.Message):
    __slots__ = ("space_id", "facility_id", "sensor_id", "space_type", "position", "state", "observed_time")
    SPACE_ID_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    SPACE_TYPE_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_TIME_FIELD_NUMBER: _ClassVar[int]
    space_id: str
    facility_id: str
    sensor_id: str
    space_type: _parking_pb2.SpaceType
    position: _geo_pb2.GeoPoint
    state: SpaceState
    observed_time: _timestamp_pb2.Timestamp
    def __init__(self, space_id: _Optional[str] = ..., facility_id: _Optional[str] = ..., sensor_id: _Optional[str] = ..., space_type: _Optional[_Union[_parking_pb2.SpaceType, str]] = ..., position: _Optional[_Union[_geo_pb2.GeoPoint, _Mapping]] = ..., state: _Optional[_Union[SpaceState, str]] = ..., observed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Facility(_message.Message):
    __slots__ = ("facility_id", "name", "kind", "address", "position", "area", "capacity", "capacity_by_space_type", "opening_hours", "tariff_note", "operator", "has_counters", "sensor_spaces", "demo")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    AREA_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_BY_SPACE_TYPE_FIELD_NUMBER: _ClassVar[int]
    OPENING_HOURS_FIELD_NUMBER: _ClassVar[int]
    TARIFF_NOTE_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_FIELD_NUMBER: _ClassVar[int]
    HAS_COUNTERS_FIELD_NUMBER: _ClassVar[int]
    SENSOR_SPACES_FIELD_NUMBER: _ClassVar[int]
    DEMO_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    name: str
    kind: _parking_pb2.FacilityKind
    address: str
    position: _geo_pb2.GeoPoint
    area: str
    capacity: int
    capacity_by_space_type: _containers.RepeatedCompositeFieldContainer[SpaceTypeCapacity]
    opening_hours: OpeningHours
    tariff_note: str
    operator: str
    has_counters: bool
    sensor_spaces: int
    demo: bool
    def __init__(self, facility_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[_parking_pb2.FacilityKind, str]] = ..., address: _Optional[str] = ..., position: _Optional[_Union[_geo_pb2.GeoPoint, _Mapping]] = ..., area: _Optional[str] = ..., capacity: _Optional[int] = ..., capacity_by_space_type: _Optional[_Iterable[_Union[SpaceTypeCapacity, _Mapping]]] = ..., opening_hours: _Optional[_Union[OpeningHours, _Mapping]] = ..., tariff_note: _Optional[str] = ..., operator: _Optional[str] = ..., has_counters: _Optional[bool] = ..., sensor_spaces: _Optional[int] = ..., demo: _Optional[bool] = ...) -> None: ...

class ListFacilitiesRequest(_message.Message):
    __slots__ = ("kinds", "area", "space_type")
    KINDS_FIELD_NUMBER: _ClassVar[int]
    AREA_FIELD_NUMBER: _ClassVar[int]
    SPACE_TYPE_FIELD_NUMBER: _ClassVar[int]
    kinds: _containers.RepeatedScalarFieldContainer[_parking_pb2.FacilityKind]
    area: str
    space_type: _parking_pb2.SpaceType
    def __init__(self, kinds: _Optional[_Iterable[_Union[_parking_pb2.FacilityKind, str]]] = ..., area: _Optional[str] = ..., space_type: _Optional[_Union[_parking_pb2.SpaceType, str]] = ...) -> None: ...

class ListFacilitiesResponse(_message.Message):
    __slots__ = ("facilities",)
    FACILITIES_FIELD_NUMBER: _ClassVar[int]
    facilities: _containers.RepeatedCompositeFieldContainer[Facility]
    def __init__(self, facilities: _Optional[_Iterable[_Union[Facility, _Mapping]]] = ...) -> None: ...

class GetFacilityRequest(_message.Message):
    __slots__ = ("facility_id", "include_spaces")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_SPACES_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    include_spaces: bool
    def __init__(self, facility_id: _Optional[str] = ..., include_spaces: _Optional[bool] = ...) -> None: ...

class GetFacilityResponse(_message.Message):
    __slots__ = ("facility", "spaces")
    FACILITY_FIELD_NUMBER: _ClassVar[int]
    SPACES_FIELD_NUMBER: _ClassVar[int]
    facility: Facility
    spaces: _containers.RepeatedCompositeFieldContainer[Space]
    def __init__(self, facility: _Optional[_Union[Facility, _Mapping]] = ..., spaces: _Optional[_Iterable[_Union[Space, _Mapping]]] = ...) -> None: ...

class FacilityAvailability(_message.Message):
    __slots__ = ("facility_id", "capacity", "free", "occupied", "unknown", "by_space_type", "trend", "observed_time", "data_age_seconds", "stale_sensors", "stale")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    FREE_FIELD_NUMBER: _ClassVar[int]
    OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_FIELD_NUMBER: _ClassVar[int]
    BY_SPACE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TREND_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_TIME_FIELD_NUMBER: _ClassVar[int]
    DATA_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STALE_SENSORS_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    capacity: int
    free: int
    occupied: int
    unknown: int
    by_space_type: _containers.RepeatedCompositeFieldContainer[_parking_pb2.SpaceTypeAvailability]
    trend: _parking_pb2.Trend
    observed_time: _timestamp_pb2.Timestamp
    data_age_seconds: float
    stale_sensors: int
    stale: bool
    def __init__(self, facility_id: _Optional[str] = ..., capacity: _Optional[int] = ..., free: _Optional[int] = ..., occupied: _Optional[int] = ..., unknown: _Optional[int] = ..., by_space_type: _Optional[_Iterable[_Union[_parking_pb2.SpaceTypeAvailability, _Mapping]]] = ..., trend: _Optional[_Union[_parking_pb2.Trend, str]] = ..., observed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., data_age_seconds: _Optional[float] = ..., stale_sensors: _Optional[int] = ..., stale: _Optional[bool] = ...) -> None: ...

class GetAvailabilityRequest(_message.Message):
    __slots__ = ("facility_ids",)
    FACILITY_IDS_FIELD_NUMBER: _ClassVar[int]
    facility_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, facility_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetAvailabilityResponse(_message.Message):
    __slots__ = ("availability",)
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    availability: _containers.RepeatedCompositeFieldContainer[FacilityAvailability]
    def __init__(self, availability: _Optional[_Iterable[_Union[FacilityAvailability, _Mapping]]] = ...) -> None: ...

class FindNearbyRequest(_message.Message):
    __slots__ = ("position", "radius_m", "min_free", "space_type", "limit")
    POSITION_FIELD_NUMBER: _ClassVar[int]
    RADIUS_M_FIELD_NUMBER: _ClassVar[int]
    MIN_FREE_FIELD_NUMBER: _ClassVar[int]
    SPACE_TYPE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    position: _geo_pb2.GeoPoint
    radius_m: float
    min_free: int
    space_type: _parking_pb2.SpaceType
    limit: int
    def __init__(self, position: _Optional[_Union[_geo_pb2.GeoPoint, _Mapping]] = ..., radius_m: _Optional[float] = ..., min_free: _Optional[int] = ..., space_type: _Optional[_Union[_parking_pb2.SpaceType, str]] = ..., limit: _Optional[int] = ...) -> None: ...

class NearbyFacility(_message.Message):
    __slots__ = ("facility", "distance_m", "availability")
    FACILITY_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_M_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    facility: Facility
    distance_m: float
    availability: FacilityAvailability
    def __init__(self, facility: _Optional[_Union[Facility, _Mapping]] = ..., distance_m: _Optional[float] = ..., availability: _Optional[_Union[FacilityAvailability, _Mapping]] = ...) -> None: ...

class FindNearbyResponse(_message.Message):
    __slots__ = ("facilities",)
    FACILITIES_FIELD_NUMBER: _ClassVar[int]
    facilities: _containers.RepeatedCompositeFieldContainer[NearbyFacility]
    def __init__(self, facilities: _Optional[_Iterable[_Union[NearbyFacility, _Mapping]]] = ...) -> None: ...

class WatchAvailabilityRequest(_message.Message):
    __slots__ = ("facility_ids",)
    FACILITY_IDS_FIELD_NUMBER: _ClassVar[int]
    facility_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, facility_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class WatchAvailabilityResponse(_message.Message):
    __slots__ = ("snapshot", "availability")
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_FIELD_NUMBER: _ClassVar[int]
    snapshot: bool
    availability: _containers.RepeatedCompositeFieldContainer[FacilityAvailability]
    def __init__(self, snapshot: _Optional[bool] = ..., availability: _Optional[_Iterable[_Union[FacilityAvailability, _Mapping]]] = ...) -> None: ...

class GetOccupancyHistoryRequest(_message.Message):
    __slots__ = ("facility_id", "start_time", "end_time", "bucket_minutes")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    BUCKET_MINUTES_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    bucket_minutes: int
    def __init__(self, facility_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bucket_minutes: _Optional[int] = ...) -> None: ...

class OccupancyBucket(_message.Message):
    __slots__ = ("start_time", "mean_occupied", "mean_free", "max_occupied", "mean_unknown", "samples")
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    MEAN_OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    MEAN_FREE_FIELD_NUMBER: _ClassVar[int]
    MAX_OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    MEAN_UNKNOWN_FIELD_NUMBER: _ClassVar[int]
    SAMPLES_FIELD_NUMBER: _ClassVar[int]
    start_time: _timestamp_pb2.Timestamp
    mean_occupied: float
    mean_free: float
    max_occupied: int
    mean_unknown: float
    samples: int
    def __init__(self, start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., mean_occupied: _Optional[float] = ..., mean_free: _Optional[float] = ..., max_occupied: _Optional[int] = ..., mean_unknown: _Optional[float] = ..., samples: _Optional[int] = ...) -> None: ...

class GetOccupancyHistoryResponse(_message.Message):
    __slots__ = ("facility_id", "capacity", "buckets")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    BUCKETS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    capacity: int
    buckets: _containers.RepeatedCompositeFieldContainer[OccupancyBucket]
    def __init__(self, facility_id: _Optional[str] = ..., capacity: _Optional[int] = ..., buckets: _Optional[_Iterable[_Union[OccupancyBucket, _Mapping]]] = ...) -> None: ...

class ForecastOccupancyRequest(_message.Message):
    __slots__ = ("facility_id", "horizons_minutes")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    HORIZONS_MINUTES_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    horizons_minutes: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, facility_id: _Optional[str] = ..., horizons_minutes: _Optional[_Iterable[int]] = ...) -> None: ...

class OccupancyForecast(_message.Message):
    __slots__ = ("horizon_minutes", "target_time", "expected_free", "expected_occupied", "profile_weight")
    HORIZON_MINUTES_FIELD_NUMBER: _ClassVar[int]
    TARGET_TIME_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FREE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    PROFILE_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    horizon_minutes: int
    target_time: _timestamp_pb2.Timestamp
    expected_free: float
    expected_occupied: float
    profile_weight: float
    def __init__(self, horizon_minutes: _Optional[int] = ..., target_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expected_free: _Optional[float] = ..., expected_occupied: _Optional[float] = ..., profile_weight: _Optional[float] = ...) -> None: ...

class ForecastOccupancyResponse(_message.Message):
    __slots__ = ("facility_id", "capacity", "current_free", "profile_samples", "forecasts")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FREE_FIELD_NUMBER: _ClassVar[int]
    PROFILE_SAMPLES_FIELD_NUMBER: _ClassVar[int]
    FORECASTS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    capacity: int
    current_free: int
    profile_samples: int
    forecasts: _containers.RepeatedCompositeFieldContainer[OccupancyForecast]
    def __init__(self, facility_id: _Optional[str] = ..., capacity: _Optional[int] = ..., current_free: _Optional[int] = ..., profile_samples: _Optional[int] = ..., forecasts: _Optional[_Iterable[_Union[OccupancyForecast, _Mapping]]] = ...) -> None: ...

class ReportSensorReadingsRequest(_message.Message):
    __slots__ = ("readings",)
    READINGS_FIELD_NUMBER: _ClassVar[int]
    readings: _containers.RepeatedCompositeFieldContainer[_events_pb2.SensorReading]
    def __init__(self, readings: _Optional[_Iterable[_Union[_events_pb2.SensorReading, _Mapping]]] = ...) -> None: ...

class ReadingResult(_message.Message):
    __slots__ = ("index", "sensor_id", "outcome", "reason")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    index: int
    sensor_id: str
    outcome: ReadingOutcome
    reason: str
    def __init__(self, index: _Optional[int] = ..., sensor_id: _Optional[str] = ..., outcome: _Optional[_Union[ReadingOutcome, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ReportSensorReadingsResponse(_message.Message):
    __slots__ = ("results", "applied", "ignored", "rejected")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    IGNORED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ReadingResult]
    applied: int
    ignored: int
    rejected: int
    def __init__(self, results: _Optional[_Iterable[_Union[ReadingResult, _Mapping]]] = ..., applied: _Optional[int] = ..., ignored: _Optional[int] = ..., rejected: _Optional[int] = ...) -> None: ...

class ReportCounterEventsRequest(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_events_pb2.CounterEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[_events_pb2.CounterEvent, _Mapping]]] = ...) -> None: ...

class CounterEventResult(_message.Message):
    __slots__ = ("index", "facility_id", "outcome", "reason", "counted_occupied")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    COUNTED_OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    index: int
    facility_id: str
    outcome: CounterOutcome
    reason: str
    counted_occupied: int
    def __init__(self, index: _Optional[int] = ..., facility_id: _Optional[str] = ..., outcome: _Optional[_Union[CounterOutcome, str]] = ..., reason: _Optional[str] = ..., counted_occupied: _Optional[int] = ...) -> None: ...

class ReportCounterEventsResponse(_message.Message):
    __slots__ = ("results", "applied", "ignored", "rejected")
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    IGNORED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[CounterEventResult]
    applied: int
    ignored: int
    rejected: int
    def __init__(self, results: _Optional[_Iterable[_Union[CounterEventResult, _Mapping]]] = ..., applied: _Optional[int] = ..., ignored: _Optional[int] = ..., rejected: _Optional[int] = ...) -> None: ...
