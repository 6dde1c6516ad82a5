"""Cycle length and stage greens of one intersection that minimise total delay.

The intersection is given as a fixed stage sequence: stage ``k`` is followed by a transition
of ``transitions_s[k]`` seconds (the largest intergreen between the groups that stop and the
conflicting groups that start), so the cycle is the sum of the stage greens and transitions. A
group is green through a contiguous run of stages, including the transitions inside its run.

For each candidate cycle the greens are built in three passes: minimum greens, then the green
each vehicle group needs to stay at or below the degree-of-saturation limit, then the rest of the
cycle second by second to the stage whose extra second saves the most delay (flow-weighted
HCM delay is convex in green, so the greedy allocation is close to optimal). Cycles are scanned
coarsely and refined around the best. When no cycle keeps every group below the limit, the plan
with the least total delay is returned with ``oversaturated`` listing the groups over the limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from herne_optim.signal_timing.delay import GroupPerformance, group_performance


@dataclass(frozen=True)
class GroupSpec:
    """One signal group as the optimiser sees it."""

    group_id: str
    stages: tuple[int, ...]  # contiguous run of stage indices (cyclic order)
    min_green_s: int
    flow_veh_h: float = 0.0
    saturation_flow_veh_h: float = 0.0  # 0 for pedestrian groups (no delay model)


@dataclass(frozen=True)
class StageProblem:
    """Stage sequence, transitions, groups and bounds of one intersection."""

    stage_ids: tuple[str, ...]
    transitions_s: tuple[int, ...]  # transitions_s[k]: from stage k to stage k+1 (mod n)
    groups: tuple[GroupSpec, ...]
    cycle_min_s: int
    cycle_max_s: int
    max_degree_of_saturation: float = 0.9
    fixed_cycle_s: int | None = None  # corridor: common cycle given


@dataclass
class StageTiming:
    """A solution: cycle, stage greens and the expected performance."""

    cycle_s: int
    stage_greens_s: list[int]
    performance: dict[str, GroupPerformance]
    total_delay_veh_s_per_h: float
    oversaturated: list[str] = field(default_factory=list)

    @property
    def mean_delay_s(self) -> float:
        flow = sum(p.flow_veh_h for p in self.performance.values())
        return self.total_delay_veh_s_per_h / flow if flow > 0 else 0.0


class TimingInfeasible(ValueError):
    """Minimum greens and transitions do not fit into any allowed cycle."""


def group_green(spec: GroupSpec, greens: Sequence[int], transitions: Sequence[int]) -> int:
    """Displayed green of a group: its stages plus the transitions inside its run."""
    total = sum(greens[k] for k in spec.stages)
    return total + sum(transitions[k] for k in spec.stages[:-1])


def minimum_cycle(problem: StageProblem) -> int:
    """The shortest cycle that holds the minimum greens and transitions."""
    return sum(problem.transitions_s) + sum(_minimum_greens(problem))


def _minimum_greens(problem: StageProblem) -> list[int]:
    greens = [1] * len(problem.stage_ids)
    changed = True
    while changed:
        changed = False
        for spec in problem.groups:
            short = spec.min_green_s - group_green(spec, greens, problem.transitions_s)
            if short > 0:
                greens[spec.stages[-1]] += short
                changed = True
    return greens


class _Evaluator:
    def __init__(self, problem: StageProblem) -> None:
        self.problem = problem
        self.vehicle = [g for g in problem.groups if g.saturation_flow_veh_h > 0]
        self.by_stage: dict[int, list[GroupSpec]] = {k: [] for k in range(len(problem.stage_ids))}
        for spec in self.vehicle:
            for k in spec.stages:
                self.by_stage[k].append(spec)

    def cost(self, spec: GroupSpec, greens: Sequence[int], cycle: int) -> float:
        green = group_green(spec, greens, self.problem.transitions_s)
        perf = group_performance(spec.flow_veh_h, spec.saturation_flow_veh_h, green, cycle)
        return perf.flow_veh_h * perf.delay_s

    def gain(self, stage: int, greens: list[int], cycle: int) -> float:
        before = sum(self.cost(spec, greens, cycle) for spec in self.by_stage[stage])
        greens[stage] += 1
        after = sum(self.cost(spec, greens, cycle) for spec in self.by_stage[stage])
        greens[stage] -= 1
        return before - after

    def solve(self, cycle: int) -> StageTiming | None:
        problem = self.problem
        available = cycle - sum(problem.transitions_s)
        greens = _minimum_greens(problem)
        if sum(greens) > available:
            return None
        # Degree-of-saturation limit: give short groups seconds where they save most delay.
        for spec in self.vehicle:
            if spec.flow_veh_h <= 0:
                continue
            needed = math.ceil(
                spec.flow_veh_h * cycle / (spec.saturation_flow_veh_h * problem.max_degree_of_saturation)
            )
            while group_green(spec, greens, problem.transitions_s) < needed and sum(greens) < available:
                best = max(spec.stages, key=lambda k: self.gain(k, greens, cycle))
                greens[best] += 1
        stages = range(len(greens))
        while sum(greens) < available:
            best = max(stages, key=lambda k: self.gain(k, greens, cycle))
            greens[best] += 1
        return self.timing(cycle, greens)

    def timing(self, cycle: int, greens: list[int]) -> StageTiming:
        problem = self.problem
        performance: dict[str, GroupPerformance] = {}
        total = 0.0
        over: list[str] = []
        for spec in problem.groups:
            green = group_green(spec, greens, problem.transitions_s)
            if spec.saturation_flow_veh_h <= 0:
                performance[spec.group_id] = group_performance(0.0, 1.0, green, cycle)
                continue
            perf = group_performance(spec.flow_veh_h, spec.saturation_flow_veh_h, green, cycle)
            performance[spec.group_id] = perf
            total += perf.flow_veh_h * perf.delay_s
            if perf.degree_of_saturation > problem.max_degree_of_saturation + 1e-9:
                over.append(spec.group_id)
        return StageTiming(cycle, list(greens), performance, total, over)


def optimise_stages(problem: StageProblem) -> StageTiming:
    """The best cycle and stage greens (see module docstring)."""
    if not problem.stage_ids:
        raise TimingInfeasible("the intersection has no stages")
    evaluator = _Evaluator(problem)
    low = max(problem.cycle_min_s, minimum_cycle(problem))
    high = problem.cycle_max_s
    if problem.fixed_cycle_s is not None:
        low = high = problem.fixed_cycle_s
    if low > high:
        raise TimingInfeasible(
            f"minimum greens and intergreens need a cycle of {minimum_cycle(problem)} s, "
            f"more than the maximum of {high} s"
        )

    def key(timing: StageTiming) -> tuple[int, float]:
        return (len(timing.oversaturated), timing.total_delay_veh_s_per_h)

    results: dict[int, StageTiming] = {}

    def at(cycle: int) -> StageTiming | None:
        if cycle not in results:
            solved = evaluator.solve(cycle)
            if solved is None:
                return None
            results[cycle] = solved
        return results[cycle]

    step = 5 if high - low > 20 else 1
    for cycle in [*list(range(low, high + 1, step)), high]:
        at(cycle)
    if not results:
        raise TimingInfeasible(f"minimum greens and intergreens do not fit a cycle of at most {high} s")
    best = min(results.values(), key=key)
    for cycle in range(max(low, best.cycle_s - step + 1), min(high, best.cycle_s + step - 1) + 1):
        at(cycle)
    return min(results.values(), key=key)


def evaluate(problem: StageProblem, cycle: int, greens: Sequence[int]) -> StageTiming:
    """Performance of a given timing (e.g. a stored plan under today's demand)."""
    return _Evaluator(problem).timing(cycle, list(greens))
