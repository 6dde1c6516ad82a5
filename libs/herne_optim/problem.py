"""The vehicle-routing model: what a routing problem and its solution are.

Plain frozen dataclasses, no solver imports: the waste service, the VROOM-format adapter, the
Solomon reader and the checker all speak this vocabulary, and `herne_optim.routing` turns it
into an OR-Tools model.

Units: times are seconds (floats allowed) on one clock chosen by the caller (e.g. seconds
since midnight of the planning day); distances are metres; quantities (volume, weight, ...)
are floats in the unit their dimension name says (``volume_m3``, ``weight_kg``). Travel
between locations comes from matrices indexed by location (``durations[i][j]`` seconds,
``distances[i][j]`` metres) or from callables ``f(i, j) -> float``.

Invalid input raises `ProblemError` (a ``ValueError``) naming the offending object, so a
service can map it to INVALID_ARGUMENT.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

TravelTable = Sequence[Sequence[float]] | Callable[[int, int], float]
"""Seconds (durations) or metres (distances) from location i to location j."""

Quantities = Mapping[str, float]
"""Amount per capacity dimension, e.g. ``{"volume_m3": 2.5, "weight_kg": 180}``."""


class ProblemError(ValueError):
    """The problem is malformed (unknown vehicle, negative demand, empty window, ...)."""


@dataclass(frozen=True)
class TimeWindow:
    """Closed interval [start, end] in seconds; service (or a break) must *start* inside it."""

    start: float
    end: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)) or self.end < self.start:
            raise ProblemError(f"time window [{self.start}, {self.end}] is empty or not finite")

    def contains(self, t: float, tolerance: float = 1e-6) -> bool:
        return self.start - tolerance <= t <= self.end + tolerance


@dataclass(frozen=True)
class Lock:
    """A job already dispatched to a vehicle.

    ``position`` None: only the vehicle is fixed, the optimiser chooses the order.
    ``position`` k: the job is the k-th stop (0-based, counting jobs and unloads after the
    start) of the vehicle's route; the positioned jobs of one vehicle must be 0, 1, ..., n-1,
    i.e. the dispatched prefix of the route, which is never reordered.
    """

    vehicle_id: str
    position: int | None = None


@dataclass(frozen=True)
class Job:
    """A stop to serve (a bulky-waste pickup, a Solomon customer)."""

    id: str
    location: int
    service_s: float = 0.0
    demand: Quantities = field(default_factory=dict)
    time_windows: tuple[TimeWindow, ...] = ()  # empty: any time in the vehicle's shift
    skills: frozenset[str] = frozenset()  # the vehicle must have all of them
    # None: mandatory (if it cannot be served it is still reported, as unassigned with a reason).
    # A number: optional, leaving it unserved costs this much (same unit as the objective,
    # see `Vehicle` costs); higher = more important.
    penalty: float | None = None
    locked: Lock | None = None

    def __post_init__(self) -> None:
        if self.location < 0:
            raise ProblemError(f"job {self.id}: negative location index {self.location}")
        if self.service_s < 0 or not math.isfinite(self.service_s):
            raise ProblemError(f"job {self.id}: service time must be finite and >= 0, got {self.service_s}")
        for dim, amount in self.demand.items():
            if amount < 0 or not math.isfinite(amount):
                raise ProblemError(f"job {self.id}: demand {dim}={amount} must be finite and >= 0")
        if self.penalty is not None and (self.penalty < 0 or not math.isfinite(self.penalty)):
            raise ProblemError(f"job {self.id}: penalty must be finite and >= 0, got {self.penalty}")
        if self.locked is not None and self.locked.position is not None and self.locked.position < 0:
            raise ProblemError(f"job {self.id}: lock position must be >= 0")


@dataclass(frozen=True)
class Break:
    """A fixed break: ``duration_s`` long, starting inside one of ``windows``.

    ``optional`` breaks are taken only when the route is still running then (the statutory
    pattern "a 30 min lunch break between 11:30 and 13:30 if working").
    """

    id: str
    duration_s: float
    windows: tuple[TimeWindow, ...]
    optional: bool = False

    def __post_init__(self) -> None:
        if self.duration_s <= 0:
            raise ProblemError(f"break {self.id}: duration must be > 0")
        if not self.windows:
            raise ProblemError(f"break {self.id}: needs at least one time window")


@dataclass(frozen=True)
class DrivingRule:
    """Statutory rest: after at most ``max_continuous_s`` of work without a qualifying break,
    a break of at least ``break_s`` (EU 561/2006: 4.5 h driving, then 45 min).

    Work is counted as elapsed time on the route since the last qualifying break (driving,
    service, waiting), which is stricter than counting driving only: a plan that satisfies
    it satisfies the regulation.
    """

    max_continuous_s: float = 4.5 * 3600
    break_s: float = 45 * 60

    def __post_init__(self) -> None:
        if self.max_continuous_s <= 0 or self.break_s <= 0:
            raise ProblemError("driving rule: durations must be > 0")


@dataclass(frozen=True)
class Vehicle:
    """A truck with its crew for one shift."""

    id: str
    start_location: int | None  # None: the route starts at its first stop
    end_location: int | None  # None: the route ends at its last stop
    shift: TimeWindow  # leave start not before shift.start, arrive at end not after shift.end
    capacity: Quantities = field(default_factory=dict)  # dimensions not listed: unlimited
    skills: frozenset[str] = frozenset()
    breaks: tuple[Break, ...] = ()
    driving_rule: DrivingRule | None = None
    # Objective = sum over vehicles of fixed (if used) + per km + per hour (shift time used)
    # + penalties of unserved optional jobs.
    cost_fixed: float = 0.0
    cost_per_km: float = 1.0
    cost_per_hour: float = 0.0
    # Multiple trips: allowed disposal sites (None: every site of the problem).
    disposal_site_ids: tuple[str, ...] | None = None
    must_unload_before_end: bool = False  # arrive at the end location empty
    max_duration_s: float | None = None  # longest route (end - start), on top of the shift window

    def __post_init__(self) -> None:
        for dim, amount in self.capacity.items():
            if amount < 0 or not math.isfinite(amount):
                raise ProblemError(f"vehicle {self.id}: capacity {dim}={amount} must be finite and >= 0")
        if min(self.cost_fixed, self.cost_per_km, self.cost_per_hour) < 0:
            raise ProblemError(f"vehicle {self.id}: costs must be >= 0")
        if self.max_duration_s is not None and self.max_duration_s < 0:
            raise ProblemError(f"vehicle {self.id}: max_duration_s must be >= 0")


@dataclass(frozen=True)
class DisposalSite:
    """Where a full truck unloads (Wertstoffhof, incineration plant); resets the load to zero."""

    id: str
    location: int
    opening: TimeWindow | None = None  # unloading must start inside it; None: always open
    unload_s: float = 0.0

    def __post_init__(self) -> None:
        if self.location < 0:
            raise ProblemError(f"disposal site {self.id}: negative location index")
        if self.unload_s < 0:
            raise ProblemError(f"disposal site {self.id}: unload time must be >= 0")


@dataclass(frozen=True)
class RoutingProblem:
    """Locations are matrix indices; jobs, vehicles and disposal sites refer to them."""

    durations: TravelTable
    jobs: tuple[Job, ...]
    vehicles: tuple[Vehicle, ...]
    distances: TravelTable | None = None  # None: distance = duration (Solomon convention)
    disposal_sites: tuple[DisposalSite, ...] = ()
    # Warm start: vehicle id -> sequence of job ids and disposal-site ids (an existing plan).
    initial_routes: Mapping[str, Sequence[str]] | None = None
    num_locations: int | None = None  # required when durations is a callable

    def __post_init__(self) -> None:  # noqa: PLR0912 - every reference checked in one place
        n = self.location_count
        ids = [job.id for job in self.jobs]
        if len(set(ids)) != len(ids):
            raise ProblemError("job ids must be unique")
        vehicle_ids = {vehicle.id for vehicle in self.vehicles}
        if len(vehicle_ids) != len(self.vehicles):
            raise ProblemError("vehicle ids must be unique")
        site_ids = {site.id for site in self.disposal_sites}
        if len(site_ids) != len(self.disposal_sites):
            raise ProblemError("disposal site ids must be unique")
        if site_ids & set(ids):
            raise ProblemError("disposal site ids and job ids must differ")
        for job in self.jobs:
            if job.location >= n:
                raise ProblemError(f"job {job.id}: location {job.location} outside the matrix ({n} locations)")
            if job.locked is not None and job.locked.vehicle_id not in vehicle_ids:
                raise ProblemError(f"job {job.id}: locked to unknown vehicle {job.locked.vehicle_id}")
        for vehicle in self.vehicles:
            for loc in (vehicle.start_location, vehicle.end_location):
                if loc is not None and not 0 <= loc < n:
                    raise ProblemError(f"vehicle {vehicle.id}: location {loc} outside the matrix")
            for site_id in vehicle.disposal_site_ids or ():
                if site_id not in site_ids:
                    raise ProblemError(f"vehicle {vehicle.id}: unknown disposal site {site_id}")
            positions = sorted(
                job.locked.position
                for job in self.jobs
                if job.locked is not None and job.locked.vehicle_id == vehicle.id and job.locked.position is not None
            )
            if positions != list(range(len(positions))):
                raise ProblemError(f"vehicle {vehicle.id}: locked positions must be 0..k-1, got {positions}")
        for site in self.disposal_sites:
            if site.location >= n:
                raise ProblemError(f"disposal site {site.id}: location outside the matrix")
        if self.initial_routes is not None:
            known = set(ids) | site_ids
            seen: set[str] = set()
            for vehicle_id, route in self.initial_routes.items():
                if vehicle_id not in vehicle_ids:
                    raise ProblemError(f"initial route for unknown vehicle {vehicle_id}")
                for stop in route:
                    if stop not in known:
                        raise ProblemError(f"initial route of {vehicle_id}: unknown stop {stop}")
                    if stop in seen and stop not in site_ids:
                        raise ProblemError(f"initial routes: job {stop} appears twice")
                    seen.add(stop)

    @property
    def location_count(self) -> int:
        if callable(self.durations):
            if self.num_locations is None:
                raise ProblemError("num_locations is required when durations is a callable")
            return self.num_locations
        return len(self.durations)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Every capacity dimension any job or vehicle names, sorted."""
        names = {d for job in self.jobs for d in job.demand} | {d for v in self.vehicles for d in v.capacity}
        return tuple(sorted(names))

    def duration(self, i: int, j: int) -> float:
        table = self.durations
        return float(table(i, j) if callable(table) else table[i][j])

    def distance(self, i: int, j: int) -> float:
        table = self.distances if self.distances is not None else self.durations
        return float(table(i, j) if callable(table) else table[i][j])

    def job(self, job_id: str) -> Job:
        for job in self.jobs:
            if job.id == job_id:
                return job
        raise KeyError(job_id)


