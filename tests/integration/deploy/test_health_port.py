"""The plaintext health port that Kubernetes gRPC probes use when the gRPC port speaks TLS."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc
from herne_runtime.server import LIVENESS_SERVICE, ServiceContext, ServiceSpec
from herne_runtime.settings import RuntimeSettings
from herne_stack.processes import free_port
from tests.fixtures.services import wait_until


async def _nothing(context: ServiceContext[RuntimeSettings]) -> None:
    """Only the OpsService every runtime serves."""


BARE = ServiceSpec(name="bare", settings=RuntimeSettings, setup=_nothing)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI needed to make a test certificate")
async def test_health_port_answers_in_plaintext_while_grpc_speaks_tls(start_service, tmp_path: Path) -> None:
    """Tests that the health port reports SERVING without TLS, serves nothing else, and follows shutdown."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    async with start_service(BARE, tls_cert_file=cert, tls_key_file=key, health_port=port, wait_serving=False) as svc:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)

            async def serving() -> bool:
                response = await health.Check(health_pb2.HealthCheckRequest(), timeout=2)
                return response.status == health_pb2.HealthCheckResponse.SERVING

            await wait_until(serving)
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await ops_service_pb2_grpc.OpsServiceStub(channel).GetServiceStatus(
                    ops_service_pb2.GetServiceStatusRequest(), timeout=2
                )
            assert error.value.code() == grpc.StatusCode.UNIMPLEMENTED
            await svc.runtime._health.enter_graceful_shutdown()
            response = await health.Check(health_pb2.HealthCheckRequest(), timeout=2)
            assert response.status == health_pb2.HealthCheckResponse.NOT_SERVING


async def test_liveness_is_serving_while_dependencies_are_down(start_service) -> None:
    """Tests that the liveness health name is SERVING even while Redis is unreachable (readiness is not)."""
    async with start_service(BARE, redis_url="redis://127.0.0.1:1/0", wait_serving=False) as service:
        health = health_pb2_grpc.HealthStub(service.channel)
        # Kafka checked (and its topics created) too: stopping mid start-up would leak its connections.
        await wait_until(
            lambda: (
                service.runtime.monitor is not None
                and service.runtime.monitor.states["redis"].checked_at
                and service.runtime.monitor.states["kafka"].reachable
            )
        )
        overall = await health.Check(health_pb2.HealthCheckRequest(), timeout=2)
        assert overall.status == health_pb2.HealthCheckResponse.NOT_SERVING
        liveness = await health.Check(health_pb2.HealthCheckRequest(service=LIVENESS_SERVICE), timeout=2)
        assert liveness.status == health_pb2.HealthCheckResponse.SERVING
