"""Feasible insertion: every insertion it offers is feasible by the independent checker."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herne_optim.checker import check
from herne_optim.insertion import RouteEvaluator
from herne_optim.problem import (
    Break,
    DisposalSite,
    Job,
    RoutingProblem,
    Solution,
    TimeWindow,
    Vehicle,
)

HOUR = 3600.0


def _problem(seed: int, jobs: int, capacity: float, with_break: bool) -> RoutingProblem:
    rng = random.Random(seed)
    points = [(rng.uniform(0, 10_000), rng.uniform(0, 10_000)) for _ in range(jobs + 3)]

    def dist(i: int, j: int) -> float:
        return math.dist(points[i], points[j])

    n = len(points)
    distances = [[dist(i, j) for j in range(n)] for i in range(n)]
    durations = [[d / 8.0 for d in row] for row in distances]  # 8 m/s
    windows = [TimeWindow(h * HOUR, (h + 2) * HOUR) for h in (7, 9, 11, 13)]
    job_list = tuple(
        Job(
            f"j{k}",
            location=3 + k,
            service_s=rng.choice([300.0, 600.0, 900.0]),
            demand={"volume_m3": rng.choice([1.0, 2.0, 4.0])},
            time_windows=(rng.choice(windows),),
            skills=frozenset({"electrical"}) if rng.random() < 0.2 else frozenset(),
        )
        for k in range(jobs)
    )
    breaks = (Break("lunch", 1800.0, (TimeWindow(11 * HOUR, 12.5 * HOUR),)),) if with_break else ()
    vehicles = tuple(
        Vehicle(
            f"v{k}",
            start_location=0,
            end_location=0,
            shift=TimeWindow(6.5 * HOUR, 15.5 * HOUR),
            capacity={"volume_m3": capacity},
            skills=frozenset({"electrical"}) if k == 0 else frozenset(),
            breaks=breaks,
            must_unload_before_end=True,
        )
        for k in range(3)
    )
    sites = (
        DisposalSite("s1", 1, TimeWindow(6 * HOUR, 17 * HOUR), 600.0),
        DisposalSite("s2", 2, TimeWindow(6 * HOUR, 14 * HOUR), 600.0),
    )
    return RoutingProblem(durations, job_list, vehicles, distances, sites, num_locations=n)


def _build_greedily(problem: RoutingProblem) -> tuple[dict[str, list[str]], RouteEvaluator]:
    """Insert the jobs one by one at their best place, as bookings do."""
    evaluator = RouteEvaluator(problem)
    routes: dict[str, list[str]] = {}
    for job in problem.jobs:
        found = evaluator.best_insertions(routes, job, job.time_windows)
        if found:
            routes = next(iter(found.values())).apply(routes, job.id)
    return routes, evaluator


def _solution(problem: RoutingProblem, evaluator: RouteEvaluator, routes: dict[str, list[str]]) -> Solution:
    from herne_optim.problem import Unassigned, UnassignedReason

    schedules = [evaluator.schedule(v, seq) for v, seq in routes.items() if seq]
    served = {j for seq in routes.values() for j in seq}
    unassigned = tuple(
        Unassigned(j.id, UnassignedReason.NO_ROOM, "not inserted") for j in problem.jobs if j.id not in served
    )
    return Solution(
        tuple(s.route() for s in schedules),
        unassigned,
        sum(s.distance_m for s in schedules),
        sum(s.duration_s for s in schedules),
        0.0,
        len(schedules),
        "tentative",
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    jobs=st.integers(1, 25),
    capacity=st.sampled_from([5.0, 8.0, 20.0]),
    with_break=st.booleans(),
)
def test_greedy_insertions_pass_the_checker(seed: int, jobs: int, capacity: float, with_break: bool) -> None:
    problem = _problem(seed, jobs, capacity, with_break)
    routes, evaluator = _build_greedily(problem)
    for vehicle_id, sequence in routes.items():
        assert evaluator.schedule(vehicle_id, sequence).feasible
    assert check(problem, _solution(problem, evaluator, routes)) == []


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), jobs=st.integers(2, 20))
def test_added_distance_is_exact(seed: int, jobs: int) -> None:
    problem = _problem(seed, jobs, 8.0, True)
    probe, *rest = problem.jobs
    reduced = RoutingProblem(
        problem.durations, tuple(rest), problem.vehicles, problem.distances, problem.disposal_sites
    )
    routes, _ = _build_greedily(reduced)
    evaluator = RouteEvaluator(problem)
    windows = [TimeWindow(h * HOUR, (h + 2) * HOUR) for h in (7, 9, 11, 13)]
    for window, insertion in evaluator.best_insertions(routes, probe, windows).items():
        assert insertion.window == window
        before = evaluator.schedule(insertion.vehicle_id, routes.get(insertion.vehicle_id, []))
        booked = replace(probe, time_windows=(window,))
        placed = RouteEvaluator(replace(problem, jobs=(booked, *rest)))
        new_routes = insertion.apply(routes, probe.id)
        after = placed.schedule(insertion.vehicle_id, new_routes[insertion.vehicle_id])
        assert after.feasible, after.reason
        assert insertion.added_distance_m == pytest.approx(after.distance_m - before.distance_m, abs=1e-6)


def test_skills_capacity_and_windows_are_respected() -> None:
    problem = _problem(3, 0, 8.0, False)
    evaluator = RouteEvaluator(problem)
    windows = [TimeWindow(7 * HOUR, 9 * HOUR)]
    electrical = Job(
        "fridge", 3 if problem.location_count > 3 else 1, 600.0, {"volume_m3": 1.0}, (), frozenset({"electrical"})
    )
    found = evaluator.best_insertions({}, electrical, windows)
    assert {i.vehicle_id for i in found.values()} == {"v0"}
    too_big = Job("big", 1, 600.0, {"volume_m3": 9.0})
    assert evaluator.best_insertions({}, too_big, windows) == {}
    too_late = [TimeWindow(16 * HOUR, 17 * HOUR)]
    assert evaluator.best_insertions({}, Job("late", 1, 600.0, {"volume_m3": 1.0}), too_late) == {}


def test_full_truck_gets_an_unloading_trip() -> None:
    problem = _problem(5, 6, 5.0, False)
    routes, evaluator = _build_greedily(problem)
    sites = {s.id for s in problem.disposal_sites}
    for vehicle_id, sequence in routes.items():
        assert sequence[-1] in sites  # must arrive empty
        assert evaluator.schedule(vehicle_id, sequence).feasible
