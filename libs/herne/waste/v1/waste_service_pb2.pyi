import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from herne.common.v1 import access_pb2 as _access_pb2
from herne.common.v1 import geo_pb2 as _geo_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ItemKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ITEM_KIND_UNSPECIFIED: _ClassVar[ItemKind]
    ITEM_KIND_SOFA: _ClassVar[ItemKind]
    ITEM_KIND_ARMCHAIR: _ClassVar[ItemKind]
    ITEM_KIND_WARDROBE: _ClassVar[ItemKind]
    ITEM_KIND_BED: _ClassVar[ItemKind]
    ITEM_KIND_MATTRESS: _ClassVar[ItemKind]
    ITEM_KIND_TABLE: _ClassVar[ItemKind]
    ITEM_KIND_CHAIR: _ClassVar[ItemKind]
    ITEM_KIND_CARPET: _ClassVar[ItemKind]
    ITEM_KIND_FRIDGE: _ClassVar[ItemKind]
    ITEM_KIND_WASHING_MACHINE: _ClassVar[ItemKind]
    ITEM_KIND_TELEVISION: _ClassVar[ItemKind]
    ITEM_KIND_OTHER: _ClassVar[ItemKind]

class PickupState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PICKUP_STATE_UNSPECIFIED: _ClassVar[PickupState]
    PICKUP_STATE_BOOKED: _ClassVar[PickupState]
    PICKUP_STATE_CANCELLED: _ClassVar[PickupState]
    PICKUP_STATE_DONE: _ClassVar[PickupState]
    PICKUP_STATE_NOT_FOUND: _ClassVar[PickupState]
    PICKUP_STATE_REFUSED: _ClassVar[PickupState]

class StopKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STOP_KIND_UNSPECIFIED: _ClassVar[StopKind]
    STOP_KIND_START: _ClassVar[StopKind]
    STOP_KIND_PICKUP: _ClassVar[StopKind]
    STOP_KIND_UNLOAD: _ClassVar[StopKind]
    STOP_KIND_BREAK: _ClassVar[StopKind]
    STOP_KIND_END: _ClassVar[StopKind]

class UnservedReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNSERVED_REASON_UNSPECIFIED: _ClassVar[UnservedReason]
    UNSERVED_REASON_NO_SKILLED_VEHICLE: _ClassVar[UnservedReason]
    UNSERVED_REASON_EXCEEDS_CAPACITY: _ClassVar[UnservedReason]
    UNSERVED_REASON_TIME_WINDOW_UNREACHABLE: _ClassVar[UnservedReason]
    UNSERVED_REASON_NO_ROOM: _ClassVar[UnservedReason]
    UNSERVED_REASON_UNREACHABLE: _ClassVar[UnservedReason]
    UNSERVED_REASON_NO_VEHICLES: _ClassVar[UnservedReason]
    UNSERVED_REASON_LOCK_INFEASIBLE: _ClassVar[UnservedReason]

