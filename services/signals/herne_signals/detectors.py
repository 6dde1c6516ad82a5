"""Detector counts to smoothed movement flows, with fault detection and historic fallback.

A detector is faulty when the controller flags it, when it is silent for longer than
``silent_after_s``, or when it repeats the same non-zero count (or 100 % occupancy) for
``stuck_after`` intervals in a row, the signature of a stuck loop amplifier. A group's flow
is the sum of its detectors' smoothed flows only when all of them are healthy; otherwise the
historic profile of the hour is used and the group is reported with source "historic".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from herne_runtime.errors import InvalidArgument
from herne_signals.model import Intersection, historic_flow

SMOOTHING = 0.3  # weight of the newest interval in the exponential moving average
MAX_INTERVAL_S = 3600


@dataclass(frozen=True)
class DetectorState:
    """What is remembered of one detector."""

    detector_id: str
    interval_start: datetime
    flow_veh_h: float  # smoothed
    last_vehicles: int
    last_occupancy: float
    repeats: int  # consecutive intervals with the same reading
    fault_reported: bool


@dataclass(frozen=True)
class Reading:
    detector_id: str
    interval_start: datetime
    interval_s: int
    vehicles: int
    occupancy_percent: float
    fault_reported: bool


def validate(reading: Reading) -> None:
    if not reading.detector_id:
        raise InvalidArgument("detector_id is required")
    if not 1 <= reading.interval_s <= MAX_INTERVAL_S:
        raise InvalidArgument(f"interval_seconds must be 1 to {MAX_INTERVAL_S}, got {reading.interval_s}")
    if reading.vehicles < 0:
        raise InvalidArgument(f"vehicles must not be negative, got {reading.vehicles}")
    if reading.vehicles * 3600 / reading.interval_s > 20000:
        raise InvalidArgument(f"{reading.vehicles} vehicles in {reading.interval_s} s is not physically possible")
    if not (math.isfinite(reading.occupancy_percent) and 0 <= reading.occupancy_percent <= 100):
        raise InvalidArgument(f"occupancy_percent must be 0 to 100, got {reading.occupancy_percent}")


def apply(previous: DetectorState | None, reading: Reading) -> DetectorState | None:
    """The new state after ``reading``; None when the reading is older than the state (ignored)."""
    validate(reading)
    flow = reading.vehicles * 3600.0 / reading.interval_s
    if previous is None:
        return DetectorState(
            reading.detector_id, reading.interval_start, flow, reading.vehicles, reading.occupancy_percent, 0,
            reading.fault_reported,
        )  # fmt: skip
    if reading.interval_start <= previous.interval_start:
        return None  # a duplicate or a late interval: the average already moved on
    same = reading.vehicles == previous.last_vehicles and reading.occupancy_percent == previous.last_occupancy
    return replace(
        previous,
        interval_start=reading.interval_start,
        flow_veh_h=SMOOTHING * flow + (1 - SMOOTHING) * previous.flow_veh_h,
        last_vehicles=reading.vehicles,
        last_occupancy=reading.occupancy_percent,
        repeats=previous.repeats + 1 if same else 0,
        fault_reported=reading.fault_reported,
    )


def fault(state: DetectorState | None, now: datetime, *, silent_after_s: float, stuck_after: int) -> str:
    """Why the detector cannot be trusted now ("" when healthy)."""
    if state is None:
        return "no data"
    if state.fault_reported:
        return "fault reported by the controller"
    if (now - state.interval_start).total_seconds() > silent_after_s:
        return "silent"
    stuck_signature = state.last_vehicles > 0 or state.last_occupancy >= 100
    if state.repeats >= stuck_after and stuck_signature:
        return f"stuck (same value {state.repeats + 1} times)"
    return ""


@dataclass(frozen=True)
class GroupDemand:
    group_id: str
    flow_veh_h: float
    source: str  # "detectors" or "historic"
    faults: tuple[str, ...]  # "<detector>: <why>"


def measured_demand(
    intersection: Intersection,
    states: Mapping[str, DetectorState],
    now: datetime,
    *,
    silent_after_s: float,
    stuck_after: int,
) -> list[GroupDemand]:
    """Per vehicle group: detector flow when every detector is healthy, else the historic profile."""
    result = []
    for group in intersection.groups:
        if group.kind != "vehicle":
            continue
        faults = tuple(
            f"{d}: {why}"
            for d in group.detectors
            if (why := fault(states.get(d), now, silent_after_s=silent_after_s, stuck_after=stuck_after))
        )
        if group.detectors and not faults:
            flow = sum(states[d].flow_veh_h for d in group.detectors)
            result.append(GroupDemand(group.group_id, flow, "detectors", ()))
        else:
            result.append(GroupDemand(group.group_id, historic_flow(group, now.hour), "historic", faults))
    return result


def drift(basis: Mapping[str, float], current: Mapping[str, float]) -> float:
    """Largest relative change of a group's flow against the plan's basis (flows below 50 veh/h count as 50)."""
    worst = 0.0
    for group_id, flow in current.items():
        before = basis.get(group_id, 0.0)
        worst = max(worst, abs(flow - before) / max(before, 50.0))
    return worst
