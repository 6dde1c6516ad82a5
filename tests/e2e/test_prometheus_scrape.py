"""A real Prometheus scrapes every service of `herne-mobility up`, and runs the dashboard's queries.

Prometheus comes from the Debian package (unpacked by `make deploy-tools`, never run as the
system service): the test writes its own config on free ports. Missing Prometheus skips locally
and fails when CI=true.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from herne_deploy import tools
from herne_deploy.observability import panels
from herne_stack.catalog import SERVICES
from herne_stack.processes import free_port
from tests.fixtures.deploy import require


def _api(port: int, path: str, **params: str) -> dict:
    url = f"http://127.0.0.1:{port}/api/v1/{path}?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:  # 400 on bad PromQL carries the reason as JSON
        return json.loads(error.read())


def _start_up(run_dir: Path) -> tuple[subprocess.Popen[str], dict[str, int], list[str]]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS"}}
    process = subprocess.Popen(
        [sys.executable, "-m", "herne_cli", "up", "--run-dir", str(run_dir), "--no-simulators"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    lines: list[str] = []
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
    metrics = {name: int(port) for name, port in re.findall(r"^(\w+)\s+grpc \S+\s+metrics http://127\.0\.0\.1:(\d+)/",
                                                              output, re.MULTILINE)}  # fmt: skip
    return process, metrics, lines


@pytest.mark.slow
def test_prometheus_scrapes_every_service(tmp_path: Path) -> None:
    """Tests up == 1 and herne metrics for each service's job, and that every dashboard query runs."""
    prometheus = require(tools.prometheus_binary(), "prometheus (Debian package, `make deploy-tools`)")
    up, metrics_ports, _lines = _start_up(tmp_path / "run")
    server: subprocess.Popen[bytes] | None = None
    try:
        assert set(metrics_ports) == {entry.name for entry in SERVICES}
        config = {
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
            "scrape_configs": [
                {"job_name": f"herne-{name}", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
                for name, port in metrics_ports.items()
            ],
        }
        (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
        port = free_port()
        with (tmp_path / "prometheus.log").open("wb") as log:  # the child keeps its own descriptor
            server = subprocess.Popen(
                [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
                 f"--storage.tsdb.path={tmp_path / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        jobs = {f"herne-{name}" for name in metrics_ports}
        scraped: dict[str, str] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (set(scraped) != jobs or set(scraped.values()) != {"1"}):
            assert server.poll() is None, (tmp_path / "prometheus.log").read_text()
            try:
                result = _api(port, "query", query="up")["data"]["result"]
                scraped = {sample["metric"]["job"]: sample["value"][1] for sample in result}
            except OSError:
                pass
            time.sleep(0.5)
        assert scraped == dict.fromkeys(jobs, "1"), scraped
        built = _api(port, "query", query="herne_build_info")["data"]["result"]
        assert {sample["metric"]["job"] for sample in built} == jobs
        assert {sample["metric"]["service"] for sample in built} == set(metrics_ports)
        rpc_series = _api(port, "series", **{"match[]": "grpc_server_handled_total"})
        assert rpc_series["status"] == "success"
        for panel in panels():
            for expr, _legend in panel.targets:
                answer = _api(port, "query", query=expr)
                assert answer["status"] == "success", (panel.title, expr, answer)
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)
        up.send_signal(signal.SIGINT)
        try:
            up.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            up.kill()
            up.communicate()
    assert up.returncode == 0
