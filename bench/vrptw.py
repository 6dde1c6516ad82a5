"""Solomon VRPTW benchmark: ours (the service's routing model and search) vs PyVRP and VROOM.

    .venv/bin/python bench/vrptw.py --time-limit 10                 # all 56
    .venv/bin/python bench/vrptw.py --subset classes --time-limit 10  # r101 r201 c101 c201 rc101 rc201
    .venv/bin/python bench/vrptw.py --solvers ours --write            # replace the BENCHMARKS.md section

Every solution is evaluated the reference way: each edge floor(10 d)/10, compared with
`min_distance` of ../shared/benchmarks/vrptw/solomon_reference.csv; feasibility of ours by
the library's checker, of the peers by the same checker on their routes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from herne_optim import SolveOptions, check, solomon, solve
from herne_optim.problem import Route, Solution, Step, StepKind

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "benchmarks" / "vrptw"
SECTION = "## VRPTW (Solomon)"
CLASSES = ["r101", "r201", "c101", "c201", "rc101", "rc201"]


def reference() -> dict[str, float]:
    with (SHARED / "solomon_reference.csv").open() as f:
        return {row["instance"]: float(row["min_distance"]) for row in csv.DictReader(f)}


def ours(path: Path, limit: float, seed: int, workers: int = 1) -> list[list[int]]:
    problem = solomon.to_problem(solomon.load(path))
    return solomon.routes_of(solve(problem, SolveOptions(time_limit_s=limit, seed=seed, workers=workers)))


def pyvrp_routes(path: Path, limit: float, seed: int) -> list[list[int]]:
    import pyvrp
    from pyvrp.stop import MaxRuntime

    instance = solomon.load(path)
    scale = 1000  # PyVRP takes integers: milliunits, durations rounded up so its plans stay feasible
    model = pyvrp.Model()
    locations = [model.add_location(x, y) for x, y in instance.coordinates()]
    depot_row = instance.rows[0]
    depot = model.add_depot(locations[0], tw_early=int(depot_row[4] * scale), tw_late=int(depot_row[5] * scale))
    model.add_vehicle_type(
        instance.vehicles,
        capacity=int(instance.capacity),
        start_depot=depot,
        end_depot=depot,
        tw_early=int(depot_row[4] * scale),
        tw_late=int(depot_row[5] * scale),
    )
    for k, (_cid, _x, _y, demand, ready, due, service) in enumerate(instance.rows):
        if k:
            model.add_client(
                locations[k],
                delivery=int(demand),
                service_duration=int(service * scale),
                tw_early=int(ready * scale),
                tw_late=int(due * scale),
            )
    points = instance.coordinates()
    for i, a in enumerate(locations):
        for j, b in enumerate(locations):
            d = math.dist(points[i], points[j])
            model.add_edge(a, b, distance=round(d * scale), duration=math.ceil(d * scale - 1e-6))
    result = model.solve(stop=MaxRuntime(limit), seed=seed, display=False)
    # A client activity's idx numbers the clients from 0 (depot excluded): instance row idx + 1.
    return [[instance.rows[a.idx + 1][0] for a in route if a.is_client()] for route in result.best.routes()]


def vroom_routes(path: Path, limit: float, seed: int) -> list[list[int]]:
    import vroom

    instance = solomon.load(path)
    scale = 1000  # VROOM takes integer costs and durations: milliunits
    points = instance.coordinates()
    matrix = [[math.ceil(math.dist(a, b) * scale) for b in points] for a in points]
    problem = vroom.Input()
    problem.set_durations_matrix("car", matrix)
    depot = instance.rows[0]
    for k in range(instance.vehicles):
        problem.add_vehicle(
            vroom.Vehicle(
                k + 1,
                start=0,
                end=0,
                capacity=[int(instance.capacity)],
                time_window=vroom.TimeWindow(int(depot[4] * scale), int(depot[5] * scale)),
            )
        )
    for k, (cid, _x, _y, demand, ready, due, service) in enumerate(instance.rows):
        if k == 0:
            continue
        problem.add_job(
            vroom.Job(
                cid,
                location=k,
                default_service=int(service * scale),
                delivery=[int(demand)],
                time_windows=[vroom.TimeWindow(int(ready * scale), int(due * scale))],
            )
        )
    solution = problem.solve(exploration_level=5, nb_threads=1)
    routes: dict[int, list[int]] = {}
    for row in solution.routes.itertuples():
        if row.type == "job":
            routes.setdefault(row.vehicle_id, []).append(int(row.id))
    return list(routes.values())


def feasible(path: Path, routes: list[list[int]]) -> bool:
    """Replay the routes (earliest service starts) through the library's checker."""
    instance = solomon.load(path)
    problem = solomon.to_problem(instance)
    jobs = {job.id: job for job in problem.jobs}
    served = [str(c) for r in routes for c in r]
    if sorted(served) != sorted(jobs):
        return False
    built = []
    for vehicle, route in zip(problem.vehicles, routes, strict=False):
        t, load, loc, dist = vehicle.shift.start, 0.0, 0, 0.0
        steps = [Step(StepKind.START, None, 0, t, t, t, {"demand": 0.0})]
        for cid in route:
            job = jobs[str(cid)]
            arrival = t + problem.duration(loc, job.location)
            dist += problem.distance(loc, job.location)
            begin = max(arrival, job.time_windows[0].start)
            load += job.demand["demand"]
            t, loc = begin + job.service_s, job.location
            steps.append(Step(StepKind.JOB, job.id, loc, arrival, begin, t, {"demand": load}))
        t += problem.duration(loc, 0)
        dist += problem.distance(loc, 0)
        steps.append(Step(StepKind.END, None, 0, t, t, t, {"demand": load}))
        built.append(Route(vehicle.id, tuple(steps), dist, 0.0, 0.0))
    if len(routes) > len(problem.vehicles):
        return False
    solution = Solution(tuple(built), (), 0.0, 0.0, 0.0, len(built), "replay")
    return not check(problem, solution)


