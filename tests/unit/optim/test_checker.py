"""The checker catches every kind of violation: a valid plan is corrupted one way at a time."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from herne_optim import (
    Break,
    DisposalSite,
    DrivingRule,
    Job,
    Lock,
    RoutingProblem,
    StepKind,
    TimeWindow,
    Unassigned,
    UnassignedReason,
    Vehicle,
    check,
)
from herne_optim.problem import Route, Solution, Step

from .helpers import matrix

POINTS = [(0, 0), (10, 0), (20, 0), (10, 10), (0, 10)]
M = matrix(POINTS)
SHIFT = TimeWindow(0, 5000)


def problem(**kw: object) -> RoutingProblem:
    jobs = (
        Job("a", 1, service_s=60, demand={"volume_m3": 4}, time_windows=(TimeWindow(0, 2000),)),
        Job("b", 2, service_s=60, demand={"volume_m3": 4}, skills=frozenset({"electrical"})),
        Job("c", 3, service_s=60, demand={"volume_m3": 4}, locked=Lock("t", 0)),
    )
    truck = Vehicle(
        "t",
        0,
        0,
        SHIFT,
        capacity={"volume_m3": 8},
        skills=frozenset({"electrical"}),
        breaks=(Break("lunch", 100, (TimeWindow(0, 4000),)),),
        must_unload_before_end=True,
        driving_rule=DrivingRule(max_continuous_s=3000, break_s=100),
    )
    args: dict[str, object] = {
        "jobs": jobs,
        "vehicles": (truck,),
        "disposal_sites": (DisposalSite("hof", 4, SHIFT, 30),),
    }
    args.update(kw)
    return RoutingProblem(M, **args)  # type: ignore[arg-type]


def valid() -> Solution:
    """Hand-made plan: start, c, a, lunch, unload, b, unload, end (times in seconds)."""

    def step(
        kind: StepKind, sid: str | None, loc: int | None, arr: float, start: float, dep: float, load: float
    ) -> Step:
        return Step(kind, sid, loc, arr, start, dep, {"volume_m3": load})

    d = M
    t = 0.0
    steps = [step(StepKind.START, None, 0, t, t, t, 0)]
    t += d[0][3]
    steps.append(step(StepKind.JOB, "c", 3, t, t, t + 60, 4))
    t += 60 + d[3][1]
    steps.append(step(StepKind.JOB, "a", 1, t, t, t + 60, 8))
    t += 60
    steps.append(step(StepKind.BREAK, "lunch", None, t, t, t + 100, 8))
    t += 100 + d[1][4]
    steps.append(step(StepKind.UNLOAD, "hof", 4, t, t, t + 30, 0))
    t += 30 + d[4][2]
    steps.append(step(StepKind.JOB, "b", 2, t, t, t + 60, 4))
    t += 60 + d[2][4]
    steps.append(step(StepKind.UNLOAD, "hof", 4, t, t, t + 30, 0))
    t += 30 + d[4][0]
    steps.append(step(StepKind.END, None, 0, t, t, t, 0))
    distance = d[0][3] + d[3][1] + d[1][4] + d[4][2] + d[2][4] + d[4][0]
    route = Route("t", tuple(steps), distance, t, 0.0)
    return Solution((route,), (), distance, t, 0.0, 1, "test")


def with_steps(solution: Solution, change: Callable[[list[Step]], list[Step]]) -> Solution:
    route = solution.routes[0]
    return dataclasses.replace(solution, routes=(dataclasses.replace(route, steps=tuple(change(list(route.steps)))),))


def replace_step(k: int, **kw: object) -> Callable[[list[Step]], list[Step]]:
    def change(steps: list[Step]) -> list[Step]:
        steps[k] = dataclasses.replace(steps[k], **kw)  # type: ignore[arg-type]
        return steps

    return change


def test_the_valid_plan_passes() -> None:
    assert check(problem(), valid()) == []


def shifted(delta: float) -> Callable[[list[Step]], list[Step]]:
    def change(steps: list[Step]) -> list[Step]:
        return [
            dataclasses.replace(s, arrival=s.arrival + delta, start=s.start + delta, departure=s.departure + delta)
            for s in steps
        ]

    return change


CASES: list[tuple[str, Callable[[], tuple[RoutingProblem, Solution]]]] = [
    ("time_window", lambda: (problem(), with_steps(valid(), shifted(1900)))),
    ("shift", lambda: (problem(), with_steps(valid(), shifted(4500)))),
    ("travel_time", lambda: (problem(), with_steps(valid(), replace_step(1, arrival=1.0, start=1.0, departure=61.0)))),
    (
        "service_time",
        lambda: (problem(), with_steps(valid(), replace_step(2, departure=valid().routes[0].steps[2].start))),
    ),
    (
        "schedule",
        lambda: (problem(), with_steps(valid(), replace_step(2, start=valid().routes[0].steps[2].arrival - 5))),
    ),
    ("load_report", lambda: (problem(), with_steps(valid(), replace_step(1, load={"volume_m3": 3.0})))),
    (
        "capacity",
        lambda: (
            problem(disposal_sites=(DisposalSite("hof", 4, SHIFT, 30),)),
            with_steps(valid(), lambda s: [x for x in s if x.kind is not StepKind.UNLOAD]),
        ),
    ),
    ("unload_before_end", lambda: (problem(), with_steps(valid(), lambda s: [*s[:6], s[7]]))),
    ("site_opening", lambda: (problem(disposal_sites=(DisposalSite("hof", 4, TimeWindow(0, 10), 30),)), valid())),
    (
        "break_missing",
        lambda: (
            problem(
                vehicles=(
                    dataclasses.replace(problem().vehicles[0], breaks=(Break("lunch", 100, (TimeWindow(0, 500),)),)),
                )
            ),
            with_steps(valid(), lambda s: [x for x in s if x.kind is not StepKind.BREAK]),
        ),
    ),
    (
        "break_window",
        lambda: (
            problem(
                vehicles=(
                    dataclasses.replace(
                        problem().vehicles[0], breaks=(Break("lunch", 100, (TimeWindow(3000, 4000),)),)
                    ),
                )
            ),
            valid(),
        ),
    ),
    (
        "break_duration",
        lambda: (problem(), with_steps(valid(), replace_step(3, departure=valid().routes[0].steps[3].start + 10))),
    ),
    (
        "driving_rule",
        lambda: (
            problem(
                vehicles=(dataclasses.replace(problem().vehicles[0], breaks=(), driving_rule=DrivingRule(300, 100)),)
            ),
            valid(),
        ),
    ),
    ("skills", lambda: (problem(vehicles=(dataclasses.replace(problem().vehicles[0], skills=frozenset()),)), valid())),
    (
        "lock",
        lambda: (
            problem(
                jobs=(
                    dataclasses.replace(problem().jobs[0], locked=Lock("t", 0)),
                    problem().jobs[1],
                    dataclasses.replace(problem().jobs[2], locked=Lock("t", 1)),
                )
            ),
            valid(),
        ),
    ),
    ("duplicate_job", lambda: (problem(), with_steps(valid(), lambda s: [*s[:2], s[1], *s[2:]]))),
    ("dropped_job", lambda: (problem(jobs=(*problem().jobs, Job("d", 4))), valid())),
    (
        "served_and_unassigned",
        lambda: (problem(), dataclasses.replace(valid(), unassigned=(Unassigned("a", UnassignedReason.NO_ROOM, ""),))),
    ),
    (
        "distance_report",
        lambda: (
            problem(),
            dataclasses.replace(valid(), routes=(dataclasses.replace(valid().routes[0], distance_m=1.0),)),
        ),
    ),
    ("route_shape", lambda: (problem(), with_steps(valid(), lambda s: s[1:]))),
    (
        "unknown_vehicle",
        lambda: (
            problem(),
            dataclasses.replace(valid(), routes=(dataclasses.replace(valid().routes[0], vehicle_id="ghost"),)),
        ),
    ),
    (
        "site_not_allowed",
        lambda: (problem(vehicles=(dataclasses.replace(problem().vehicles[0], disposal_site_ids=()),)), valid()),
    ),
]


@pytest.mark.parametrize(("kind", "case"), CASES, ids=[kind for kind, _ in CASES])
def test_each_violation_kind_is_caught(kind: str, case: Callable[[], tuple[RoutingProblem, Solution]]) -> None:
    prob, solution = case()
    kinds = {v.kind for v in check(prob, solution)}
    assert kind in kinds, kinds
