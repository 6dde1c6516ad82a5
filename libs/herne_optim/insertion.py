"""Feasible insertion of one job into existing routes, fast enough for interactive booking.

The routes are sequences of job and disposal-site ids per vehicle of a `RoutingProblem` (the
same vocabulary as the solver). `schedule` walks a route with the solver's rules: start at
the shift start, wait for time windows, unload (load back to zero) at disposal sites inside
their opening hours, take each break as late as the next stop allows (before it would end
after the break window, or at once when the window is already open) and arrive at the end
location within the shift. `best_insertions` tries the new job at every position of every
vehicle that has its skills, for each candidate time window, optionally followed by an
unloading trip when the truck would be over capacity or must arrive empty.

Speed: the schedule of each route is computed once; an insertion re-walks only the suffix
after the new stop, and stops as soon as the new timeline meets the old one (same start,
same breaks taken: the rest of the route is then unchanged and known feasible). A day with
a dozen shifts of ten stops is searched for all its windows in a few milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from herne_optim.problem import (
    Break,
    DisposalSite,
    Job,
    Route,
    RoutingProblem,
    Step,
    StepKind,
    TimeWindow,
    Vehicle,
)

_EPS = 1e-6


@dataclass(frozen=True)
class _Stop:
    id: str
    kind: StepKind  # JOB or UNLOAD
    location: int
    service_s: float
    windows: tuple[TimeWindow, ...]
    demand: tuple[float, ...]


@dataclass
class _State:
    """Where the vehicle is after a stop: time, place, load, breaks taken, distance so far."""

    time: float
    location: int | None
    load: tuple[float, ...]
    breaks_taken: int
    distance: float


@dataclass(frozen=True)
class _Walk:
    feasible: bool
    reason: str
    distance: float = 0.0
    end_time: float = 0.0
    starts: list[tuple[float, int]] = field(default_factory=list)
    states: list[_State] = field(default_factory=list)
    load_problem: bool = False  # failed on capacity or arriving loaded: an unloading trip may help


@dataclass(frozen=True)
class Schedule:
    """A walked route: feasible or the first reason it is not, and its steps."""

    vehicle_id: str
    feasible: bool
    reason: str
    steps: tuple[Step, ...]
    distance_m: float
    duration_s: float
    # per stop of the sequence: (start of service, breaks taken before it) and state after it
    starts: tuple[tuple[float, int], ...] = ()
    states: tuple[_State, ...] = ()

    def route(self) -> Route:
        return Route(self.vehicle_id, self.steps, self.distance_m, self.duration_s, 0.0)


@dataclass(frozen=True)
class Insertion:
    """Where a job fits best for one window, and what it adds."""

    window: TimeWindow
    vehicle_id: str
    position: int  # index in the vehicle's sequence where the job goes
    unload_site_id: str | None  # disposal site visited right after the job, if one is added
    added_distance_m: float
    added_duration_s: float
    start_s: float  # expected start of service
    unload_before: bool = False  # the unloading trip comes before the job (the truck is full)

    def apply(self, routes: Mapping[str, Sequence[str]], job_id: str) -> dict[str, list[str]]:
        """The routes with this insertion made."""
        out = {vehicle: list(seq) for vehicle, seq in routes.items()}
        seq = out.setdefault(self.vehicle_id, [])
        added = [job_id]
        if self.unload_site_id:
            added.insert(0 if self.unload_before else 1, self.unload_site_id)
        seq[self.position : self.position] = added
        return out


class RouteEvaluator:
    """Schedules and insertions for one problem (its matrices, jobs, sites and vehicles)."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        self.dims = problem.dimensions
        self.vehicles = {v.id: v for v in problem.vehicles}
        self.sites = {s.id: s for s in problem.disposal_sites}
        self._stops: dict[str, _Stop] = {}
        for job in problem.jobs:
            self._stops[job.id] = self._job_stop(job)
        for site in problem.disposal_sites:
            windows = (site.opening,) if site.opening else ()
            self._stops[site.id] = _Stop(site.id, StepKind.UNLOAD, site.location, site.unload_s, windows, ())

    def _job_stop(self, job: Job) -> _Stop:
        demand = tuple(float(job.demand.get(dim, 0.0)) for dim in self.dims)
        return _Stop(job.id, StepKind.JOB, job.location, job.service_s, job.time_windows, demand)

    def _capacity(self, vehicle: Vehicle) -> tuple[float, ...]:
        return tuple(float(vehicle.capacity.get(dim, math.inf)) for dim in self.dims)

    def _sites_for(self, vehicle: Vehicle) -> list[DisposalSite]:
        if vehicle.disposal_site_ids is None:
            return list(self.problem.disposal_sites)
        return [self.sites[s] for s in vehicle.disposal_site_ids]

    # -- walking a route -----------------------------------------------------------------

    def schedule(self, vehicle_id: str, sequence: Sequence[str]) -> Schedule:
        """Walk ``sequence`` (job and site ids) on ``vehicle_id``; unknown ids raise KeyError."""
        vehicle = self.vehicles[vehicle_id]
        stops = [self._stops[stop_id] for stop_id in sequence]
        start = _State(vehicle.shift.start, vehicle.start_location, (0.0,) * len(self.dims), 0, 0.0)
        steps: list[Step] = [Step(StepKind.START, None, vehicle.start_location, start.time, start.time, start.time, {})]
        walk = self._walk(vehicle, stops, start, steps=steps)
        return Schedule(
            vehicle_id,
            walk.feasible,
            walk.reason,
            tuple(steps),
            walk.distance,
            max(0.0, walk.end_time - vehicle.shift.start),
            tuple(walk.starts),
            tuple(walk.states),
        )

    def _walk(  # noqa: PLR0911, PLR0912 - one pass, each rule in its place
        self,
        vehicle: Vehicle,
        stops: Sequence[_Stop],
        state: _State,
        *,
        steps: list[Step] | None = None,
        baseline: Schedule | None = None,
        offset: int = 0,
    ) -> _Walk:
        """Walk ``stops`` from ``state``. With ``baseline``, stop early where the timeline meets it.

        ``offset``: index in the baseline's sequence of the first stop of ``stops`` that is a
        baseline stop (the stops before it are new).
        """
        problem = self.problem
        capacity = self._capacity(vehicle)
        breaks = vehicle.breaks
        starts: list[tuple[float, int]] = []
        states: list[_State] = []
        time, location, load, taken, distance = (
            state.time,
            state.location,
            state.load,
            state.breaks_taken,
            state.distance,
        )
        new_stops = len(stops) - (len(baseline.starts) - offset) if baseline is not None else len(stops)
        for index, stop in enumerate(stops):
            travel = 0.0 if location is None else problem.duration(location, stop.location)
            if math.isinf(travel):
                return _Walk(False, f"{stop.id} cannot be reached on the road network")
            while taken < len(breaks):  # breaks due before this stop
                brk = breaks[taken]
                window = _window_after(stop.windows, time + travel)
                finish = (max(time + travel, window.start) if window else time + travel) + stop.service_s
                if time + _EPS < brk.windows[0].start and finish <= _latest(brk) + _EPS:
                    break
                begin = _break_start(brk, time)
                if begin is None:
                    return _Walk(False, f"break {brk.id} cannot be taken within its window")
                if steps is not None:
                    steps.append(
                        Step(StepKind.BREAK, brk.id, None, begin, begin, begin + brk.duration_s, _q(self.dims, load))
                    )
                time = begin + brk.duration_s
                taken += 1
            arrival = time + travel
            window = _window_after(stop.windows, arrival)
            if stop.windows and window is None:
                return _Walk(False, f"{stop.id}: arrival after its time window")
            begin = max(arrival, window.start) if window else arrival
            leg = 0.0 if location is None else problem.distance(location, stop.location)
            if baseline is not None and index >= new_stops:
                j = offset + index - new_stops
                old_begin, old_taken = baseline.starts[j]
                if begin <= old_begin + _EPS and taken == old_taken:
                    # From here on the route is the baseline's; only this trip's load may differ.
                    before = baseline.states[j - 1].load if j > 0 else (0.0,) * len(self.dims)
                    extra = tuple(a - b for a, b in zip(load, before, strict=True))
                    if any(x > _EPS for x in extra) and not self._trip_fits(baseline, j, extra, capacity, vehicle):
                        return _Walk(False, "over the truck's capacity", load_problem=True)
                    total = baseline.distance_m - baseline.states[j].distance + distance + leg
                    return _Walk(True, "", total, baseline.steps[-1].arrival, starts)
            if stop.kind is StepKind.UNLOAD:
                load = (0.0,) * len(self.dims)
            else:
                load = tuple(a + b for a, b in zip(load, stop.demand, strict=True))
                if any(a > c + _EPS for a, c in zip(load, capacity, strict=True)):
                    return _Walk(False, f"{stop.id}: over the truck's capacity", load_problem=True)
            distance += leg
            starts.append((begin, taken))
            time = begin + stop.service_s
            location = stop.location
            states.append(_State(time, location, load, taken, distance))
            if steps is not None:
                steps.append(Step(stop.kind, stop.id, stop.location, arrival, begin, time, _q(self.dims, load)))
        return self._finish(vehicle, _State(time, location, load, taken, distance), steps, starts, states)

    def _finish(
        self,
        vehicle: Vehicle,
        state: _State,
        steps: list[Step] | None,
        starts: list[tuple[float, int]],
        states: list[_State],
    ) -> _Walk:
        time, location, taken = state.time, state.location, state.breaks_taken
        end = vehicle.end_location
        travel = 0.0 if end is None or location is None else self.problem.duration(location, end)
        if math.isinf(travel):
            return _Walk(False, "the end depot cannot be reached")
        while taken < len(vehicle.breaks):
            brk = vehicle.breaks[taken]
            if brk.optional and time + travel <= brk.windows[0].start + _EPS:
                taken += 1
                continue
            begin = _break_start(brk, time)
            if begin is None:
                return _Walk(False, f"break {brk.id} cannot be taken within its window")
            if steps is not None:
                steps.append(
                    Step(StepKind.BREAK, brk.id, None, begin, begin, begin + brk.duration_s, _q(self.dims, state.load))
                )
            time = begin + brk.duration_s
            taken += 1
        if vehicle.must_unload_before_end and any(x > _EPS for x in state.load):
            return _Walk(False, "must arrive empty: an unloading trip is missing", load_problem=True)
        arrival = time + travel
        if arrival > vehicle.shift.end + _EPS:
            return _Walk(False, "back at the depot after the end of the shift")
        if vehicle.max_duration_s is not None and arrival - vehicle.shift.start > vehicle.max_duration_s + _EPS:
            return _Walk(False, "longer than the maximum route duration")
        distance = state.distance + (0.0 if end is None or location is None else self.problem.distance(location, end))
        if steps is not None:
            steps.append(Step(StepKind.END, None, end, arrival, arrival, arrival, _q(self.dims, state.load)))
        return _Walk(True, "", distance, arrival, starts, states)

    def _trip_fits(
        self, baseline: Schedule, index: int, extra: tuple[float, ...], capacity: tuple[float, ...], vehicle: Vehicle
    ) -> bool:
        """Does the trip stay within capacity with ``extra`` more on board from stop ``index`` on?"""
        for state in baseline.states[index:]:
            if all(x <= _EPS for x in state.load):
                return True  # unloaded: the extra is gone
            if any(a + e > c + _EPS for a, e, c in zip(state.load, extra, capacity, strict=True)):
                return False
        return not vehicle.must_unload_before_end

    # -- insertion -----------------------------------------------------------------------

    def best_insertions(
        self,
        routes: Mapping[str, Sequence[str]],
        job: Job,
        windows: Sequence[TimeWindow],
        *,
        schedules: Mapping[str, Schedule] | None = None,
    ) -> dict[TimeWindow, Insertion]:
        """The cheapest feasible insertion of ``job`` per window (windows without one are absent).

        ``job.time_windows`` is ignored; each of ``windows`` is tried in turn. Cost is the added
        distance, ties broken by added duration. ``schedules`` may pass schedules computed
        before for the same routes.
        """
        candidate = self._job_stop(job)
        best: dict[TimeWindow, Insertion] = {}
        for vehicle in self.problem.vehicles:
            if not job.skills <= vehicle.skills:
                continue
            capacity = self._capacity(vehicle)
            if any(d > c + _EPS for d, c in zip(candidate.demand, capacity, strict=True)):
                continue
            sequence = list(routes.get(vehicle.id, ()))
            base = (schedules or {}).get(vehicle.id) or self.schedule(vehicle.id, sequence)
            if not base.feasible:
                continue  # a route broken by new road conditions takes nothing until re-planned
            sites = self._sites_for(vehicle)
            for position in range(len(sequence) + 1):
                self._try(vehicle, sequence, base, position, candidate, windows, sites, best)
        return best

    def _try(
        self,
        vehicle: Vehicle,
        sequence: list[str],
        base: Schedule,
        position: int,
        candidate: _Stop,
        windows: Sequence[TimeWindow],
        sites: list[DisposalSite],
        best: dict[TimeWindow, Insertion],
    ) -> None:
        prefix = self._prefix_state(vehicle, base, position)
        travel = 0.0 if prefix.location is None else self.problem.duration(prefix.location, candidate.location)
        arrival = prefix.time + travel
        back = 0.0 if vehicle.end_location is None else self.problem.duration(candidate.location, vehicle.end_location)
        rest = [self._stops[s] for s in sequence[position:]]
        over = any(
            a + d > c + _EPS for a, d, c in zip(prefix.load, candidate.demand, self._capacity(vehicle), strict=True)
        )
        base_end = base.duration_s + vehicle.shift.start
        # Windows the job reaches after their start give the same walk: compute it once.
        done: dict[float, tuple[str | None, _Walk] | None] = {}
        for window in windows:
            if arrival > window.end + _EPS:
                continue  # cannot even get there within the window
            begin = max(arrival, window.start)
            if begin + candidate.service_s + back > vehicle.shift.end + _EPS:
                continue  # and back to the depot in time, even without anything else
            if begin in done:
                found = done[begin]
            else:
                stop = replace(candidate, windows=(window,))
                found = self._variants(vehicle, base, position, stop, rest, prefix, sites, over)
                if found is not None and found[1].starts[1 if over else 0][1] != prefix.breaks_taken:
                    pass  # a break came first: the window mattered, do not reuse
                else:
                    done[begin] = found
            if found is None:
                continue
            site_id, walk = found
            added = (walk.distance - base.distance_m, walk.end_time - base_end)
            current = best.get(window)
            if current is None or added < (current.added_distance_m, current.added_duration_s):
                start = walk.starts[1 if over else 0][0]
                best[window] = Insertion(window, vehicle.id, position, site_id, added[0], added[1], start, over)

    def _variants(
        self,
        vehicle: Vehicle,
        base: Schedule,
        position: int,
        stop: _Stop,
        rest: list[_Stop],
        prefix: _State,
        sites: list[DisposalSite],
        over: bool,
    ) -> tuple[str | None, _Walk] | None:
        """The cheapest way to place ``stop`` here: as it is, or with an unloading trip."""
        if not over:
            walk = self._walk(vehicle, [stop, *rest], prefix, baseline=base, offset=position)
            if walk.feasible:
                return None, walk  # an extra unloading trip never beats none
            if not walk.load_problem:
                return None  # late: an unloading trip would only make it later
        best: tuple[str | None, _Walk] | None = None
        for site in sites:
            stops = [self._stops[site.id], stop, *rest] if over else [stop, self._stops[site.id], *rest]
            walk = self._walk(vehicle, stops, prefix, baseline=base, offset=position)
            if walk.feasible and (
                best is None or (walk.distance, walk.end_time) < (best[1].distance, best[1].end_time)
            ):
                best = (site.id, walk)
        return best

    def _prefix_state(self, vehicle: Vehicle, base: Schedule, position: int) -> _State:
        if position == 0:
            return _State(vehicle.shift.start, vehicle.start_location, (0.0,) * len(self.dims), 0, 0.0)
        return base.states[position - 1]


def _window_after(windows: Sequence[TimeWindow], arrival: float) -> TimeWindow | None:
    for window in windows:
        if arrival <= window.end + _EPS:
            return window
    return None


def _latest(brk: Break) -> float:
    return brk.windows[-1].end


def _break_start(brk: Break, time: float) -> float | None:
    for window in brk.windows:
        if time <= window.end + _EPS:
            return max(time, window.start)
    return None


def _q(dims: Sequence[str], load: Sequence[float]) -> dict[str, float]:
    return dict(zip(dims, load, strict=True))
