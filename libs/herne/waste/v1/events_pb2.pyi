import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PickupBooked(_message.Message):
    __slots__ = ("pickup_id", "date", "window_start_time", "window_end_time", "volume_m3", "district", "booked_time")
    PICKUP_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    VOLUME_M3_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    BOOKED_TIME_FIELD_NUMBER: _ClassVar[int]
    pickup_id: str
    date: str
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    volume_m3: float
    district: str
    booked_time: _timestamp_pb2.Timestamp
    def __init__(self, pickup_id: _Optional[str] = ..., date: _Optional[str] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., volume_m3: _Optional[float] = ..., district: _Optional[str] = ..., booked_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PickupCancelled(_message.Message):
    __slots__ = ("pickup_id", "date", "reason", "cancelled_time")
    PICKUP_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_TIME_FIELD_NUMBER: _ClassVar[int]
    pickup_id: str
    date: str
    reason: str
    cancelled_time: _timestamp_pb2.Timestamp
    def __init__(self, pickup_id: _Optional[str] = ..., date: _Optional[str] = ..., reason: _Optional[str] = ..., cancelled_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ToursPlanned(_message.Message):
    __slots__ = ("date", "plan_id", "vehicles_used", "stops_planned", "stops_unserved", "distance_km", "co2_kg", "planned_time")
    DATE_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_USED_FIELD_NUMBER: _ClassVar[int]
    STOPS_PLANNED_FIELD_NUMBER: _ClassVar[int]
    STOPS_UNSERVED_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    CO2_KG_FIELD_NUMBER: _ClassVar[int]
    PLANNED_TIME_FIELD_NUMBER: _ClassVar[int]
    date: str
    plan_id: str
    vehicles_used: int
    stops_planned: int
    stops_unserved: int
    distance_km: float
    co2_kg: float
    planned_time: _timestamp_pb2.Timestamp
    def __init__(self, date: _Optional[str] = ..., plan_id: _Optional[str] = ..., vehicles_used: _Optional[int] = ..., stops_planned: _Optional[int] = ..., stops_unserved: _Optional[int] = ..., distance_km: _Optional[float] = ..., co2_kg: _Optional[float] = ..., planned_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
