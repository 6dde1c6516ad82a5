"""OpsService: status and dead-letter replay, served by every service process."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import grpc

from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc
from herne_events.replay import replay_dead_letters
from herne_events.topics import topic_named
from herne_runtime.errors import InvalidArgument
from herne_runtime.version import package_version

if TYPE_CHECKING:
    from herne_runtime.server import ServiceRuntime

MAX_REPLAY = 10_000


class OpsServicer(ops_service_pb2_grpc.OpsServiceServicer):
    """Implements herne.ops.v1.OpsService for one ServiceRuntime."""

    def __init__(self, runtime: ServiceRuntime[Any]) -> None:
        self._runtime = runtime
        self._started = datetime.now(UTC)

    async def GetServiceStatus(
        self, request: ops_service_pb2.GetServiceStatusRequest, context: grpc.aio.ServicerContext
    ) -> ops_service_pb2.GetServiceStatusResponse:
        runtime = self._runtime
        response = ops_service_pb2.GetServiceStatusResponse(
            service=runtime.spec.name,
            version=package_version(),
            serving=bool(runtime.monitor and runtime.monitor.serving),
        )
        response.started_time.FromDatetime(self._started)
        for name, state in runtime.monitor.states.items() if runtime.monitor else []:
            dependency = response.dependencies.add(name=name, reachable=state.reachable, last_error=state.last_error)
            if state.checked_at is not None:
                dependency.checked_time.FromDatetime(state.checked_at)
        for consumer in runtime.context.consumers if runtime.context else []:
            counters = consumer.counters
            status = response.consumers.add(
                group_id=consumer.group_id,
                topics=consumer.topics,
                applied=counters.applied,
                duplicates=counters.duplicates,
                dead_lettered=counters.dead_lettered,
            )
            for (topic, partition), lag in sorted(counters.lag.items()):
                status.partitions.add(topic=topic, partition=partition, lag=lag)
        return response

    async def ReplayDeadLetters(
        self, request: ops_service_pb2.ReplayDeadLettersRequest, context: grpc.aio.ServicerContext
    ) -> ops_service_pb2.ReplayDeadLettersResponse:
        if not 1 <= request.max_events <= MAX_REPLAY:
            raise InvalidArgument(f"max_events must be between 1 and {MAX_REPLAY}, got {request.max_events}")
        runtime_context = self._runtime.context
        assert runtime_context is not None
        consumer = next((c for c in runtime_context.consumers if request.topic in c.topics), None)
        if consumer is None:
            consumed = sorted({t for c in runtime_context.consumers for t in c.topics})
            raise InvalidArgument(
                f"topic {request.topic[:200]!r} is not consumed by this service; it consumes {consumed}"
            )
        replayed, remaining = await replay_dead_letters(
            runtime_context.kafka,
            runtime_context.publisher,
            topic_named(request.topic),
            group_id=consumer.group_id,
            max_events=request.max_events,
        )
        return ops_service_pb2.ReplayDeadLettersResponse(replayed=replayed, remaining=remaining)
