"""Readiness probes of herne services over gRPC (grpc.health.v1)."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def health_status(target: str, service: str = "", timeout: float = 1.0) -> str:
    """SERVING, NOT_SERVING, ... or UNREACHABLE."""
    with grpc.insecure_channel(target) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError:
            return "UNREACHABLE"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


def is_serving(target: str, service: str = "") -> bool:
    return health_status(target, service) == "SERVING"