MAX_WORKERS = 16


@dataclass(frozen=True)
class SolveOptions:
    """How long and how to search.

    Reproducible means: the same problem, options and library versions give the same plan
    when the search is bounded by ``max_iterations`` and ``time_limit_s`` is not reached
    first (then the probes' short time shares are not reached either on small problems).
    The search is single-threaded with fixed parameters and ``seed`` re-seeds OR-Tools'
    random generator. A pure time limit stops after however much work the machine managed,
    so plans may differ between a loaded and an idle machine (each is still checked).
    """

    time_limit_s: float = 10.0
    seed: int = 0
    # Deterministic budget: the improving search stops after this many accepted solutions
    # (OR-Tools solution_limit); the first-solution probes stop at their local optimum.
    max_iterations: int | None = None
    first_solution: str = "auto"  # "auto" or an OR-Tools FirstSolutionStrategy name
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"  # an OR-Tools LocalSearchMetaheuristic name
    minimise_vehicles: bool = False  # lexicographic: first fewest vehicles, then cost
    log_search: bool = False
    # Independent searches run side by side (seeds seed, seed+1, ...; one in this process, the
    # others in worker processes), the best plan wins. 1 = this process only; more pays only
    # with a free core per worker.
    workers: int = 1

    def __post_init__(self) -> None:
        if not 0 < self.time_limit_s <= 3600:
            raise ProblemError("time_limit_s must be in (0, 3600]")
        if self.max_iterations is not None and self.max_iterations < 1:
            raise ProblemError("max_iterations must be >= 1")
        if not 1 <= self.workers <= MAX_WORKERS:
            raise ProblemError(f"workers must be 1..{MAX_WORKERS}")


