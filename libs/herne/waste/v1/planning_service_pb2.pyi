from google.protobuf import struct_pb2 as _struct_pb2
from herne.common.v1 import access_pb2 as _access_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlanProblemRequest(_message.Message):
    __slots__ = ("problem_json", "problem_struct", "time_limit_seconds", "seed", "use_road_network")
    PROBLEM_JSON_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_STRUCT_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    USE_ROAD_NETWORK_FIELD_NUMBER: _ClassVar[int]
    problem_json: str
    problem_struct: _struct_pb2.Struct
    time_limit_seconds: float
    seed: int
    use_road_network: bool
    def __init__(self, problem_json: _Optional[str] = ..., problem_struct: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., time_limit_seconds: _Optional[float] = ..., seed: _Optional[int] = ..., use_road_network: _Optional[bool] = ...) -> None: ...

class PlanSummary(_message.Message):
    __slots__ = ("cost", "routes", "unassigned", "duration_seconds", "distance_meters", "unload_stops", "checked")
    COST_FIELD_NUMBER: _ClassVar[int]
    ROUTES_FIELD_NUMBER: _ClassVar[int]
    UNASSIGNED_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_METERS_FIELD_NUMBER: _ClassVar[int]
    UNLOAD_STOPS_FIELD_NUMBER: _ClassVar[int]
    CHECKED_FIELD_NUMBER: _ClassVar[int]
    cost: int
    routes: int
    unassigned: int
    duration_seconds: int
    distance_meters: int
    unload_stops: int
    checked: bool
    def __init__(self, cost: _Optional[int] = ..., routes: _Optional[int] = ..., unassigned: _Optional[int] = ..., duration_seconds: _Optional[int] = ..., distance_meters: _Optional[int] = ..., unload_stops: _Optional[int] = ..., checked: _Optional[bool] = ...) -> None: ...

class PlanProblemResponse(_message.Message):
    __slots__ = ("solution_json", "summary")
    SOLUTION_JSON_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    solution_json: str
    summary: PlanSummary
    def __init__(self, solution_json: _Optional[str] = ..., summary: _Optional[_Union[PlanSummary, _Mapping]] = ...) -> None: ...
