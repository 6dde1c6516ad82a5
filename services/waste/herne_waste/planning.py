"""gRPC servicer of herne.waste.v1.PlanningService: what-if planning of VROOM-format problems.

Stateless: it never touches bookings, tours, Redis or Kafka. Parsing, validation and the
solution format live in `herne_optim.vroom`; this module converts proto <-> JSON and keeps
the CPU-bound search off the event loop, one plan at a time (the machine has few cores and
bookings must stay responsive), with a bounded queue.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any

from google.protobuf import json_format

from herne.waste.v1 import planning_service_pb2, planning_service_pb2_grpc
from herne_optim import ProblemError, SolveOptions, vroom
from herne_optim.network import RoadNetwork
from herne_runtime.errors import InvalidArgument, ResourceExhausted
from herne_runtime.server import ServiceContext

DEFAULT_TIME_LIMIT_S = 10.0
MAX_TIME_LIMIT_S = 60.0
MAX_QUEUED = 4  # plans waiting behind the running one; more are refused


def _integral(value: Any) -> Any:
    """Struct numbers are doubles: integral ones back to int (VROOM ids, indices, amounts)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


def _parse(request: planning_service_pb2.PlanProblemRequest, network: RoadNetwork | None) -> vroom.VroomProblem:
    if request.use_road_network and network is None:
        raise InvalidArgument("use_road_network: this process has no road network")
    network = network if request.use_road_network else None
    which = request.WhichOneof("problem")
    if which == "problem_json":
        return vroom.loads_problem(request.problem_json, network=network)
    if which == "problem_struct":
        try:
            document = _integral(json_format.MessageToDict(request.problem_struct))
        except ValueError as error:  # NaN or infinity in a Struct number has no JSON form
            raise InvalidArgument(f"problem_struct: {error}") from None
        return vroom.parse_problem(document, network=network)
    raise InvalidArgument("problem: set problem_json or problem_struct")


def _plan(
    request: planning_service_pb2.PlanProblemRequest, options: SolveOptions, network: RoadNetwork | None
) -> dict[str, Any]:
    began = time.monotonic()
    try:
        problem = _parse(request, network)
    except ProblemError as exc:
        raise InvalidArgument(f"problem: {exc}") from None
    return vroom.plan(problem, options, loading_ms=round((time.monotonic() - began) * 1000))


class PlanningServicer(planning_service_pb2_grpc.PlanningServiceServicer):
    """Implements herne.waste.v1.PlanningService."""

    def __init__(self, network: RoadNetwork | None = None) -> None:
        self._network = network
        self._running = asyncio.Semaphore(1)
        self._pending = 0

    async def PlanProblem(
        self, request: planning_service_pb2.PlanProblemRequest, context: Any
    ) -> planning_service_pb2.PlanProblemResponse:
        limit = request.time_limit_seconds or DEFAULT_TIME_LIMIT_S
        if not (math.isfinite(limit) and 0 < limit <= MAX_TIME_LIMIT_S):
            raise InvalidArgument(f"time_limit_seconds: must be in (0, {MAX_TIME_LIMIT_S:g}], got {limit}")
        if request.WhichOneof("problem") is None:
            raise InvalidArgument("problem: set problem_json or problem_struct")
        options = SolveOptions(time_limit_s=limit, seed=request.seed)
        if self._pending > MAX_QUEUED:
            raise ResourceExhausted(f"{self._pending} what-if plans are queued already; retry later")
        self._pending += 1
        try:
            async with self._running:
                result = await asyncio.to_thread(_plan, request, options, self._network)
        finally:
            self._pending -= 1
        summary = result["summary"]
        return planning_service_pb2.PlanProblemResponse(
            solution_json=json.dumps(result),
            summary=planning_service_pb2.PlanSummary(
                cost=round(summary["cost"]),
                routes=summary["routes"],
                unassigned=summary["unassigned"],
                duration_seconds=round(summary["duration"]),
                distance_meters=round(summary.get("distance", 0)),
                unload_stops=result["herne"]["unload_steps"],
                checked=result["herne"]["checked"],
            ),
        )


def register(context: ServiceContext[Any], network: RoadNetwork | None = None) -> None:
    """Serve PlanningService in this process (called from the waste server's setup).

    ``network``: the service's live road network, for requests with ``use_road_network``.
    """
    context.add_service(
        planning_service_pb2.DESCRIPTOR.services_by_name["PlanningService"],
        planning_service_pb2_grpc.add_PlanningServiceServicer_to_server,
        PlanningServicer(network),
    )
