"""`herne-mobility waste ...` commands."""

from __future__ import annotations

import argparse
import json
import sys


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    vrptw = subparsers.add_parser(
        "solve-vrptw", help="solve a Solomon VRPTW instance with the service's routing model, print JSON"
    )
    vrptw.add_argument("--solomon", required=True, help="instance file (Solomon text format)")
    vrptw.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    vrptw.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    vrptw.set_defaults(handler=_solve_vrptw)


def _solve_vrptw(args: argparse.Namespace) -> int:
    from herne_optim import ProblemError, SolveOptions, check, solve, solomon

    try:
        instance = solomon.load(args.solomon)
        options = SolveOptions(time_limit_s=args.time_limit, seed=args.seed)
    except (OSError, ProblemError) as exc:
        print(f"solve-vrptw: {exc}", file=sys.stderr)
        return 2
    problem = solomon.to_problem(instance)
    solution = solve(problem, options)
    violations = check(problem, solution)
    routes = solomon.routes_of(solution)
    result = {
        "routes": routes,
        "distance": round(solution.distance_m, 4),
        "vehicles": len(routes),
        "distance_truncated": solomon.truncated_distance(instance, routes),
        "unassigned": [u.job_id for u in solution.unassigned],
        "feasible": not violations and not solution.unassigned,
    }
    print(json.dumps(result))
    if violations:
        for violation in violations[:20]:
            print(f"violation: {violation.kind} {violation.subject}: {violation.detail}", file=sys.stderr)
        return 1
    return 0
