import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RoadConditionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROAD_CONDITION_KIND_UNSPECIFIED: _ClassVar[RoadConditionKind]
    ROAD_CONDITION_KIND_NORMAL: _ClassVar[RoadConditionKind]
    ROAD_CONDITION_KIND_CONGESTED: _ClassVar[RoadConditionKind]
    ROAD_CONDITION_KIND_CLOSED: _ClassVar[RoadConditionKind]
ROAD_CONDITION_KIND_UNSPECIFIED: RoadConditionKind
ROAD_CONDITION_KIND_NORMAL: RoadConditionKind
ROAD_CONDITION_KIND_CONGESTED: RoadConditionKind
ROAD_CONDITION_KIND_CLOSED: RoadConditionKind

class DetectorCount(_message.Message):
    __slots__ = ("detector_id", "interval_start_time", "interval_seconds", "vehicles", "occupancy_percent", "fault_reported")
    DETECTOR_ID_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_START_TIME_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_FIELD_NUMBER: _ClassVar[int]
    OCCUPANCY_PERCENT_FIELD_NUMBER: _ClassVar[int]
    FAULT_REPORTED_FIELD_NUMBER: _ClassVar[int]
    detector_id: str
    interval_start_time: _timestamp_pb2.Timestamp
    interval_seconds: int
    vehicles: int
    occupancy_percent: float
    fault_reported: bool
    def __init__(self, detector_id: _Optional[str] = ..., interval_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., interval_seconds: _Optional[int] = ..., vehicles: _Optional[int] = ..., occupancy_percent: _Optional[float] = ..., fault_reported: _Optional[bool] = ...) -> None: ...

class SignalGroupTiming(_message.Message):
    __slots__ = ("signal_group_id", "green_start_seconds", "green_end_seconds", "min_green_seconds", "max_green_seconds", "extension_seconds", "coordinated", "free_max_green_seconds")
    SIGNAL_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    GREEN_START_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GREEN_END_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MIN_GREEN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_GREEN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    COORDINATED_FIELD_NUMBER: _ClassVar[int]
    FREE_MAX_GREEN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    signal_group_id: str
    green_start_seconds: int
    green_end_seconds: int
    min_green_seconds: int
    max_green_seconds: int
    extension_seconds: float
    coordinated: bool
    free_max_green_seconds: int
    def __init__(self, signal_group_id: _Optional[str] = ..., green_start_seconds: _Optional[int] = ..., green_end_seconds: _Optional[int] = ..., min_green_seconds: _Optional[int] = ..., max_green_seconds: _Optional[int] = ..., extension_seconds: _Optional[float] = ..., coordinated: _Optional[bool] = ..., free_max_green_seconds: _Optional[int] = ...) -> None: ...

class SignalPlanActivated(_message.Message):
    __slots__ = ("intersection_id", "plan_id", "cycle_seconds", "offset_seconds", "groups", "approved_by", "activated_time")
    INTERSECTION_ID_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    CYCLE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OFFSET_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    APPROVED_BY_FIELD_NUMBER: _ClassVar[int]
    ACTIVATED_TIME_FIELD_NUMBER: _ClassVar[int]
    intersection_id: str
    plan_id: str
    cycle_seconds: int
    offset_seconds: int
    groups: _containers.RepeatedCompositeFieldContainer[SignalGroupTiming]
    approved_by: str
    activated_time: _timestamp_pb2.Timestamp
    def __init__(self, intersection_id: _Optional[str] = ..., plan_id: _Optional[str] = ..., cycle_seconds: _Optional[int] = ..., offset_seconds: _Optional[int] = ..., groups: _Optional[_Iterable[_Union[SignalGroupTiming, _Mapping]]] = ..., approved_by: _Optional[str] = ..., activated_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RoadConditionChanged(_message.Message):
    __slots__ = ("segment_id", "from_node_id", "to_node_id", "kind", "travel_time_factor", "valid_from_time", "valid_until_time", "reason")
    SEGMENT_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    TO_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_TIME_FACTOR_FIELD_NUMBER: _ClassVar[int]
    VALID_FROM_TIME_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    segment_id: str
    from_node_id: str
    to_node_id: str
    kind: RoadConditionKind
    travel_time_factor: float
    valid_from_time: _timestamp_pb2.Timestamp
    valid_until_time: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, segment_id: _Optional[str] = ..., from_node_id: _Optional[str] = ..., to_node_id: _Optional[str] = ..., kind: _Optional[_Union[RoadConditionKind, str]] = ..., travel_time_factor: _Optional[float] = ..., valid_from_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...
