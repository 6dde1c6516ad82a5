"""VROOM-format problems: the examples round-trip, reload days pass the checker, bad files fail clearly."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from herne_optim import SolveOptions, check, solve
from herne_optim.network import RoadNetwork
from herne_optim.vroom import VroomInputError, loads_problem, parse_problem, plan, solution_to_vroom
from tests.fixtures.shared import shared_path

FAST = SolveOptions(time_limit_s=1.0, seed=1)
EXAMPLES = ("example_1", "example_2", "example_3")


def example(name: str) -> dict[str, Any]:
    return json.loads(shared_path("standards", "vroom", f"{name}.json").read_text())


def assert_schedule_consistent(problem: dict[str, Any], result: dict[str, Any]) -> None:
    """Recompute arrivals from the *input* matrix (independent of the adapter's tables)."""
    durations = None
    if "matrices" in problem:
        durations = problem["matrices"]["car"]["durations"]
    elif "matrix" in problem:
        durations = problem["matrix"]
    for route in result["routes"]:
        steps = route["steps"]
        assert steps[0]["type"] == "start" and steps[-1]["type"] == "end"
        travelled = 0
        prev = steps[0]
        for step in steps[1:]:
            if step["type"] == "break":
                continue
            if durations is not None:
                leg = durations[prev["location_index"]][step["location_index"]]
                travelled += leg
                assert step["duration"] == travelled  # cumulative travel time, matrix as given
                assert step["arrival"] >= prev["arrival"] + prev["waiting_time"] + prev["service"] + leg
            prev = step
        assert route["duration"] == steps[-1]["duration"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_vroom_examples_solve_feasibly(name: str) -> None:
    problem = example(name)
    reference = json.loads(shared_path("standards", "vroom", f"{name}_sol.json").read_text())
    result = plan(loads_problem(json.dumps(problem)), FAST)
    assert result["code"] == 0
    assert result["herne"]["checked"], result["herne"]["check_violations"]
    # Same output vocabulary as VROOM's own solutions.
    assert set(reference["summary"]) - {"violations"} <= set(result["summary"])
    for route in result["routes"]:
        assert set(reference["routes"][0]) - {"geometry"} <= set(route) | {"delivery", "pickup", "distance"}
    job_ids = {job["id"] for job in problem.get("jobs", [])}
    routed = [s["id"] for r in result["routes"] for s in r["steps"] if s["type"] == "job"]
    unassigned = {u["id"] for u in result["unassigned"] if u["type"] == "job"}
    assert len(routed) == len(set(routed)) and set(routed) | unassigned == job_ids
    assert result["summary"]["routes"] == len(result["routes"])
    assert result["summary"]["unassigned"] == len(result["unassigned"])
    assert_schedule_consistent(problem, result)


def test_example_2_with_a_matrix_matches_vroom_cost_exactly() -> None:
    problem = example("example_2")
    reference = json.loads(shared_path("standards", "vroom", "example_2_sol.json").read_text())
    result = plan(parse_problem(problem), FAST)
    assert result["summary"]["cost"] == reference["summary"]["cost"] == 5461
    assert [s["arrival"] for s in result["routes"][0]["steps"]] == [0, 2104, 4359, 5461]


def test_shipments_are_reported_unassigned_not_dropped() -> None:
    result = plan(parse_problem(example("example_1")), FAST)
    shipment_steps = {(u["id"], u["type"]) for u in result["unassigned"] if u["reason"] == "unsupported_shipment"}
    assert shipment_steps == {(4, "pickup"), (3, "delivery")}


def test_our_plan_round_trips_as_vehicle_steps() -> None:
    """A plan written by us, fed back as VROOM vehicle ``steps``, is accepted and kept feasible."""
    problem = example("example_2")
    first = plan(parse_problem(problem), FAST)
    for vehicle, route in zip(problem["vehicles"], first["routes"], strict=True):
        vehicle["steps"] = [{"type": s["type"], **({"id": s["id"]} if "id" in s else {})} for s in route["steps"]]
    again = plan(parse_problem(json.loads(json.dumps(problem))), FAST)
    assert again["summary"]["cost"] <= first["summary"]["cost"]
    assert again["herne"]["checked"]


def grid_problem(n_jobs: int, *, sites: bool, breaks: bool = False) -> dict[str, Any]:
    """Depot 0, disposal site 1, jobs at 2..n+1 on a line-ish layout (seconds = metres / 10)."""
    points = [(0.0, 0.0), (50.0, 40.0)] + [(10.0 * (k % 5), 10.0 * (k // 5) + 5) for k in range(n_jobs)]
    dist = [[round(100 * math.dist(a, b)) for b in points] for a in points]
    dur = [[d // 10 for d in row] for row in dist]
    doc: dict[str, Any] = {
        "vehicles": [
            {
                "id": 7,
                "start_index": 0,
                "end_index": 0,
                "capacity": [3],
                "time_window": [0, 8 * 3600],
            }
        ],
        "jobs": [{"id": 100 + k, "location_index": 2 + k, "service": 300, "pickup": [1]} for k in range(n_jobs)],
        "matrices": {"car": {"durations": dur, "distances": dist}},
    }
    if breaks:
        doc["vehicles"][0]["breaks"] = [{"id": 1, "service": 1800, "time_windows": [[3600, 4 * 3600]]}]
    if sites:
        doc["disposal_sites"] = [{"id": 1, "location_index": 1, "opening": [0, 7 * 3600], "unload": 900}]
        doc["vehicles"][0]["must_unload_before_end"] = True
    return doc


def assert_reload_day(doc: dict[str, Any]) -> None:
    vp = parse_problem(doc)
    solution = solve(vp.problem, FAST)
    assert check(vp.problem, solution) == []
    assert not solution.unassigned, solution.unassigned  # 8 pickups, 3 per trip: three trips
    result = solution_to_vroom(vp, solution)
    steps = result["routes"][0]["steps"]
    kinds = [s["type"] for s in steps]
    assert kinds.count("unload") >= 3  # three trips, and empty before returning to the depot
    assert kinds[-2] == "unload" or (kinds[-2] == "break" and kinds[-3] == "unload")
    assert all(0 <= s["load"][0] <= 3 for s in steps)
    assert steps[-1]["load"] == [0]
    for step in steps:
        if step["type"] == "unload":
            assert step["id"] == 1 and step["service"] == 900
            assert step["arrival"] + step["waiting_time"] <= 7 * 3600  # unloading starts while open
            assert step["load"] == [0]


def test_a_day_with_reloads_passes_the_independent_checker() -> None:
    assert_reload_day(grid_problem(8, sites=True))


def test_a_day_with_reloads_and_a_break() -> None:
    doc = grid_problem(8, sites=True, breaks=True)
    assert_reload_day(doc)


def test_without_disposal_sites_capacity_limits_the_day() -> None:
    result = plan(parse_problem(grid_problem(8, sites=False)), FAST)
    assert len(result["unassigned"]) == 5
    assert {u["reason"] for u in result["unassigned"]} == {"no_room"}


def test_priority_decides_who_gets_the_last_capacity() -> None:
    doc = {
        "vehicles": [{"id": 1, "start_index": 0, "end_index": 0, "capacity": [1]}],
        "jobs": [
            {"id": 1, "location_index": 1, "pickup": [1]},
            {"id": 2, "location_index": 2, "pickup": [1], "priority": 50},
        ],
        "matrix": [[0, 10, 500], [10, 0, 500], [500, 500, 0]],
    }
    result = plan(parse_problem(doc), FAST)
    assert [s["id"] for s in result["routes"][0]["steps"] if s["type"] == "job"] == [2]
    assert result["unassigned"][0]["id"] == 1


def test_delivery_load_profile_and_skills() -> None:
    doc = {
        "vehicles": [
            {"id": 1, "start_index": 0, "end_index": 0, "capacity": [4], "skills": [1]},
            {"id": 2, "start_index": 0, "end_index": 0, "capacity": [4]},
        ],
        "jobs": [
            {"id": 1, "location_index": 1, "delivery": [2], "skills": [1]},
            {"id": 2, "location_index": 2, "delivery": [1], "pickup": [1]},
        ],
        "matrix": [[0, 5, 7], [5, 0, 3], [7, 3, 0]],
    }
    result = plan(parse_problem(doc), FAST)
    by_job = {s["id"]: (r["vehicle"], s) for r in result["routes"] for s in r["steps"] if s["type"] == "job"}
    assert by_job[1][0] == 1
    starts = {r["vehicle"]: r["steps"][0]["load"] for r in result["routes"]}
    assert sum(sum(v) for v in starts.values()) == 3  # deliveries on board at the start
    assert result["summary"]["delivery"] == [3] and result["summary"]["pickup"] == [1]


def base_doc() -> dict[str, Any]:
    return {
        "vehicles": [{"id": 1, "start_index": 0, "end_index": 0, "capacity": [2]}],
        "jobs": [{"id": 1, "location_index": 1, "delivery": [1]}, {"id": 2, "location_index": 2, "pickup": [1]}],
        "matrices": {"car": {"durations": [[0, 1, 2], [1, 0, 1], [2, 1, 0]]}},
    }


def mutate(path: str, value: Any) -> dict[str, Any]:
    doc = base_doc()
    *parents, last = path.split(".")
    target: Any = doc
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is _DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return doc


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "error_path"),
    [
        ("matrices.car.durations.1", [1, 0], "$.matrices.car.durations[1]"),  # missing entry
        ("matrices.car.durations.2.1", None, "$.matrices.car.durations[2][1]"),
        ("matrices.car.durations.0.2", -4, "$.matrices.car.durations[0][2]"),
        ("jobs.1.location_index", 3, "$.jobs[1].location_index"),  # out of range
        ("vehicles.0.end_index", 9, "$.vehicles[0].end_index"),
        ("vehicles.0.capacity", [-1], "$.vehicles[0].capacity[0]"),  # negative capacity
        ("jobs.0.delivery", [1, 1], "$.jobs[0].delivery"),  # mismatched amount dimensions
        ("jobs.1.id", 1, "$.jobs[1].id"),  # duplicate
        ("jobs.0.id", True, "$.jobs[0].id"),
        ("jobs.0.time_windows", [[10, 5]], "$.jobs[0].time_windows[0]"),
        ("jobs.0.priority", 101, "$.jobs[0].priority"),
        ("vehicles.0.profile", "bike", "$.matrices.bike"),
        ("matrices.car.distances", [[0]], "$.matrices.distances"),
        ("vehicles", _DELETE, "$.vehicles"),
        ("vehicles.0.max_tasks", 3, "$.vehicles[0].max_tasks"),
        ("jobs.0.location_index", _DELETE, "$.jobs[0].location_index"),
        ("vehicles.0.disposal_sites", [5], "$.vehicles[0].disposal_sites[0]"),
    ],
)
def test_bad_documents_name_the_field(path: str, value: Any, error_path: str) -> None:
    with pytest.raises(VroomInputError) as caught:
        parse_problem(mutate(path, value))
    assert caught.value.path == error_path
    assert str(caught.value).startswith(error_path + ": ")


@pytest.mark.parametrize(
    "text", ["", "{", '{"vehicles": [}', "[1, 2]", '{"vehicles": NaN}', "[" * 100_000, b"\xff\xfe"]
)
def test_malformed_json_is_one_clear_error(text: str | bytes) -> None:
    with pytest.raises(VroomInputError) as caught:
        loads_problem(text)
    assert caught.value.path == "$"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "herne_cli", "waste", "plan-day", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_bad_file_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(mutate("jobs.1.location_index", 7)))
    out = tmp_path / "plan.json"
    out.write_text("previous plan")
    completed = run_cli("--problem", str(bad), "--out", str(out), "--time-limit", "1")
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0 and "$.jobs[1].location_index" in completed.stderr
    assert out.read_text() == "previous plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "plan.json"]  # no temp file left


def test_cli_plans_a_file(tmp_path: Path) -> None:
    problem = tmp_path / "day.json"
    problem.write_text(json.dumps(grid_problem(6, sites=True)))
    out = tmp_path / "plan.json"
    completed = run_cli("--problem", str(problem), "--out", str(out), "--time-limit", "1", "--seed", "3")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(out.read_text())
    assert result["code"] == 0 and result["summary"]["unassigned"] == 0 and result["herne"]["checked"]


def test_coordinates_on_a_road_network_use_its_fastest_paths() -> None:
    network = RoadNetwork.demo()
    nodes = list(network.graph.nodes(data=True))[:4]
    doc = {
        "vehicles": [{"id": 1, "start": [nodes[0][1]["lon"], nodes[0][1]["lat"]]}],
        "jobs": [{"id": k, "location": [d["lon"], d["lat"]]} for k, (_, d) in enumerate(nodes[1:], 1)],
    }
    vp = parse_problem(doc, network=network)
    index = {coords: i for i, coords in vp.coordinates.items()}
    for a, da in nodes:
        for b, db in nodes:
            i, j = index[(da["lon"], da["lat"])], index[(db["lon"], db["lat"])]
            seconds, metres = network.travel(a, b)
            assert vp.durations[i][j] == (0 if a == b else round(seconds))  # on the nodes: no access legs
            assert vp.distances is not None and vp.distances[i][j] == (0 if a == b else round(metres))
    far = {**doc, "jobs": [{"id": 1, "location": [2.35, 48.85]}]}  # Paris is not on Herne's map
    with pytest.raises(VroomInputError) as caught:
        parse_problem(far, network=network)
    assert caught.value.path == "$.jobs[0].location"
