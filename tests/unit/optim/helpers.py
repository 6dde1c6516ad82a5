"""Small routing instances on a plane: travel seconds = 10 x Euclidean distance."""

from __future__ import annotations

import math
from collections.abc import Sequence

from herne_optim import RoutingProblem, SolveOptions, check, solve
from herne_optim.problem import Solution

FAST = SolveOptions(time_limit_s=0.3, seed=1)


def matrix(points: Sequence[tuple[float, float]]) -> list[list[float]]:
    return [[10 * math.dist(a, b) for b in points] for a in points]


def solve_checked(problem: RoutingProblem, options: SolveOptions = FAST) -> Solution:
    """Solve and insist on the independent checker's approval."""
    solution = solve(problem, options)
    violations = check(problem, solution)
    assert violations == [], violations
    return solution
