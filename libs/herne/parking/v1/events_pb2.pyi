import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from herne.parking.v1 import parking_pb2 as _parking_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CounterDirection(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUNTER_DIRECTION_UNSPECIFIED: _ClassVar[CounterDirection]
    COUNTER_DIRECTION_ENTRY: _ClassVar[CounterDirection]
    COUNTER_DIRECTION_EXIT: _ClassVar[CounterDirection]
COUNTER_DIRECTION_UNSPECIFIED: CounterDirection
COUNTER_DIRECTION_ENTRY: CounterDirection
COUNTER_DIRECTION_EXIT: CounterDirection

class SensorReading(_message.Message):
    __slots__ = ("sensor_id", "occupied", "observed_time", "battery_percent", "rssi_dbm", "snr_db")
    SENSOR_ID_FIELD_NUMBER: _ClassVar[int]
    OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_TIME_FIELD_NUMBER: _ClassVar[int]
    BATTERY_PERCENT_FIELD_NUMBER: _ClassVar[int]
    RSSI_DBM_FIELD_NUMBER: _ClassVar[int]
    SNR_DB_FIELD_NUMBER: _ClassVar[int]
    sensor_id: str
    occupied: bool
    observed_time: _timestamp_pb2.Timestamp
    battery_percent: float
    rssi_dbm: float
    snr_db: float
    def __init__(self, sensor_id: _Optional[str] = ..., occupied: _Optional[bool] = ..., observed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., battery_percent: _Optional[float] = ..., rssi_dbm: _Optional[float] = ..., snr_db: _Optional[float] = ...) -> None: ...

class CounterPassage(_message.Message):
    __slots__ = ("direction", "vehicles")
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_FIELD_NUMBER: _ClassVar[int]
    direction: CounterDirection
    vehicles: int
    def __init__(self, direction: _Optional[_Union[CounterDirection, str]] = ..., vehicles: _Optional[int] = ...) -> None: ...

class CounterRecalibration(_message.Message):
    __slots__ = ("occupied",)
    OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    occupied: int
    def __init__(self, occupied: _Optional[int] = ...) -> None: ...

class CounterEvent(_message.Message):
    __slots__ = ("facility_id", "counter_id", "observed_time", "passage", "recalibration", "event_id")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTER_ID_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_TIME_FIELD_NUMBER: _ClassVar[int]
    PASSAGE_FIELD_NUMBER: _ClassVar[int]
    RECALIBRATION_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    counter_id: str
    observed_time: _timestamp_pb2.Timestamp
    passage: CounterPassage
    recalibration: CounterRecalibration
    event_id: str
    def __init__(self, facility_id: _Optional[str] = ..., counter_id: _Optional[str] = ..., observed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., passage: _Optional[_Union[CounterPassage, _Mapping]] = ..., recalibration: _Optional[_Union[CounterRecalibration, _Mapping]] = ..., event_id: _Optional[str] = ...) -> None: ...

class OccupancyChanged(_message.Message):
    __slots__ = ("facility_id", "kind", "capacity", "free", "occupied", "unknown", "by_space_type", "trend", "observed_time", "stale", "version", "stale_sensors")
    FACILITY_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    FREE_FIELD_NUMBER: _ClassVar[int]
    OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_FIELD_NUMBER: _ClassVar[int]
    BY_SPACE_TYPE_FIELD_NUMBER: _ClassVar[int]
    TREND_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_TIME_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STALE_SENSORS_FIELD_NUMBER: _ClassVar[int]
    facility_id: str
    kind: _parking_pb2.FacilityKind
    capacity: int
    free: int
    occupied: int
    unknown: int
    by_space_type: _containers.RepeatedCompositeFieldContainer[_parking_pb2.SpaceTypeAvailability]
    trend: _parking_pb2.Trend
    observed_time: _timestamp_pb2.Timestamp
    stale: bool
    version: int
    stale_sensors: int
    def __init__(self, facility_id: _Optional[str] = ..., kind: _Optional[_Union[_parking_pb2.FacilityKind, str]] = ..., capacity: _Optional[int] = ..., free: _Optional[int] = ..., occupied: _Optional[int] = ..., unknown: _Optional[int] = ..., by_space_type: _Optional[_Iterable[_Union[_parking_pb2.SpaceTypeAvailability, _Mapping]]] = ..., trend: _Optional[_Union[_parking_pb2.Trend, str]] = ..., observed_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stale: _Optional[bool] = ..., version: _Optional[int] = ..., stale_sensors: _Optional[int] = ...) -> None: ...
