"""herne_optim: the shared optimisation library (vehicle routing, road network, signal timing).

from herne_optim import RoutingProblem, Job, Vehicle, SolveOptions, solve, check
solution = solve(problem, SolveOptions(time_limit_s=5, seed=1))
assert not check(problem, solution)
"""

from herne_optim.checker import check
from herne_optim.problem import (
    Break,
    DisposalSite,
    DrivingRule,
    Job,
    Lock,
    ProblemError,
    Route,
    RoutingProblem,
    Solution,
    SolveOptions,
    Step,
    StepKind,
    TimeWindow,
    Unassigned,
    UnassignedReason,
    Vehicle,
    Violation,
)
from herne_optim.routing import solve

__all__ = [
    "Break",
    "DisposalSite",
    "DrivingRule",
    "Job",
    "Lock",
    "ProblemError",
    "Route",
    "RoutingProblem",
    "Solution",
    "SolveOptions",
    "Step",
    "StepKind",
    "TimeWindow",
    "Unassigned",
    "UnassignedReason",
    "Vehicle",
    "Violation",
    "check",
    "solve",
]
