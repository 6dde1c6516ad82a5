"""Hypothesis: on small random instances every plan the solver returns passes the checker,
and every job is either served or reported with a reason."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herne_optim import (
    Break,
    DisposalSite,
    Job,
    RoutingProblem,
    SolveOptions,
    TimeWindow,
    Vehicle,
    check,
    solve,
)

from .helpers import matrix

SKILLS = ("electrical", "crane")


@st.composite
def instances(draw: st.DrawFn) -> RoutingProblem:
    n = draw(st.integers(2, 9))
    points = draw(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=n, max_size=n))
    jobs = []
    for k in range(1, n):
        start = draw(st.integers(0, 3000))
        windows = (TimeWindow(start, start + draw(st.integers(0, 3000))),) if draw(st.booleans()) else ()
        jobs.append(
            Job(
                f"j{k}",
                k,
                service_s=draw(st.integers(0, 300)),
                demand={"volume_m3": draw(st.floats(0, 6, allow_nan=False))},
                time_windows=windows,
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=1))),
                penalty=draw(st.one_of(st.none(), st.floats(0, 1000, allow_nan=False))),
            )
        )
    vehicles = []
    for v in range(draw(st.integers(1, 3))):
        begin = draw(st.integers(0, 1000))
        breaks = (Break("lunch", 120, (TimeWindow(begin + 500, begin + 1500),)),) if draw(st.booleans()) else ()
        vehicles.append(
            Vehicle(
                f"v{v}",
                0,
                0,
                TimeWindow(begin, begin + draw(st.integers(1000, 8000))),
                capacity={"volume_m3": draw(st.floats(4, 15, allow_nan=False))},
                skills=frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2))),
                breaks=breaks,
                must_unload_before_end=draw(st.booleans()),
            )
        )
    sites = (DisposalSite("hof", 0, None, 60),) if draw(st.booleans()) else ()
    return RoutingProblem(matrix(points), tuple(jobs), tuple(vehicles), disposal_sites=sites)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_solver_output_always_passes_the_checker(problem: RoutingProblem) -> None:
    solution = solve(problem, SolveOptions(time_limit_s=0.2, seed=3))
    assert check(problem, solution) == []
    reported = {u.job_id for u in solution.unassigned} | {j for r in solution.routes for j in r.job_ids}
    assert reported == {job.id for job in problem.jobs}
