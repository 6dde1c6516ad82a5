from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATION_KIND_UNSPECIFIED: _ClassVar[StationKind]
    STATION_KIND_BIKE_SHARING: _ClassVar[StationKind]
    STATION_KIND_FREE_FLOATING_ZONE: _ClassVar[StationKind]
    STATION_KIND_BIKE_BOX: _ClassVar[StationKind]
    STATION_KIND_CAR_SHARING: _ClassVar[StationKind]
    STATION_KIND_EV_CHARGER: _ClassVar[StationKind]
    STATION_KIND_PARK_AND_RIDE: _ClassVar[StationKind]

class FormFactor(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FORM_FACTOR_UNSPECIFIED: _ClassVar[FormFactor]
    FORM_FACTOR_BICYCLE: _ClassVar[FormFactor]
    FORM_FACTOR_CARGO_BICYCLE: _ClassVar[FormFactor]
    FORM_FACTOR_CAR: _ClassVar[FormFactor]
    FORM_FACTOR_MOPED: _ClassVar[FormFactor]
    FORM_FACTOR_SCOOTER_STANDING: _ClassVar[FormFactor]
    FORM_FACTOR_SCOOTER_SEATED: _ClassVar[FormFactor]
    FORM_FACTOR_OTHER: _ClassVar[FormFactor]

class Propulsion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROPULSION_UNSPECIFIED: _ClassVar[Propulsion]
    PROPULSION_HUMAN: _ClassVar[Propulsion]
    PROPULSION_ELECTRIC_ASSIST: _ClassVar[Propulsion]
    PROPULSION_ELECTRIC: _ClassVar[Propulsion]
    PROPULSION_COMBUSTION: _ClassVar[Propulsion]
    PROPULSION_OTHER: _ClassVar[Propulsion]
STATION_KIND_UNSPECIFIED: StationKind
STATION_KIND_BIKE_SHARING: StationKind
STATION_KIND_FREE_FLOATING_ZONE: StationKind
STATION_KIND_BIKE_BOX: StationKind
STATION_KIND_CAR_SHARING: StationKind
STATION_KIND_EV_CHARGER: StationKind
STATION_KIND_PARK_AND_RIDE: StationKind
FORM_FACTOR_UNSPECIFIED: FormFactor
FORM_FACTOR_BICYCLE: FormFactor
FORM_FACTOR_CARGO_BICYCLE: FormFactor
FORM_FACTOR_CAR: FormFactor
FORM_FACTOR_MOPED: FormFactor
FORM_FACTOR_SCOOTER_STANDING: FormFactor
FORM_FACTOR_SCOOTER_SEATED: FormFactor
FORM_FACTOR_OTHER: FormFactor
PROPULSION_UNSPECIFIED: Propulsion
PROPULSION_HUMAN: Propulsion
PROPULSION_ELECTRIC_ASSIST: Propulsion
PROPULSION_ELECTRIC: Propulsion
PROPULSION_COMBUSTION: Propulsion
PROPULSION_OTHER: Propulsion

class VehicleTypeCount(_message.Message):
    __slots__ = ("vehicle_type_id", "form_factor", "propulsion", "count")
    VEHICLE_TYPE_ID_FIELD_NUMBER: _ClassVar[int]
    FORM_FACTOR_FIELD_NUMBER: _ClassVar[int]
    PROPULSION_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    vehicle_type_id: str
    form_factor: FormFactor
    propulsion: Propulsion
    count: int
    def __init__(self, vehicle_type_id: _Optional[str] = ..., form_factor: _Optional[_Union[FormFactor, str]] = ..., propulsion: _Optional[_Union[Propulsion, str]] = ..., count: _Optional[int] = ...) -> None: ...

class ChargerAvailability(_message.Message):
    __slots__ = ("power_kw", "available", "total")
    POWER_KW_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    power_kw: float
    available: int
    total: int
    def __init__(self, power_kw: _Optional[float] = ..., available: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...
