import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from herne.mobility.v1 import mobility_pb2 as _mobility_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StationStatusChanged(_message.Message):
    __slots__ = ("station_id", "hub_id", "kind", "system_id", "vehicles_available", "vehicles_by_type", "docks_available", "chargers", "is_renting", "is_returning", "last_reported_time", "stale")
    STATION_ID_FIELD_NUMBER: _ClassVar[int]
    HUB_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SYSTEM_ID_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_BY_TYPE_FIELD_NUMBER: _ClassVar[int]
    DOCKS_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    CHARGERS_FIELD_NUMBER: _ClassVar[int]
    IS_RENTING_FIELD_NUMBER: _ClassVar[int]
    IS_RETURNING_FIELD_NUMBER: _ClassVar[int]
    LAST_REPORTED_TIME_FIELD_NUMBER: _ClassVar[int]
    STALE_FIELD_NUMBER: _ClassVar[int]
    station_id: str
    hub_id: str
    kind: _mobility_pb2.StationKind
    system_id: str
    vehicles_available: int
    vehicles_by_type: _containers.RepeatedCompositeFieldContainer[_mobility_pb2.VehicleTypeCount]
    docks_available: int
    chargers: _containers.RepeatedCompositeFieldContainer[_mobility_pb2.ChargerAvailability]
    is_renting: bool
    is_returning: bool
    last_reported_time: _timestamp_pb2.Timestamp
    stale: bool
    def __init__(self, station_id: _Optional[str] = ..., hub_id: _Optional[str] = ..., kind: _Optional[_Union[_mobility_pb2.StationKind, str]] = ..., system_id: _Optional[str] = ..., vehicles_available: _Optional[int] = ..., vehicles_by_type: _Optional[_Iterable[_Union[_mobility_pb2.VehicleTypeCount, _Mapping]]] = ..., docks_available: _Optional[int] = ..., chargers: _Optional[_Iterable[_Union[_mobility_pb2.ChargerAvailability, _Mapping]]] = ..., is_renting: _Optional[bool] = ..., is_returning: _Optional[bool] = ..., last_reported_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., stale: _Optional[bool] = ...) -> None: ...
