"""Search on the routing model and turning an OR-Tools assignment into a `Solution`."""

from __future__ import annotations

import heapq
import logging
import math
import random
import time as clock
from dataclasses import dataclass, field
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from herne_optim.problem import (
    Job,
    Route,
    RoutingProblem,
    Solution,
    SolveOptions,
    Step,
    StepKind,
    Unassigned,
    UnassignedReason,
)
from herne_optim.routing.model import MANDATORY_PENALTY, TIME_SCALE, Model, build

_log = logging.getLogger(__name__)
_FIRST = routing_enums_pb2.FirstSolutionStrategy
_META = routing_enums_pb2.LocalSearchMetaheuristic


PROBE_STRATEGIES = (
    "PARALLEL_CHEAPEST_INSERTION",
    "PATH_CHEAPEST_ARC",
    "LOCAL_CHEAPEST_INSERTION",
    "SAVINGS",
)
_PROBE_SHARE = 0.15  # of the time limit, split over the first-solution probes
_RUIN_SHARE = 0.85  # of the time after the probes, for ruin and recreate after GLS (measured: 0.85 beats 0.5)
_REPAIR_S = 0.3  # limit of one reinsert-and-descend step


def search_parameters(options: SolveOptions, time_limit_s: float, first: str, metaheuristic: str | None = None) -> Any:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(_FIRST, first)
    params.local_search_metaheuristic = getattr(_META, metaheuristic or options.metaheuristic)
    # Gentler penalties than the default 0.1: mean Solomon gap 3.5 % vs 4.2 % on a ten-instance
    # mixed subset at 10 s (bench/vrptw.py); a general setting, not per instance.
    params.guided_local_search_lambda_coefficient = 0.05
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    params.log_search = options.log_search
    return params


@dataclass(order=True)
class _Attempt:
    key: tuple[int, int]  # (unserved mandatory jobs, objective): lower is better
    routes: list[list[int]] = field(compare=False)


def _run(model: Model, params: Any, initial: list[list[int]] | None, seed: int) -> _Attempt | None:
    routing = model.routing
    routing.solver().ReSeed(seed)
    assignment = None
    if initial is not None:
        start = routing.ReadAssignmentFromRoutes(initial, True)
        if start is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start, params)
    if assignment is None:
        assignment = routing.SolveWithParameters(params)
    if assignment is None:
        return None
    routes = []
    for v in range(routing.vehicles()):
        route, index = [], assignment.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            route.append(index)
            index = assignment.Value(routing.NextVar(index))
        routes.append(route)
    unserved = sum(
        1
        for job_id, index in model.job_index.items()
        if assignment.Value(routing.NextVar(index)) == index and model.problem.job(job_id).penalty is None
    )
    return _Attempt((unserved, assignment.ObjectiveValue()), routes)


def solve(problem: RoutingProblem, options: SolveOptions | None = None) -> Solution:
    """Probe the first-solution strategies briefly, then improve the best with the metaheuristic.

    The probes are the restarts: each builds a plan its own way and descends to a local
    optimum; breaks and multi-trip side constraints defeat some heuristics on some inputs,
    so the probe also makes the search robust. The winner's routes warm-start the long run.
    """
    options = options or SolveOptions()
    began = clock.monotonic()
    if not problem.vehicles:
        unassigned = tuple(
            Unassigned(job.id, UnassignedReason.NO_SKILLED_VEHICLE, "the fleet is empty") for job in problem.jobs
        )
        return _empty(problem, unassigned, began)
    strategies: tuple[str, ...] = (options.first_solution,)
    if options.first_solution == "auto":
        strategies = PROBE_STRATEGIES
        if problem.disposal_sites or any(v.breaks or v.driving_rule for v in problem.vehicles):
            # The insertion heuristics and the local search often cannot place breaks or
            # unload trips (measured: 3 of 8 jobs served); the CP search assigning the next
            # variables one by one does, on small days.
            strategies = (*strategies, "FIRST_UNBOUND_MIN_VALUE")
    probe_s = options.time_limit_s * _PROBE_SHARE / len(strategies)
    best: _Attempt | None = None
    if problem.initial_routes:
        model = build(problem)
        initial = model.routes_to_indices(dict(problem.initial_routes))
        best = _run(model, search_parameters(options, probe_s, strategies[0], "GREEDY_DESCENT"), initial, options.seed)
    for first in strategies:
        model = build(problem)
        attempt = _run(model, search_parameters(options, probe_s, first, "GREEDY_DESCENT"), None, options.seed)
        if attempt is not None and (best is None or attempt < best):
            best = attempt
    remaining = options.time_limit_s - (clock.monotonic() - began)
    model = build(problem)
    routing = model.routing
    routing.solver().ReSeed(options.seed)
    params = search_parameters(options, max(0.05, remaining * (1 - _RUIN_SHARE)), strategies[0])
    if options.max_iterations is not None:
        # A work budget instead of a clock: the same plan on any machine (see SolveOptions).
        params.solution_limit = options.max_iterations
    assignment = None
    if best is not None:
        start = routing.ReadAssignmentFromRoutes(best.routes, True)
        if start is not None:
            assignment = routing.SolveFromAssignmentWithParameters(start, params)
    if assignment is None:
        assignment = routing.SolveWithParameters(params)
    if assignment is None:
        unassigned = tuple(model.prefiltered) + tuple(
            Unassigned(job_id, UnassignedReason.NO_ROOM, "no feasible plan found within the time limit")
            for job_id in model.job_index
        )
        return _empty(problem, unassigned, began)
    improved = _ruin_and_recreate(problem, options, _routes_of(routing, assignment), began)
    if improved is not None:
        model, assignment = improved
    return extract(model, assignment, began)


