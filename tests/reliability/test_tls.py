"""TLS end to end on a real service process, with a throwaway CA made by the openssl CLI.

(The `cryptography` package is not in the venv, and adding a dependency for a
test is not worth it while openssl is on every Debian machine.)
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc
from herne_stack.catalog import SERVICES
from herne_stack.processes import free_port
from tests.fixtures.services import auth
from tests.helpers.stack import Infra, ServiceProcess, health

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI needed to make certificates")


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_ca(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed CA certificate and key."""
    cert, key = directory / f"{name}-ca.pem", directory / f"{name}-ca.key"
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name} test CA",
        "-keyout", str(key), "-out", str(cert),
    )  # fmt: skip
    return cert, key


def make_server_cert(directory: Path, ca: tuple[Path, Path]) -> tuple[Path, Path]:
    """A server certificate for localhost / 127.0.0.1 signed by ``ca``."""
    cert, key, request = directory / "server.pem", directory / "server.key", directory / "server.csr"
    extensions = directory / "san.ext"
    extensions.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(request)
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", str(request), "-CA", str(ca[0]), "-CAkey", str(ca[1]), "-CAcreateserial",
        "-days", "1", "-extfile", str(extensions), "-out", str(cert),
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_service(
    reliability_infra: Infra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServiceProcess, Path, Path]]:
    """The first catalog service with TLS on its gRPC port and a plaintext health port."""
    directory = tmp_path_factory.mktemp("tls")
    ca = make_ca(directory, "herne")
    other_ca, _ = make_ca(directory, "stranger")
    cert, key = make_server_cert(directory, ca)
    health_port = free_port()
    service = ServiceProcess(
        SERVICES[0],
        reliability_infra,
        directory,
        {"HERNE_TLS_CERT_FILE": str(cert), "HERNE_TLS_KEY_FILE": str(key), "HERNE_HEALTH_PORT": str(health_port)},
    ).start()
    try:
        assert service.process is not None
        service.process.wait_ready(lambda: health(f"127.0.0.1:{health_port}") == "SERVING", 120)
        yield service, ca[0], other_ca
    finally:
        service.stop()


@pytest.mark.slow
def test_client_with_the_ca_gets_answers_over_tls(tls_service) -> None:
    """Tests that a client trusting the CA reaches health, a public read and a protected RPC over TLS."""
    service, ca, _ = tls_service
    credentials = grpc.ssl_channel_credentials(ca.read_bytes())
    assert health(service.target, credentials=credentials, timeout=5) == "SERVING"
    with grpc.secure_channel(service.target, credentials) as channel:
        stub = ops_service_pb2_grpc.OpsServiceStub(channel)
        status = stub.GetServiceStatus(ops_service_pb2.GetServiceStatusRequest(), timeout=10)
        assert status.service == service.name
        with pytest.raises(grpc.RpcError) as error:
            stub.ReplayDeadLetters(ops_service_pb2.ReplayDeadLettersRequest(), metadata=auth("operator"), timeout=10)
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT  # past auth, into validation


@pytest.mark.slow
def test_plaintext_and_untrusted_clients_fail(tls_service) -> None:
    """Tests that plaintext clients and clients trusting another CA cannot talk to the TLS port."""
    service, _, other_ca = tls_service
    assert health(service.target, timeout=3) == "UNREACHABLE"
    stranger = grpc.ssl_channel_credentials(other_ca.read_bytes())
    assert health(service.target, credentials=stranger, timeout=3) == "UNREACHABLE"
    with grpc.insecure_channel(service.target) as channel, pytest.raises(grpc.RpcError) as error:
        ops_service_pb2_grpc.OpsServiceStub(channel).GetServiceStatus(
            ops_service_pb2.GetServiceStatusRequest(), timeout=3
        )
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE
