"""Dependency monitor: drives grpc.health.v1 from Redis and Kafka reachability."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from grpc_health.v1 import health, health_pb2

from herne_runtime import metrics
from herne_runtime.logging import get_logger

log = get_logger(__name__)

Check = Callable[[], Awaitable[object]]


@dataclass
class DependencyState:
    """Result of the latest check of one dependency."""

    reachable: bool = False
    last_error: str = "not checked yet"
    checked_at: datetime | None = None


class DependencyMonitor:
    """Checks dependencies periodically; SERVING only while all of them answer.

    ``on_recovered`` callbacks run when a dependency comes back after an
    outage (e.g. re-create topics on a broker that lost them).
    """

    def __init__(
        self,
        checks: dict[str, Check],
        health_servicer: health.aio.HealthServicer,
        service_names: Iterable[str],
        *,
        interval_seconds: float,
        timeout_seconds: float = 3.0,
    ) -> None:
        self._checks = checks
        self._health = health_servicer
        self._service_names = ["", *service_names]
        self._interval = interval_seconds
        self._timeout = timeout_seconds
        self.states = {name: DependencyState() for name in checks}
        self._on_recovered: dict[str, list[Callable[[], Awaitable[None]]]] = {}
        self._serving: bool | None = None

    @property
    def serving(self) -> bool:
        return bool(self._serving)

    def on_recovered(self, dependency: str, callback: Callable[[], Awaitable[None]]) -> None:
        self._on_recovered.setdefault(dependency, []).append(callback)

    async def check_once(self) -> bool:
        """Run every check now and publish the overall status."""
        for name, check in self._checks.items():
            state = self.states[name]
            was_reachable = state.reachable
            try:
                await asyncio.wait_for(check(), self._timeout)
            except Exception as error:  # any failure means "not reachable"; the message says why
                state.reachable = False
                state.last_error = f"{type(error).__name__}: {error}"[:300]
                if was_reachable:
                    log.warning("dependency_lost", dependency=name, error=state.last_error)
            else:
                state.reachable = True
                state.last_error = ""
                if not was_reachable:
                    log.info("dependency_reachable", dependency=name)
                    for callback in self._on_recovered.get(name, []):
                        try:
                            await callback()
                        except Exception as error:
                            state.reachable = False
                            state.last_error = f"recovery failed: {type(error).__name__}: {error}"[:300]
                            log.warning("dependency_recovery_failed", dependency=name, error=state.last_error)
            state.checked_at = datetime.now(UTC)
            metrics.DEPENDENCY_UP.labels(name).set(1 if state.reachable else 0)
        await self._publish(all(state.reachable for state in self.states.values()))
        return self.serving

    async def _publish(self, serving: bool) -> None:
        if serving == self._serving:
            return
        self._serving = serving
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in self._service_names:
            await self._health.set(name, status)
        metrics.SERVING.set(1 if serving else 0)
        log.info("health_changed", serving=serving)

    async def run(self) -> None:
        while True:
            await self.check_once()
            await asyncio.sleep(self._interval)