def _routes_of(routing: Any, assignment: Any) -> list[list[int]]:
    routes = []
    for v in range(routing.vehicles()):
        route, index = [], assignment.Value(routing.NextVar(routing.Start(v)))
        while not routing.IsEnd(index):
            route.append(index)
            index = assignment.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def _repair_parameters(options: SolveOptions) -> Any:
    params = search_parameters(options, _REPAIR_S, "PARALLEL_CHEAPEST_INSERTION", "GREEDY_DESCENT")
    # The global-cheapest-insertion path LNS takes half the time of a repair and adds nothing
    # after a ruin (measured on rc105: 102 vs 205 ms per repair, same mean cost over 20).
    params.local_search_operators.use_global_cheapest_insertion_path_lns = _BOOL_FALSE
    return params


_BOOL_FALSE = 2  # ortools.util.optional_boolean_pb2.BOOL_FALSE
_STRING_SHARE = 0.5  # of the ruins: SISR strings; the rest remove a cluster of 8-16 nearby jobs
_SISR_AVG_REMOVED = 10  # c-bar of SISR: jobs removed on average
_SISR_MAX_STRING = 10  # L-max of SISR: longest string taken from one route
_NEIGHBOURS = 100  # nearest jobs kept per job for the ruins
# Simulated-annealing acceptance of the current plan (the best is kept apart): a worse plan
# replaces it with probability exp(-(delta) / T), T falling from T0 to T1 (share of the cost).
_T0_SHARE = 0.002  # measured: 0.005 too hot (8 Solomon instances 2.14 % vs 1.58 %)
_T1_SHARE = 0.0001


def _ruin_and_recreate(
    problem: RoutingProblem, options: SolveOptions, routes: list[list[int]], began: float
) -> tuple[Model, Any] | None:
    """Our own outer loop: ruin the current plan, let OR-Tools reinsert and descend (greedy,
    short), keep the result by its cost. Two ruins, half each: SISR strings (consecutive jobs
    from several routes near a random job) and a cluster of 8-16 jobs nearest a random one.

    GLS alone stalls on tight time windows; these large, local moves get it out (see
    BENCHMARKS.md, VRPTW).
    """
    model = build(problem)
    routing = model.routing
    routing.solver().ReSeed(options.seed)
    rng = random.Random(options.seed)  # noqa: S311 - search randomness, reproducible by seed
    params = _repair_parameters(options)
    start = routing.ReadAssignmentFromRoutes(routes, True)
    if start is None:
        return None
    best = routing.SolveFromAssignmentWithParameters(start, params)
    if best is None:
        return None
    location = {index: model.nodes[model.manager.IndexToNode(index)].location for index in model.job_index.values()}
    neighbours = {
        i: heapq.nsmallest(
            _NEIGHBOURS,
            (j for j in location if j != i),
            key=lambda j, i=i: (_travel(problem, location[i], location[j], "dist"), j),
        )
        for i in location
    }
    best_cost = best.ObjectiveValue()
    current, current_cost = _routes_of(routing, best), best_cost
    rounds = accepted = 0
    loop_began = clock.monotonic()
    loop_s = max(1e-3, options.time_limit_s - _REPAIR_S - (loop_began - began))
    while clock.monotonic() - began < options.time_limit_s - _REPAIR_S:
        if options.max_iterations is not None and rounds >= options.max_iterations:
            break
        rounds += 1
        served = [index for route in current for index in route if index in location]
        if len(served) < 2:
            break
        removed = _ruin(rng, current, served, neighbours)
        ruined = [[index for index in route if index not in removed] for route in current]
        # RoutesToAssignment, not ReadAssignmentFromRoutes: the latter runs a solver per call
        # and, once a repair has hit its time limit at the wrong moment, kept failing for the
        # rest of the run (seen on rc105: every round wasted).
        start = routing.solver().Assignment()
        if not routing.RoutesToAssignment(ruined, True, True, start):
            continue
        candidate = routing.SolveFromAssignmentWithParameters(start, params)
        if candidate is None:
            continue
        cost = candidate.ObjectiveValue()
        threshold = _threshold(rng, current_cost, _progress(options, rounds, loop_began, loop_s))
        if cost < threshold:
            current, current_cost = _routes_of(routing, candidate), cost
            accepted += 1
            if cost < best_cost:
                best, best_cost = candidate, cost
    _log.debug("ruin and recreate: %d rounds, %d accepted, best %d", rounds, accepted, best_cost)
    return model, best


