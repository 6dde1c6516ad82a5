"""Regression tests for the fixes this suite made in the foundation (libs/herne_runtime, libs/herne_events)."""

from __future__ import annotations

import grpc
import pytest
import redis.exceptions
from grpc_health.v1 import health_pb2, health_pb2_grpc

from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc
from herne_runtime.ops import OpsServicer
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_runtime.settings import RuntimeSettings
from tests.fixtures.services import auth


async def _nothing(context: ServiceContext[RuntimeSettings]) -> None:
    """Only the OpsService every runtime serves."""


BARE = ServiceSpec(name="bare", settings=RuntimeSettings, setup=_nothing)


async def test_unimplemented_rpc_is_unimplemented_not_internal(start_service, monkeypatch) -> None:
    """Tests that an RPC the servicer does not implement answers UNIMPLEMENTED, not INTERNAL."""
    monkeypatch.setattr(OpsServicer, "ReplayDeadLetters", ops_service_pb2_grpc.OpsServiceServicer.ReplayDeadLetters)
    async with start_service(BARE) as service:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await ops_service_pb2_grpc.OpsServiceStub(service.channel).ReplayDeadLetters(
                ops_service_pb2.ReplayDeadLettersRequest(), metadata=auth("operator")
            )
        assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
        assert "ReplayDeadLetters is not implemented" in error.value.details()
        response = await health_pb2_grpc.HealthStub(service.channel).Check(health_pb2.HealthCheckRequest())
        assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_redis_gone_under_a_handler_is_unavailable_without_addresses(start_service, monkeypatch) -> None:
    """Tests that a Redis connection error inside a handler answers UNAVAILABLE and names no host or port."""

    async def redis_down(self, request, context):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(OpsServicer, "GetServiceStatus", redis_down)
    async with start_service(BARE) as service:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await ops_service_pb2_grpc.OpsServiceStub(service.channel).GetServiceStatus(
                ops_service_pb2.GetServiceStatusRequest()
            )
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "retry" in error.value.details()
    assert "6390" not in error.value.details() and "127.0.0.1" not in error.value.details()
