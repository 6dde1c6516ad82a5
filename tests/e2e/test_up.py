"""`herne-mobility up` as a newcomer runs it: a real subprocess, started and stopped."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from herne_stack.catalog import SERVICES
from herne_stack.probes import health_status


def _children(pid: int) -> set[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


@pytest.mark.slow
def test_up_starts_everything_and_stops_cleanly(tmp_path: Path) -> None:
    """Tests that `up` brings every service to SERVING, and Ctrl-C leaves no process behind."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS"}}
    process = subprocess.Popen(
        [sys.executable, "-m", "herne_cli", "up", "--run-dir", str(tmp_path), "--no-simulators"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "herne-mobility is up" in line:
                break
        output = "".join(lines)
        assert "herne-mobility is up" in output, output
        ports = dict(re.findall(r"^(\w+)\s+grpc 127\.0\.0\.1:(\d+)", output, re.MULTILINE))
        assert set(ports) == {entry.name for entry in SERVICES}
        for name, port in ports.items():
            assert health_status(f"127.0.0.1:{port}") == "SERVING", name
        children = _children(process.pid)
        assert len(children) >= len(SERVICES) + 2  # services, Redis, broker
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, "".join(lines) + rest
    assert "stopped" in rest
    time.sleep(0.5)
    assert not [pid for pid in children if _alive(pid)], "orphaned processes after Ctrl-C"
