"""The metrics the traffic centre watches: one list, and the dashboard and alerts made from it.

``SERVICE_METRICS`` is the single place naming the service metrics that the Grafana dashboard
and the PrometheusRule use (agreed with the service owners in /work/notes/metrics_contract.md).
Tests compare it with what each service's ``herne_<service>/metrics.py`` really registers in
prometheus_client, and check that every metric an expression uses is either listed here or a
runtime metric of the foundation, so renaming a metric fails the build instead of blanking a panel.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from herne_deploy.inventory import PART_OF

Kind = Literal["gauge", "counter", "histogram"]


@dataclass(frozen=True)
class MetricSpec:
    """One Prometheus metric family as prometheus_client registers it (counters without ``_total``)."""

    name: str
    kind: Kind
    labels: tuple[str, ...]
    help: str

    @property
    def exposed(self) -> str:
        """The name in PromQL (``_total`` for counters; histograms add ``_bucket`` etc.)."""
        return f"{self.name}_total" if self.kind == "counter" else self.name


# Foundation metrics (libs/herne_runtime/metrics.py, libs/herne_events/metrics.py).
RUNTIME_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(
        "grpc_server_handled", "counter", ("grpc_type", "grpc_service", "grpc_method", "grpc_code"), "RPCs by status"
    ),
    MetricSpec("grpc_server_handling_seconds", "histogram", ("grpc_type", "grpc_service", "grpc_method"), "latency"),
    MetricSpec("herne_consumer_lag", "gauge", ("group", "topic", "partition"), "records behind per partition"),
    MetricSpec("herne_events_consumed", "counter", ("group", "topic", "outcome"), "consumed events by outcome"),
    MetricSpec("herne_dependency_up", "gauge", ("dependency",), "dependency reachable"),
    MetricSpec("herne_serving", "gauge", (), "health SERVING"),
    MetricSpec("herne_build_info", "gauge", ("service", "version"), "build info"),
)

# Names as the service branches declare them in herne_<service>/metrics.py (read 2026-11-22 from
# the parking, mobility, signals and waste branches; re-check after each merge: a test does).
SERVICE_METRICS: dict[str, tuple[MetricSpec, ...]] = {
    "parking": (
        MetricSpec("herne_parking_facility_capacity_spaces", "gauge", ("facility",), "spaces of the facility"),
        MetricSpec("herne_parking_facility_occupied_spaces", "gauge", ("facility",), "spaces known occupied"),
        MetricSpec("herne_parking_facility_free_spaces", "gauge", ("facility",), "spaces known free"),
        MetricSpec("herne_parking_facility_occupancy_ratio", "gauge", ("facility",), "occupied share of known"),
        MetricSpec("herne_parking_facility_stale_sensors", "gauge", ("facility",), "sensors silent too long"),
        MetricSpec(
            "herne_parking_facility_stale_sensor_ratio", "gauge", ("facility",), "stale or silent share of sensors"
        ),
    ),
    "mobility": (
        MetricSpec("herne_mobility_hub_vehicles_available", "gauge", ("hub", "mode"), "vehicles at the hub"),
        MetricSpec("herne_mobility_hub_docks_available", "gauge", ("hub",), "free docks at the hub"),
        MetricSpec("herne_mobility_hub_chargers_available", "gauge", ("hub", "power_kw"), "free charge points"),
        MetricSpec("herne_mobility_hub_park_and_ride_free", "gauge", ("hub",), "free P+R spaces at the hub"),
        MetricSpec("herne_mobility_feed_reads", "counter", ("system", "outcome"), "GBFS feed reads by outcome"),
    ),
    "signals": (
        MetricSpec("herne_signals_active_plan_cycle_seconds", "gauge", ("intersection",), "cycle of the active plan"),
        MetricSpec(
            "herne_signals_active_plan_expected_delay_seconds",
            "gauge",
            ("intersection",),
            "expected delay per vehicle of the active plan",
        ),
        MetricSpec("herne_signals_optimisation_failures", "counter", ("reason",), "failed optimisation runs"),
    ),
    "waste": (
        MetricSpec("herne_waste_tour_stops", "gauge", ("date",), "planned pickups per day"),
        MetricSpec("herne_waste_tour_km", "gauge", ("date",), "planned km per day"),
        MetricSpec("herne_waste_tour_unserved", "gauge", ("date",), "pickups the plan cannot serve"),
        MetricSpec("herne_waste_solves", "counter", ("kind", "outcome"), "tour optimisations by outcome"),
    ),
}

# Failed optimisations per service: (counter, label matcher selecting the failures).
FAILED_OPTIMISATIONS: dict[str, tuple[str, str]] = {
    "signals": ("herne_signals_optimisation_failures", ""),  # every increment is a failure
    "waste": ("herne_waste_solves", 'outcome!="ok"'),  # failed_check, infeasible, timeout, error
}

# Status codes that mean "the server failed", as the interceptor labels them (grpc.StatusCode names).
# Client mistakes (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, ...) are not errors of the service.
SERVER_ERROR_CODES = ("UNKNOWN", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "DEADLINE_EXCEEDED", "UNIMPLEMENTED")
ERROR_RATIO_THRESHOLD = 0.05
CONSUMER_LAG_THRESHOLD = 1000
STALE_SENSOR_SHARE_THRESHOLD = 0.2
JOBS = 'job=~"herne-.*"'


def metric(service: str, name: str) -> MetricSpec:
    """The contract entry ``name`` of ``service`` (KeyError if the contract lacks it)."""
    for spec in SERVICE_METRICS[service]:
        if spec.name == name:
            return spec
    raise KeyError(f"{service} has no metric {name!r} in SERVICE_METRICS")


def _m(service: str, name: str) -> str:
    return metric(service, name).exposed


# The consumer lag of a partition may be reported by two pods for a moment after a rebalance:
# max per partition first, then sum.
LAG_BY_TOPIC = "sum by (group, topic) (max by (group, topic, partition) (herne_consumer_lag))"
ERROR_RATIO_BY_JOB = (
    f'sum by (job) (rate(grpc_server_handled_total{{grpc_code=~"{"|".join(SERVER_ERROR_CODES)}"}}[5m]))'
    " / sum by (job) (rate(grpc_server_handled_total[5m]))"
)
# Per-facility gauges are set by every parking replica from the shared Redis state: max across pods.
STALE_SHARE_BY_FACILITY = f"max by (facility) ({_m('parking', 'herne_parking_facility_stale_sensor_ratio')})"


def failed_optimisations(service: str, window: str) -> str:
    """Failed optimisation runs of ``service`` within ``window`` (PromQL)."""
    name, matcher = FAILED_OPTIMISATIONS[service]
    return f"sum(increase({_m(service, name)}{{{matcher}}}[{window}]))"


@dataclass(frozen=True)
class Alert:
    """One alerting rule."""

    name: str
    expr: str
    duration: str
    severity: Literal["warning", "critical"]
    summary: str
    description: str


def alerts() -> list[Alert]:
    """Every alerting rule of the PrometheusRule."""
    rules = [
        Alert(
            "HerneServiceDown",
            f"up{{{JOBS}}} == 0",
            "5m",
            "critical",
            "{{ $labels.job }} cannot be scraped",
            "Prometheus has not reached the metrics endpoint of {{ $labels.pod }} for 5 minutes.",
        ),
        Alert(
            "HerneNotServing",
            "herne_serving == 0",
            "5m",
            "critical",
            "{{ $labels.job }} reports NOT_SERVING",
            "Redis or Kafka has been unreachable from {{ $labels.pod }} for 5 minutes; see herne_dependency_up.",
        ),
        Alert(
            "HerneConsumerLagHigh",
            f"{LAG_BY_TOPIC} > {CONSUMER_LAG_THRESHOLD}",
            "10m",
            "warning",
            "consumer group {{ $labels.group }} is behind on {{ $labels.topic }}",
            f"More than {CONSUMER_LAG_THRESHOLD} records have waited for 10 minutes. Scale the service up to "
            "the topic's partition count (more consumers idle) or look for a slow handler.",
        ),
        Alert(
            "HerneRpcErrorRateHigh",
            f"{ERROR_RATIO_BY_JOB} > {ERROR_RATIO_THRESHOLD}",
            "10m",
            "critical",
            "{{ $labels.job }} fails more than 5 % of its RPCs",
            f"RPCs ending in {', '.join(SERVER_ERROR_CODES)}; INTERNAL errors carry a reference in the logs.",
        ),
        Alert(
            "HerneDeadLetters",
            'sum by (group, topic) (increase(herne_events_consumed_total{outcome="dead_lettered"}[15m])) > 0',
            "0m",
            "warning",
            "{{ $labels.group }} dead-lettered events of {{ $labels.topic }}",
            "Rejected events are in <topic>.dlq with the reason in the dlq-reason header; after a fix, "
            "OpsService.ReplayDeadLetters puts them back.",
        ),
        Alert(
            "HerneParkingStaleSensorShareHigh",
            f"{STALE_SHARE_BY_FACILITY} > {STALE_SENSOR_SHARE_THRESHOLD}",
            "15m",
            "warning",
            "more than 20 % of the sensors of parking facility {{ $labels.facility }} are stale",
            "Stale sensors count as UNKNOWN and are not published as free; check the LoRaWAN network server, "
            "the gateways near the facility and the adapter publishing parking.sensor-readings.v1.",
        ),
        Alert(
            "HerneMobilityFeedFailing",
            f'sum by (system) (increase({_m("mobility", "herne_mobility_feed_reads")}{{outcome="error"}}[15m])) > 0'
            f' unless sum by (system) (increase({_m("mobility", "herne_mobility_feed_reads")}{{outcome="ok"}}[15m]))'
            " > 0",
            "0m",
            "warning",
            "GBFS feed {{ $labels.system }} fails",
            "Every read of this GBFS system failed for 15 minutes; hubs keep its last good snapshot until the data "
            "turns stale. MobilityService.ListFeeds shows the last error.",
        ),
    ]
    for service in FAILED_OPTIMISATIONS:
        rules.append(
            Alert(
                f"Herne{service.capitalize()}OptimisationFailed",
                f"{failed_optimisations(service, '30m')} > 0",
                "0m",
                "warning",
                f"{service} optimisation runs failed",
                f"At least one {service} optimisation failed in the last 30 minutes; the previous plan stays "
                "active. See the service log for the reason.",
            )
        )
    return rules


def prometheus_rule(labels: dict[str, str]) -> dict[str, Any]:
    """The PrometheusRule object holding every alert."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "herne-mobility", "labels": {"app.kubernetes.io/part-of": PART_OF, **labels}},
        "spec": {
            "groups": [
                {
                    "name": "herne-mobility",
                    "rules": [
                        {
                            "alert": alert.name,
                            "expr": alert.expr,
                            "for": alert.duration,
                            "labels": {"severity": alert.severity},
                            "annotations": {"summary": alert.summary, "description": alert.description},
                        }
                        for alert in alerts()
                    ],
                }
            ]
        },
    }


