"""The safety validator against a second-by-second oracle, and optimised plans always pass it."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herne_signals.model import Intersection, Network, historic_flow, load_network
from herne_signals.optimise import Options, optimise_intersection
from herne_signals.plan import GroupTiming, SignalPlan, StageTime
from herne_signals.validator import UnsafePlan, check_plan, ensure_safe
from tests.unit.signals.conftest import demo_data

NETWORK = load_network(demo_data())
INTERSECTIONS = sorted(NETWORK.intersections)


def oracle_safe(intersection: Intersection, plan: SignalPlan) -> bool:
    """Unroll two cycles second by second and check every rule directly."""
    cycle = plan.cycle_s
    if not intersection.cycle_min_s <= cycle <= intersection.cycle_max_s or not 0 <= plan.offset_s < cycle:
        return False
    timings = {t.group_id: t for t in plan.groups}
    if len(timings) != len(plan.groups) or set(timings) != set(intersection.group_ids):
        return False
    green: dict[str, list[bool]] = {}
    for gid, t in timings.items():
        if not (0 <= t.green_start_s < cycle and 0 <= t.green_end_s <= cycle) or t.green_start_s == t.green_end_s:
            return False
        row = [False] * cycle
        s = t.green_start_s
        length = cycle if (t.green_start_s, t.green_end_s) == (0, cycle) else (t.green_end_s - s) % cycle
        for k in range(length):
            row[(s + k) % cycle] = True
        green[gid] = row
        group = intersection.group(gid)
        if length < group.min_green_s or t.min_green_s < group.min_green_s:
            return False
        if not t.min_green_s <= t.max_green_s <= length or not 0 <= t.extension_s <= 10:
            return False
        # Free actuation: stretching every green by its free maximum keeps the cycle within the maximum.
        free = t.free_max_green_s or t.max_green_s
        if free < t.max_green_s or free / length > intersection.cycle_max_s / cycle:
            return False
    for (a, b), intergreen in intersection.intergreens.items():
        for second in range(cycle):
            if green[a][second] and green[b][second]:
                return False
            # a green ends at the end of `second`: b must stay red for `intergreen` seconds.
            if green[a][second] and not green[a][(second + 1) % cycle]:
                for k in range(1, intergreen + 1):
                    if green[b][(second + k) % cycle]:
                        return False
    starts = [s.start_s for s in plan.stages]
    if not starts or starts[0] != 0 or sorted(set(starts)) != starts or starts[-1] >= cycle:
        return False
    ends = [*starts[1:], cycle]
    return all(s.green_s > 0 and s.start_s + s.green_s <= e for s, e in zip(plan.stages, ends, strict=True))


@st.composite
def plans(draw: st.DrawFn) -> tuple[Intersection, SignalPlan]:
    intersection = NETWORK.intersections[draw(st.sampled_from(INTERSECTIONS))]
    cycle = draw(st.integers(intersection.cycle_min_s - 5, intersection.cycle_max_s + 5))
    cycle = max(cycle, 20)
    groups = []
    for gid in intersection.group_ids:
        start = draw(st.integers(0, cycle - 1))
        length = draw(st.integers(1, cycle))
        end = cycle if (start == 0 and length == cycle) else (start + length) % cycle
        min_green = draw(st.integers(3, 12))
        max_green = draw(st.integers(min_green, cycle))
        free = draw(st.one_of(st.just(0), st.integers(max(0, max_green - 2), max_green + 2 * length)))
        groups.append(GroupTiming(gid, start, end, min_green, max_green, 3.0, free_max_green_s=free))
    if draw(st.booleans()) and groups:
        groups.pop(draw(st.integers(0, len(groups) - 1)))
    stage_count = len(intersection.stages)
    cuts = sorted(draw(st.sets(st.integers(1, cycle - 1), min_size=stage_count - 1, max_size=stage_count - 1)))
    starts = [0, *cuts]
    ends = [*starts[1:], cycle]
    stages = [
        StageTime(s.stage_id, a, draw(st.integers(1, b - a)))
        for s, a, b in zip(intersection.stages, starts, ends, strict=True)
    ]
    plan = SignalPlan("p", intersection.intersection_id, cycle, draw(st.integers(0, cycle + 2)), groups, stages)
    return intersection, plan


@settings(max_examples=400, deadline=None)
@given(plans())
def test_validator_agrees_with_oracle(case: tuple[Intersection, SignalPlan]) -> None:
    intersection, plan = case
    assert (check_plan(intersection, plan) == []) == oracle_safe(intersection, plan)


def _unsafe_variant(plan: SignalPlan, intersection: Intersection, shift: int) -> SignalPlan:
    """Move one group's green earlier into its predecessor's clearance."""
    broken = copy.deepcopy(plan)
    timing = broken.groups[shift % len(broken.groups)]
    timing.green_start_s = (timing.green_start_s - 2) % broken.cycle_s
    return broken


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(INTERSECTIONS),
    st.dictionaries(st.sampled_from(["K1", "K1L", "K2", "K3", "K4"]), st.floats(0, 1400), max_size=5),
    st.integers(0, 23),
)
def test_optimised_plans_are_safe_and_near_misses_are_caught(iid: str, flows: dict, hour: int) -> None:
    intersection = NETWORK.intersections[iid]
    demand = {g.group_id: historic_flow(g, hour) for g in intersection.groups if g.kind == "vehicle"}
    demand.update({k: v for k, v in flows.items() if k in demand})
    plan = optimise_intersection(intersection, demand, Options())
    assert check_plan(intersection, plan) == []
    assert oracle_safe(intersection, plan)
    assert sum(s.green_s for s in plan.stages) + sum(intersection.transitions()) == plan.cycle_s
    for shift in range(len(plan.groups)):
        broken = _unsafe_variant(plan, intersection, shift)
        assert (check_plan(intersection, broken) == []) == oracle_safe(intersection, broken)


def test_problems_are_named(network: Network) -> None:
    intersection = network.intersections["bahnhofstrasse-bahnhofsplatz"]
    demand = {g.group_id: historic_flow(g, 8) for g in intersection.groups if g.kind == "vehicle"}
    plan = optimise_intersection(intersection, demand, Options())
    broken = copy.deepcopy(plan)
    k3 = broken.window("K3")
    k3.green_start_s = plan.window("K1").green_end_s + 1
    problems = check_plan(intersection, broken)
    assert any("intergreen K1->K3" in p for p in problems), problems
    broken.groups = [g for g in broken.groups if g.group_id != "F2"]
    with pytest.raises(UnsafePlan) as refused:
        ensure_safe(intersection, broken)
    assert "signal group F2 is not served" in refused.value.problems
