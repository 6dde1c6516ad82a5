"""Several searches side by side (SolveOptions.workers): the best plan of the seeds wins."""

from __future__ import annotations

import random

import pytest

from herne_optim import Job, ProblemError, RoutingProblem, SolveOptions, TimeWindow, Vehicle, check
from herne_optim.routing import portfolio, search

from .helpers import matrix


def _problem(seed: int = 5, jobs: int = 30) -> RoutingProblem:
    rng = random.Random(seed)
    points = [(50.0, 50.0)] + [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(jobs)]
    fleet = tuple(
        Vehicle(f"t{k}", start_location=0, end_location=0, shift=TimeWindow(0, 20_000), capacity={"m3": 10.0})
        for k in range(4)
    )
    return RoutingProblem(
        matrix(points), tuple(Job(f"j{i}", i, demand={"m3": 1.0}, service_s=60) for i in range(1, jobs + 1)), fleet
    )


def test_the_best_of_the_seeds_wins_and_is_checked() -> None:
    problem = _problem()
    # A work budget, not a clock: every search gives the same plan on any machine.
    single = [search.solve(problem, SolveOptions(time_limit_s=20, seed=seed, max_iterations=40)) for seed in (3, 4, 5)]
    best = portfolio.solve(problem, SolveOptions(time_limit_s=20, seed=3, max_iterations=40, workers=3))
    assert check(problem, best) == []
    assert best.cost == min(solution.cost for solution in single)
    assert not best.unassigned


def test_one_worker_is_the_plain_search() -> None:
    problem = _problem(jobs=12)
    options = SolveOptions(time_limit_s=20, seed=1, max_iterations=20)
    assert portfolio.solve(problem, options).cost == search.solve(problem, options).cost


def test_workers_are_bounded() -> None:
    with pytest.raises(ProblemError, match="workers"):
        SolveOptions(workers=0)
    with pytest.raises(ProblemError, match="workers"):
        SolveOptions(workers=64)