@dataclass(frozen=True)
class Panel:
    """One dashboard panel: title, PromQL targets with legends, unit and visualisation."""

    title: str
    targets: tuple[tuple[str, str], ...]  # (expr, legend)
    unit: str = "short"
    kind: str = "timeseries"
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def panels() -> list[Panel]:
    """The panels of the traffic-centre dashboard, top to bottom."""
    return [
        Panel(
            "Parking occupancy by facility",
            ((f"max by (facility) ({_m('parking', 'herne_parking_facility_occupancy_ratio')})", "{{facility}}"),),
            unit="percentunit",
            kind="bargauge",
            description="Occupied share of the spaces with known state (stale sensors excluded).",
        ),
        Panel(
            "Free parking spaces by facility",
            (
                (f"max by (facility) ({_m('parking', 'herne_parking_facility_free_spaces')})", "{{facility}} free"),
                (
                    f"max by (facility) ({_m('parking', 'herne_parking_facility_capacity_spaces')})",
                    "{{facility}} capacity",
                ),
            ),
        ),
        Panel(
            "Stale parking sensors",
            (
                (f"max by (facility) ({_m('parking', 'herne_parking_facility_stale_sensors')})", "{{facility}}"),
                (STALE_SHARE_BY_FACILITY, "{{facility}} share"),
            ),
            description="Sensors silent longer than the stale limit; they count as UNKNOWN, never as free.",
        ),
        Panel(
            "Mobility hub availability",
            (
                (
                    f"max by (hub, mode) ({_m('mobility', 'herne_mobility_hub_vehicles_available')})",
                    "{{hub}} {{mode}}",
                ),
                (f"max by (hub) ({_m('mobility', 'herne_mobility_hub_docks_available')})", "{{hub}} free docks"),
                (
                    f"sum by (hub) ({_m('mobility', 'herne_mobility_hub_chargers_available')})",
                    "{{hub}} free chargers",
                ),
                (f"max by (hub) ({_m('mobility', 'herne_mobility_hub_park_and_ride_free')})", "{{hub}} free P+R"),
            ),
            description="Vehicles by mode, free docks, chargers and P+R spaces per Mobilstation.",
        ),
        Panel(
            "Active signal plans",
            (
                (
                    f"count(max by (intersection) ({_m('signals', 'herne_signals_active_plan_cycle_seconds')}))",
                    "intersections with an approved plan",
                ),
            ),
            kind="stat",
        ),
        Panel(
            "Expected delay of the active signal plans",
            (
                (
                    f"max by (intersection) ({_m('signals', 'herne_signals_active_plan_expected_delay_seconds')})",
                    "{{intersection}}",
                ),
            ),
            unit="s",
            description="Expected mean delay per vehicle of each intersection's active plan.",
        ),
        Panel(
            "Bulky-waste tours: stops, km, unserved",
            (
                (f"max by (date) ({_m('waste', 'herne_waste_tour_stops')})", "{{date}} stops"),
                (f"max by (date) ({_m('waste', 'herne_waste_tour_km')})", "{{date}} km"),
                (f"max by (date) ({_m('waste', 'herne_waste_tour_unserved')})", "{{date}} unserved"),
            ),
            kind="table",
            extra={"transformations": [{"id": "reduce", "options": {"reducers": ["lastNotNull"]}}]},
        ),
        Panel(
            "Failed optimisations (last hour)",
            tuple((failed_optimisations(service, "1h"), service) for service in FAILED_OPTIMISATIONS),
            kind="stat",
        ),
        Panel(
            "Consumer lag by group and topic", ((LAG_BY_TOPIC, "{{group}} {{topic}}"),), description="Records behind."
        ),
        Panel(
            "RPC latency per service (p50, p95)",
            tuple(
                (
                    f"histogram_quantile({quantile}, sum by (job, le) "
                    f"(rate(grpc_server_handling_seconds_bucket{{{JOBS}}}[5m])))",
                    f"{{{{job}}}} p{round(quantile * 100)}",
                )
                for quantile in (0.5, 0.95)
            ),
            unit="s",
        ),
        Panel("RPC server-error ratio per service", ((ERROR_RATIO_BY_JOB, "{{job}}"),), unit="percentunit"),
        Panel("Scrape targets up", ((f"up{{{JOBS}}}", "{{job}} {{instance}}"),), kind="stat"),
    ]


