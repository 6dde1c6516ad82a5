"""The OR-Tools routing model of a `RoutingProblem`.

Integer scales: OR-Tools works in int64, so times are milliseconds (travel and service
rounded *up*, windows rounded inwards: a plan feasible here is feasible in exact seconds),
quantities thousandths (demand up, capacity down) and costs `COST_SCALE` units per cost unit
(fine enough that ties and rounding do not steer the search).

Nodes: one per distinct vehicle start/end location (open starts/ends get a dummy node at
zero distance from everything), one per job, and copies of every disposal site (an unload
visit each, optional at no penalty) so a vehicle can make several trips a shift: a copy's
demand is minus the largest capacity and the load dimensions allow slack only there, which
lets the load drop back to zero (the reload pattern of the OR-Tools examples).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from ortools.constraint_solver import pywrapcp

from herne_optim.problem import (
    DisposalSite,
    Job,
    RoutingProblem,
    TimeWindow,
    Unassigned,
    UnassignedReason,
    Vehicle,
)

TIME_SCALE = 1000  # ms
QUANTITY_SCALE = 1000
COST_SCALE = 10_000_000  # integer objective units per cost unit
MANDATORY_PENALTY = 10**13  # unserved mandatory job: dwarfs any route cost, still summable
_EPS = 1e-6


def scale_up(x: float, scale: int) -> int:
    return math.ceil(x * scale - _EPS)


def scale_down(x: float, scale: int) -> int:
    return math.floor(x * scale + _EPS)


@dataclass
class NodeInfo:
    location: int | None  # None: dummy open start/end
    job: Job | None = None
    site: DisposalSite | None = None

    @property
    def service_s(self) -> float:
        if self.job is not None:
            return self.job.service_s
        if self.site is not None:
            return self.site.unload_s
        return 0.0


@dataclass
class BreakVar:
    vehicle: int
    break_id: str
    interval: Any  # pywrapcp.IntervalVar


@dataclass
class Model:
    problem: RoutingProblem
    manager: Any
    routing: Any
    nodes: list[NodeInfo]
    job_index: dict[str, int]  # job id -> routing index
    site_indices: dict[str, list[int]]  # site id -> routing indices of its copies
    time: Any
    loads: dict[str, Any]  # dimension name -> RoutingDimension
    breaks: list[BreakVar]
    dims: tuple[str, ...]
    prefiltered: list[Unassigned] = field(default_factory=list)
    locked_chains: dict[int, list[int]] = field(default_factory=dict)  # vehicle -> routing indices

    def routes_to_indices(self, routes: dict[str, list[str]]) -> list[list[int]]:
        """Vehicle id -> stop ids (jobs, disposal sites) as routing indices per vehicle."""
        vehicle_pos = {v.id: k for k, v in enumerate(self.problem.vehicles)}
        out: list[list[int]] = [[] for _ in self.problem.vehicles]
        free = {site: list(idx) for site, idx in self.site_indices.items()}
        for vehicle_id, stops in routes.items():
            v = vehicle_pos[vehicle_id]
            for stop in stops:
                if stop in self.job_index:
                    out[v].append(self.job_index[stop])
                elif free.get(stop):
                    out[v].append(free[stop].pop(0))
        return out


def _horizon(problem: RoutingProblem) -> int:
    latest = max((v.shift.end for v in problem.vehicles), default=0.0)
    return scale_up(latest, TIME_SCALE) + 1


def prefilter(problem: RoutingProblem) -> tuple[list[Job], list[Unassigned]]:
    """Jobs that no vehicle can ever serve, with the reason; the rest go into the model."""
    keep: list[Job] = []
    out: list[Unassigned] = []
    vehicle_by_id = {v.id: v for v in problem.vehicles}
    for job in problem.jobs:
        candidates = [v for v in problem.vehicles if job.skills <= v.skills]
        if job.locked is not None:
            locked_vehicle = vehicle_by_id[job.locked.vehicle_id]
            reason = _vehicle_cannot_serve(problem, job, locked_vehicle)
            if reason is not None:
                out.append(Unassigned(job.id, UnassignedReason.LOCK_INFEASIBLE, f"locked vehicle: {reason}"))
                continue
            keep.append(job)
            continue
        if not candidates:
            out.append(Unassigned(job.id, UnassignedReason.NO_SKILLED_VEHICLE, f"needs skills {sorted(job.skills)}"))
            continue
        fits = [v for v in candidates if _fits_capacity(job, v)]
        if not fits:
            out.append(
                Unassigned(job.id, UnassignedReason.EXCEEDS_CAPACITY, f"demand {dict(job.demand)} beyond every vehicle")
            )
            continue
        if not any(_reachable(problem, job, v) for v in fits):
            out.append(
                Unassigned(
                    job.id,
                    UnassignedReason.TIME_WINDOW_UNREACHABLE,
                    "no shift can reach it within its time windows and get back in time",
                )
            )
            continue
        keep.append(job)
    return keep, out


def _fits_capacity(job: Job, vehicle: Vehicle) -> bool:
    return all(amount <= vehicle.capacity.get(dim, math.inf) + _EPS for dim, amount in job.demand.items())


def _reachable(problem: RoutingProblem, job: Job, vehicle: Vehicle) -> bool:
    there = 0.0 if vehicle.start_location is None else problem.duration(vehicle.start_location, job.location)
    back = 0.0 if vehicle.end_location is None else problem.duration(job.location, vehicle.end_location)
    earliest = vehicle.shift.start + there
    windows = job.time_windows or (TimeWindow(vehicle.shift.start, vehicle.shift.end),)
    for window in windows:
        begin = max(earliest, window.start)
        if begin <= window.end + _EPS and begin + job.service_s + back <= vehicle.shift.end + _EPS:
            return True
    return False


def _vehicle_cannot_serve(problem: RoutingProblem, job: Job, vehicle: Vehicle) -> str | None:
    if not job.skills <= vehicle.skills:
        return f"lacks skills {sorted(job.skills - vehicle.skills)}"
    if not _fits_capacity(job, vehicle):
        return "demand exceeds its capacity"
    if not _reachable(problem, job, vehicle):
        return "cannot reach it within its time windows and shift"
    return None


def build(problem: RoutingProblem) -> Model:  # noqa: PLR0912, PLR0915 - one linear recipe
    jobs, prefiltered = prefilter(problem)
    vehicles = problem.vehicles
    dims = problem.dimensions

    nodes: list[NodeInfo] = []
    depot_node: dict[int | None, int] = {}

    def depot(location: int | None) -> int:
        if location not in depot_node:
            depot_node[location] = len(nodes)
            nodes.append(NodeInfo(location))
        return depot_node[location]

    starts = [depot(v.start_location) for v in vehicles]
    ends = [depot(v.end_location) for v in vehicles]
    job_node: dict[str, int] = {}
    for job in jobs:
        job_node[job.id] = len(nodes)
        nodes.append(NodeInfo(job.location, job=job))

    site_nodes: dict[str, list[int]] = {}
    if problem.disposal_sites and dims:
        copies = _site_copies(problem, jobs)
        for site in problem.disposal_sites:
            site_nodes[site.id] = []
            for _ in range(copies):
                site_nodes[site.id].append(len(nodes))
                nodes.append(NodeInfo(site.location, site=site))

    manager = pywrapcp.RoutingIndexManager(len(nodes), len(vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()
    size = routing.Size() + routing.vehicles()  # every index incl. ends
    index_node = [manager.IndexToNode(i) for i in range(size)]

    def travel(a: int, b: int, table: str) -> float:
        la, lb = nodes[a].location, nodes[b].location
        if la is None or lb is None or a == b:
            return 0.0
        return problem.duration(la, lb) if table == "time" else problem.distance(la, lb)

    n = len(nodes)
    dist_m = [[travel(a, b, "dist") for b in range(n)] for a in range(n)]
    time_s = [[travel(a, b, "time") for b in range(n)] for a in range(n)]
    service_ms = [scale_up(node.service_s, TIME_SCALE) for node in nodes]
    time_ms = [[service_ms[a] + scale_up(time_s[a][b], TIME_SCALE) for b in range(n)] for a in range(n)]

    # Arc costs: one matrix per distinct (per km, per hour) cost class; the time part covers
    # driving and service, waiting is costed through the span coefficient below.
    cost_classes: dict[tuple[float, float], int] = {}
    for v, vehicle in enumerate(vehicles):
        key = (vehicle.cost_per_km, vehicle.cost_per_hour)
        if key not in cost_classes:
            per_m = vehicle.cost_per_km / 1000 * COST_SCALE
            matrix = [[round(per_m * dist_m[a][b]) for b in range(n)] for a in range(n)]
            cost_classes[key] = routing.RegisterTransitMatrix(matrix)
        routing.SetArcCostEvaluatorOfVehicle(cost_classes[key], v)
        if vehicle.cost_fixed:
            routing.SetFixedCostOfVehicle(round(vehicle.cost_fixed * COST_SCALE), v)

    horizon = _horizon(problem)
    time_cb = routing.RegisterTransitMatrix(time_ms)
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time = routing.GetDimensionOrDie("time")
    for v, vehicle in enumerate(vehicles):
        lo, hi = scale_up(vehicle.shift.start, TIME_SCALE), scale_down(vehicle.shift.end, TIME_SCALE)
        time.CumulVar(routing.Start(v)).SetRange(lo, hi)
        time.CumulVar(routing.End(v)).SetRange(lo, hi)
        if vehicle.cost_per_hour:
            time.SetSpanCostCoefficientForVehicle(
                max(1, round(vehicle.cost_per_hour * COST_SCALE / 3600 / TIME_SCALE)), v
            )
        if vehicle.max_duration_s is not None:
            time.SetSpanUpperBoundForVehicle(scale_down(vehicle.max_duration_s, TIME_SCALE), v)
        # No cumul finalizers: they fight the break intervals' placement (no solution at all).

    def restrict_windows(index: int, windows: tuple[TimeWindow, ...]) -> None:
        if not windows:
            return
        ordered = sorted(windows, key=lambda w: w.start)
        cumul = time.CumulVar(index)
        cumul.SetRange(scale_up(ordered[0].start, TIME_SCALE), scale_down(ordered[-1].end, TIME_SCALE))
        for a, b in itertools.pairwise(ordered):
            gap_lo, gap_hi = scale_down(a.end, TIME_SCALE) + 1, scale_up(b.start, TIME_SCALE) - 1
            if gap_lo <= gap_hi:
                cumul.RemoveInterval(gap_lo, gap_hi)

    job_index: dict[str, int] = {}
    vehicle_pos = {vehicle.id: k for k, vehicle in enumerate(vehicles)}
    for job in jobs:
        index = manager.NodeToIndex(job_node[job.id])
        job_index[job.id] = index
        restrict_windows(index, job.time_windows)
        if job.locked is not None:
            routing.VehicleVar(index).SetValues([-1, vehicle_pos[job.locked.vehicle_id]])
        else:
            allowed = [k for k, vehicle in enumerate(vehicles) if job.skills <= vehicle.skills]
            if len(allowed) < len(vehicles):
                routing.VehicleVar(index).SetValues([-1, *allowed])  # SetAllowedVehiclesForIndex: no lists in 9.15
        penalty = MANDATORY_PENALTY if job.penalty is None or job.locked else round(job.penalty * COST_SCALE)
        routing.AddDisjunction([index], penalty)

    site_indices: dict[str, list[int]] = {}
    for site in problem.disposal_sites:
        if site.id not in site_nodes:
            continue
        allowed = [
            k
            for k, vehicle in enumerate(vehicles)
            if vehicle.disposal_site_ids is None or site.id in vehicle.disposal_site_ids
        ]
        site_indices[site.id] = []
        for node in site_nodes[site.id]:
            index = manager.NodeToIndex(node)
            site_indices[site.id].append(index)
            if site.opening is not None:
                restrict_windows(index, (site.opening,))
            if len(allowed) < len(vehicles):
                routing.VehicleVar(index).SetValues([-1, *allowed])  # SetAllowedVehiclesForIndex: no lists in 9.15
            routing.AddDisjunction([index], 0)

    # Load dimensions, with the reload slack at disposal copies.
    loads: dict[str, Any] = {}
    reload_indices = {i for idx in site_indices.values() for i in idx}
    for dim in dims:
        demand_total = sum(job.demand.get(dim, 0.0) for job in jobs)
        caps = [
            scale_down(vehicle.capacity[dim], QUANTITY_SCALE)
            if dim in vehicle.capacity
            else scale_up(demand_total, QUANTITY_SCALE) + 1
            for vehicle in vehicles
        ]
        max_cap = max(caps, default=0)
        demand = []
        for node in nodes:
            if node.job is not None:
                demand.append(scale_up(node.job.demand.get(dim, 0.0), QUANTITY_SCALE))
            elif node.site is not None:
                demand.append(-max_cap)
            else:
                demand.append(0)
        callback = routing.RegisterUnaryTransitVector(demand)
        slack = max_cap if reload_indices else 0
        routing.AddDimensionWithVehicleCapacity(callback, slack, caps, True, f"load:{dim}")
        dimension = routing.GetDimensionOrDie(f"load:{dim}")
        loads[dim] = dimension
        if reload_indices:
            for index in range(routing.Size()):
                if index not in reload_indices and not routing.IsStart(index):
                    dimension.SlackVar(index).SetValue(0)
            for v in range(len(vehicles)):
                dimension.SlackVar(routing.Start(v)).SetValue(0)
        for v, vehicle in enumerate(vehicles):
            if vehicle.must_unload_before_end:
                dimension.CumulVar(routing.End(v)).SetMax(0)

    # Breaks: fixed ones and the statutory driving rule, all on the time dimension.
    breaks: list[BreakVar] = []
    service_by_index = [service_ms[index_node[i]] for i in range(routing.Size())]
    for v, vehicle in enumerate(vehicles):
        intervals = []
        for brk in vehicle.breaks:
            ordered = sorted(brk.windows, key=lambda w: w.start)
            lo, hi = scale_up(ordered[0].start, TIME_SCALE), scale_down(ordered[-1].end, TIME_SCALE)
            interval = solver.FixedDurationIntervalVar(
                lo, hi, scale_up(brk.duration_s, TIME_SCALE), brk.optional, f"break:{v}:{brk.id}"
            )
            for a, b in itertools.pairwise(ordered):
                gap_lo, gap_hi = scale_down(a.end, TIME_SCALE) + 1, scale_up(b.start, TIME_SCALE) - 1
                if gap_lo <= gap_hi:
                    solver.Add(solver.Max(interval.SafeStartExpr(0) < gap_lo, interval.SafeStartExpr(0) > gap_hi) == 1)
            intervals.append(interval)
            breaks.append(BreakVar(v, brk.id, interval))
        rule = vehicle.driving_rule
        if rule is not None:
            # A chain of rest breaks: the first within max_continuous of leaving, each next
            # within max_continuous of the previous one's end, the route's end within
            # max_continuous of the last; breaks not needed fall after the end (off duty).
            span = max(0.0, vehicle.shift.end - vehicle.shift.start)
            count = max(0, math.ceil(span / rule.max_continuous_s) - 1)
            lo, hi = scale_up(vehicle.shift.start, TIME_SCALE), scale_down(vehicle.shift.end, TIME_SCALE)
            limit = scale_down(rule.max_continuous_s, TIME_SCALE)
            previous_end = time.CumulVar(routing.Start(v))
            for k in range(count):
                interval = solver.FixedDurationIntervalVar(
                    lo, hi, scale_up(rule.break_s, TIME_SCALE), False, f"break:{v}:rest-{k + 1}"
                )
                solver.Add(interval.StartExpr() >= previous_end)
                solver.Add(interval.StartExpr() <= previous_end + limit)
                previous_end = interval.EndExpr()
                intervals.append(interval)
                breaks.append(BreakVar(v, f"rest-{k + 1}", interval))
            end_cumul = time.CumulVar(routing.End(v))
            solver.Add(end_cumul <= previous_end + limit)
        if intervals:
            # OR-Tools semantics, which the checker shares: a break lies in a transit of the
            # route, or wholly before its start or after its end (then the crew is off duty).
            time.SetBreakIntervalsOfVehicle(intervals, v, service_by_index)
            if len(intervals) > 1:
                solver.Add(solver.DisjunctiveConstraint(intervals, f"breaks:{v}"))

    # Locked positions: the dispatched prefix of a route is fixed.
    locked_chains: dict[int, list[int]] = {}
    for v, vehicle in enumerate(vehicles):
        chain = sorted(
            (job.locked.position, job_index[job.id])
            for job in jobs
            if job.locked is not None and job.locked.vehicle_id == vehicle.id and job.locked.position is not None
        )
        if not chain:
            continue
        previous = routing.Start(v)
        for _, index in chain:
            solver.Add(routing.NextVar(previous) == index)
            previous = index
        locked_chains[v] = [index for _, index in chain]

    return Model(
        problem=problem,
        manager=manager,
        routing=routing,
        nodes=nodes,
        job_index=job_index,
        site_indices=site_indices,
        time=time,
        loads=loads,
        breaks=breaks,
        dims=dims,
        prefiltered=prefiltered,
        locked_chains=locked_chains,
    )


def _site_copies(problem: RoutingProblem, jobs: list[Job]) -> int:
    """Unload visits to offer per site: enough for every trip the day could need."""
    trips = 1
    for dim in problem.dimensions:
        total = sum(job.demand.get(dim, 0.0) for job in jobs)
        caps = [v.capacity[dim] for v in problem.vehicles if dim in v.capacity and v.capacity[dim] > 0]
        if caps and total > 0:
            trips = max(trips, math.ceil(total / min(caps)))
    return max(1, min(len(jobs) + len(problem.vehicles), trips + len(problem.vehicles)))
