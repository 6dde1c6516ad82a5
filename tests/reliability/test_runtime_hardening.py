"""Regression tests for the fixes this suite made in the foundation (libs/herne_runtime, libs/herne_events)."""

from __future__ import annotations

import grpc
import pytest
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
