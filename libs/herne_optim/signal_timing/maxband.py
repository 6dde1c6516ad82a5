"""Offsets of a coordinated corridor that maximise two-way green bands (MAXBAND, Little 1981).

Formulated on whole seconds and solved with OR-Tools CP-SAT. Intersection ``i`` (ordered in the
outbound direction) starts its cycle at offset ``o_i`` (``o_0 = 0``). The outbound band leaves
intersection 0 at ``theta`` and reaches ``i`` after the cumulative travel time; it must lie
inside the outbound through green of ``i`` in some cycle ``n_i``. The inbound band runs the
other way. The objective is MAXBAND's ``b + k * b_in`` with ``k`` the inbound/outbound volume
ratio and its balance constraint, so the heavier direction gets at least its share. A
direction may end up without a band (0) when no offsets give both.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class BandIntersection:
    """Arterial green windows of one intersection relative to its own cycle start (seconds)."""

    outbound_green_start_s: int
    outbound_green_s: int
    inbound_green_start_s: int
    inbound_green_s: int


@dataclass(frozen=True)
class BandProblem:
    """A corridor at a common cycle; travel times between consecutive intersections."""

    cycle_s: int
    intersections: tuple[BandIntersection, ...]
    outbound_travel_s: tuple[int, ...]  # from i to i+1
    inbound_travel_s: tuple[int, ...]  # from i+1 to i
    outbound_volume: float = 1.0
    inbound_volume: float = 1.0


@dataclass(frozen=True)
class BandSolution:
    """Offsets and bands; ``optimal`` is False when the time limit stopped the search."""

    offsets_s: tuple[int, ...]
    outbound_band_s: int
    inbound_band_s: int
    optimal: bool


def solve_maxband(problem: BandProblem, *, time_limit_s: float = 5.0) -> BandSolution:
    """Maximise the weighted two-way bandwidth; raises ValueError on inconsistent input."""
    count = len(problem.intersections)
    if count == 0:
        raise ValueError("a corridor needs at least one intersection")
    if len(problem.outbound_travel_s) != count - 1 or len(problem.inbound_travel_s) != count - 1:
        raise ValueError("travel times must be given between each pair of consecutive intersections")
    cycle = problem.cycle_s
    model = cp_model.CpModel()
    total_out = sum(problem.outbound_travel_s)
    total_in = sum(problem.inbound_travel_s)
    span = 3 + (max(total_out, total_in) // cycle)
    offsets = [model.new_int_var(0, 0 if i == 0 else cycle - 1, f"o{i}") for i in range(count)]
    theta = model.new_int_var(0, cycle - 1, "theta")
    theta_in = model.new_int_var(0, cycle - 1, "theta_in")
    band = model.new_int_var(0, min(x.outbound_green_s for x in problem.intersections), "b")
    band_in = model.new_int_var(0, min(x.inbound_green_s for x in problem.intersections), "b_in")
    # Two-way bands need not exist (e.g. both travel times a quarter cycle): a direction without
    # a band drops its constraints, so the model is always feasible and one-way progression remains.
    has_out = model.new_bool_var("has_out")
    has_in = model.new_bool_var("has_in")
    model.add(band == 0).only_enforce_if(~has_out)
    model.add(band_in == 0).only_enforce_if(~has_in)
    arrival_out = 0
    arrivals_in = [0] * count
    for i in range(count - 2, -1, -1):
        arrivals_in[i] = arrivals_in[i + 1] + problem.inbound_travel_s[i]
    for i, x in enumerate(problem.intersections):
        n_out = model.new_int_var(-span, span, f"n{i}")
        start = offsets[i] + x.outbound_green_start_s + cycle * n_out
        model.add(theta + arrival_out >= start).only_enforce_if(has_out)
        model.add(theta + arrival_out + band <= start + x.outbound_green_s).only_enforce_if(has_out)
        n_in = model.new_int_var(-span, span, f"m{i}")
        start_in = offsets[i] + x.inbound_green_start_s + cycle * n_in
        model.add(theta_in + arrivals_in[i] >= start_in).only_enforce_if(has_in)
        model.add(theta_in + arrivals_in[i] + band_in <= start_in + x.inbound_green_s).only_enforce_if(has_in)
        if i < count - 1:
            arrival_out += problem.outbound_travel_s[i]
    # Volumes as integers (per mille of the larger) keep the model linear with integer coefficients.
    top = max(problem.outbound_volume, problem.inbound_volume, 1e-9)
    w_out = max(1, round(1000 * problem.outbound_volume / top))
    w_in = max(1, round(1000 * problem.inbound_volume / top))
    # MAXBAND balance: the lighter direction gets no more than its volume share of the band.
    if w_in < w_out:
        model.add(w_out * band_in >= w_in * band).only_enforce_if([has_out, has_in])
    elif w_in > w_out:
        model.add(w_in * band >= w_out * band_in).only_enforce_if([has_out, has_in])
    model.maximize(w_out * band + w_in * band_in)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ValueError("no offsets found within the time limit")
    return BandSolution(
        tuple(int(solver.value(o)) for o in offsets),
        int(solver.value(band)),
        int(solver.value(band_in)),
        status == cp_model.OPTIMAL,
    )
