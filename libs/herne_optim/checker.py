"""An independent solution checker: every constraint, recomputed from the raw problem.

It shares no code with the OR-Tools model (no scaled integers, no node copies): it walks each
route's steps in exact seconds and quantities. Tests run it on every solver output and the
waste service runs it before it returns a plan.
"""

from __future__ import annotations

from herne_optim.problem import (
    Break,
    RoutingProblem,
    Solution,
    Step,
    StepKind,
    UnassignedReason,
    Vehicle,
    Violation,
)

TOLERANCE = 1e-6  # seconds and quantity units


def check(problem: RoutingProblem, solution: Solution) -> list[Violation]:  # noqa: PLR0912
    """All violations of `solution` against `problem` (empty list: the plan is valid)."""
    out: list[Violation] = []
    vehicles = {v.id: v for v in problem.vehicles}
    jobs = {j.id: j for j in problem.jobs}
    seen: dict[str, str] = {}  # job id -> vehicle id
    route_vehicles: set[str] = set()
    for route in solution.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            out.append(Violation("unknown_vehicle", route.vehicle_id, "route for a vehicle not in the problem"))
            continue
        if route.vehicle_id in route_vehicles:
            out.append(Violation("duplicate_route", route.vehicle_id, "vehicle has more than one route"))
        route_vehicles.add(route.vehicle_id)
        for step in route.steps:
            if step.kind is StepKind.JOB and step.id is not None:
                if step.id not in jobs:
                    out.append(Violation("unknown_job", step.id, f"on {vehicle.id}: not a job of the problem"))
                elif step.id in seen:
                    out.append(Violation("duplicate_job", step.id, f"served by {seen[step.id]} and {vehicle.id}"))
                else:
                    seen[step.id] = vehicle.id
        out.extend(_check_route(problem, vehicle, route.steps, route.distance_m))

    unassigned: dict[str, UnassignedReason] = {}
    for item in solution.unassigned:
        if item.job_id in seen:
            out.append(Violation("served_and_unassigned", item.job_id, "both served and reported unassigned"))
        if item.job_id in unassigned:
            out.append(Violation("duplicate_unassigned", item.job_id, "reported unassigned twice"))
        if item.job_id not in jobs:
            out.append(Violation("unknown_job", item.job_id, "unassigned job not in the problem"))
        unassigned[item.job_id] = item.reason
    for job in problem.jobs:
        if job.id not in seen and job.id not in unassigned:
            out.append(Violation("dropped_job", job.id, "neither served nor reported unassigned"))
        if job.locked is not None:
            if job.id in seen and seen[job.id] != job.locked.vehicle_id:
                out.append(Violation("lock", job.id, f"locked to {job.locked.vehicle_id}, served by {seen[job.id]}"))
            if job.id in unassigned and unassigned[job.id] is not UnassignedReason.LOCK_INFEASIBLE:
                out.append(Violation("lock", job.id, "locked (dispatched) job left unserved"))
    for route in solution.routes:
        vehicle = vehicles.get(route.vehicle_id)
        if vehicle is None:
            continue
        stops = [s for s in route.steps if s.kind in (StepKind.JOB, StepKind.UNLOAD)]
        for position, step in enumerate(stops):
            job = jobs.get(step.id or "")
            if job is None or job.locked is None or job.locked.position is None:
                continue
            if job.locked.position != position:
                out.append(Violation("lock", job.id, f"locked at position {job.locked.position}, found at {position}"))
    return out


