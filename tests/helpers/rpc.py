"""Generic RPC access driven by the proto descriptors, for tests that must cover every RPC.

A test never lists RPCs by hand: ``served_methods`` asks a running server over
gRPC reflection which services it serves and resolves their descriptors from
the generated code, so an RPC added tomorrow is covered tomorrow. ``call``
invokes any method (unary or streaming) with the request message built from
its descriptor and returns the status code and details instead of raising.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from herne_cli.call import all_services
from herne_runtime.auth import OPEN_SERVICES, AccessPolicy, access_policy

Metadata = Sequence[tuple[str, str]] | None

# Statuses a server may answer with when the caller's request is at fault or the RPC
# needs state that does not exist: the "proper" answers of the team's standards.
PROPER_CODES = frozenset(
    {
        grpc.StatusCode.OK,
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.OUT_OF_RANGE,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.ABORTED,
    }
)


@dataclass(frozen=True)
class Rpc:
    """One RPC of a running server, with its contract."""

    descriptor: MethodDescriptor

    @property
    def path(self) -> str:
        return f"/{self.descriptor.containing_service.full_name}/{self.descriptor.name}"

    @property
    def name(self) -> str:
        return f"{self.descriptor.containing_service.name}.{self.descriptor.name}"

    @property
    def policy(self) -> AccessPolicy | None:
        return access_policy(self.path)

    @property
    def server_streaming(self) -> bool:
        return bool(self.descriptor.server_streaming)

    @property
    def client_streaming(self) -> bool:
        return bool(self.descriptor.client_streaming)

    def request_class(self) -> type[Message]:
        return message_factory.GetMessageClass(self.descriptor.input_type)  # type: ignore[no-any-return]

    def response_class(self) -> type[Message]:
        return message_factory.GetMessageClass(self.descriptor.output_type)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Outcome:
    """How a call ended: its status code and details (empty for OK)."""

    code: grpc.StatusCode
    details: str
    responses: int = 0


def served_services(channel: grpc.Channel, timeout: float = 10.0) -> list[str]:
    """Full names of the services a server offers (reflection), infrastructure services excluded."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    names: list[str] = []
    for response in stub.ServerReflectionInfo(iter([request]), timeout=timeout):
        names.extend(service.name for service in response.list_services_response.service)
    return sorted(name for name in names if name not in OPEN_SERVICES)


def served_methods(channel: grpc.Channel) -> list[Rpc]:
    """Every RPC of every herne service the server offers, resolved to its descriptor."""
    all_services()  # imports every generated *_service_pb2 so the pool knows their descriptors
    pool = descriptor_pool.Default()
    rpcs = []
    for name in served_services(channel):
        service = pool.FindServiceByName(name)
        rpcs.extend(Rpc(method) for method in service.methods)
    return rpcs


def call(
    channel: grpc.Channel,
    rpc: Rpc,
    request: Message | None = None,
    *,
    metadata: Metadata = None,
    timeout: float = 15.0,
    stream_timeout: float = 1.5,
) -> Outcome:
    """Invoke ``rpc`` once; server streams are cancelled after their first message.

    A server stream that sends nothing within ``stream_timeout`` is an open,
    healthy subscription: reported as OK with zero responses.
    """
    message = request if request is not None else rpc.request_class()()
    serializer = type(message).SerializeToString
    deserializer = rpc.response_class().FromString
    if rpc.server_streaming:
        factory = (
            channel.stream_stream(rpc.path, serializer, deserializer)
            if rpc.client_streaming
            else channel.unary_stream(rpc.path, serializer, deserializer)
        )
        argument: Any = iter([message]) if rpc.client_streaming else message
        responses = factory(argument, metadata=metadata, timeout=stream_timeout)
        try:
            next(responses)
        except StopIteration:
            return Outcome(grpc.StatusCode.OK, "", 0)
        except grpc.RpcError as error:
            code = error.code()
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                return Outcome(grpc.StatusCode.OK, "", 0)
            return Outcome(code, error.details() or "")
        responses.cancel()
        return Outcome(grpc.StatusCode.OK, "", 1)
    factory = (
        channel.stream_unary(rpc.path, serializer, deserializer)
        if rpc.client_streaming
        else channel.unary_unary(rpc.path, serializer, deserializer)
    )
    argument = iter([message]) if rpc.client_streaming else message
    try:
        factory(argument, metadata=metadata, timeout=timeout)
    except grpc.RpcError as error:
        return Outcome(error.code(), error.details() or "")
    return Outcome(grpc.StatusCode.OK, "", 1)


# What an error message must never show a caller: stack traces, source paths, connection
# strings of the infrastructure and Python reprs of internal objects.
LEAK_PATTERNS = (
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r"File \"[^\"]+\", line \d+"),
    re.compile(r"(/work/|/home/|/usr/lib|site-packages|\.venv/)"),
    re.compile(r"\b\w+\.py\b"),
    re.compile(r"redis://|kafka://|rediss://"),
    re.compile(r"<[\w.]+ object at 0x[0-9a-f]+>"),
)


def leaks(details: str, secrets: Sequence[str] = ()) -> list[str]:
    """What in ``details`` should not be there (empty when the message is clean)."""
    found = [pattern.pattern for pattern in LEAK_PATTERNS if pattern.search(details)]
    found += [f"secret {secret[:6]}..." for secret in secrets if secret and secret in details]
    return found
