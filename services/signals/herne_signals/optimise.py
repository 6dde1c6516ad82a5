"""From intersection data and flows to validated signal plans (isolated and corridor)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from herne_optim.signal_timing.isolated import StageTiming, TimingInfeasible, optimise_stages
from herne_optim.signal_timing.maxband import BandIntersection, BandProblem, solve_maxband
from herne_runtime.errors import FailedPrecondition, InvalidArgument
from herne_signals.model import Corridor, Intersection, Network, stage_problem, validate_flows
from herne_signals.plan import GroupExpectation, GroupTiming, SignalPlan, StageTime
from herne_signals.validator import ensure_safe

DEFAULT_EXTENSION_S = 3.0  # gap time of vehicle detectors (RiLSA: 2-4 s)
# Free actuation may stretch a detector group's green up to this factor of its frame (bounded by
# the maximum cycle). Measured in SUMO (bench/signals_sumo.py): 1.5 beat 1.0 and 2.0 on the
# corridor, the isolated intersection and the grid at every demand level.
FREE_MAX_FACTOR = 1.5


@dataclass(frozen=True)
class Options:
    max_degree_of_saturation: float = 0.9
    cycle_bounds: tuple[int, int] | None = None
    actuated: bool = True
    time_limit_s: float = 5.0


def check_options(intersection: Intersection, options: Options) -> None:
    if not 0.5 <= options.max_degree_of_saturation <= 1.0:
        raise InvalidArgument("max_degree_of_saturation must be between 0.5 and 1.0")
    if options.cycle_bounds is not None:
        low, high = options.cycle_bounds
        if not intersection.cycle_min_s <= low <= high <= intersection.cycle_max_s:
            raise InvalidArgument(
                f"cycle bounds {low}..{high} s must lie within {intersection.intersection_id}'s "
                f"{intersection.cycle_min_s}..{intersection.cycle_max_s} s"
            )


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def plan_from_timing(
    intersection: Intersection,
    timing: StageTiming,
    *,
    offset_s: int = 0,
    actuated: bool = True,
    coordinated_groups: tuple[str, ...] = (),
    flows: Mapping[str, float],
) -> SignalPlan:
    """Green windows from stage greens; actuation parameters for detector-equipped groups."""
    transitions = intersection.transitions()
    runs = intersection.stage_runs()
    cycle = timing.cycle_s
    starts: list[int] = []
    t = 0
    for k, green in enumerate(timing.stage_greens_s):
        starts.append(t)
        t += green + transitions[k]
    groups: list[GroupTiming] = []
    for group in intersection.groups:
        run = runs[group.group_id]
        if len(run) == len(intersection.stages):
            start, end = 0, cycle
        else:
            start = starts[run[0]]
            end = (starts[run[-1]] + timing.stage_greens_s[run[-1]]) % cycle
        length = (end - start) % cycle if (start, end) != (0, cycle) else cycle
        extends = actuated and group.kind == "vehicle" and bool(group.detectors)
        coordinated = group.group_id in coordinated_groups
        stretch = min(FREE_MAX_FACTOR, intersection.cycle_max_s / cycle) if extends else 1.0
        groups.append(
            GroupTiming(
                group_id=group.group_id,
                green_start_s=start,
                green_end_s=end,
                min_green_s=group.min_green_s,
                max_green_s=length,
                extension_s=DEFAULT_EXTENSION_S if extends and not coordinated else 0.0,
                coordinated=coordinated,
                free_max_green_s=max(length, math.floor(length * stretch)),
            )
        )
    stages = [
        StageTime(stage.stage_id, starts[k], timing.stage_greens_s[k]) for k, stage in enumerate(intersection.stages)
    ]
    expectations = []
    for spec in stage_problem(intersection, flows).groups:
        perf = timing.performance[spec.group_id]
        if intersection.group(spec.group_id).kind != "vehicle":
            continue
        expectations.append(
            GroupExpectation(
                spec.group_id,
                round(perf.flow_veh_h, 1),
                round(spec.saturation_flow_veh_h, 1),
                round(perf.capacity_veh_h, 1),
                round(perf.degree_of_saturation, 3),
                round(perf.delay_s, 1),
                round(perf.stops_per_vehicle, 3),
            )
        )
    plan = SignalPlan(
        plan_id=_new_id("plan"),
        intersection_id=intersection.intersection_id,
        cycle_s=cycle,
        offset_s=offset_s % cycle,
        groups=groups,
        stages=stages,
        expectations=expectations,
        mean_delay_s=round(timing.mean_delay_s, 2),
        total_delay_veh_h_per_h=round(timing.total_delay_veh_s_per_h / 3600.0, 3),
        oversaturated_groups=list(timing.oversaturated),
        created_time=datetime.now(UTC),
        flows_basis={k: round(v, 1) for k, v in flows.items()},
    )
    ensure_safe(intersection, plan)
    return plan


def optimise_intersection(intersection: Intersection, flows: Mapping[str, float], options: Options) -> SignalPlan:
    """The delay-minimising isolated plan."""
    validate_flows(intersection, flows)
    check_options(intersection, options)
    problem = stage_problem(
        intersection,
        flows,
        max_degree_of_saturation=options.max_degree_of_saturation,
        cycle_bounds=options.cycle_bounds,
    )
    try:
        timing = optimise_stages(problem)
    except TimingInfeasible as error:
        raise InvalidArgument(f"intersection {intersection.intersection_id}: {error}") from None
    return plan_from_timing(intersection, timing, actuated=options.actuated, flows=flows)


@dataclass
class CorridorResult:
    plans: list[SignalPlan]
    cycle_s: int
    outbound_band_s: int
    inbound_band_s: int
    outbound_stops: float
    inbound_stops: float
    optimal: bool


def optimise_corridor(
    network: Network, corridor: Corridor, flows: Mapping[str, Mapping[str, float]], options: Options
) -> CorridorResult:
    """A common cycle minimising the corridor's total delay, then MAXBAND offsets."""
    intersections = [network.intersection(iid) for iid in corridor.intersections]
    for intersection in intersections:
        validate_flows(intersection, flows.get(intersection.intersection_id, {}))
        check_options(intersection, options)
    low = max(x.cycle_min_s for x in intersections)
    high = min(x.cycle_max_s for x in intersections)
    if options.cycle_bounds:
        low, high = max(low, options.cycle_bounds[0]), min(high, options.cycle_bounds[1])
    problems = [
        stage_problem(x, flows.get(x.intersection_id, {}), max_degree_of_saturation=options.max_degree_of_saturation)
        for x in intersections
    ]
    best: tuple[tuple[int, float], int, list[StageTiming]] | None = None
    for cycle in range(low, high + 1, 2):
        timings: list[StageTiming] = []
        try:
            for problem in problems:
                fixed = replace(problem, fixed_cycle_s=cycle)
                timings.append(optimise_stages(fixed))
        except TimingInfeasible:
            continue
        key = (sum(len(t.oversaturated) for t in timings), sum(t.total_delay_veh_s_per_h for t in timings))
        if best is None or key < best[0]:
            best = (key, cycle, timings)
    if best is None:
        raise InvalidArgument(f"corridor {corridor.corridor_id}: no common cycle in {low}..{high} s fits all")
    _, cycle, timings = best
    plans = [
        plan_from_timing(
            x,
            t,
            actuated=options.actuated,
            coordinated_groups=(corridor.outbound_groups[i], corridor.inbound_groups[i]),
            flows=flows.get(x.intersection_id, {}),
        )
        for i, (x, t) in enumerate(zip(intersections, timings, strict=True))
    ]
    band_intersections = []
    for i, plan in enumerate(plans):
        out = plan.window(corridor.outbound_groups[i])
        inn = plan.window(corridor.inbound_groups[i])
        band_intersections.append(
            BandIntersection(out.green_start_s, out.max_green_s, inn.green_start_s, inn.max_green_s)
        )
    out_volume = sum(
        flows.get(x, {}).get(g, 0.0) for x, g in zip(corridor.intersections, corridor.outbound_groups, strict=True)
    )
    in_volume = sum(
        flows.get(x, {}).get(g, 0.0) for x, g in zip(corridor.intersections, corridor.inbound_groups, strict=True)
    )
    try:
        band = solve_maxband(
            BandProblem(
                cycle,
                tuple(band_intersections),
                tuple(round(link.travel_s) for link in corridor.links),
                tuple(round(link.travel_s) for link in corridor.links),
                max(out_volume, 1.0),
                max(in_volume, 1.0),
            ),
            time_limit_s=options.time_limit_s,
        )
    except ValueError as error:
        raise FailedPrecondition(f"corridor {corridor.corridor_id}: {error}") from None
    out_stops = _band_stops(plans, corridor.outbound_groups, band.outbound_band_s, reverse=False)
    in_stops = _band_stops(plans, corridor.inbound_groups, band.inbound_band_s, reverse=True)
    set_id = _new_id("set")
    for plan, offset in zip(plans, band.offsets_s, strict=True):
        plan.offset_s = offset % cycle
        plan.plan_set_id = set_id
        plan.corridor_id = corridor.corridor_id
        plan.outbound_band_s = band.outbound_band_s
        plan.inbound_band_s = band.inbound_band_s
        plan.outbound_stops_per_vehicle = out_stops
        plan.inbound_stops_per_vehicle = in_stops
    for plan, intersection in zip(plans, intersections, strict=True):
        ensure_safe(intersection, plan)
    return CorridorResult(plans, cycle, band.outbound_band_s, band.inbound_band_s, out_stops, in_stops, band.optimal)


def _band_stops(plans: list[SignalPlan], groups: tuple[str, ...], band_s: int, *, reverse: bool) -> float:
    """Expected stops of a through vehicle along the corridor.

    At the first signal arrivals are random (Webster's stop rate); downstream, the platoon share
    inside the band passes without stopping and the rest stops at the random-arrival rate.
    """
    order = list(range(len(plans)))
    if reverse:
        order.reverse()
    total = 0.0
    for position, i in enumerate(order):
        plan = plans[i]
        expectation = next((e for e in plan.expectations if e.group_id == groups[i]), None)
        random_rate = expectation.stops_per_vehicle if expectation else 0.5
        if position == 0:
            total += random_rate
            continue
        green = plan.window(groups[i]).max_green_s
        in_band = min(1.0, band_s / green) if green > 0 else 0.0
        total += random_rate * (1.0 - in_band)
    return round(total, 3)
