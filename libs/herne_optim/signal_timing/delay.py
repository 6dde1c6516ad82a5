"""Delay and stop models of a signalised lane group (Webster / HCM 2010, chapter 18).

The uniform term is Webster's first term with the degree of saturation capped at 1 (HCM d1);
the incremental term is the HCM time-dependent d2 over an analysis period, which stays finite
for oversaturated groups, so an optimiser can still rank plans when demand exceeds capacity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ANALYSIS_PERIOD_H = 0.25  # HCM analysis period T
INCREMENTAL_K = 0.5  # pretimed control (HCM k)
UPSTREAM_I = 1.0  # isolated arrivals (HCM I)


@dataclass(frozen=True)
class GroupPerformance:
    """Expected performance of one lane group under a timing."""

    flow_veh_h: float
    capacity_veh_h: float
    degree_of_saturation: float
    delay_s: float  # mean control delay per vehicle
    stops_per_vehicle: float
    queue_veh: float  # mean back of queue at the end of red (uniform part)


def group_performance(flow: float, saturation_flow: float, green_s: float, cycle_s: float) -> GroupPerformance:
    """Delay, capacity and stops of a group with ``green_s`` effective green in a ``cycle_s`` cycle."""
    if cycle_s <= 0:
        raise ValueError("cycle must be positive")
    green_ratio = max(0.0, min(1.0, green_s / cycle_s))
    capacity = saturation_flow * green_ratio
    if flow <= 0:
        return GroupPerformance(0.0, capacity, 0.0, 0.0, 0.0, 0.0)
    x = flow / capacity if capacity > 0 else math.inf
    d1 = 0.5 * cycle_s * (1 - green_ratio) ** 2 / (1 - min(1.0, x) * green_ratio) if green_ratio < 1 else 0.0
    if math.isinf(x):
        d2 = 3600.0 * ANALYSIS_PERIOD_H  # nothing leaves: the whole period waits
    else:
        t = ANALYSIS_PERIOD_H
        d2 = 900.0 * t * ((x - 1) + math.sqrt((x - 1) ** 2 + 8 * INCREMENTAL_K * UPSTREAM_I * x / (capacity * t)))
    y = flow / saturation_flow if saturation_flow > 0 else 1.0
    # Webster's stop rate with uniform arrivals, plus the overflow share stopping twice.
    stops = 0.9 * (1 - green_ratio) / (1 - min(y, 0.99)) if y < 1 else 1.0
    stops = min(stops, 1.0) + max(0.0, min(x, 2.0) - 1.0)
    queue = flow / 3600.0 * (cycle_s - green_s)
    return GroupPerformance(flow, capacity, x, d1 + d2, stops, queue)
