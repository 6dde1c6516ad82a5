import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from herne.common.v1 import access_pb2 as _access_pb2
from herne.common.v1 import geo_pb2 as _geo_pb2
from herne.signals.v1 import events_pb2 as _events_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PlanStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PLAN_STATUS_UNSPECIFIED: _ClassVar[PlanStatus]
    PLAN_STATUS_PROPOSED: _ClassVar[PlanStatus]
    PLAN_STATUS_ACTIVE: _ClassVar[PlanStatus]
    PLAN_STATUS_REJECTED: _ClassVar[PlanStatus]
    PLAN_STATUS_SUPERSEDED: _ClassVar[PlanStatus]
PLAN_STATUS_UNSPECIFIED: PlanStatus
PLAN_STATUS_PROPOSED: PlanStatus
PLAN_STATUS_ACTIVE: PlanStatus
PLAN_STATUS_REJECTED: PlanStatus
PLAN_STATUS_SUPERSEDED: PlanStatus

class ListIntersectionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class IntersectionSummary(_message.Message):
    __slots__ = ("intersection_id", "name", "position", "corridor_id", "signal_groups", "active_plan_id")
    INTERSECTION_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    CORRIDOR_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_GROUPS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    intersection_id: str
    name: str
    position: _geo_pb2.GeoPoint
    corridor_id: str
    signal_groups: int
    active_plan_id: str
    def __init__(self, intersection_id: _Optional[str] = ..., name: _Optional[str] = ..., position: _Optional[_Union[_geo_pb2.GeoPoint, _Mapping]] = ..., corridor_id: _Optional[str] = ..., signal_groups: _Optional[int] = ..., active_plan_id: _Optional[str] = ...) -> None: ...

class ListIntersectionsResponse(_message.Message):
    __slots__ = ("intersections", "data_notice")
    INTERSECTIONS_FIELD_NUMBER: _ClassVar[int]
    DATA_NOTICE_FIELD_NUMBER: _ClassVar[int]
    intersections: _containers.RepeatedCompositeFieldContainer[IntersectionSummary]
    data_notice: str
    def __init__(self, intersections: _Optional[_Iterable[_Union[IntersectionSummary, _Mapping]]] = ..., data_notice: _Optional[str] = ...) -> None: ...

class GetIntersectionRequest(_message.Message):
    __slots__ = ("intersection_id",)
    INTERSECTION_ID_FIELD_NUMBER: _ClassVar[int]
    intersection_id: str
    def __init__(self, intersection_id: _Optional[str] = ...) -> None: ...

class SignalGroup(_message.Message):
    __slots__ = ("signal_group_id", "kind", "approach", "lanes", "min_green_seconds", "permissive_left", "detector_ids")
    SIGNAL_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    APPROACH_FIELD_NUMBER: _ClassVar[int]
    LANES_FIELD_NUMBER: _ClassVar[int]
    MIN_GREEN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PERMISSIVE_LEFT_FIELD_NUMBER: _ClassVar[int]
    DETECTOR_IDS_FIELD_NUMBER: _ClassVar[int]
    signal_group_id: str
    kind: str
    approach: str
    lanes: int
    min_green_seconds: int
    permissive_left: bool
    detector_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, signal_group_id: _Optional[str] = ..., kind: _Optional[str] = ..., approach: _Optional[str] = ..., lanes: _Optional[int] = ..., min_green_seconds: _Optional[int] = ..., permissive_left: _Optional[bool] = ..., detector_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Intergreen(_message.Message):
    __slots__ = ("from_signal_group_id", "to_signal_group_id", "seconds")
    FROM_SIGNAL_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    TO_SIGNAL_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    from_signal_group_id: str
    to_signal_group_id: str
    seconds: int
    def __init__(self, from_signal_group_id: _Optional[str] = ..., to_signal_group_id: _Optional[str] = ..., seconds: _Optional[int] = ...) -> None: ...

