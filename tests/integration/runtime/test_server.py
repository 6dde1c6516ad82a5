"""The service runtime over real gRPC, Redis and the broker."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import aiohttp
import grpc
import pytest
from aiohttp import web
from grpc_health.v1 import health_pb2, health_pb2_grpc

from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc
from herne_runtime.ops import OpsServicer
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_runtime.settings import RuntimeSettings
from herne_stack.processes import free_port
from herne_stack.servers import redis_process, redis_ready
from tests.fixtures.services import auth, wait_until


async def _nothing(context: ServiceContext[RuntimeSettings]) -> None:
    """Only the OpsService every runtime serves."""


BARE = ServiceSpec(name="bare", settings=RuntimeSettings, setup=_nothing)


async def _with_http(context: ServiceContext[RuntimeSettings]) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"city": "Herne"})

    context.add_http_routes([web.get("/hello", hello)])


WITH_HTTP = ServiceSpec(name="with-http", settings=RuntimeSettings, setup=_with_http)


async def test_http_routes_are_served_next_to_grpc(start_service) -> None:
    """Tests that routes registered with add_http_routes answer on the HTTP port."""
    async with start_service(WITH_HTTP, http_port=0) as service, aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{service.runtime.http_port}/hello") as response:
            assert response.status == 200
            assert await response.json() == {"city": "Herne"}


async def _health(channel: grpc.aio.Channel, service: str = "") -> int:
    response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service))
    return int(response.status)


async def test_health_flips_to_serving_when_redis_appears(start_service, tmp_path: Path) -> None:
    """Tests that health is NOT_SERVING while Redis is missing and SERVING once it answers."""
    port = free_port()
    async with start_service(BARE, redis_url=f"redis://127.0.0.1:{port}/0", wait_serving=False) as service:
        await wait_until(lambda: service.runtime.monitor.states["redis"].checked_at is not None)
        assert await _health(service.channel) == health_pb2.HealthCheckResponse.NOT_SERVING
        assert await _health(service.channel, "herne.ops.v1.OpsService") == health_pb2.HealthCheckResponse.NOT_SERVING
        redis = redis_process(port, tmp_path, tmp_path / "redis.log", persistent=False).start()
        try:
            redis.wait_ready(lambda: redis_ready(port), 20)

            async def serving() -> bool:
                return await _health(service.channel) == health_pb2.HealthCheckResponse.SERVING

            await wait_until(serving, timeout=15)
        finally:
            redis.stop()


async def test_status_reports_dependencies(start_service) -> None:
    """Tests that GetServiceStatus is public and lists reachable dependencies."""
    async with start_service(BARE) as service:
        response = await ops_service_pb2_grpc.OpsServiceStub(service.channel).GetServiceStatus(
            ops_service_pb2.GetServiceStatusRequest()
        )
    assert response.service == "bare"
    assert response.serving
    assert {d.name: d.reachable for d in response.dependencies} == {"redis": True, "kafka": True}


@pytest.mark.parametrize(
    ("metadata", "code"),
    [
        (None, grpc.StatusCode.UNAUTHENTICATED),
        ([("authorization", "Bearer not-a-valid-token")], grpc.StatusCode.UNAUTHENTICATED),
        (auth("reader"), grpc.StatusCode.PERMISSION_DENIED),
        (auth("operator"), grpc.StatusCode.INVALID_ARGUMENT),
    ],
)
async def test_auth_on_a_protected_rpc(start_service, metadata, code) -> None:
    """Tests missing, invalid and wrong-role tokens; the right role reaches validation."""
    async with start_service(BARE) as service:
        stub = ops_service_pb2_grpc.OpsServiceStub(service.channel)
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.ReplayDeadLetters(ops_service_pb2.ReplayDeadLettersRequest(max_events=0), metadata=metadata)
    assert error.value.code() == code
    assert "test-token" not in (error.value.details() or "")


async def test_public_reads_can_be_switched_off(start_service) -> None:
    """Tests that with HERNE_PUBLIC_READS=false a public RPC needs a valid token."""
    async with start_service(BARE, public_reads=False) as service:
        stub = ops_service_pb2_grpc.OpsServiceStub(service.channel)
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.GetServiceStatus(ops_service_pb2.GetServiceStatusRequest())
        assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
        await stub.GetServiceStatus(ops_service_pb2.GetServiceStatusRequest(), metadata=auth("reader"))


async def test_unexpected_error_is_internal_without_internals(start_service, monkeypatch) -> None:
    """Tests that a bug becomes INTERNAL with a reference, and the message leaks nothing."""

    async def broken(self, request, context):
        raise RuntimeError("password=hunter2 at /srv/secret.py line 3")

    monkeypatch.setattr(OpsServicer, "GetServiceStatus", broken)
    async with start_service(BARE) as service:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await ops_service_pb2_grpc.OpsServiceStub(service.channel).GetServiceStatus(
                ops_service_pb2.GetServiceStatusRequest()
            )
        assert error.value.code() == grpc.StatusCode.INTERNAL
        assert "reference" in error.value.details()
        assert "hunter2" not in error.value.details()
        assert await _health(service.channel) == health_pb2.HealthCheckResponse.SERVING


async def test_oversized_request_is_resource_exhausted(start_service) -> None:
    """Tests that a request above HERNE_MAX_REQUEST_BYTES is refused by size."""
    async with start_service(BARE, max_request_bytes=2048) as service:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await ops_service_pb2_grpc.OpsServiceStub(service.channel).ReplayDeadLetters(
                ops_service_pb2.ReplayDeadLettersRequest(topic="x" * 10_000, max_events=1), metadata=auth("operator")
            )
    assert error.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_graceful_stop_reports_not_serving_first(start_service) -> None:
    """Tests that stopping flips health to NOT_SERVING before the server goes away."""
    async with start_service(BARE) as service:
        health = health_pb2_grpc.HealthStub(service.channel)
        await service.runtime._health.enter_graceful_shutdown()
        response = await health.Check(health_pb2.HealthCheckRequest())
        assert response.status == health_pb2.HealthCheckResponse.NOT_SERVING


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI needed to make a test certificate")
async def test_tls_end_to_end(start_service, tmp_path: Path) -> None:
    """Tests that with a certificate configured the server speaks TLS and plaintext fails."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    async with start_service(BARE, tls_cert_file=cert, tls_key_file=key, wait_serving=False) as service:
        credentials = grpc.ssl_channel_credentials(cert.read_bytes())
        async with grpc.aio.secure_channel(service.target, credentials) as channel:
            response = await ops_service_pb2_grpc.OpsServiceStub(channel).GetServiceStatus(
                ops_service_pb2.GetServiceStatusRequest(), timeout=10
            )
            assert response.service == "bare"
        with pytest.raises(grpc.aio.AioRpcError):
            await ops_service_pb2_grpc.OpsServiceStub(service.channel).GetServiceStatus(
                ops_service_pb2.GetServiceStatusRequest(), timeout=2, wait_for_ready=False
            )