class StopResult(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STOP_RESULT_UNSPECIFIED: _ClassVar[StopResult]
    STOP_RESULT_DONE: _ClassVar[StopResult]
    STOP_RESULT_NOT_FOUND: _ClassVar[StopResult]
    STOP_RESULT_REFUSED: _ClassVar[StopResult]
ITEM_KIND_UNSPECIFIED: ItemKind
ITEM_KIND_SOFA: ItemKind
ITEM_KIND_ARMCHAIR: ItemKind
ITEM_KIND_WARDROBE: ItemKind
ITEM_KIND_BED: ItemKind
ITEM_KIND_MATTRESS: ItemKind
ITEM_KIND_TABLE: ItemKind
ITEM_KIND_CHAIR: ItemKind
ITEM_KIND_CARPET: ItemKind
ITEM_KIND_FRIDGE: ItemKind
ITEM_KIND_WASHING_MACHINE: ItemKind
ITEM_KIND_TELEVISION: ItemKind
ITEM_KIND_OTHER: ItemKind
PICKUP_STATE_UNSPECIFIED: PickupState
PICKUP_STATE_BOOKED: PickupState
PICKUP_STATE_CANCELLED: PickupState
PICKUP_STATE_DONE: PickupState
PICKUP_STATE_NOT_FOUND: PickupState
PICKUP_STATE_REFUSED: PickupState
STOP_KIND_UNSPECIFIED: StopKind
STOP_KIND_START: StopKind
STOP_KIND_PICKUP: StopKind
STOP_KIND_UNLOAD: StopKind
STOP_KIND_BREAK: StopKind
STOP_KIND_END: StopKind
UNSERVED_REASON_UNSPECIFIED: UnservedReason
UNSERVED_REASON_NO_SKILLED_VEHICLE: UnservedReason
UNSERVED_REASON_EXCEEDS_CAPACITY: UnservedReason
UNSERVED_REASON_TIME_WINDOW_UNREACHABLE: UnservedReason
UNSERVED_REASON_NO_ROOM: UnservedReason
UNSERVED_REASON_UNREACHABLE: UnservedReason
UNSERVED_REASON_NO_VEHICLES: UnservedReason
UNSERVED_REASON_LOCK_INFEASIBLE: UnservedReason
STOP_RESULT_UNSPECIFIED: StopResult
STOP_RESULT_DONE: StopResult
STOP_RESULT_NOT_FOUND: StopResult
STOP_RESULT_REFUSED: StopResult

class Item(_message.Message):
    __slots__ = ("kind", "count", "volume_m3")
    KIND_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    VOLUME_M3_FIELD_NUMBER: _ClassVar[int]
    kind: ItemKind
    count: int
    volume_m3: float
    def __init__(self, kind: _Optional[_Union[ItemKind, str]] = ..., count: _Optional[int] = ..., volume_m3: _Optional[float] = ...) -> None: ...

class PickupLocation(_message.Message):
    __slots__ = ("address", "position")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    address: str
    position: _geo_pb2.GeoPoint
    def __init__(self, address: _Optional[str] = ..., position: _Optional[_Union[_geo_pb2.GeoPoint, _Mapping]] = ...) -> None: ...

class OfferSlotsRequest(_message.Message):
    __slots__ = ("location", "items", "earliest_date", "horizon_days", "max_slots")
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_DATE_FIELD_NUMBER: _ClassVar[int]
    HORIZON_DAYS_FIELD_NUMBER: _ClassVar[int]
    MAX_SLOTS_FIELD_NUMBER: _ClassVar[int]
    location: PickupLocation
    items: _containers.RepeatedCompositeFieldContainer[Item]
    earliest_date: str
    horizon_days: int
    max_slots: int
    def __init__(self, location: _Optional[_Union[PickupLocation, _Mapping]] = ..., items: _Optional[_Iterable[_Union[Item, _Mapping]]] = ..., earliest_date: _Optional[str] = ..., horizon_days: _Optional[int] = ..., max_slots: _Optional[int] = ...) -> None: ...

class Slot(_message.Message):
    __slots__ = ("slot_id", "date", "window_start_time", "window_end_time", "added_km", "added_minutes")
    SLOT_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    ADDED_KM_FIELD_NUMBER: _ClassVar[int]
    ADDED_MINUTES_FIELD_NUMBER: _ClassVar[int]
    slot_id: str
    date: str
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    added_km: float
    added_minutes: float
    def __init__(self, slot_id: _Optional[str] = ..., date: _Optional[str] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., added_km: _Optional[float] = ..., added_minutes: _Optional[float] = ...) -> None: ...

class OfferSlotsResponse(_message.Message):
    __slots__ = ("slots", "district", "volume_m3", "service_minutes", "required_skills", "note")
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    VOLUME_M3_FIELD_NUMBER: _ClassVar[int]
    SERVICE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    slots: _containers.RepeatedCompositeFieldContainer[Slot]
    district: str
    volume_m3: float
    service_minutes: float
    required_skills: _containers.RepeatedScalarFieldContainer[str]
    note: str
    def __init__(self, slots: _Optional[_Iterable[_Union[Slot, _Mapping]]] = ..., district: _Optional[str] = ..., volume_m3: _Optional[float] = ..., service_minutes: _Optional[float] = ..., required_skills: _Optional[_Iterable[str]] = ..., note: _Optional[str] = ...) -> None: ...

class Contact(_message.Message):
    __slots__ = ("name", "phone", "email")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    name: str
    phone: str
    email: str
    def __init__(self, name: _Optional[str] = ..., phone: _Optional[str] = ..., email: _Optional[str] = ...) -> None: ...

class BookPickupRequest(_message.Message):
    __slots__ = ("slot_id", "location", "items", "contact", "idempotency_key", "note")
    SLOT_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    slot_id: str
    location: PickupLocation
    items: _containers.RepeatedCompositeFieldContainer[Item]
    contact: Contact
    idempotency_key: str
    note: str
    def __init__(self, slot_id: _Optional[str] = ..., location: _Optional[_Union[PickupLocation, _Mapping]] = ..., items: _Optional[_Iterable[_Union[Item, _Mapping]]] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., idempotency_key: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class Pickup(_message.Message):
    __slots__ = ("pickup_id", "state", "date", "window_start_time", "window_end_time", "address", "position", "district", "items", "volume_m3", "service_minutes", "required_skills", "contact", "note", "booked_time", "vehicle_id", "eta_time", "reason")
    PICKUP_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_TIME_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_TIME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DISTRICT_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    VOLUME_M3_FIELD_NUMBER: _ClassVar[int]
    SERVICE_MINUTES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_SKILLS_FIELD_NUMBER: _ClassVar[int]
    CONTACT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    BOOKED_TIME_FIELD_NUMBER: _ClassVar[int]
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    ETA_TIME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    pickup_id: str
    state: PickupState
    date: str
    window_start_time: _timestamp_pb2.Timestamp
    window_end_time: _timestamp_pb2.Timestamp
    address: str
    position: _geo_pb2.GeoPoint
    district: str
    items: _containers.RepeatedCompositeFieldContainer[Item]
    volume_m3: float
    service_minutes: float
    required_skills: _containers.RepeatedScalarFieldContainer[str]
    contact: Contact
    note: str
    booked_time: _timestamp_pb2.Timestamp
    vehicle_id: str
    eta_time: _timestamp_pb2.Timestamp
    reason: str
    def __init__(self, pickup_id: _Optional[str] = ..., state: _Optional[_Union[PickupState, str]] = ..., date: _Optional[str] = ..., window_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., address: _Optional[str] = ..., position: _Optional[_Union[_geo_pb2.GeoPoint, _Mapping]] = ..., district: _Optional[str] = ..., items: _Optional[_Iterable[_Union[Item, _Mapping]]] = ..., volume_m3: _Optional[float] = ..., service_minutes: _Optional[float] = ..., required_skills: _Optional[_Iterable[str]] = ..., contact: _Optional[_Union[Contact, _Mapping]] = ..., note: _Optional[str] = ..., booked_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., vehicle_id: _Optional[str] = ..., eta_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class BookPickupResponse(_message.Message):
    __slots__ = ("pickup", "created")
    PICKUP_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    pickup: Pickup
    created: bool
    def __init__(self, pickup: _Optional[_Union[Pickup, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class CancelPickupRequest(_message.Message):
    __slots__ = ("pickup_id", "reason")
    PICKUP_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    pickup_id: str
    reason: str
    def __init__(self, pickup_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelPickupResponse(_message.Message):
    __slots__ = ("pickup",)
    PICKUP_FIELD_NUMBER: _ClassVar[int]
    pickup: Pickup
    def __init__(self, pickup: _Optional[_Union[Pickup, _Mapping]] = ...) -> None: ...

class GetPickupRequest(_message.Message):
    __slots__ = ("pickup_id",)
    PICKUP_ID_FIELD_NUMBER: _ClassVar[int]
    pickup_id: str
    def __init__(self, pickup_id: _Optional[str] = ...) -> None: ...

class GetPickupResponse(_message.Message):
    __slots__ = ("pickup",)
    PICKUP_FIELD_NUMBER: _ClassVar[int]
    pickup: Pickup
    def __init__(self, pickup: _Optional[_Union[Pickup, _Mapping]] = ...) -> None: ...

class PlanToursRequest(_message.Message):
    __slots__ = ("date", "time_limit_seconds")
    DATE_FIELD_NUMBER: _ClassVar[int]
    TIME_LIMIT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    time_limit_seconds: float
    def __init__(self, date: _Optional[str] = ..., time_limit_seconds: _Optional[float] = ...) -> None: ...

class TourStop(_message.Message):
    __slots__ = ("kind", "id", "node_id", "position", "arrival_time", "start_time", "departure_time", "load_m3", "pickup_state", "name")
    KIND_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    ARRIVAL_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    DEPARTURE_TIME_FIELD_NUMBER: _ClassVar[int]
    LOAD_M3_FIELD_NUMBER: _ClassVar[int]
    PICKUP_STATE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    kind: StopKind
    id: str
    node_id: str
    position: _geo_pb2.GeoPoint
    arrival_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    departure_time: _timestamp_pb2.Timestamp
    load_m3: float
    pickup_state: PickupState
    name: str
    def __init__(self, kind: _Optional[_Union[StopKind, str]] = ..., id: _Optional[str] = ..., node_id: _Optional[str] = ..., position: _Optional[_Union[_geo_pb2.GeoPoint, _Mapping]] = ..., arrival_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., departure_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., load_m3: _Optional[float] = ..., pickup_state: _Optional[_Union[PickupState, str]] = ..., name: _Optional[str] = ...) -> None: ...

class Tour(_message.Message):
    __slots__ = ("vehicle_id", "truck", "crew", "stops", "distance_km", "co2_kg", "pickups", "unloading_trips", "max_load_m3", "capacity_m3")
    VEHICLE_ID_FIELD_NUMBER: _ClassVar[int]
    TRUCK_FIELD_NUMBER: _ClassVar[int]
    CREW_FIELD_NUMBER: _ClassVar[int]
    STOPS_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    CO2_KG_FIELD_NUMBER: _ClassVar[int]
    PICKUPS_FIELD_NUMBER: _ClassVar[int]
    UNLOADING_TRIPS_FIELD_NUMBER: _ClassVar[int]
    MAX_LOAD_M3_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_M3_FIELD_NUMBER: _ClassVar[int]
    vehicle_id: str
    truck: str
    crew: str
    stops: _containers.RepeatedCompositeFieldContainer[TourStop]
    distance_km: float
    co2_kg: float
    pickups: int
    unloading_trips: int
    max_load_m3: float
    capacity_m3: float
    def __init__(self, vehicle_id: _Optional[str] = ..., truck: _Optional[str] = ..., crew: _Optional[str] = ..., stops: _Optional[_Iterable[_Union[TourStop, _Mapping]]] = ..., distance_km: _Optional[float] = ..., co2_kg: _Optional[float] = ..., pickups: _Optional[int] = ..., unloading_trips: _Optional[int] = ..., max_load_m3: _Optional[float] = ..., capacity_m3: _Optional[float] = ...) -> None: ...

class UnservedPickup(_message.Message):
    __slots__ = ("pickup_id", "reason", "detail")
    PICKUP_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    pickup_id: str
    reason: UnservedReason
    detail: str
    def __init__(self, pickup_id: _Optional[str] = ..., reason: _Optional[_Union[UnservedReason, str]] = ..., detail: _Optional[str] = ...) -> None: ...

class TourPlan(_message.Message):
    __slots__ = ("date", "plan_id", "status", "planned_time", "tours", "unserved", "distance_km", "co2_kg", "vehicles_used", "stops_planned", "solve_seconds")
    DATE_FIELD_NUMBER: _ClassVar[int]
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PLANNED_TIME_FIELD_NUMBER: _ClassVar[int]
    TOURS_FIELD_NUMBER: _ClassVar[int]
    UNSERVED_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_KM_FIELD_NUMBER: _ClassVar[int]
    CO2_KG_FIELD_NUMBER: _ClassVar[int]
    VEHICLES_USED_FIELD_NUMBER: _ClassVar[int]
    STOPS_PLANNED_FIELD_NUMBER: _ClassVar[int]
    SOLVE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    plan_id: str
    status: str
    planned_time: _timestamp_pb2.Timestamp
    tours: _containers.RepeatedCompositeFieldContainer[Tour]
    unserved: _containers.RepeatedCompositeFieldContainer[UnservedPickup]
    distance_km: float
    co2_kg: float
    vehicles_used: int
    stops_planned: int
    solve_seconds: float
    def __init__(self, date: _Optional[str] = ..., plan_id: _Optional[str] = ..., status: _Optional[str] = ..., planned_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tours: _Optional[_Iterable[_Union[Tour, _Mapping]]] = ..., unserved: _Optional[_Iterable[_Union[UnservedPickup, _Mapping]]] = ..., distance_km: _Optional[float] = ..., co2_kg: _Optional[float] = ..., vehicles_used: _Optional[int] = ..., stops_planned: _Optional[int] = ..., solve_seconds: _Optional[float] = ...) -> None: ...

class PlanToursResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: TourPlan
    def __init__(self, plan: _Optional[_Union[TourPlan, _Mapping]] = ...) -> None: ...

class GetToursRequest(_message.Message):
    __slots__ = ("date",)
    DATE_FIELD_NUMBER: _ClassVar[int]
    date: str
    def __init__(self, date: _Optional[str] = ...) -> None: ...

class GetToursResponse(_message.Message):
    __slots__ = ("plan",)
    PLAN_FIELD_NUMBER: _ClassVar[int]
    plan: TourPlan
    def __init__(self, plan: _Optional[_Union[TourPlan, _Mapping]] = ...) -> None: ...

class ReportStopResultRequest(_message.Message):
    __slots__ = ("pickup_id", "result", "reported_time", "note")
    PICKUP_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    REPORTED_TIME_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    pickup_id: str
    result: StopResult
    reported_time: _timestamp_pb2.Timestamp
    note: str
    def __init__(self, pickup_id: _Optional[str] = ..., result: _Optional[_Union[StopResult, str]] = ..., reported_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., note: _Optional[str] = ...) -> None: ...

class ReportStopResultResponse(_message.Message):
    __slots__ = ("pickup", "plan")
    PICKUP_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    pickup: Pickup
    plan: TourPlan
    def __init__(self, pickup: _Optional[_Union[Pickup, _Mapping]] = ..., plan: _Optional[_Union[TourPlan, _Mapping]] = ...) -> None: ...
