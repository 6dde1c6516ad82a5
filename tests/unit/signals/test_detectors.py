"""Detector counts to flows: smoothing, ordering, fault detection and fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herne_runtime.errors import InvalidArgument
from herne_signals.detectors import Reading, apply, drift, fault, measured_demand
from herne_signals.model import Network, historic_flow

T0 = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


def _reading(minute: int, vehicles: int, detector: str = "D1", occupancy: float = 10.0) -> Reading:
    return Reading(detector, T0 + timedelta(minutes=minute), 60, vehicles, occupancy, False)


def test_first_reading_sets_the_flow_and_later_ones_smooth() -> None:
    state = apply(None, _reading(0, 10))
    assert state is not None and state.flow_veh_h == 600
    state = apply(state, _reading(1, 20))
    assert state is not None and 600 < state.flow_veh_h < 1200


def test_older_or_repeated_interval_is_ignored() -> None:
    state = apply(None, _reading(5, 10))
    assert apply(state, _reading(5, 30)) is None
    assert apply(state, _reading(4, 30)) is None


@pytest.mark.parametrize(
    "reading",
    [
        Reading("", T0, 60, 1, 0, False),
        Reading("D1", T0, 0, 1, 0, False),
        Reading("D1", T0, 60, -1, 0, False),
        Reading("D1", T0, 60, 1000, 0, False),
        Reading("D1", T0, 60, 1, float("nan"), False),
        Reading("D1", T0, 60, 1, 101, False),
    ],
)
def test_impossible_readings_are_refused(reading: Reading) -> None:
    with pytest.raises(InvalidArgument):
        apply(None, reading)


def test_silent_stuck_and_flagged_detectors_are_faulty() -> None:
    state = None
    for minute in range(12):
        state = apply(state, _reading(minute, 7))
    now = T0 + timedelta(minutes=12)
    assert fault(state, now, silent_after_s=600, stuck_after=10).startswith("stuck")
    assert fault(state, now + timedelta(hours=1), silent_after_s=600, stuck_after=10) == "silent"
    assert fault(None, now, silent_after_s=600, stuck_after=10) == "no data"
    quiet = None
    for minute in range(12):  # zero counts at night are normal, not stuck
        quiet = apply(quiet, _reading(minute, 0, occupancy=0))
    assert fault(quiet, now, silent_after_s=600, stuck_after=10) == ""


def test_groups_with_a_faulty_detector_fall_back_to_history(network: Network) -> None:
    intersection = next(x for x in network.intersections.values() if any(g.detectors for g in x.groups))
    groups = [g for g in intersection.groups if g.detectors]
    healthy, broken = groups[0], groups[-1]
    states = {}
    for detector in healthy.detectors:
        states[detector] = apply(None, _reading(0, 5, detector))
    demand = {d.group_id: d for d in measured_demand(intersection, states, T0, silent_after_s=600, stuck_after=10)}
    assert demand[healthy.group_id].source == "detectors"
    assert demand[healthy.group_id].flow_veh_h == 300 * len(healthy.detectors)
    if broken is not healthy:
        assert demand[broken.group_id].source == "historic"
        assert demand[broken.group_id].flow_veh_h == historic_flow(broken, T0.hour)
        assert demand[broken.group_id].faults


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 200)), min_size=1, max_size=30))
def test_smoothed_flow_stays_within_the_observed_range(series: list[tuple[int, int]]) -> None:
    state = None
    seen = []
    for minute, vehicles in series:
        updated = apply(state, _reading(minute, vehicles))
        if updated is not None:
            state = updated
            seen.append(vehicles * 60)
    assert state is not None
    assert min(seen) - 1e-6 <= state.flow_veh_h <= max(seen) + 1e-6


def test_drift_is_relative_with_a_floor() -> None:
    assert drift({"K1": 400}, {"K1": 500}) == pytest.approx(0.25)
    assert drift({"K1": 0}, {"K1": 25}) == pytest.approx(0.5)
