from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_READER: _ClassVar[Role]
    ROLE_SENSOR_GATEWAY: _ClassVar[Role]
    ROLE_MOBILITY_OPERATOR: _ClassVar[Role]
    ROLE_TRAFFIC_ENGINEER: _ClassVar[Role]
    ROLE_DISPATCHER: _ClassVar[Role]
    ROLE_BOOKING: _ClassVar[Role]
    ROLE_CREW: _ClassVar[Role]
    ROLE_OPERATOR: _ClassVar[Role]
ROLE_UNSPECIFIED: Role
ROLE_READER: Role
ROLE_SENSOR_GATEWAY: Role
ROLE_MOBILITY_OPERATOR: Role
ROLE_TRAFFIC_ENGINEER: Role
ROLE_DISPATCHER: Role
ROLE_BOOKING: Role
ROLE_CREW: Role
ROLE_OPERATOR: Role
ACCESS_FIELD_NUMBER: _ClassVar[int]
access: _descriptor.FieldDescriptor

class AccessRule(_message.Message):
    __slots__ = ("public", "roles")
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    public: bool
    roles: _containers.RepeatedScalarFieldContainer[Role]
    def __init__(self, public: _Optional[bool] = ..., roles: _Optional[_Iterable[_Union[Role, str]]] = ...) -> None: ...
