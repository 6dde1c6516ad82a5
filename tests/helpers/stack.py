"""Catalog services as real processes on their own Redis and broker, for fault tests.

The reliability suite kills, restarts and floods things; doing that to the
session Redis and broker would disturb every other test (Tansu is memory-only:
a restart loses all topics). So it gets its own pair, started like
``herne-mobility up`` starts them, and runs each service as
``python -m herne_cli serve <name>``, exactly what a pod runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from herne_stack.catalog import ServiceEntry
from herne_stack.processes import ManagedProcess, free_port
from herne_stack.servers import broker_process, broker_ready, redis_process, redis_ready
from tests.fixtures.services import TEST_TOKENS

# Settings that make the processes react fast in tests; each can be overridden per service.
FAST_ENV: dict[str, str] = {
    "HERNE_GRPC_HOST": "127.0.0.1",
    "HERNE_AUTH_TOKENS": json.dumps(TEST_TOKENS),
    "HERNE_HEALTH_CHECK_INTERVAL_SECONDS": "0.3",
    "HERNE_KAFKA_SESSION_TIMEOUT_MS": "3000",
    "HERNE_KAFKA_HEARTBEAT_INTERVAL_MS": "300",
    "HERNE_SHUTDOWN_GRACE_SECONDS": "2",
    "HERNE_LOG_FORMAT": "json",
    "HERNE_LOG_LEVEL": "INFO",
}


# Runs in the child instead of a preexec_fn: ask for SIGTERM when the parent dies, then exec.
_DIE_WITH_PARENT_EXEC = (
    "import ctypes, os, signal, sys; ctypes.CDLL('libc.so.6').prctl(1, signal.SIGTERM); "
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


class SpawnedProcess(ManagedProcess):
    """A ManagedProcess started without ``preexec_fn``, so Python can use vfork.

    With a ``preexec_fn`` Python must fork(), and grpc's fork handlers in a parent that
    uses gRPC (this test process does) make about 4 % of such children abort before exec
    with "epoll_wait error: Bad file descriptor" (grpc/grpc#43055; measured 11 of 300 here).
    vfork runs no fork handlers. The die-with-parent prctl moves into a tiny exec wrapper.
    """

    @classmethod
    def of(cls, process: ManagedProcess) -> SpawnedProcess:
        return cls(process.name, process.argv, process.log_path, process.env)

    def start(self) -> SpawnedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _DIE_WITH_PARENT_EXEC, *self.argv],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                start_new_session=True,
            )
        return self


def health(
    target: str, service: str = "", timeout: float = 1.0, credentials: grpc.ChannelCredentials | None = None
) -> str:
    """SERVING / NOT_SERVING / ... or UNREACHABLE."""
    channel = grpc.secure_channel(target, credentials) if credentials else grpc.insecure_channel(target)
    with channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError:
            return "UNREACHABLE"
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


def wait_for(predicate, timeout: float, interval: float = 0.1, what: str = "condition") -> float:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until true; returns the seconds it took, AssertionError after ``timeout``."""
    began = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - began
        if time.monotonic() - began > timeout:
            raise AssertionError(f"{what} not reached within {timeout:.0f} s")
        time.sleep(interval)


@dataclass
class Infra:
    """Own Redis (append-only file, like `up`) and own Tansu broker."""

    directory: Path
    redis_port: int = field(default_factory=free_port)
    broker_port: int = field(default_factory=free_port)
    redis: ManagedProcess | None = None
    broker: ManagedProcess | None = None

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    def start(self) -> Infra:
        self.start_redis()
        self.start_broker()
        return self

    def start_redis(self) -> None:
        self.redis = SpawnedProcess.of(
            redis_process(self.redis_port, self.directory / "redis", self.directory / "redis.log", persistent=True)
        ).start()
        self.redis.wait_ready(lambda: redis_ready(self.redis_port), 30)

    def start_broker(self) -> None:
        self.broker = SpawnedProcess.of(broker_process(self.broker_port, self.directory / "broker.log")).start()
        self.broker.wait_ready(lambda: broker_ready(self.broker_port), 30)

    def stop(self) -> None:
        for process in (self.broker, self.redis):
            if process is not None:
                process.stop()


@dataclass
class ServiceProcess:
    """One catalog service as a child process."""

    entry: ServiceEntry
    infra: Infra
    log_dir: Path
    overrides: Mapping[str, str] = field(default_factory=dict)
    grpc_port: int = field(default_factory=free_port)
    metrics_port: int = field(default_factory=free_port)
    http_port: int = 0
    process: ManagedProcess | None = None
    starts: int = 0

    def __post_init__(self) -> None:
        if self.entry.http_port:
            self.http_port = free_port()

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            **FAST_ENV,
            "REDIS_URL": self.infra.redis_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.infra.bootstrap,
            "HERNE_GRPC_PORT": str(self.grpc_port),
            "HERNE_METRICS_PORT": str(self.metrics_port),
            "HERNE_HTTP_PORT": str(self.http_port),
            **self.overrides,
        }

    def start(self) -> ServiceProcess:
        argv = [sys.executable, "-m", "herne_cli", "serve", self.name]
        self.process = SpawnedProcess(self.name, argv, self.log_path, self.env()).start()
        self.starts += 1
        return self

    def wait_serving(self, timeout: float = 120.0) -> float:
        """Block until health says SERVING; the seconds it took."""
        assert self.process is not None
        began = time.monotonic()
        self.process.wait_ready(lambda: health(self.target) == "SERVING", timeout)
        return time.monotonic() - began

    def kill(self) -> None:
        """SIGKILL, no goodbye."""
        assert self.process is not None
        self.process.kill()

    def stop(self) -> int | None:
        return self.process.stop() if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.running

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.target)


def start_services(
    entries: list[ServiceEntry], infra: Infra, log_dir: Path, *, timeout: float = 150.0, **overrides: str
) -> list[ServiceProcess]:
    """Start all entries in parallel and wait until each is SERVING; stops them all on failure."""
    services = [ServiceProcess(entry, infra, log_dir, overrides) for entry in entries]
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_serving(timeout)
    except BaseException:
        for service in services:
            service.stop()
        raise
    return services
