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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from herne_deploy import tools
from herne_deploy.inventory import HTTP_FEEDS
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


@dataclass
class Stack:
    """`herne-mobility up` and a Prometheus scraping it."""

    output: str
    metrics_ports: dict[str, int]
    prometheus_port: int


def _start_up(run_dir: Path) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "KAFKA_BOOTSTRAP_SERVERS"}}
    process = subprocess.Popen(
        [sys.executable, "-m", "herne_cli", "up", "--run-dir", str(run_dir), "--no-simulators"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    lines: list[str] = []
    assert process.stdout is not None
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "herne-mobility is up" in line:
            break
    return process, "".join(lines)


def _stop_up(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`herne-mobility up --no-simulators` and a Prometheus scraping every service every second."""
    prometheus = require(tools.prometheus_binary(), "prometheus (Debian package, `make deploy-tools`)")
    directory = tmp_path_factory.mktemp("prometheus-e2e")
    up, output = _start_up(directory / "run")
    server: subprocess.Popen[bytes] | None = None
    try:
        assert "herne-mobility is up" in output, output
        metrics_ports = {
            name: int(port)
            for name, port in re.findall(r"^(\w+)\s+grpc \S+\s+metrics http://127\.0\.0\.1:(\d+)/", output, re.M)
        }
        config = {
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
            "scrape_configs": [
                {"job_name": f"herne-{name}", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
                for name, port in metrics_ports.items()
            ],
        }
        (directory / "prometheus.yml").write_text(yaml.safe_dump(config))
        port = free_port()
        with (directory / "prometheus.log").open("wb") as log:  # the child keeps its own descriptor
            server = subprocess.Popen(
                [prometheus, f"--config.file={directory / 'prometheus.yml'}",
                 f"--storage.tsdb.path={directory / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        yield Stack(output, metrics_ports, port)
        assert server.poll() is None, (directory / "prometheus.log").read_text()
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)
        _stop_up(up)
    assert up.returncode == 0


@pytest.mark.slow
def test_prometheus_scrapes_every_service(stack: Stack) -> None:
    """Tests up == 1 and herne metrics for each service's job, and that every dashboard query runs."""
    assert set(stack.metrics_ports) == {entry.name for entry in SERVICES}
    jobs = {f"herne-{name}" for name in stack.metrics_ports}
    scraped: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and scraped != dict.fromkeys(jobs, "1"):
        try:
            result = _api(stack.prometheus_port, "query", query="up")["data"]["result"]
            scraped = {sample["metric"]["job"]: sample["value"][1] for sample in result}
        except OSError:
            pass
        time.sleep(0.5)
    assert scraped == dict.fromkeys(jobs, "1"), scraped
    built = _api(stack.prometheus_port, "query", query="herne_build_info")["data"]["result"]
    assert {sample["metric"]["job"] for sample in built} == jobs
    assert {sample["metric"]["service"] for sample in built} == set(stack.metrics_ports)
    rpc_series = _api(stack.prometheus_port, "series", **{"match[]": "grpc_server_handled_total"})
    assert rpc_series["status"] == "success"
    for panel in panels():
        for expr, _legend in panel.targets:
            answer = _api(stack.prometheus_port, "query", query=expr)
            assert answer["status"] == "success", (panel.title, expr, answer)


@pytest.mark.slow
@pytest.mark.xfail(
    not any(entry.http_port for entry in SERVICES),
    reason="`up` serves no HTTP feeds before parking and mobility have an http_port in the catalog",
)
def test_http_feeds_answer_where_the_manifests_expose_them(stack: Stack) -> None:
    """Tests that exactly the services given an HTTP port in the manifests (HTTP_FEEDS) answer HTTP under `up`."""
    feeds = dict(re.findall(r"^(\w+)\s.*?\bhttp (http://127\.0\.0\.1:\d+)", stack.output, re.M))
    assert set(feeds) == set(HTTP_FEEDS)
    for name, url in feeds.items():
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as error:  # 404 at / still proves an HTTP server
            status = error.code
        assert 200 <= status < 500, (name, status)
