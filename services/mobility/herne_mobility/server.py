"""Wiring of the mobility service: servicers, feed pollers, the P+R consumer and the GBFS HTTP feed."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC

import aiohttp

from herne.mobility.v1 import mobility_service_pb2, mobility_service_pb2_grpc
from herne_events.consumer import PermanentEventError, Subscription, per_event
from herne_events.envelope import Event
from herne_events.topics import PARKING_OCCUPANCY_CHANGED
from herne_mobility.feeds import (
    DEFAULT_FEEDS,
    Backoff,
    FeedConfig,
    demo_feed_configs,
    directory_version,
    load_feed_configs,
    poll_forever,
    read_directory,
    read_url,
)
from herne_mobility.gbfs import SchemaSet
from herne_mobility.gbfs_out import Publisher, gbfs_routes
from herne_mobility.hubs import DEMO_HUBS, load_hubs
from herne_mobility.model import FeedSnapshot, ParkingState
from herne_mobility.service import MobilityApp
from herne_mobility.servicer import MobilityServicer
from herne_mobility.settings import MobilitySettings
from herne_mobility.store import MobilityStore
from herne_runtime.errors import DomainError
from herne_runtime.logging import get_logger
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_runtime.settings import ConfigurationError

log = get_logger(__name__)


def feed_configs(settings: MobilitySettings) -> list[FeedConfig]:
    path = settings.mobility_feeds_file or DEFAULT_FEEDS
    try:
        return load_feed_configs(json.loads(path.read_text(encoding="utf-8")), settings.enabled_feeds())
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"HERNE_MOBILITY_FEEDS_FILE {path}: {error}") from None


class FeedRunner:
    """Starts one poll loop per enabled feed, and one per demo system as the simulator creates them."""

    def __init__(self, app: MobilityApp, settings: MobilitySettings, schemas: SchemaSet) -> None:
        self.app = app
        self.settings = settings
        self.schemas = schemas
        self.session: aiohttp.ClientSession | None = None
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def _reader(self, config: FeedConfig):  # type: ignore[no-untyped-def]
        marker: list[object] = [None]

        async def read_files() -> FeedSnapshot | None:
            assert config.directory is not None
            version = await asyncio.to_thread(directory_version, config.directory)
            if version == marker[0]:
                return None  # unchanged files: nothing to read (the stale sweep still runs)
            marker[0] = version
            return await read_directory(config, self.schemas)

        async def read_http() -> FeedSnapshot | None:
            if self.session is None:
                self.session = aiohttp.ClientSession(headers={"User-Agent": "herne-mobility (GBFS aggregator)"})
            return await read_url(config, self.schemas, self.session, self.settings.mobility_http_timeout_seconds)

        return read_files if config.directory is not None else read_http

    def start(self, config: FeedConfig) -> None:
        if config.system_id in self.tasks or not config.enabled:
            return
        self.app.add_feed(config)
        settings = self.settings
        file_based = config.directory is not None
        minimum = settings.mobility_directory_poll_seconds if file_based else settings.mobility_poll_min_seconds

        async def failed(error: str) -> None:
            await self.app.feed_failed(config.system_id, error)

        self.tasks[config.system_id] = asyncio.create_task(
            poll_forever(
                self._reader(config),
                self.app.apply_snapshot,
                failed,
                minimum_s=minimum,
                maximum_s=minimum if file_based else settings.mobility_poll_max_seconds,
                backoff=Backoff(settings.mobility_backoff_first_seconds, settings.mobility_backoff_max_seconds),
            ),
            name=f"gbfs-{config.system_id}",
        )

    async def run(self, configs: list[FeedConfig]) -> None:
        try:
            for config in configs:
                self.start(config)
            directory = self.settings.mobility_demo_gbfs_directory
            while True:
                if directory is not None:
                    for config in await asyncio.to_thread(demo_feed_configs, directory):
                        self.start(config)
                for system_id, task in list(self.tasks.items()):
                    if task.done() and not task.cancelled() and task.exception() is not None:
                        log.error("gbfs_poller_failed", system=system_id, exc_info=task.exception())
                        del self.tasks[system_id]  # restarted with its config on the next round
                        self.start(self.app.feeds[system_id].config)
                await asyncio.sleep(self.settings.mobility_directory_poll_seconds)
        finally:
            for task in self.tasks.values():
                task.cancel()
            await asyncio.gather(*self.tasks.values(), return_exceptions=True)
            if self.session is not None:
                await self.session.close()


async def setup(context: ServiceContext[MobilitySettings]) -> None:
    settings = context.settings
    path = settings.mobility_hubs_file or DEMO_HUBS
    try:
        hubs = load_hubs(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"HERNE_MOBILITY_HUBS_FILE {path}: {error}") from None
    configs = feed_configs(settings)
    schemas = SchemaSet(settings.mobility_gbfs_schema_directory)
    if not schemas.available:
        log.warning("gbfs_schemas_missing", directory=str(settings.mobility_gbfs_schema_directory))
    demo_configs = (
        demo_feed_configs(settings.mobility_demo_gbfs_directory) if settings.mobility_demo_gbfs_directory else []
    )
    app = MobilityApp(
        hubs,
        MobilityStore(context.redis),
        context.publisher,
        [*configs, *demo_configs],
        report_valid_s=settings.mobility_report_valid_seconds,
        parking_valid_s=settings.mobility_parking_valid_seconds,
        max_streams_per_client=settings.max_streams_per_client,
    )
    await app.load()
    context.add_service(
        mobility_service_pb2.DESCRIPTOR.services_by_name["MobilityService"],
        mobility_service_pb2_grpc.add_MobilityServiceServicer_to_server,
        MobilityServicer(app),
    )
    publisher = Publisher(settings.mobility_gbfs_contact_email, settings.mobility_gbfs_license_id)
    context.add_http_routes(gbfs_routes(app, publisher))

    async def occupancy_changed(event: Event[object]) -> None:
        change = event.payload
        observed = change.observed_time.ToDatetime(UTC).timestamp() if change.HasField("observed_time") else 0.0  # type: ignore[attr-defined]
        version = int(change.version) or int(observed * 1000)  # type: ignore[attr-defined]
        try:
            await app.parking_changed(
                ParkingState(
                    facility_id=change.facility_id,  # type: ignore[attr-defined]
                    capacity=change.capacity,  # type: ignore[attr-defined]
                    free=change.free,  # type: ignore[attr-defined]
                    observed=observed,
                    stale=change.stale,  # type: ignore[attr-defined]
                    version=version,
                )
            )
        except DomainError as error:
            raise PermanentEventError(error.message) from None

    async def sweep_stale() -> None:
        while True:
            try:
                await app.refresh()
            except Exception:  # a failed sweep must not end the sweeper; the next one retries
                log.exception("stale sweep failed")
            await asyncio.sleep(settings.mobility_stale_check_seconds)

    async def sync_replicas() -> None:
        while True:
            await asyncio.sleep(settings.mobility_sync_seconds)
            try:
                if await app.sync():
                    await app.refresh()
            except Exception as error:  # Redis away: this round is lost, the next one retries
                log.warning("mobility_sync_failed", error=f"{type(error).__name__}: {error}")

    context.add_consumer([Subscription(PARKING_OCCUPANCY_CHANGED, per_event(occupancy_changed))])
    context.add_task("mobility-feeds", lambda: FeedRunner(app, settings, schemas).run(configs))
    context.add_task("mobility-stale-sweep", sweep_stale)
    context.add_task("mobility-replica-sync", sync_replicas)


SERVICE = ServiceSpec(name="mobility", settings=MobilitySettings, setup=setup)
