"""Solomon VRPTW instances (the classic text format) as `RoutingProblem`s.

Travel time = distance = Euclidean distance in double precision; vehicles leave the depot
not before its ready time and return by its due date; one capacity dimension ``demand``.
Costs are per distance unit (``cost_per_km`` 1000 on "metre" units), so the objective is the
total distance, the quantity the Solomon distance benchmark compares.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

from herne_optim.problem import Job, ProblemError, RoutingProblem, Solution, TimeWindow, Vehicle

DIMENSION = "demand"


@dataclass(frozen=True)
class SolomonInstance:
    name: str
    vehicles: int
    capacity: float
    # (id, x, y, demand, ready, due, service); row 0 is the depot
    rows: tuple[tuple[int, float, float, float, float, float, float], ...]

    def coordinates(self) -> list[tuple[float, float]]:
        return [(row[1], row[2]) for row in self.rows]


def parse(text: str, name: str = "instance") -> SolomonInstance:
    lines = [line.split() for line in text.splitlines()]
    vehicles = capacity = None
    rows: list[tuple[int, float, float, float, float, float, float]] = []
    for k, parts in enumerate(lines):
        if parts[:2] == ["NUMBER", "CAPACITY"]:
            following = next(p for p in lines[k + 1 :] if p)
            vehicles, capacity = int(following[0]), float(following[1])
        elif len(parts) == 7 and all(_is_number(p) for p in parts):
            cid, x, y, demand, ready, due, service = parts
            rows.append((int(cid), float(x), float(y), float(demand), float(ready), float(due), float(service)))
    if vehicles is None or capacity is None or len(rows) < 2:
        raise ProblemError(f"{name}: not a Solomon instance (VEHICLE section or customers missing)")
    if rows[0][0] != 0:
        raise ProblemError(f"{name}: the first customer row must be the depot (id 0)")
    return SolomonInstance(name, vehicles, capacity, tuple(rows))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load(path: str | Path) -> SolomonInstance:
    path = Path(path)
    return parse(path.read_text(), path.stem)


def to_problem(instance: SolomonInstance) -> RoutingProblem:
    points = instance.coordinates()
    matrix = [[math.dist(a, b) for b in points] for a in points]
    depot = instance.rows[0]
    jobs = tuple(
        Job(
            id=str(cid),
            location=k,
            service_s=service,
            demand={DIMENSION: demand},
            time_windows=(TimeWindow(ready, due),),
        )
        for k, (cid, _x, _y, demand, ready, due, service) in enumerate(instance.rows)
        if k > 0
    )
    vehicles = tuple(
        Vehicle(
            id=f"v{k + 1}",
            start_location=0,
            end_location=0,
            shift=TimeWindow(depot[4], depot[5]),
            capacity={DIMENSION: instance.capacity},
            cost_per_km=1000.0,
        )
        for k in range(instance.vehicles)
    )
    return RoutingProblem(durations=matrix, jobs=jobs, vehicles=vehicles)


def truncated_distance(instance: SolomonInstance, routes: list[list[int]]) -> float:
    """Total distance with every edge truncated to one decimal (the reference convention)."""
    points = {row[0]: (row[1], row[2]) for row in instance.rows}
    total = 0.0
    for route in routes:
        path = [0, *route, 0]
        for a, b in itertools.pairwise(path):
            total += math.floor(10 * math.dist(points[a], points[b])) / 10
    return round(total, 1)


def routes_of(solution: Solution) -> list[list[int]]:
    """Customer ids per used vehicle, depot excluded."""
    return [[int(job_id) for job_id in route.job_ids] for route in solution.routes if route.job_ids]
