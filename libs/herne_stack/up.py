"""`herne-mobility up`: the whole system on one machine.

Starts Redis (append-only file under the run directory, so bookings survive a
restart) and the Tansu broker from packages, unless REDIS_URL /
KAFKA_BOOTSTRAP_SERVERS point elsewhere; creates the topics; starts every
service in its own process, waits until each reports SERVING, starts the demo
simulators, prints endpoints and example calls, and on Ctrl-C (or SIGTERM)
stops everything in reverse order: simulators, services (which drain and
commit), broker, Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from herne_events.admin import ensure_topics
from herne_events.connection import KafkaConnection
from herne_runtime.logging import configure_logging
from herne_stack.catalog import SERVICES, ServiceEntry
from herne_stack.demo import DEMO_TOKENS, token_for
from herne_stack.probes import is_serving
from herne_stack.processes import ManagedProcess, ProcessFailed, free_port, port_is_free
from herne_stack.servers import broker_process, broker_ready, redis_process, redis_ready

DEFAULT_REDIS_PORT = 6390
DEFAULT_BROKER_PORT = 9092
MAX_SIMULATOR_RESTARTS = 5


@dataclass
class Stack:
    """What `up` started, in start order."""

    run_dir: Path
    redis_url: str = ""
    kafka_bootstrap: str = ""
    processes: list[ManagedProcess] = field(default_factory=list)
    endpoints: dict[str, tuple[int, int]] = field(default_factory=dict)
    http_ports: dict[str, int] = field(default_factory=dict)  # services with HTTP feeds

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


class _Interrupted(Exception):
    pass


def _pick_port(preferred: int) -> int:
    return preferred if port_is_free(preferred) else free_port()


def _say(message: str) -> None:
    print(message, flush=True)


def start_stack(
    run_dir: Path,
    *,
    services: tuple[ServiceEntry, ...] = SERVICES,
    simulators: bool = True,
    ready_timeout: float = 90.0,
) -> Stack:
    """Start dependencies, services and simulators; raises ProcessFailed with a log tail on failure."""
    logs = run_dir / "logs"
    stack = Stack(run_dir=run_dir)
    try:
        stack.redis_url = os.environ.get("REDIS_URL", "")
        if not stack.redis_url:
            port = _pick_port(DEFAULT_REDIS_PORT)
            redis = redis_process(port, run_dir / "redis", logs / "redis.log", persistent=True).start()
            stack.processes.append(redis)
            redis.wait_ready(lambda: redis_ready(port), 30)
            stack.redis_url = f"redis://127.0.0.1:{port}/0"
        _say(f"redis       {stack.redis_url}")
        stack.kafka_bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
        if not stack.kafka_bootstrap:
            port = _pick_port(DEFAULT_BROKER_PORT)
            broker = broker_process(port, logs / "kafka-broker.log").start()
            stack.processes.append(broker)
            broker.wait_ready(lambda: broker_ready(port), 30)
            stack.kafka_bootstrap = f"127.0.0.1:{port}"
        _say(f"kafka       {stack.kafka_bootstrap}")
        created = asyncio.run(ensure_topics(KafkaConnection(stack.kafka_bootstrap, client_id="herne-up")))
        _say(f"topics      {len(created)} created")
        base_env = {
            **os.environ,
            "REDIS_URL": stack.redis_url,
            "KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap,
            "HERNE_GRPC_HOST": "127.0.0.1",
            "HERNE_AUTH_TOKENS": os.environ.get("HERNE_AUTH_TOKENS") or json.dumps(DEMO_TOKENS),
            "HERNE_LOG_FORMAT": os.environ.get("HERNE_LOG_FORMAT", "json"),
        }
        started: list[tuple[ServiceEntry, ManagedProcess, int]] = []
        for entry in services:
            grpc_port = _pick_port(entry.grpc_port)
            metrics_port = _pick_port(entry.metrics_port)
            env = {**base_env, "HERNE_GRPC_PORT": str(grpc_port), "HERNE_METRICS_PORT": str(metrics_port)}
            if entry.http_port:
                stack.http_ports[entry.name] = _pick_port(entry.http_port)
                env["HERNE_HTTP_PORT"] = str(stack.http_ports[entry.name])
            argv = [sys.executable, "-m", "herne_cli", "serve", entry.name]
            process = ManagedProcess(entry.name, argv, logs / f"{entry.name}.log", env).start()
            stack.processes.append(process)
            stack.endpoints[entry.name] = (grpc_port, metrics_port)
            started.append((entry, process, grpc_port))
        for entry, process, grpc_port in started:
            process.wait_ready(lambda port=grpc_port: is_serving(f"127.0.0.1:{port}"), ready_timeout)
            http = f"  http http://127.0.0.1:{stack.http_ports[entry.name]}" if entry.name in stack.http_ports else ""
            _say(
                f"{entry.name:<11} grpc 127.0.0.1:{grpc_port}  "
                f"metrics http://127.0.0.1:{stack.endpoints[entry.name][1]}/metrics{http}"
            )
        if simulators:
            for entry in services:
                if entry.simulator is None:
                    continue
                grpc_port = stack.endpoints[entry.name][0]
                env = {**base_env, "HERNE_SERVICE_TARGET": f"127.0.0.1:{grpc_port}"}
                argv = [sys.executable, "-m", "herne_cli", "simulate", entry.name]
                process = ManagedProcess(f"{entry.name}-simulator", argv, logs / f"{entry.name}-simulator.log", env)
                stack.processes.append(process.start())
                _say(f"{entry.name:<11} simulator running (log {process.log_path})")
    except BaseException:
        stack.stop()
        raise
    return stack


def print_examples(stack: Stack) -> None:
    parking = stack.endpoints.get("parking", (50051, 0))[0]
    _say("")
    _say("Try (in another terminal, from the checkout):")
    _say(f"  .venv/bin/herne-mobility call OpsService.GetServiceStatus --target 127.0.0.1:{parking}")
    for entry in SERVICES:
        if entry.name in stack.endpoints:
            _say(f"  .venv/bin/herne-mobility call --list --target 127.0.0.1:{stack.endpoints[entry.name][0]}")
            break
    feed_paths = {"parking": "/opendata", "mobility": "/gbfs/gbfs.json"}
    for name, port in stack.http_ports.items():
        _say(f"  curl http://127.0.0.1:{port}{feed_paths.get(name, '/')}")
    _say(f"  demo tokens (role -> token): operator -> {token_for('operator')}, see libs/herne_stack/demo.py")
    _say(f"Logs in {stack.run_dir / 'logs'}. Ctrl-C stops everything.")


def run_up(run_dir: Path, *, simulators: bool = True, duration: float | None = None) -> int:
    """Entry of `herne-mobility up`; returns the exit code."""

    def interrupted(signum: int, _frame: FrameType | None) -> None:
        raise _Interrupted

    configure_logging("up", fmt="console")
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    stack: Stack | None = None
    try:
        stack = start_stack(run_dir, simulators=simulators)
        print_examples(stack)
        _say("herne-mobility is up")
        deadline = None if duration is None else time.monotonic() + duration
        simulator_restarts: dict[str, int] = {}
        while deadline is None or time.monotonic() < deadline:
            for process in stack.processes:
                if process.running:
                    continue
                _say(f"{process.name} exited unexpectedly; last log lines:\n{process.tail()}")
                # A demo feeder that fails must not take the system down with it: restart it a few times.
                restarts = simulator_restarts.get(process.name, 0)
                if not process.name.endswith("-simulator") or restarts >= MAX_SIMULATOR_RESTARTS:
                    return 1
                simulator_restarts[process.name] = restarts + 1
                _say(f"{process.name} restarting ({restarts + 1} of {MAX_SIMULATOR_RESTARTS})")
                process.start()
            time.sleep(0.5)
        return 0
    except _Interrupted:
        return 0
    except ProcessFailed as error:
        _say(f"start-up failed: {error}")
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if stack is not None:
            _say("stopping ...")
            stack.stop()
            _say("stopped")
