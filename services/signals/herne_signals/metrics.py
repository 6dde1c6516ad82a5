"""Prometheus metrics of the signals service (the contract: herne_deploy.observability SERVICE_METRICS["signals"])."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

ACTIVE_PLAN_CYCLE = Gauge(
    "herne_signals_active_plan_cycle_seconds", "Cycle length of the active plan.", ["intersection"]
)
ACTIVE_PLAN_DELAY = Gauge(
    "herne_signals_active_plan_expected_delay_seconds",
    "Expected mean delay per vehicle of the active plan.",
    ["intersection"],
)
# reason: invalid_input (the request cannot be planned), unsafe (the validator refused a plan), error
OPTIMISATION_FAILURES = Counter(
    "herne_signals_optimisation_failures", "Optimisation runs that produced no plan.", ["reason"]
)
TRAVEL_TIME_FACTOR = Gauge(
    "herne_signals_travel_time_factor",
    "Last published travel-time factor (BPR from detector counts) of a road segment.",
    ["segment"],
)
