"""Each constraint kind on a small instance where it binds; every plan passes the checker."""

from __future__ import annotations

import pytest

from herne_optim import (
    Break,
    DisposalSite,
    DrivingRule,
    Job,
    Lock,
    ProblemError,
    RoutingProblem,
    SolveOptions,
    StepKind,
    TimeWindow,
    UnassignedReason,
    Vehicle,
)

from .helpers import matrix, solve_checked

DAY = TimeWindow(0, 10_000)
POINTS = [(0, 0), (10, 0), (20, 0), (30, 0), (0, 10), (0, 20), (0, 30), (10, 10)]
M = matrix(POINTS)


def truck(vid: str = "t1", **kw: object) -> Vehicle:
    args: dict[str, object] = {"start_location": 0, "end_location": 0, "shift": DAY}
    args.update(kw)
    return Vehicle(vid, **args)  # type: ignore[arg-type]


def job(jid: str, loc: int, **kw: object) -> Job:
    return Job(jid, loc, **kw)  # type: ignore[arg-type]


def kinds(solution, vehicle_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    route = solution.route(vehicle_id)
    return [] if route is None else [step.kind.value for step in route.steps]


def test_capacity_splits_jobs_over_two_trucks() -> None:
    jobs = tuple(job(f"j{i}", i, demand={"volume_m3": 6}) for i in range(1, 5))
    fleet = (truck("a", capacity={"volume_m3": 12}), truck("b", capacity={"volume_m3": 12}))
    solution = solve_checked(RoutingProblem(M, jobs, fleet))
    assert not solution.unassigned
    assert sorted(len(r.job_ids) for r in solution.routes) == [2, 2]
    assert max(step.load["volume_m3"] for r in solution.routes for step in r.steps) == 12


def test_time_windows_force_the_order_against_geometry() -> None:
    # Far job first (window early), near job later.
    jobs = (
        job("near", 1, time_windows=(TimeWindow(900, 1000),)),
        job("far", 3, time_windows=(TimeWindow(300, 400),)),
    )
    solution = solve_checked(RoutingProblem(M, jobs, (truck(),)))
    assert solution.routes[0].job_ids == ["far", "near"]


def test_several_time_windows_pick_a_feasible_one() -> None:
    jobs = (job("x", 1, service_s=50, time_windows=(TimeWindow(0, 50), TimeWindow(500, 600))),)
    # Shift starts at 60: the first window is gone, the second must be used.
    solution = solve_checked(RoutingProblem(M, jobs, (truck(shift=TimeWindow(60, 10_000)),)))
    step = solution.routes[0].steps[1]
    assert 500 <= step.start <= 600


def test_service_time_and_shift_end_make_a_job_unreachable() -> None:
    jobs = (job("ok", 1, service_s=100), job("late", 3, service_s=2000))
    solution = solve_checked(RoutingProblem(M, jobs, (truck(shift=TimeWindow(0, 1000)),)))
    assert solution.routes[0].job_ids == ["ok"]
    (missing,) = solution.unassigned
    assert missing.job_id == "late"
    assert missing.reason is UnassignedReason.TIME_WINDOW_UNREACHABLE


def test_fixed_break_inside_its_window() -> None:
    jobs = tuple(job(f"j{i}", i, service_s=200) for i in range(1, 8))
    lunch = Break("lunch", 300, (TimeWindow(400, 500),))
    solution = solve_checked(RoutingProblem(M, jobs, (truck(breaks=(lunch,)),)))
    (brk,) = [s for s in solution.routes[0].steps if s.kind is StepKind.BREAK]
    assert 400 <= brk.start <= 500
    assert brk.departure - brk.start >= 300


def test_driving_rule_inserts_rest_breaks() -> None:
    jobs = tuple(job(f"j{i}", i, service_s=300) for i in range(1, 8))
    rule = DrivingRule(max_continuous_s=2000, break_s=200)
    solution = solve_checked(RoutingProblem(M, jobs, (truck(driving_rule=rule),)), SolveOptions(time_limit_s=0.5))
    route = solution.routes[0]
    assert route.duration_s > 2000
    assert any(s.kind is StepKind.BREAK for s in route.steps)


def test_multiple_trips_unload_when_full_and_before_the_end() -> None:
    jobs = tuple(job(f"j{i}", i, demand={"volume_m3": 5}) for i in range(1, 5))
    site = DisposalSite("hof", 7, TimeWindow(0, 10_000), unload_s=120)
    fleet = (truck(capacity={"volume_m3": 10}, must_unload_before_end=True),)
    solution = solve_checked(RoutingProblem(M, jobs, fleet, disposal_sites=(site,)))
    assert not solution.unassigned
    steps = solution.routes[0].steps
    assert [s.kind for s in steps].count(StepKind.UNLOAD) >= 2
    assert steps[-2].kind is StepKind.UNLOAD
    assert all(s.load["volume_m3"] <= 10 for s in steps)


def test_disposal_site_opening_hours_bind() -> None:
    jobs = (job("j", 1, demand={"volume_m3": 1}),)
    site = DisposalSite("hof", 7, TimeWindow(2000, 3000), unload_s=60)
    fleet = (truck(capacity={"volume_m3": 10}, must_unload_before_end=True),)
    solution = solve_checked(RoutingProblem(M, jobs, fleet, disposal_sites=(site,)))
    unload = next(s for s in solution.routes[0].steps if s.kind is StepKind.UNLOAD)
    assert unload.start >= 2000


def test_skills_pick_the_equipped_truck_and_report_missing_skills() -> None:
    jobs = (
        job("fridge", 1, skills=frozenset({"electrical"})),
        job("sofa", 2),
        job("crane", 3, skills=frozenset({"crane"})),
    )
    fleet = (truck("plain"), truck("equipped", skills=frozenset({"electrical"})))
    solution = solve_checked(RoutingProblem(M, jobs, fleet))
    assert "fridge" in solution.route("equipped").job_ids  # type: ignore[union-attr]
    (missing,) = solution.unassigned
    assert (missing.job_id, missing.reason) == ("crane", UnassignedReason.NO_SKILLED_VEHICLE)


def test_optional_job_with_low_penalty_is_left_out_with_reason() -> None:
    jobs = (job("cheap", 6, penalty=0.01), job("valuable", 3, penalty=1000.0))
    solution = solve_checked(RoutingProblem(M, jobs, (truck(cost_per_km=1.0),)))
    assert solution.routes[0].job_ids == ["valuable"]
    (missing,) = solution.unassigned
    assert (missing.job_id, missing.reason) == ("cheap", UnassignedReason.NOT_WORTH_IT)


def test_mandatory_jobs_that_do_not_fit_are_reported_never_dropped() -> None:
    jobs = tuple(job(f"j{i}", i, demand={"volume_m3": 4}) for i in range(1, 5))
    solution = solve_checked(RoutingProblem(M, jobs, (truck(capacity={"volume_m3": 10}),)))
    assert len(solution.routes[0].job_ids) == 2
    assert {u.reason for u in solution.unassigned} == {UnassignedReason.NO_ROOM}
    assert len(solution.unassigned) == 2


def test_demand_beyond_every_truck() -> None:
    jobs = (job("huge", 1, demand={"volume_m3": 50}),)
    solution = solve_checked(RoutingProblem(M, jobs, (truck(capacity={"volume_m3": 10}),)))
    assert solution.unassigned[0].reason is UnassignedReason.EXCEEDS_CAPACITY


def test_locked_stops_stay_on_their_truck_and_position() -> None:
    jobs = (
        job("first", 3, locked=Lock("b", 0)),
        job("second", 1, locked=Lock("b", 1)),
        job("any", 2, locked=Lock("b")),
        job("free", 4),
    )
    solution = solve_checked(RoutingProblem(M, jobs, (truck("a"), truck("b"))))
    route_b = solution.route("b")
    assert route_b is not None
    assert route_b.job_ids[:2] == ["first", "second"]
    assert "any" in route_b.job_ids


def test_warm_start_from_an_existing_plan() -> None:
    jobs = tuple(job(f"j{i}", i) for i in range(1, 8))
    plan = {"a": ["j7", "j1", "j2", "j3", "j4", "j5", "j6"]}
    problem = RoutingProblem(M, jobs, (truck("a"),), initial_routes=plan)
    solution = solve_checked(problem)
    assert not solution.unassigned


def test_empty_fleet_reports_every_job() -> None:
    solution = solve_checked(RoutingProblem(M, (job("j", 1),), ()))
    assert [u.job_id for u in solution.unassigned] == ["j"]


def test_same_seed_same_plan() -> None:
    jobs = tuple(job(f"j{i}", i, demand={"volume_m3": 3}) for i in range(1, 8))
    problem = RoutingProblem(M, jobs, (truck("a", capacity={"volume_m3": 10}), truck("b", capacity={"volume_m3": 10})))
    first, second = solve_checked(problem), solve_checked(problem)
    assert [r.job_ids for r in first.routes] == [r.job_ids for r in second.routes]


@pytest.mark.parametrize(
    "build",
    [
        lambda: RoutingProblem(M, (job("a", 1), job("a", 2)), (truck(),)),
        lambda: RoutingProblem(M, (job("a", 99),), (truck(),)),
        lambda: RoutingProblem(M, (job("a", 1, locked=Lock("ghost")),), (truck(),)),
        lambda: RoutingProblem(M, (job("a", 1, locked=Lock("t1", 1)),), (truck(),)),
        lambda: RoutingProblem(M, (job("a", 1),), (truck(),), initial_routes={"t1": ["zz"]}),
        lambda: Job("a", 1, demand={"volume_m3": -1}),
        lambda: TimeWindow(5, 1),
        lambda: SolveOptions(time_limit_s=0),
    ],
)
def test_malformed_input_is_rejected_with_a_message(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ProblemError):
        build()


def test_work_budget_gives_the_same_plan_on_a_larger_instance() -> None:
    import random

    rng = random.Random(7)
    points = [(50.0, 50.0)] + [(rng.uniform(0, 100), rng.uniform(0, 100)) for _ in range(20)]
    jobs = tuple(Job(f"j{i}", i, service_s=60, demand={"volume_m3": 2}) for i in range(1, 21))
    fleet = tuple(truck(f"t{k}", capacity={"volume_m3": 10}) for k in range(3))
    problem = RoutingProblem(matrix(points), jobs, fleet)
    options = SolveOptions(time_limit_s=30, seed=5, max_iterations=30)
    first, second = solve_checked(problem, options), solve_checked(problem, options)
    assert [r.job_ids for r in first.routes] == [r.job_ids for r in second.routes]
    assert first.solve_time_s < 30
