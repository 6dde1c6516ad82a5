"""The ruin-and-recreate loop's ruins and acceptance rule (libs/herne_optim/routing/search.py)."""

from __future__ import annotations

import random

from herne_optim.routing import search
from herne_optim.routing.model import MANDATORY_PENALTY


def _line_neighbours(jobs: list[int]) -> dict[int, list[int]]:
    # Jobs on a line at their own index: nearest first, ties to the lower index.
    return {i: sorted((j for j in jobs if j != i), key=lambda j: (abs(i - j), j)) for i in jobs}


def test_string_removal_takes_consecutive_jobs_one_string_per_route() -> None:
    routes = [list(range(1, 11)), list(range(11, 21)), list(range(21, 31)), []]
    served = [i for route in routes for i in route]
    neighbours = _line_neighbours(served)
    rng = random.Random(3)
    for _ in range(200):
        removed = search._string_removal(rng, routes, served, neighbours)
        assert removed
        for route in routes:
            positions = [k for k, i in enumerate(route) if i in removed]
            if positions:  # one contiguous string per ruined route
                assert positions == list(range(positions[0], positions[-1] + 1))
        assert len(removed) <= 3 * search._SISR_MAX_STRING


def test_cluster_ruin_removes_served_jobs_near_the_seed() -> None:
    routes = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13, 14, 15, 16, 17, 18, 19, 20]]
    served = [i for route in routes for i in route]
    neighbours = _line_neighbours([*served, 99])  # 99: a job nobody serves
    rng = random.Random(0)
    saw_cluster = False
    for _ in range(100):
        removed = search._ruin(rng, routes, served, neighbours)
        assert removed <= set(served)
        if len(removed) >= 8:
            ordered = sorted(removed)
            saw_cluster |= ordered == list(range(ordered[0], ordered[-1] + 1))
    assert saw_cluster


def test_acceptance_temperature_ignores_unserved_mandatory_penalties() -> None:
    route_cost = 1_000 * 10**7
    rng_a, rng_b = random.Random(7), random.Random(7)
    plain = [route_cost - search._threshold(rng_a, route_cost, 0.0) for _ in range(50)]
    unserved = [
        route_cost + MANDATORY_PENALTY - search._threshold(rng_b, route_cost + MANDATORY_PENALTY, 0.0)
        for _ in range(50)
    ]
    # Same slack with and without a job left out: the penalty does not heat the search up.
    assert all(abs(a - b) < 1.0 for a, b in zip(plain, unserved, strict=True))  # float rounding at 1e13
    assert all(slack < 0 for slack in plain)  # a worse plan may pass, by a bounded margin
    assert min(plain) > -route_cost * search._T0_SHARE * 20


def test_acceptance_cools_down_to_nearly_strict() -> None:
    rng = random.Random(1)
    cost = 1_000 * 10**7
    late = [cost - search._threshold(rng, cost, 1.0) for _ in range(200)]
    early = [cost - search._threshold(rng, cost, 0.0) for _ in range(200)]
    assert sum(late) / len(late) > sum(early) / len(early) / 10
