"""`herne-mobility call`: call any herne RPC with JSON in and JSON out.

A small built-in stand-in for grpcurl, using the generated descriptors, so a
newcomer can try the APIs without installing anything else.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import json_format, symbol_database
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

import herne
from herne_stack.catalog import service as catalog_service


@dataclass(frozen=True)
class ResolvedMethod:
    descriptor: MethodDescriptor
    request_class: type[Any]
    response_class: type[Any]

    @property
    def path(self) -> str:
        return f"/{self.descriptor.containing_service.full_name}/{self.descriptor.name}"


def all_services() -> list[ServiceDescriptor]:
    """Every service of the herne contracts."""
    services = []
    for module_info in pkgutil.walk_packages(herne.__path__, "herne."):
        if module_info.name.endswith("_service_pb2"):
            module = importlib.import_module(module_info.name)
            services.extend(module.DESCRIPTOR.services_by_name.values())
    return services


def resolve(name: str) -> ResolvedMethod:
    """Find a method by "Service.Method", "Service/Method" or its full name."""
    wanted = name.replace("/", ".").lstrip(".")
    matches = [
        method
        for service in all_services()
        for method in service.methods
        if f"{service.full_name}.{method.name}".endswith(wanted)
    ]
    if not matches:
        raise SystemExit(f"no RPC matches {name!r}; try `herne-mobility call --list`")
    if len(matches) > 1:
        options = ", ".join(f"{m.containing_service.full_name}.{m.name}" for m in matches)
        raise SystemExit(f"{name!r} is ambiguous: {options}")
    method = matches[0]
    database = symbol_database.Default()
    return ResolvedMethod(
        method,
        database.GetSymbol(method.input_type.full_name),
        database.GetSymbol(method.output_type.full_name),
    )


def default_target(method: MethodDescriptor) -> str | None:
    """Default port of the service whose package holds the method (herne.<domain>.v1)."""
    domain = method.containing_service.full_name.split(".")[1]
    try:
        return f"127.0.0.1:{catalog_service(domain).grpc_port}"
    except KeyError:
        return None


def run_call(
    method_name: str | None,
    body: str,
    *,
    target: str | None,
    token: str | None,
    timeout: float,
    tls_ca: str | None,
    list_only: bool,
    max_messages: int | None,
) -> int:
    if list_only or not method_name:
        for service in all_services():
            for method in service.methods:
                kind = "stream" if method.server_streaming else "unary"
                print(f"{service.full_name}.{method.name}  ({kind})")
        return 0
    resolved = resolve(method_name)
    target = target or default_target(resolved.descriptor)
    if target is None:
        raise SystemExit("this RPC is served by every service: pass --target host:port")
    try:
        request = json_format.Parse(body or "{}", resolved.request_class())
    except json_format.ParseError as error:
        fields = ", ".join(field.json_name for field in resolved.request_class.DESCRIPTOR.fields)
        print(f"request body for {method_name}: {error}", file=sys.stderr)
        print(f"fields of {resolved.request_class.DESCRIPTOR.full_name}: {fields}", file=sys.stderr)
        return 2
    metadata = [("authorization", f"Bearer {token}")] if token else None
    if tls_ca:
        with open(tls_ca, "rb") as ca:
            channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(ca.read()))
    else:
        channel = grpc.insecure_channel(target)
    with channel:
        try:
            if resolved.descriptor.server_streaming:
                stream = channel.unary_stream(
                    resolved.path,
                    request_serializer=resolved.request_class.SerializeToString,
                    response_deserializer=resolved.response_class.FromString,
                )
                for count, response in enumerate(stream(request, metadata=metadata, timeout=timeout), 1):
                    print(
                        json_format.MessageToJson(response, indent=None, always_print_fields_with_no_presence=True),
                        flush=True,
                    )
                    if max_messages is not None and count >= max_messages:
                        break
            else:
                unary = channel.unary_unary(
                    resolved.path,
                    request_serializer=resolved.request_class.SerializeToString,
                    response_deserializer=resolved.response_class.FromString,
                )
                response = unary(request, metadata=metadata, timeout=timeout)
                print(json_format.MessageToJson(response, indent=2, always_print_fields_with_no_presence=True))
        except grpc.RpcError as error:
            print(f"{error.code().name}: {error.details()}", file=sys.stderr)
            return 1
    return 0
