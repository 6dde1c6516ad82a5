"""Wiring of the parking service: servicers, consumers and background tasks."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from herne.parking.v1 import parking_service_pb2, parking_service_pb2_grpc
from herne_events.consumer import Batch, Subscription
from herne_events.topics import PARKING_COUNTER_EVENTS, PARKING_SENSOR_READINGS
from herne_parking.domain import ParkingCatalog, load_catalog
from herne_parking.opendata_http import OpenDataFeeds, opendata_routes
from herne_parking.service import ItemOutcome, ParkingApp
from herne_parking.servicer import ParkingServicer, counter_input, reading_input
from herne_parking.settings import DEMO_PARKING, ParkingSettings
from herne_parking.store import ParkingStore
from herne_runtime.logging import get_logger
from herne_runtime.server import ServiceContext, ServiceSpec

log = get_logger(__name__)


def catalog_from_settings(settings: ParkingSettings) -> ParkingCatalog:
    path = settings.parking_data_file or DEMO_PARKING
    return load_catalog(json.loads(path.read_text(encoding="utf-8")), demo=settings.parking_data_file is None)


def app_from_context(context: ServiceContext[ParkingSettings]) -> ParkingApp:
    settings = context.settings
    return ParkingApp(
        catalog_from_settings(settings),
        ParkingStore(context.redis),
        context.publisher,
        sensor_stale_s=settings.parking_sensor_stale_seconds,
        counter_silent_s=settings.parking_counter_silent_seconds,
        trend_window_s=settings.parking_trend_window_seconds,
        history_sample_s=settings.parking_history_sample_seconds,
        history_retention_days=settings.parking_history_retention_days,
        max_batch=settings.parking_max_batch,
        max_clock_skew_s=settings.parking_max_clock_skew_seconds,
        max_streams_per_client=settings.max_streams_per_client,
        dedup_ttl_s=settings.event_dedup_ttl_seconds,
    )


async def setup(context: ServiceContext[ParkingSettings]) -> None:
    app = app_from_context(context)
    installed = asyncio.Event()
    context.add_service(
        parking_service_pb2.DESCRIPTOR.services_by_name["ParkingService"],
        parking_service_pb2_grpc.add_ParkingServiceServicer_to_server,
        ParkingServicer(app),
    )

    async def sensor_readings(batch: Batch[Any]) -> None:
        results = await app.report_readings([reading_input(e.payload) for e in batch.events], bounded=False)
        for event, result in zip(batch.events, results, strict=True):
            if result.outcome == ItemOutcome.REJECTED:
                batch.reject(event, result.reason)

    async def counter_events(batch: Batch[Any]) -> None:
        # The envelope id is the dedup key, set in the same Redis script as the count: a crash
        # between applying and committing cannot apply a passage twice.
        results = await app.report_counter_events(
            [counter_input(e.payload) for e in batch.events],
            dedup_keys=[batch.dedup_key(e) for e in batch.events],
            bounded=False,
        )
        for event, result in zip(batch.events, results, strict=True):
            if result.outcome == ItemOutcome.REJECTED:
                batch.reject(event, result.reason)

    async def refresh_forever() -> None:
        while True:
            try:
                if not installed.is_set():
                    await app.install()
                    installed.set()
                await app.refresh()
            except Exception as error:  # Redis away or a bug: this round is lost, the next one retries
                log.warning("parking_refresh_failed", error=f"{type(error).__name__}: {error}")
            await asyncio.sleep(context.settings.parking_refresh_seconds)

    context.add_consumer(
        [
            # Last writer wins on observed time, so redelivered readings are harmless without dedup ids.
            Subscription(PARKING_SENSOR_READINGS, sensor_readings, deduplicate=False),
            Subscription(PARKING_COUNTER_EVENTS, counter_events),
        ]
    )
    context.add_task("parking-refresh", refresh_forever)
    feeds = OpenDataFeeds(
        app,
        stale_after_s=context.settings.parking_opendata_stale_after_seconds,
        cache_seconds=max(1, round(context.settings.parking_refresh_seconds)),
    )
    context.add_http_routes(opendata_routes(feeds))


SERVICE = ServiceSpec(name="parking", settings=ParkingSettings, setup=setup)
