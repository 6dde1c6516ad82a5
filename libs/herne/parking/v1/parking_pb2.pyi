from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FacilityKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FACILITY_KIND_UNSPECIFIED: _ClassVar[FacilityKind]
    FACILITY_KIND_GARAGE: _ClassVar[FacilityKind]
    FACILITY_KIND_PARK_AND_RIDE: _ClassVar[FacilityKind]
    FACILITY_KIND_SURFACE_LOT: _ClassVar[FacilityKind]
    FACILITY_KIND_ON_STREET_ZONE: _ClassVar[FacilityKind]

class SpaceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPACE_TYPE_UNSPECIFIED: _ClassVar[SpaceType]
    SPACE_TYPE_STANDARD: _ClassVar[SpaceType]
    SPACE_TYPE_DISABLED: _ClassVar[SpaceType]
    SPACE_TYPE_EV_CHARGING: _ClassVar[SpaceType]
    SPACE_TYPE_FAMILY: _ClassVar[SpaceType]
    SPACE_TYPE_SHORT_STAY: _ClassVar[SpaceType]

class Trend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TREND_UNSPECIFIED: _ClassVar[Trend]
    TREND_STABLE: _ClassVar[Trend]
    TREND_FILLING: _ClassVar[Trend]
    TREND_EMPTYING: _ClassVar[Trend]
FACILITY_KIND_UNSPECIFIED: FacilityKind
FACILITY_KIND_GARAGE: FacilityKind
FACILITY_KIND_PARK_AND_RIDE: FacilityKind
FACILITY_KIND_SURFACE_LOT: FacilityKind
FACILITY_KIND_ON_STREET_ZONE: FacilityKind
SPACE_TYPE_UNSPECIFIED: SpaceType
SPACE_TYPE_STANDARD: SpaceType
SPACE_TYPE_DISABLED: SpaceType
SPACE_TYPE_EV_CHARGING: SpaceType
SPACE_TYPE_FAMILY: SpaceType
SPACE_TYPE_SHORT_STAY: SpaceType
TREND_UNSPECIFIED: Trend
TREND_STABLE: Trend
TREND_FILLING: Trend
TREND_EMPTYING: Trend

class SpaceTypeAvailability(_message.Message):
    __slots__ = ("space_type", "capacity", "free", "occupied", "unknown")
    SPACE_TYPE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    FREE_FIELD_NUMBER: _ClassVar[int]
    OCCUPIED_FIELD_NUMBER: _ClassVar[int]
    UNKNOWN_FIELD_NUMBER: _ClassVar[int]
    space_type: SpaceType
    capacity: int
    free: int
    occupied: int
    unknown: int
    def __init__(self, space_type: _Optional[_Union[SpaceType, str]] = ..., capacity: _Optional[int] = ..., free: _Optional[int] = ..., occupied: _Optional[int] = ..., unknown: _Optional[int] = ...) -> None: ...