class StepKind(StrEnum):
    START = "start"
    JOB = "job"
    UNLOAD = "unload"
    BREAK = "break"
    END = "end"


@dataclass(frozen=True)
class Step:
    """One event of a route. ``id``: the job, disposal site or break id (None for start/end).

    ``arrival``: when the vehicle gets there; ``start``: service (unloading, break) begins
    (>= arrival, waiting in between); ``departure``: it leaves. ``load``: on board after the
    step. ``location`` None for breaks (taken on the way) and for an open start/end.
    """

    kind: StepKind
    id: str | None
    location: int | None
    arrival: float
    start: float
    departure: float
    load: Quantities


@dataclass(frozen=True)
class Route:
    vehicle_id: str
    steps: tuple[Step, ...]
    distance_m: float
    duration_s: float  # from leaving the start to arriving at the end
    cost: float

    @property
    def job_ids(self) -> list[str]:
        return [step.id for step in self.steps if step.kind is StepKind.JOB and step.id is not None]


class UnassignedReason(StrEnum):
    NO_SKILLED_VEHICLE = "no_skilled_vehicle"  # no vehicle has every required skill
    EXCEEDS_CAPACITY = "exceeds_capacity"  # demand larger than any allowed vehicle can carry
    TIME_WINDOW_UNREACHABLE = "time_window_unreachable"  # no shift can reach it in its window and return
    LOCK_INFEASIBLE = "lock_infeasible"  # the vehicle it is locked to cannot serve it
    NO_ROOM = "no_room"  # feasible alone, but does not fit with the rest (time, capacity)
    NOT_WORTH_IT = "not_worth_it"  # optional, its penalty is below the cost of serving it


@dataclass(frozen=True)
class Unassigned:
    job_id: str
    reason: UnassignedReason
    detail: str


@dataclass(frozen=True)
class Solution:
    routes: tuple[Route, ...]  # one per used vehicle (vehicles without jobs are left out)
    unassigned: tuple[Unassigned, ...]
    distance_m: float
    duration_s: float
    cost: float  # routes' costs + penalties of unassigned optional jobs
    vehicles_used: int
    status: str  # "optimised" (the search ran), "empty" (nothing to plan)
    solve_time_s: float = 0.0

    def route(self, vehicle_id: str) -> Route | None:
        return next((route for route in self.routes if route.vehicle_id == vehicle_id), None)


@dataclass(frozen=True)
class Violation:
    """One broken constraint found by `herne_optim.checker.check`."""

    kind: str  # e.g. "time_window", "capacity", "skills", "duplicate_job", ...
    subject: str  # job, vehicle or step id it concerns
    detail: str