SOLVERS = {"ours": ours, "pyvrp": pyvrp_routes, "vroom": vroom_routes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--subset", default="all", help="all, classes (one per class) or comma-separated names")
    parser.add_argument("--solvers", default="ours,pyvrp,vroom")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="our parallel searches (default: 2 cores)"
    )
    parser.add_argument("--write", action="store_true", help="replace the BENCHMARKS.md section with the table")
    parser.add_argument("--json", help="also write per-instance results to this file")
    parser.add_argument(
        "--from-json", nargs="+", help="build the table from earlier --json runs (e.g. ours and peers run in parallel)"
    )
    parser.add_argument("--note", default="", help="extra sentence for the BENCHMARKS.md section (e.g. the load)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"missing {SHARED}", file=sys.stderr)
        return 2
    ref = reference()
    names = sorted(ref) if args.subset == "all" else CLASSES if args.subset == "classes" else args.subset.split(",")
    solvers = args.solvers.split(",")
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, dict[str, float | bool]]] = {s: {} for s in solvers}
    if args.from_json:
        results = {}
        for file in args.from_json:
            results.update(json.loads(Path(file).read_text()))
        solvers = list(results)
        names = sorted({n for r in results.values() for n in r})
    for name in names if not args.from_json else ():
        path = SHARED / "solomon" / f"{name}.txt"
        instance = solomon.load(path)
        line = [name]
        for solver in solvers:
            began = time.monotonic()
            if solver == "ours":
                routes = ours(path, args.time_limit, args.seed, args.workers)
            else:
                routes = SOLVERS[solver](path, args.time_limit, args.seed)
            took = time.monotonic() - began
            distance = solomon.truncated_distance(instance, routes)
            gap = 100 * (distance / ref[name] - 1)
            ok = feasible(path, routes)
            results[solver][name] = {"gap": gap, "feasible": ok, "vehicles": len(routes), "seconds": took}
            line.append(f"{solver} {distance:.1f} gap {gap:5.2f}% k={len(routes)} {'ok' if ok else 'INFEASIBLE'}")
        print(" | ".join(line), flush=True)
    load_after = os.getloadavg()[0]
    table = [
        "| solver | instances | mean gap | max gap | feasible | mean vehicles |",
        "|---|---|---|---|---|---|",
    ]
    for solver in solvers:
        rows = results[solver].values()
        gaps = [r["gap"] for r in rows]
        table.append(
            f"| {solver} | {len(gaps)} | {statistics.mean(gaps):.2f} % | {max(gaps):.2f} % | "
            f"{sum(bool(r['feasible']) for r in rows)}/{len(gaps)} | "
            f"{statistics.mean(float(r['vehicles']) for r in rows):.1f} |"
        )
    groups = sorted({n.rstrip("0123456789") + n.lstrip("rc")[0] for n in names})
    table += ["", "| mean gap by class | " + " | ".join(groups) + " |", "|---|" + "---|" * len(groups)]
    for solver in solvers:
        cells = []
        for group in groups:
            gaps = [r["gap"] for n, r in results[solver].items() if n.rstrip("0123456789") + n.lstrip("rc")[0] == group]
            cells.append(f"{statistics.mean(gaps):.2f} %" if gaps else "-")
        table.append(f"| {solver} | " + " | ".join(cells) + " |")
    print("\n".join(table))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.write:
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        text = (
            f"{SECTION}\n\n`bench/vrptw.py --time-limit {args.time_limit:g} --subset {args.subset}` "
            f"({len(names)} instances: {', '.join(names) if len(names) < 56 else 'all 56'}), run {when} on "
            f"{platform.node() or 'the standard machine'} ({os.cpu_count()} cores, {platform.python_version()}), "
            f"shared with other work: load average {load_before:.1f} before, {load_after:.1f} after. "
            f"{args.note + ' ' if args.note else ''}Distances "
            "truncated per edge (floor(10 d)/10) against `min_distance`; feasibility by `herne_optim.checker`. "
            "Ours = `herne-mobility waste solve-vrptw` (the service's model and search), "
            f"{args.workers} search(es) side by side (`--workers {args.workers}`).\n\n" + "\n".join(table) + "\n"
        )
        write_section(ROOT / "BENCHMARKS.md", text)
    return 0


def write_section(path: Path, text: str) -> None:
    content = path.read_text()
    start = content.find(SECTION)
    if start < 0:
        content = content.rstrip("\n") + "\n\n" + text
    else:
        end = content.find("\n## ", start + len(SECTION))
        content = content[:start] + text + ("\n" + content[end + 1 :] if end >= 0 else "")
    path.write_text(content)


if __name__ == "__main__":
    sys.exit(main())
