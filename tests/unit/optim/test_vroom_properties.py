"""Property tests of the VROOM parser: garbage never crashes it, it is a clear error or a valid problem."""

from __future__ import annotations

import contextlib
import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herne_optim import RoutingProblem, SolveOptions, check, solve
from herne_optim.vroom import VroomInputError, VroomProblem, loads_problem, parse_problem, solution_to_vroom

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)

VALID: dict[str, Any] = {
    "vehicles": [
        {
            "id": 1,
            "start_index": 0,
            "end_index": 0,
            "capacity": [3],
            "skills": [1],
            "time_window": [0, 10_000],
            "breaks": [{"id": 1, "service": 60, "time_windows": [[100, 5000]]}],
            "disposal_sites": [9],
            "must_unload_before_end": True,
        },
        {"id": 2, "start_index": 1, "capacity": [2], "costs": {"fixed": 100, "per_hour": 3600}},
    ],
    "jobs": [
        {"id": 1, "location_index": 1, "service": 30, "delivery": [1], "time_windows": [[0, 4000]]},
        {"id": 2, "location_index": 2, "pickup": [2], "skills": [1], "priority": 10},
        {"id": 3, "location_index": 3, "pickup": [1], "setup": 5},
    ],
    "disposal_sites": [{"id": 9, "location_index": 2, "opening": [0, 9000], "unload": 120}],
    "matrices": {
        "car": {
            "durations": [[0, 10, 20, 30], [10, 0, 15, 25], [20, 15, 0, 12], [30, 25, 12, 0]],
            "distances": [[0, 100, 200, 300], [100, 0, 150, 250], [200, 150, 0, 120], [300, 250, 120, 0]],
        }
    },
}

# A key VROOM documents, used to steer mutations onto fields that matter.
KEYS = sorted(
    {
        "id",
        "location_index",
        "location",
        "service",
        "setup",
        "delivery",
        "pickup",
        "amount",
        "skills",
        "priority",
        "time_windows",
        "time_window",
        "start_index",
        "end_index",
        "start",
        "end",
        "capacity",
        "breaks",
        "costs",
        "profile",
        "steps",
        "matrices",
        "matrix",
        "durations",
        "distances",
        "jobs",
        "vehicles",
        "shipments",
        "disposal_sites",
        "must_unload_before_end",
        "opening",
        "unload",
        "speed_factor",
        "type",
    }
)


def outcome(document: Any) -> VroomProblem | None:
    """The parse result, or None for a clear error; anything else escapes and fails the test."""
    error: VroomInputError | None = None
    try:
        parsed = parse_problem(document)
    except VroomInputError as exc:
        error = exc
    if error is not None:
        assert error.path.startswith("$") and str(error).startswith(error.path + ": ") and error.detail
        return None
    assert isinstance(parsed.problem, RoutingProblem)
    return parsed


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_is_an_error_or_a_problem(value: Any) -> None:
    outcome(value)
    with contextlib.suppress(VroomInputError):
        loads_problem(json.dumps(value))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_garbage_text_is_a_clear_error(text: bytes | str) -> None:
    with pytest.raises(VroomInputError) as caught:
        loads_problem(text)  # 200 random characters are never a valid problem
    assert caught.value.path.startswith("$")


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            out += _paths(child, (*prefix, index))
    return out


PATHS = _paths(VALID)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent: Any = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            last = path[-1]
            action = draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "delete":
                del parent[last]
            elif action == "add" and isinstance(parent, dict):
                parent[draw(st.sampled_from(KEYS))] = draw(json_values)
            else:
                parent[last] = draw(json_values | st.integers(-3, 12))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed the path
    return document


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_valid_documents_never_crash_the_parser(document: dict[str, Any]) -> None:
    outcome(document)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_what_parses_also_solves_and_writes(document: dict[str, Any]) -> None:
    parsed = outcome(document)
    if parsed is None:
        return
    solution = solve(parsed.problem, SolveOptions(time_limit_s=0.1, seed=0))
    assert check(parsed.problem, solution) == []
    result = solution_to_vroom(parsed, solution)
    json.dumps(result)  # serialisable, no NaN
    assert result["summary"]["unassigned"] == len(result["unassigned"])
