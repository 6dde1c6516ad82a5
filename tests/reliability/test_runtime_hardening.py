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


def test_well_known_types_out_of_range_are_named() -> None:
    """Tests that bad Timestamps/Durations anywhere in a message are found with their field path."""
    from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2

    from herne.ops.v1.ops_service_pb2 import DependencyStatus, GetServiceStatusResponse
    from herne_runtime.wellknown import well_known_problem

    ok = GetServiceStatusResponse(service="x")
    ok.started_time.FromSeconds(1_700_000_000)
    ok.dependencies.add(name="redis").checked_time.FromSeconds(1)
    assert well_known_problem(ok) is None
    bad = GetServiceStatusResponse()
    bad.dependencies.add(name="redis")
    bad.dependencies.add(name="kafka", checked_time=timestamp_pb2.Timestamp(seconds=5, nanos=-1))
    assert well_known_problem(bad) == "dependencies[1].checked_time: timestamp nanos must be 0..999999999, got -1"
    far = DependencyStatus(checked_time=timestamp_pb2.Timestamp(seconds=2**40))
    assert "outside 0001-01-01..9999-12-31" in (well_known_problem(far) or "")
    assert well_known_problem(struct_pb2.Struct()) is None
    assert duration_pb2.Duration  # Duration has no carrier in our protos yet; checked by the unit below


def test_duration_rules() -> None:
    """Tests the Duration sign and range rules."""
    from google.protobuf import duration_pb2

    from herne_runtime.wellknown import _duration_problem

    assert _duration_problem(duration_pb2.Duration(seconds=5, nanos=3)) is None
    assert _duration_problem(duration_pb2.Duration(seconds=-5, nanos=-3)) is None
    assert _duration_problem(duration_pb2.Duration(seconds=5, nanos=-3))
    assert _duration_problem(duration_pb2.Duration(seconds=10**12))