class Stage(_message.Message):
    __slots__ = ("stage_id", "signal_group_ids")
    STAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    stage_id: str
    signal_group_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, stage_id: _Optional[str] = ..., signal_group_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetIntersectionResponse(_message.Message):
    __slots__ = ("intersection", "signal_groups", "stages", "intergreens", "cycle_min_seconds", "cycle_max_seconds")
    INTERSECTION_FIELD_NUMBER: _ClassVar[int]
    SIGNAL_GROUPS_FIELD_NUMBER: _ClassVar[int]
    STAGES_FIELD_NUMBER: _ClassVar[int]
    INTERGREENS_FIELD_NUMBER: _ClassVar[int]
    CYCLE_MIN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CYCLE_MAX_SECONDS_FIELD_NUMBER: _ClassVar[int]
    intersection: IntersectionSummary
    signal_groups: _containers.RepeatedCompositeFieldContainer[SignalGroup]
    stages: _containers.RepeatedCompositeFieldContainer[Stage]
    intergreens: _containers.RepeatedCompositeFieldContainer[Intergreen]
    cycle_min_seconds: int
    cycle_max_seconds: int
    def __init__(self, intersection: _Optional[_Union[IntersectionSummary, _Mapping]] = ..., signal_groups: _Optional[_Iterable[_Union[SignalGroup, _Mapping]]] = ..., stages: _Optional[_Iterable[_Union[Stage, _Mapping]]] = ..., intergreens: _Optional[_Iterable[_Union[Intergreen, _Mapping]]] = ..., cycle_min_seconds: _Optional[int] = ..., cycle_max_seconds: _Optional[int] = ...) -> None: ...

class GroupTiming(_message.Message):
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

class GroupExpectation(_message.Message):
    __slots__ = ("signal_group_id", "flow_veh_per_hour", "saturation_flow_veh_per_hour", "capacity_veh_per_hour", "degree_of_saturation", "delay_seconds", "stops_per_vehicle")
    SIGNAL_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    FLOW_VEH_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    SATURATION_FLOW_VEH_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_VEH_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    DEGREE_OF_SATURATION_FIELD_NUMBER: _ClassVar[int]
    DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    STOPS_PER_VEHICLE_FIELD_NUMBER: _ClassVar[int]
    signal_group_id: str
    flow_veh_per_hour: float
    saturation_flow_veh_per_hour: float
    capacity_veh_per_hour: float
    degree_of_saturation: float
    delay_seconds: float
    stops_per_vehicle: float
    def __init__(self, signal_group_id: _Optional[str] = ..., flow_veh_per_hour: _Optional[float] = ..., saturation_flow_veh_per_hour: _Optional[float] = ..., capacity_veh_per_hour: _Optional[float] = ..., degree_of_saturation: _Optional[float] = ..., delay_seconds: _Optional[float] = ..., stops_per_vehicle: _Optional[float] = ...) -> None: ...

