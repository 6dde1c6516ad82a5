"""Starting the embedded Redis server and Tansu broker on loopback."""

from __future__ import annotations

from pathlib import Path

import redis

from herne_stack.binaries import broker_binary, redis_server_binary
from herne_stack.processes import ManagedProcess, port_accepts


def redis_process(port: int, data_dir: Path, log_path: Path, *, persistent: bool) -> ManagedProcess:
    """A redis-server on 127.0.0.1:port; with ``persistent`` an append-only file in data_dir."""
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        redis_server_binary(),
        "--port", str(port),
        "--bind", "127.0.0.1",
        "--dir", str(data_dir),
        "--save", "",
        "--appendonly", "yes" if persistent else "no",
        "--appendfsync", "everysec",
        "--daemonize", "no",
    ]  # fmt: skip
    return ManagedProcess("redis", argv, log_path)


def redis_ready(port: int) -> bool:
    with redis.Redis(port=port, socket_connect_timeout=0.5) as client:
        return bool(client.ping())


def broker_process(port: int, log_path: Path) -> ManagedProcess:
    """Tansu (memory storage) on 127.0.0.1:port, advertising that address."""
    url = f"tcp://127.0.0.1:{port}"
    argv = [
        broker_binary(),
        "broker",
        "--listener-url", url,
        "--advertised-listener-url", url,
        "--storage-engine", "memory://tansu/",
    ]  # fmt: skip
    return ManagedProcess("kafka-broker", argv, log_path)


def broker_ready(port: int) -> bool:
    return port_accepts(port)
