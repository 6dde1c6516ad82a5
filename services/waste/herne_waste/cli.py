"""`herne-mobility waste ...` commands."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from herne_optim.network import RoadNetwork


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    vrptw = subparsers.add_parser(
        "solve-vrptw", help="solve a Solomon VRPTW instance with the service's routing model, print JSON"
    )
    vrptw.add_argument("--solomon", required=True, help="instance file (Solomon text format)")
    vrptw.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    vrptw.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    vrptw.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="searches side by side, the best wins (default: min(2, cores))",
    )
    vrptw.set_defaults(handler=_solve_vrptw)
    _add_plan_day(subparsers)
    from herne_waste.tours_cli import add_tours_command  # the tours table (waste service engineer)

    add_tours_command(subparsers)


def _solve_vrptw(args: argparse.Namespace) -> int:
    from herne_optim import ProblemError, SolveOptions, check, solomon, solve

    try:
        instance = solomon.load(args.solomon)
        options = SolveOptions(time_limit_s=args.time_limit, seed=args.seed, workers=args.workers)
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


def _add_plan_day(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    plan = subparsers.add_parser(
        "plan-day",
        help="plan a VROOM-format problem (JSON) with the service's routing model, write a VROOM-style solution",
    )
    plan.add_argument("--problem", required=True, help="VROOM problem JSON (see herne_optim.vroom for extensions)")
    plan.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    plan.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    plan.add_argument("--out", help="write the solution here (atomically); default: stdout")
    plan.add_argument(
        "--road-network",
        help="for problems with coordinates and no matrix: travel on this road network "
        "('demo' = the Herne demo network, or an .osm / network .json file) instead of the straight-line estimate",
    )
    plan.set_defaults(handler=_plan_day)


def _plan_day(args: argparse.Namespace) -> int:
    """Exit 0: planned and checked; 1: the checker found violations; 2: bad input."""
    import os
    import tempfile
    import time

    from herne_optim import ProblemError, SolveOptions, vroom

    began = time.monotonic()
    try:
        network = _road_network(args.road_network) if args.road_network else None
    except (OSError, ValueError, SyntaxError) as exc:  # SyntaxError: malformed OSM XML
        print(f"plan-day: cannot load road network {args.road_network}: {exc}", file=sys.stderr)
        return 2
    try:
        options = SolveOptions(time_limit_s=args.time_limit, seed=args.seed)
        with open(args.problem, "rb") as handle:
            problem = vroom.loads_problem(handle.read(vroom.MAX_INPUT_BYTES + 1), network=network)
    except OSError as exc:
        print(f"plan-day: cannot read {args.problem}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except ProblemError as exc:
        print(f"plan-day: {args.problem}: {exc}", file=sys.stderr)
        return 2
    result = vroom.plan(problem, options, loading_ms=round((time.monotonic() - began) * 1000))
    text = json.dumps(result, indent=2) + "\n"
    if args.out:
        directory = os.path.dirname(os.path.abspath(args.out))
        try:
            fd, tmp = tempfile.mkstemp(prefix=".plan-", suffix=".json", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(tmp, args.out)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            print(f"plan-day: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    for violation in result["herne"]["check_violations"][:20]:
        print(f"violation: {violation['kind']} {violation['subject']}: {violation['detail']}", file=sys.stderr)
    return 1 if result["herne"]["check_violations"] else 0


def _road_network(spec: str) -> RoadNetwork:
    from pathlib import Path

    from herne_optim.network import RoadNetwork
    from herne_optim.osm import load_osm

    if spec == "demo":
        return RoadNetwork.demo()
    return load_osm(spec) if spec.endswith(".osm") else RoadNetwork.from_json(Path(spec))