def _check_route(  # noqa: PLR0912, PLR0915 - one walk over the steps, each check in its place
    problem: RoutingProblem, vehicle: Vehicle, steps: tuple[Step, ...], reported_distance: float
) -> list[Violation]:
    out: list[Violation] = []
    vid = vehicle.id
    if len(steps) < 2 or steps[0].kind is not StepKind.START or steps[-1].kind is not StepKind.END:
        return [Violation("route_shape", vid, "a route must begin with start and finish with end")]
    if any(s.kind in (StepKind.START, StepKind.END) for s in steps[1:-1]):
        out.append(Violation("route_shape", vid, "start/end in the middle of a route"))
    start, end = steps[0], steps[-1]
    if start.location != vehicle.start_location:
        out.append(Violation("start_location", vid, f"starts at {start.location}, expected {vehicle.start_location}"))
    if end.location != vehicle.end_location:
        out.append(Violation("end_location", vid, f"ends at {end.location}, expected {vehicle.end_location}"))
    if start.departure < vehicle.shift.start - TOLERANCE:
        out.append(Violation("shift", vid, f"leaves at {start.departure} before the shift {vehicle.shift.start}"))
    if end.arrival > vehicle.shift.end + TOLERANCE:
        out.append(Violation("shift", vid, f"returns at {end.arrival} after the shift {vehicle.shift.end}"))
    if vehicle.max_duration_s is not None and end.arrival - start.departure > vehicle.max_duration_s + TOLERANCE:
        out.append(Violation("max_duration", vid, "route longer than the vehicle's maximum duration"))

    sites = {s.id: s for s in problem.disposal_sites}
    jobs = {j.id: j for j in problem.jobs}
    vehicle_breaks = {b.id: b for b in vehicle.breaks}
    load = dict.fromkeys(problem.dimensions, 0.0)
    distance = 0.0
    prev = start
    breaks_between: list[Step] = []
    taken_breaks: list[Step] = []
    for step in steps[1:]:
        if step.kind is StepKind.BREAK:
            breaks_between.append(step)
            taken_breaks.append(step)
            if step.start < prev.departure - TOLERANCE:
                out.append(Violation("break_overlap", f"{vid}/{step.id}", "break starts before the previous departure"))
            if breaks_between[:-1] and step.start < breaks_between[-2].departure - TOLERANCE:
                out.append(Violation("break_overlap", f"{vid}/{step.id}", "breaks overlap"))
            brk = vehicle_breaks.get(step.id or "")
            if brk is not None:
                _check_break(out, vid, step, brk)
            elif vehicle.driving_rule is None or step.departure - step.start < vehicle.driving_rule.break_s - TOLERANCE:
                out.append(Violation("break_unknown", f"{vid}/{step.id}", "break not defined for the vehicle"))
            continue
        travel = 0.0
        if prev.location is not None and step.location is not None:
            travel = problem.duration(prev.location, step.location)
            distance += problem.distance(prev.location, step.location)
        taken = sum(b.departure - b.start for b in breaks_between)
        if step.arrival < prev.departure + travel + taken - TOLERANCE:
            out.append(
                Violation(
                    "travel_time",
                    f"{vid}/{step.id}",
                    f"arrives {step.arrival}, earliest possible {prev.departure + travel + taken}",
                )
            )
        for b in breaks_between:
            if b.departure > step.start + TOLERANCE:
                out.append(Violation("break_overlap", f"{vid}/{b.id}", "break runs into the next visit"))
        breaks_between = []
        if step.start < step.arrival - TOLERANCE:
            out.append(Violation("schedule", f"{vid}/{step.id}", "service starts before arrival"))
        service = 0.0
        if step.kind is StepKind.JOB:
            job = jobs.get(step.id or "")
            if job is None:
                prev = step
                continue
            service = job.service_s
            if step.location != job.location:
                out.append(Violation("location", job.id, f"visited at {step.location}, job is at {job.location}"))
            windows = job.time_windows or (vehicle.shift,)
            if not any(w.contains(step.start, TOLERANCE) for w in windows):
                out.append(Violation("time_window", job.id, f"service starts at {step.start}, outside its windows"))
            if not job.skills <= vehicle.skills:
                out.append(Violation("skills", job.id, f"{vid} lacks {sorted(job.skills - vehicle.skills)}"))
            for dim, amount in job.demand.items():
                load[dim] = load.get(dim, 0.0) + amount
        elif step.kind is StepKind.UNLOAD:
            site = sites.get(step.id or "")
            if site is None:
                out.append(Violation("unknown_site", f"{vid}/{step.id}", "unload at an unknown disposal site"))
                prev = step
                continue
            service = site.unload_s
            if step.location != site.location:
                out.append(Violation("location", site.id, "unload step away from the site"))
            if site.opening is not None and not site.opening.contains(step.start, TOLERANCE):
                out.append(Violation("site_opening", f"{vid}/{site.id}", f"unloading at {step.start}, site closed"))
            if vehicle.disposal_site_ids is not None and site.id not in vehicle.disposal_site_ids:
                out.append(Violation("site_not_allowed", f"{vid}/{site.id}", "vehicle may not use this site"))
            load = dict.fromkeys(load, 0.0)
        if step.departure < step.start + service - TOLERANCE:
            out.append(Violation("service_time", f"{vid}/{step.id}", "leaves before the service is done"))
        for dim, amount in load.items():
            cap = vehicle.capacity.get(dim)
            if cap is not None and amount > cap + TOLERANCE:
                out.append(Violation("capacity", f"{vid}/{step.id}", f"{dim} load {amount} > capacity {cap}"))
            if abs(step.load.get(dim, 0.0) - amount) > TOLERANCE:
                out.append(
                    Violation(
                        "load_report", f"{vid}/{step.id}", f"reported {dim} {step.load.get(dim)}, actual {amount}"
                    )
                )
        prev = step
    if vehicle.must_unload_before_end and any(amount > TOLERANCE for amount in load.values()):
        out.append(Violation("unload_before_end", vid, f"returns loaded {load}"))
    if abs(distance - reported_distance) > max(TOLERANCE, 1e-9 * distance):
        out.append(Violation("distance_report", vid, f"reported {reported_distance} m, actual {distance} m"))

    taken_ids = [b.id for b in taken_breaks]
    for brk in vehicle.breaks:
        count = taken_ids.count(brk.id)
        if count > 1:
            out.append(Violation("break_missing", f"{vid}/{brk.id}", "break taken more than once"))
        # Not taken is fine when it fits wholly before the start or after the end (off duty).
        off_duty = any(
            w.end >= end.arrival - TOLERANCE or w.start + brk.duration_s <= start.departure + TOLERANCE
            for w in brk.windows
        )
        if count == 0 and not brk.optional and not off_duty:
            out.append(Violation("break_missing", f"{vid}/{brk.id}", "mandatory break not taken during the route"))
    rule = vehicle.driving_rule
    if rule is not None:
        qualifying = sorted(
            (b.start, b.departure) for b in taken_breaks if b.departure - b.start >= rule.break_s - TOLERANCE
        )
        since = start.departure
        for b_start, b_end in [*qualifying, (end.arrival, end.arrival)]:
            if b_start - since > rule.max_continuous_s + TOLERANCE:
                out.append(
                    Violation("driving_rule", vid, f"{b_start - since:.0f} s without a {rule.break_s:.0f} s break")
                )
            since = max(since, b_end)
    return out


def _check_break(out: list[Violation], vid: str, step: Step, brk: Break) -> None:
    if step.departure - step.start < brk.duration_s - TOLERANCE:
        out.append(Violation("break_duration", f"{vid}/{brk.id}", "break shorter than required"))
    if not any(w.contains(step.start, TOLERANCE) for w in brk.windows):
        out.append(Violation("break_window", f"{vid}/{brk.id}", f"break starts at {step.start}, outside its windows"))
