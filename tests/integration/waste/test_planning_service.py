"""PlanningService over real gRPC (with Redis and the broker running): what-if plans of VROOM problems."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

import grpc
import pytest
import redis.asyncio as aioredis
from google.protobuf import json_format, struct_pb2

from herne.waste.v1 import planning_service_pb2, planning_service_pb2_grpc
from herne_optim.network import RoadNetwork
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_runtime.settings import RuntimeSettings
from herne_waste.planning import register
from tests.fixtures.services import auth
from tests.fixtures.shared import shared_path


async def _planning_only(context: ServiceContext[RuntimeSettings]) -> None:
    register(context)  # the very registration the waste server's setup calls


PLANNING = ServiceSpec(name="waste-planning", settings=RuntimeSettings, setup=_planning_only)


async def _planning_on_herne(context: ServiceContext[RuntimeSettings]) -> None:
    register(context, RoadNetwork.demo())


PLANNING_HERNE = ServiceSpec(name="waste-planning-herne", settings=RuntimeSettings, setup=_planning_on_herne)
DISPATCHER = auth("dispatcher")


def reload_day() -> dict[str, Any]:
    durations = [[0 if i == j else 60 + 30 * abs(i - j) for j in range(8)] for i in range(8)]
    return {
        "vehicles": [
            {
                "id": 1,
                "start_index": 0,
                "end_index": 0,
                "capacity": [2],
                "time_window": [0, 8 * 3600],
                "must_unload_before_end": True,
            }
        ],
        "jobs": [{"id": k, "location_index": k, "service": 120, "pickup": [1]} for k in range(2, 8)],
        "disposal_sites": [{"id": 5, "location_index": 1, "unload": 600, "opening": [0, 7 * 3600]}],
        "matrices": {"car": {"durations": durations}},
    }


async def test_plan_problem_json_matches_vroom_on_example_2(start_service) -> None:
    text = shared_path("standards", "vroom", "example_2.json").read_text()
    async with start_service(PLANNING) as service:
        stub = planning_service_pb2_grpc.PlanningServiceStub(service.channel)
        response = await stub.PlanProblem(
            planning_service_pb2.PlanProblemRequest(problem_json=text, time_limit_seconds=1, seed=2),
            metadata=DISPATCHER,
        )
    assert response.summary.cost == 5461 and response.summary.checked and response.summary.unassigned == 0
    solution = json.loads(response.solution_json)
    assert solution["code"] == 0
    assert [s["arrival"] for s in solution["routes"][0]["steps"]] == [0, 2104, 4359, 5461]


async def test_plan_problem_struct_with_reloads_touches_no_state(start_service, redis_server) -> None:
    problem = struct_pb2.Struct()
    json_format.ParseDict(reload_day(), problem)
    client = aioredis.from_url(redis_server.url)
    try:
        async with start_service(PLANNING) as service:
            before = sorted(await client.keys("*"))
            stub = planning_service_pb2_grpc.PlanningServiceStub(service.channel)
            response = await stub.PlanProblem(
                planning_service_pb2.PlanProblemRequest(problem_struct=problem, time_limit_seconds=1),
                metadata=DISPATCHER,
            )
            after = sorted(await client.keys("*"))
    finally:
        await client.aclose()
    assert response.summary.unassigned == 0 and response.summary.checked
    assert response.summary.unload_stops >= 3  # six pickups, two per trip, empty at the end
    steps = json.loads(response.solution_json)["routes"][0]["steps"]
    assert [s["type"] for s in steps][-2] == "unload" and steps[-1]["load"] == [0]
    assert before == after  # what-if planning stores nothing


@pytest.mark.parametrize(
    ("request_fields", "needle"),
    [
        ({"problem_json": '{"vehicles": ['}, "problem: $: malformed JSON"),
        (
            {"problem_json": json.dumps({**reload_day(), "jobs": [{"id": 1, "location_index": 8}]})},
            "$.jobs[0].location_index",
        ),
        ({"problem_json": json.dumps({**reload_day(), "vehicles": [{"id": 1, "capacity": [-2]}]})}, "capacity[0]"),
        ({}, "problem: set problem_json or problem_struct"),
        ({"problem_json": "{}", "time_limit_seconds": 61}, "time_limit_seconds"),
        ({"problem_struct": struct_pb2.Struct(fields={"vehicles": struct_pb2.Value(number_value=math.nan)})}, "NaN"),
    ],
)
async def test_bad_problems_are_invalid_argument_naming_the_field(
    start_service, request_fields: dict[str, Any], needle: str
) -> None:
    async with start_service(PLANNING) as service:
        stub = planning_service_pb2_grpc.PlanningServiceStub(service.channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.PlanProblem(planning_service_pb2.PlanProblemRequest(**request_fields), metadata=DISPATCHER)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert needle in (caught.value.details() or "")


@pytest.mark.parametrize(
    ("metadata", "code"),
    [(None, grpc.StatusCode.UNAUTHENTICATED), (auth("crew"), grpc.StatusCode.PERMISSION_DENIED)],
)
async def test_only_dispatchers_plan(start_service, metadata: Any, code: grpc.StatusCode) -> None:
    async with start_service(PLANNING) as service:
        stub = planning_service_pb2_grpc.PlanningServiceStub(service.channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.PlanProblem(
                planning_service_pb2.PlanProblemRequest(problem_json=json.dumps(reload_day())), metadata=metadata
            )
    assert caught.value.code() == code


async def test_concurrent_plans_queue_and_all_finish(start_service) -> None:
    request = planning_service_pb2.PlanProblemRequest(problem_json=json.dumps(reload_day()), time_limit_seconds=0.5)
    async with start_service(PLANNING) as service:
        stub = planning_service_pb2_grpc.PlanningServiceStub(service.channel)
        responses = await asyncio.gather(*(stub.PlanProblem(request, metadata=DISPATCHER) for _ in range(3)))
    assert all(r.summary.checked and r.summary.unassigned == 0 for r in responses)


async def test_the_waste_process_serves_planning(start_service) -> None:
    """The real waste server wires PlanningService next to WasteService."""
    from herne_waste.server import SERVICE

    text = shared_path("standards", "vroom", "example_2.json").read_text()
    async with start_service(SERVICE) as service:
        stub = planning_service_pb2_grpc.PlanningServiceStub(service.channel)
        response = await stub.PlanProblem(
            planning_service_pb2.PlanProblemRequest(problem_json=text, time_limit_seconds=0.5), metadata=DISPATCHER
        )
    assert response.summary.cost == 5461


async def test_coordinates_travel_on_the_service_road_network(start_service) -> None:
    network = RoadNetwork.demo()
    (a, da), (b, db) = list(network.graph.nodes(data=True))[:2]
    problem = {
        "vehicles": [{"id": 1, "start": [da["lon"], da["lat"]], "end": [da["lon"], da["lat"]]}],
        "jobs": [{"id": 1, "location": [db["lon"], db["lat"]], "service": 60}],
    }
    request = planning_service_pb2.PlanProblemRequest(
        problem_json=json.dumps(problem), time_limit_seconds=0.5, use_road_network=True
    )
    async with start_service(PLANNING_HERNE) as service:
        stub = planning_service_pb2_grpc.PlanningServiceStub(service.channel)
        response = await stub.PlanProblem(request, metadata=DISPATCHER)
    there, back = network.travel(a, b)[0], network.travel(b, a)[0]
    assert response.summary.duration_seconds == round(there) + round(back)
    async with start_service(PLANNING) as service:  # no network in this process
        stub = planning_service_pb2_grpc.PlanningServiceStub(service.channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.PlanProblem(request, metadata=DISPATCHER)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "use_road_network" in (caught.value.details() or "")