class SignalPlan(_message.Message):
    __slots__ = ("plan_id", "intersection_id", "cycle_seconds", "offset_seconds", "groups", "expectations", "mean_delay_seconds", "oversaturated_signal_group_ids", "status", "created_time", "decided_time", "decided_by", "reject_reason", "demand_source", "corridor_id", "outbound_band_seconds", "inbound_band_seconds", "proposal_reason")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    INTERSECTION_ID_FIELD_NUMBER: _ClassVar[int]
    CYCLE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OFFSET_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    EXPECTATIONS_FIELD_NUMBER: _ClassVar[int]
    MEAN_DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OVERSATURATED_SIGNAL_GROUP_IDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_TIME_FIELD_NUMBER: _ClassVar[int]
    DECIDED_TIME_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    REJECT_REASON_FIELD_NUMBER: _ClassVar[int]
    DEMAND_SOURCE_FIELD_NUMBER: _ClassVar[int]
    CORRIDOR_ID_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_BAND_SECONDS_FIELD_NUMBER: _ClassVar[int]
    INBOUND_BAND_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_REASON_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    intersection_id: str
    cycle_seconds: int
    offset_seconds: int
    groups: _containers.RepeatedCompositeFieldContainer[GroupTiming]
    expectations: _containers.RepeatedCompositeFieldContainer[GroupExpectation]
    mean_delay_seconds: float
    oversaturated_signal_group_ids: _containers.RepeatedScalarFieldContainer[str]
    status: PlanStatus
    created_time: _timestamp_pb2.Timestamp
    decided_time: _timestamp_pb2.Timestamp
    decided_by: str
    reject_reason: str
    demand_source: str
    corridor_id: str
    outbound_band_seconds: int
    inbound_band_seconds: int
    proposal_reason: str
    def __init__(self, plan_id: _Optional[str] = ..., intersection_id: _Optional[str] = ..., cycle_seconds: _Optional[int] = ..., offset_seconds: _Optional[int] = ..., groups: _Optional[_Iterable[_Union[GroupTiming, _Mapping]]] = ..., expectations: _Optional[_Iterable[_Union[GroupExpectation, _Mapping]]] = ..., mean_delay_seconds: _Optional[float] = ..., oversaturated_signal_group_ids: _Optional[_Iterable[str]] = ..., status: _Optional[_Union[PlanStatus, str]] = ..., created_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., decided_by: _Optional[str] = ..., reject_reason: _Optional[str] = ..., demand_source: _Optional[str] = ..., corridor_id: _Optional[str] = ..., outbound_band_seconds: _Optional[int] = ..., inbound_band_seconds: _Optional[int] = ..., proposal_reason: _Optional[str] = ...) -> None: ...

class GroupFlow(_message.Message):
    __slots__ = ("signal_group_id", "flow_veh_per_hour")
    SIGNAL_GROUP_ID_FIELD_NUMBER: _ClassVar[int]
    FLOW_VEH_PER_HOUR_FIELD_NUMBER: _ClassVar[int]
    signal_group_id: str
    flow_veh_per_hour: float
    def __init__(self, signal_group_id: _Optional[str] = ..., flow_veh_per_hour: _Optional[float] = ...) -> None: ...

class GetActivePlanRequest(_message.Message):
    __slots__ = ("intersection_id",)
    INTERSECTION_ID_FIELD_NUMBER: _ClassVar[int]
    intersection_id: str
    def __init__(self, intersection_id: _Optional[str] = ...) -> None: ...

class GetActivePlanResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: SignalPlan
    def __init__(self, plan: _Optional[_Union[SignalPlan, _Mapping]] = ...) -> None: ...