def _ruin(rng: random.Random, routes: list[list[int]], served: list[int], neighbours: dict[int, list[int]]) -> set[int]:
    if rng.random() < _STRING_SHARE:
        return _string_removal(rng, routes, served, neighbours)
    seed = rng.choice(served)
    on = set(served)
    size = min(len(served), rng.randint(8, 16))
    return {seed, *[j for j in neighbours[seed] if j in on][: size - 1]}


def _progress(options: SolveOptions, rounds: int, loop_began: float, loop_s: float) -> float:
    if options.max_iterations is not None:
        return rounds / max(1, options.max_iterations)  # reproducible under a work budget
    return min(1.0, (clock.monotonic() - loop_began) / loop_s)


def _threshold(rng: random.Random, current_cost: int, progress: float) -> float:
    """Cost a candidate must beat to replace the current plan."""
    if _T0_SHARE <= 0:
        return current_cost
    # Scaled by the plan's cost without the unserved-mandatory penalties: those would make
    # the temperature a random walk over the routes while a job is still left out.
    temperature = _T0_SHARE * (current_cost % MANDATORY_PENALTY) * (_T1_SHARE / _T0_SHARE) ** progress
    return current_cost - temperature * math.log(1 - rng.random())


def _string_removal(
    rng: random.Random, routes: list[list[int]], served: list[int], neighbours: dict[int, list[int]]
) -> set[int]:
    """SISR ruin (Christiaens and Vanden Berghe 2020): strings of consecutive jobs from routes
    near a random seed job, so the slack freed lies in one region and the reinsertion can
    rearrange it."""
    route_of = {index: k for k, route in enumerate(routes) for index in route}
    sizes = [len(route) for route in routes if route]
    longest = min(_SISR_MAX_STRING, sum(sizes) / len(sizes))
    strings = int(rng.uniform(1, 4 * _SISR_AVG_REMOVED / (1 + longest)))
    seed = rng.choice(served)
    removed: set[int] = set()
    ruined: set[int] = set()
    for index in (seed, *neighbours[seed]):
        if len(ruined) >= strings:
            break
        k = route_of.get(index)
        if k is None or k in ruined:
            continue
        route = routes[k]
        length = int(rng.uniform(1, min(len(route), longest) + 1))
        position = route.index(index)
        first = rng.randint(max(0, position - length + 1), min(position, len(route) - length))
        removed.update(route[first : first + length])
        ruined.add(k)
    return removed


def _empty(problem: RoutingProblem, unassigned: tuple[Unassigned, ...], began: float) -> Solution:
    penalty = sum(job.penalty or 0.0 for job in problem.jobs if job.id in {u.job_id for u in unassigned})
    return Solution((), unassigned, 0.0, 0.0, penalty, 0, "empty", clock.monotonic() - began)


