"""Dashboard and alerts use metrics the code really registers, in valid PromQL."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase

from herne_deploy import tools
from herne_deploy.generate import DASHBOARD
from herne_deploy.observability import (
    RUNTIME_METRICS,
    SERVER_ERROR_CODES,
    SERVICE_METRICS,
    MetricSpec,
    dashboard,
    expressions,
    known_series,
    metric_names,
    panels,
    prometheus_rule,
)
from herne_stack.catalog import SERVICES
from tests.fixtures.deploy import require


def _registered() -> dict[str, tuple[str, tuple[str, ...]]]:
    """name -> (type, label names) of every metric family in prometheus_client's default registry.

    Reads the collectors' ``_name``/``_type``/``_labelnames``: prometheus_client exposes label
    names of a family without samples nowhere else (its version is pinned in uv.lock).
    """
    found = {}
    for collector in list(REGISTRY._collector_to_names):
        if isinstance(collector, MetricWrapperBase):
            found[collector._name] = (collector._type, tuple(collector._labelnames))
    return found


def _check(specs: tuple[MetricSpec, ...], registered: dict[str, tuple[str, tuple[str, ...]]]) -> list[str]:
    problems = []
    for spec in specs:
        if spec.name not in registered:
            problems.append(f"{spec.exposed}: not registered")
            continue
        kind, labels = registered[spec.name]
        if kind != spec.kind:
            problems.append(f"{spec.exposed}: registered as {kind}, the dashboard expects {spec.kind}")
        if set(labels) != set(spec.labels):
            problems.append(f"{spec.exposed}: labels {sorted(labels)}, the dashboard expects {sorted(spec.labels)}")
    return problems


def test_runtime_metrics_are_registered_as_expected() -> None:
    """Tests that the foundation's RPC, consumer-lag and health metrics exist with the expected types and labels."""
    importlib.import_module("herne_runtime.metrics")
    importlib.import_module("herne_events.metrics")
    registered = _registered()
    assert not _check(RUNTIME_METRICS, registered)
    wrong = (MetricSpec("herne_serving", "counter", ("pod",), ""), MetricSpec("herne_nothing", "gauge", (), ""))
    assert len(_check(wrong, registered)) == 3  # type, labels, missing: the comparison can fail


def _metrics_module(service: str) -> str:
    return f"herne_{service}.metrics"


def _service_cases() -> list[Any]:
    cases = []
    for service in SERVICE_METRICS:
        landed = importlib.util.find_spec(_metrics_module(service)) is not None
        reason = (
            f"PENDING RE-SYNC: {_metrics_module(service)} does not exist yet (service branch not merged); "
            "SERVICE_METRICS in libs/herne_deploy/observability.py follows the branch as read on 2026-11-22"
        )
        cases.append(pytest.param(service, id=service, marks=[] if landed else pytest.mark.xfail(reason=reason)))
    return cases


@pytest.mark.parametrize("service", _service_cases())
def test_service_registers_the_metrics_the_dashboard_uses(service: str) -> None:
    """Tests that the service's metrics module registers each contract metric with the same type and labels."""
    importlib.import_module(_metrics_module(service))
    importlib.import_module(next(entry for entry in SERVICES if entry.name == service).spec.split(":")[0])
    problems = _check(SERVICE_METRICS[service], _registered())
    assert not problems, "dashboard/alerts out of step with the service (fix observability.py): " + "; ".join(problems)


def test_every_expression_reads_known_metrics_only() -> None:
    """Tests that each metric name in a panel or alert is a runtime or contract metric (no typo, no stray name)."""
    known = known_series()
    for expr in expressions():
        names = metric_names(expr)
        assert names, expr
        assert names <= set(known), f"{expr}: unknown {names - set(known)}"


def test_metric_name_extraction() -> None:
    """Tests the PromQL name extraction on a grouped, matched and ranged expression."""
    expr = 'sum by (job, le) (rate(grpc_server_handling_seconds_bucket{job=~"herne-.*"}[5m])) / up'
    assert metric_names(expr) == {"grpc_server_handling_seconds_bucket", "up"}


def test_error_codes_are_grpc_status_names() -> None:
    """Tests that the error-rate alert matches status codes as the interceptor labels them (StatusCode names)."""
    assert set(SERVER_ERROR_CODES) <= {code.name for code in grpc.StatusCode}
    assert "OK" not in SERVER_ERROR_CODES


def test_dashboard_covers_the_traffic_centre_views() -> None:
    """Tests that the committed dashboard has the panels the issue asks for, each with a query."""
    committed = json.loads((tools.REPO_ROOT / DASHBOARD).read_text())
    assert committed == dashboard()
    titles = " / ".join(panel["title"].lower() for panel in committed["panels"])
    for topic in ("parking occupancy", "stale", "hub availability", "signal plans", "expected delay", "tours",
                  "consumer lag", "latency"):  # fmt: skip
        assert topic in titles, topic
    ids = [panel["id"] for panel in committed["panels"]]
    assert len(ids) == len(set(ids))
    assert all(panel["targets"] and all(target["expr"] for target in panel["targets"]) for panel in committed["panels"])


def test_promtool_accepts_every_rule_and_panel_query(tmp_path: Path) -> None:
    """Tests with promtool that the alerts and every dashboard query (as recording rules) are valid PromQL."""
    promtool = require(tools.prometheus_binary("promtool"), "promtool (Debian package prometheus)")
    groups = prometheus_rule({})["spec"]["groups"]
    recording = [
        {"record": f"herne:panel_{index}_{number}", "expr": expr}
        for index, panel in enumerate(panels())
        for number, (expr, _legend) in enumerate(panel.targets)
    ]
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": [*groups, {"name": "dashboard", "rules": recording}]}))
    result = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump({"groups": [{"name": "x", "rules": [{"record": "x", "expr": "sum by (job"}]}]}))
    assert subprocess.run([promtool, "check", "rules", str(broken)], capture_output=True).returncode != 0