class ListPlansRequest(_message.Message):
    __slots__ = ("intersection_id", "limit")
    INTERSECTION_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    intersection_id: str
    limit: int
    def __init__(self, intersection_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ListPlansResponse(_message.Message):
    __slots__ = ("plans",)
    PLANS_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[SignalPlan]
    def __init__(self, plans: _Optional[_Iterable[_Union[SignalPlan, _Mapping]]] = ...) -> None: ...

class OptimizeIntersectionRequest(_message.Message):
    __slots__ = ("intersection_id", "flows", "max_degree_of_saturation")
    INTERSECTION_ID_FIELD_NUMBER: _ClassVar[int]
    FLOWS_FIELD_NUMBER: _ClassVar[int]
    MAX_DEGREE_OF_SATURATION_FIELD_NUMBER: _ClassVar[int]
    intersection_id: str
    flows: _containers.RepeatedCompositeFieldContainer[GroupFlow]
    max_degree_of_saturation: float
    def __init__(self, intersection_id: _Optional[str] = ..., flows: _Optional[_Iterable[_Union[GroupFlow, _Mapping]]] = ..., max_degree_of_saturation: _Optional[float] = ...) -> None: ...

class OptimizeIntersectionResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: SignalPlan
    def __init__(self, plan: _Optional[_Union[SignalPlan, _Mapping]] = ...) -> None: ...

class IntersectionFlows(_message.Message):
    __slots__ = ("intersection_id", "flows")
    INTERSECTION_ID_FIELD_NUMBER: _ClassVar[int]
    FLOWS_FIELD_NUMBER: _ClassVar[int]
    intersection_id: str
    flows: _containers.RepeatedCompositeFieldContainer[GroupFlow]
    def __init__(self, intersection_id: _Optional[str] = ..., flows: _Optional[_Iterable[_Union[GroupFlow, _Mapping]]] = ...) -> None: ...

class OptimizeCorridorRequest(_message.Message):
    __slots__ = ("corridor_id", "flows", "max_degree_of_saturation")
    CORRIDOR_ID_FIELD_NUMBER: _ClassVar[int]
    FLOWS_FIELD_NUMBER: _ClassVar[int]
    MAX_DEGREE_OF_SATURATION_FIELD_NUMBER: _ClassVar[int]
    corridor_id: str
    flows: _containers.RepeatedCompositeFieldContainer[IntersectionFlows]
    max_degree_of_saturation: float
    def __init__(self, corridor_id: _Optional[str] = ..., flows: _Optional[_Iterable[_Union[IntersectionFlows, _Mapping]]] = ..., max_degree_of_saturation: _Optional[float] = ...) -> None: ...

class OptimizeCorridorResponse(_message.Message):
    __slots__ = ("plans", "cycle_seconds", "outbound_band_seconds", "inbound_band_seconds", "outbound_stops_per_vehicle", "inbound_stops_per_vehicle")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    CYCLE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_BAND_SECONDS_FIELD_NUMBER: _ClassVar[int]
    INBOUND_BAND_SECONDS_FIELD_NUMBER: _ClassVar[int]
    OUTBOUND_STOPS_PER_VEHICLE_FIELD_NUMBER: _ClassVar[int]
    INBOUND_STOPS_PER_VEHICLE_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[SignalPlan]
    cycle_seconds: int
    outbound_band_seconds: int
    inbound_band_seconds: int
    outbound_stops_per_vehicle: float
    inbound_stops_per_vehicle: float
    def __init__(self, plans: _Optional[_Iterable[_Union[SignalPlan, _Mapping]]] = ..., cycle_seconds: _Optional[int] = ..., outbound_band_seconds: _Optional[int] = ..., inbound_band_seconds: _Optional[int] = ..., outbound_stops_per_vehicle: _Optional[float] = ..., inbound_stops_per_vehicle: _Optional[float] = ...) -> None: ...

class ApprovePlanRequest(_message.Message):
    __slots__ = ("plan_id",)
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    def __init__(self, plan_id: _Optional[str] = ...) -> None: ...

class ApprovePlanResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: SignalPlan
    def __init__(self, plan: _Optional[_Union[SignalPlan, _Mapping]] = ...) -> None: ...

class RejectPlanRequest(_message.Message):
    __slots__ = ("plan_id", "reason")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    reason: str
    def __init__(self, plan_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RejectPlanResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: SignalPlan
    def __init__(self, plan: _Optional[_Union[SignalPlan, _Mapping]] = ...) -> None: ...

class ReportRoadConditionRequest(_message.Message):
    __slots__ = ("from_node_id", "to_node_id", "kind", "travel_time_factor", "valid_until_time", "reason")
    FROM_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    TO_NODE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TRAVEL_TIME_FACTOR_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    from_node_id: str
    to_node_id: str
    kind: _events_pb2.RoadConditionKind
    travel_time_factor: float
    valid_until_time: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, from_node_id: _Optional[str] = ..., to_node_id: _Optional[str] = ..., kind: _Optional[_Union[_events_pb2.RoadConditionKind, str]] = ..., travel_time_factor: _Optional[float] = ..., valid_until_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class ReportRoadConditionResponse(_message.Message):
    __slots__ = ("condition",)
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    condition: _events_pb2.RoadConditionChanged
    def __init__(self, condition: _Optional[_Union[_events_pb2.RoadConditionChanged, _Mapping]] = ...) -> None: ...