def dashboard() -> dict[str, Any]:
    """The Grafana dashboard (JSON model, Prometheus data source chosen by a variable)."""
    datasource = {"type": "prometheus", "uid": "${datasource}"}
    grafana_panels = []
    for index, panel in enumerate(panels()):
        grafana_panels.append(
            {
                "id": index + 1,
                "type": panel.kind,
                "title": panel.title,
                "description": panel.description,
                "datasource": datasource,
                "gridPos": {"h": 8, "w": 12, "x": 12 * (index % 2), "y": 8 * (index // 2)},
                "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
                "options": {},
                "targets": [
                    {"refId": chr(ord("A") + number), "datasource": datasource, "expr": expr, "legendFormat": legend}
                    for number, (expr, legend) in enumerate(panel.targets)
                ],
                **panel.extra,
            }
        )
    return {
        "uid": "herne-mobility",
        "title": "Herne mobility: traffic centre",
        "tags": ["herne", "mobility"],
        "timezone": "Europe/Berlin",
        "schemaVersion": 39,
        "version": 1,
        "editable": True,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"}]
        },
        "panels": grafana_panels,
    }


_IDENTIFIER = re.compile(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b")
_PROMQL_WORDS = {
    "sum", "max", "min", "avg", "count", "by", "without", "rate", "increase", "irate", "histogram_quantile",
    "clamp_min", "clamp_max", "on", "ignoring", "group_left", "group_right", "and", "or",
    "unless", "offset", "bool", "topk", "bottomk",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """Metric names an expression reads (identifiers outside label matchers, strings and `by (...)`)."""
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    without_matchers = re.sub(r"\{[^}]*\}", "", without_strings)
    without_groupings = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", without_matchers)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_groupings)
    names = set(_IDENTIFIER.findall(without_ranges))
    return {name for name in names if name not in _PROMQL_WORDS and not re.fullmatch(r"\d.*", name)}


def expressions() -> list[str]:
    """Every PromQL expression of the dashboard and the alerts."""
    return [expr for panel in panels() for expr, _legend in panel.targets] + [alert.expr for alert in alerts()]


def known_series() -> dict[str, MetricSpec]:
    """Series names (as PromQL sees them) of every contract metric, including histogram suffixes."""
    series: dict[str, MetricSpec] = {"up": MetricSpec("up", "gauge", (), "Prometheus target up")}
    for spec in RUNTIME_METRICS + tuple(spec for specs in SERVICE_METRICS.values() for spec in specs):
        if spec.kind == "histogram":
            for suffix in ("_bucket", "_sum", "_count"):
                series[spec.name + suffix] = spec
        else:
            series[spec.exposed] = spec
    return series
