"""Wiring of the signals service: servicers, consumers and background tasks."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from herne.signals.v1 import signals_service_pb2, signals_service_pb2_grpc
from herne_events.consumer import Subscription, per_event
from herne_events.envelope import Event
from herne_events.topics import TRAFFIC_DETECTOR_COUNTS
from herne_optim.network import RoadNetwork, segment_id
from herne_runtime.logging import get_logger
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_signals.detectors import Reading
from herne_signals.model import Network, load_network
from herne_signals.service import SignalsApp
from herne_signals.servicer import SignalsServicer
from herne_signals.settings import DEMO_SIGNALS, SignalsSettings
from herne_signals.store import SignalsStore

log = get_logger(__name__)


def network_from_settings(settings: SignalsSettings) -> Network:
    path = settings.signals_data_file or DEMO_SIGNALS
    return load_network(json.loads(path.read_text(encoding="utf-8")))


async def setup(context: ServiceContext[SignalsSettings]) -> None:
    roads = RoadNetwork.demo()
    segments = frozenset(segment_id(u, v) for u, v in roads.graph.edges)
    settings = context.settings
    app = SignalsApp(
        network_from_settings(settings),
        SignalsStore(context.redis),
        context.publisher,
        segments,
        silent_after_s=settings.signals_detector_silent_seconds,
        stuck_after=settings.signals_detector_stuck_intervals,
        drift_threshold=settings.signals_drift_threshold,
        travel_time_change=settings.signals_travel_time_change,
        travel_time_valid_s=settings.signals_travel_time_valid_seconds,
    )
    context.add_service(
        signals_service_pb2.DESCRIPTOR.services_by_name["SignalsService"],
        signals_service_pb2_grpc.add_SignalsServiceServicer_to_server,
        SignalsServicer(app),
    )

    async def detector_count(event: Event[object]) -> None:
        count = event.payload
        await app.record_count(
            Reading(
                detector_id=count.detector_id,  # type: ignore[attr-defined]
                interval_start=count.interval_start_time.ToDatetime(UTC),  # type: ignore[attr-defined]
                interval_s=count.interval_seconds,  # type: ignore[attr-defined]
                vehicles=count.vehicles,  # type: ignore[attr-defined]
                occupancy_percent=count.occupancy_percent,  # type: ignore[attr-defined]
                fault_reported=count.fault_reported,  # type: ignore[attr-defined]
            )
        )

    async def watch_drift() -> None:
        while True:
            await asyncio.sleep(settings.signals_drift_check_seconds)
            try:
                for plan in await app.reoptimise_drifted(datetime.now(UTC)):
                    log.info("proposed for demand drift", intersection=plan.intersection_id, plan_id=plan.plan_id)
            except Exception:  # a failed round must not end the watcher; the next round retries
                log.exception("drift check failed")

    async def estimate_travel_times() -> None:
        while True:
            await asyncio.sleep(settings.signals_travel_time_seconds)
            try:
                await app.publish_travel_times(datetime.now(UTC))
            except Exception:  # a failed round must not end the estimator; the next round retries
                log.exception("travel-time estimate failed")

    context.add_consumer([Subscription(TRAFFIC_DETECTOR_COUNTS, per_event(detector_count))])
    context.add_task("signals-demand-drift", watch_drift)
    context.add_task("signals-travel-times", estimate_travel_times)


SERVICE = ServiceSpec(name="signals", settings=SignalsSettings, setup=setup)