def extract(model: Model, assignment: Any, began: float) -> Solution:  # noqa: PLR0912, PLR0915
    """Routes with a schedule recomputed in exact seconds from the visit order and cumuls."""
    problem = model.problem
    routing, manager = model.routing, model.manager
    breaks_by_vehicle: dict[int, list[tuple[float, float, str]]] = {}
    for brk in model.breaks:
        if assignment.PerformedValue(brk.interval):
            start = assignment.StartValue(brk.interval) / TIME_SCALE
            duration = assignment.DurationValue(brk.interval) / TIME_SCALE
            breaks_by_vehicle.setdefault(brk.vehicle, []).append((start, duration, brk.break_id))
    routes: list[Route] = []
    served: set[str] = set()
    for v, vehicle in enumerate(problem.vehicles):
        index = routing.Start(v)
        if routing.IsEnd(assignment.Value(routing.NextVar(index))):
            continue
        sequence = []
        while True:
            sequence.append(index)
            if routing.IsEnd(index):
                break
            index = assignment.Value(routing.NextVar(index))
        first = assignment.Value(model.time.CumulVar(sequence[0])) / TIME_SCALE
        last = assignment.Value(model.time.CumulVar(sequence[-1])) / TIME_SCALE
        # Breaks wholly before the start or after the end are off duty, not part of the route.
        pending = sorted(b for b in breaks_by_vehicle.get(v, []) if b[0] < last and b[0] + b[1] > first)
        load = dict.fromkeys(model.dims, 0.0)
        steps: list[Step] = []
        distance = 0.0
        prev_node = None
        prev_departure = 0.0
        for position, index in enumerate(sequence):
            node_id = manager.IndexToNode(index)
            node = model.nodes[node_id]
            cumul = assignment.Value(model.time.CumulVar(index)) / TIME_SCALE
            if position == 0:
                kind = StepKind.START
                steps.append(Step(kind, None, node.location, cumul, cumul, cumul, dict(load)))
                prev_node, prev_departure = node, cumul
                continue
            assert prev_node is not None
            travel = _travel(problem, prev_node.location, node.location, "time")
            distance += _travel(problem, prev_node.location, node.location, "dist")
            taken = 0.0
            last_break_end = prev_departure
            while pending and pending[0][0] < cumul - 1e-9:
                b_start, b_duration, b_id = pending.pop(0)
                steps.append(Step(StepKind.BREAK, b_id, None, b_start, b_start, b_start + b_duration, dict(load)))
                taken += b_duration
                last_break_end = b_start + b_duration
            arrival = min(cumul, max(prev_departure + travel + taken, last_break_end))
            departure = cumul + node.service_s
            if node.job is not None:
                for dim, amount in node.job.demand.items():
                    load[dim] = load.get(dim, 0.0) + amount
                steps.append(Step(StepKind.JOB, node.job.id, node.location, arrival, cumul, departure, dict(load)))
                served.add(node.job.id)
            elif node.site is not None:
                load = dict.fromkeys(load, 0.0)
                steps.append(Step(StepKind.UNLOAD, node.site.id, node.location, arrival, cumul, departure, dict(load)))
            else:
                # The end: arrival as early as the plan allows, not the solver's padded cumul.
                arrival = max(prev_departure + travel + taken, last_break_end)
                steps.append(Step(StepKind.END, None, node.location, arrival, arrival, arrival, dict(load)))
            prev_node, prev_departure = node, departure
        for b_start, b_duration, b_id in pending:  # a break after the last arrival (not expected)
            steps.insert(len(steps) - 1, Step(StepKind.BREAK, b_id, None, b_start, b_start, b_start + b_duration, load))
        route_duration = steps[-1].arrival - steps[0].departure
        cost = (
            vehicle.cost_fixed + vehicle.cost_per_km * distance / 1000 + vehicle.cost_per_hour * route_duration / 3600
        )
        routes.append(Route(vehicle.id, tuple(steps), distance, route_duration, cost))

    unassigned = list(model.prefiltered)
    for job_id in model.job_index:
        if job_id not in served:
            unassigned.append(_reason(problem.job(job_id)))
    penalty = sum(problem.job(u.job_id).penalty or 0.0 for u in unassigned)
    return Solution(
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        distance_m=sum(r.distance_m for r in routes),
        duration_s=sum(r.duration_s for r in routes),
        cost=sum(r.cost for r in routes) + penalty,
        vehicles_used=len(routes),
        status="optimised",
        solve_time_s=clock.monotonic() - began,
    )


def _reason(job: Job) -> Unassigned:
    if job.penalty is not None and job.locked is None:
        return Unassigned(
            job.id, UnassignedReason.NOT_WORTH_IT, "optional; serving it would cost more than its penalty or not fit"
        )
    return Unassigned(
        job.id, UnassignedReason.NO_ROOM, "feasible on its own, but no room left (time, capacity) next to the others"
    )


def _travel(problem: RoutingProblem, a: int | None, b: int | None, table: str) -> float:
    if a is None or b is None:
        return 0.0
    return problem.duration(a, b) if table == "time" else problem.distance(a, b)
