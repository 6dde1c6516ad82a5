"""The mobility service over real gRPC, HTTP, Redis and the broker, fed through the GBFS file ingest."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import grpc
import jsonschema
import pytest
from aiokafka import AIOKafkaConsumer
from google.protobuf.timestamp_pb2 import Timestamp

from herne.mobility.v1 import mobility_pb2
from herne.mobility.v1 import mobility_service_pb2 as pb
from herne.mobility.v1.mobility_service_pb2_grpc import MobilityServiceStub
from herne.parking.v1 import events_pb2 as parking_events
from herne_events.connection import KafkaConnection
from herne_events.envelope import decode
from herne_events.publisher import EventPublisher
from herne_events.topics import MOBILITY_STATION_STATUS_CHANGED, PARKING_OCCUPANCY_CHANGED
from herne_mobility.hubs import DEMO_HUBS, load_hubs
from herne_mobility.server import SERVICE
from herne_mobility.simulator import DOCKED_SYSTEM, SCOOTER_SYSTEM, docked_system, scooter_system, write_system
from tests.fixtures.services import RunningService, auth, wait_until
from tests.fixtures.shared import shared_path

OPERATOR = auth("mobility-operator")
HBF = "herne-bahnhof"
BOXES = "deinradschloss:herne-bahnhof"
CARS = "carsharing-herne:herne-bahnhof"
CHARGERS = "ladenetz-herne:herne-bahnhof"
HUBS = load_hubs(json.loads(DEMO_HUBS.read_text()))


def _write_demo(directory: Path, hour: float = 8.0, now: datetime | None = None) -> dict:
    now = now or datetime.now(UTC)
    rng = random.Random(7)
    docked = docked_system(HUBS, hour, now, rng)
    write_system(directory / DOCKED_SYSTEM, docked)
    write_system(directory / SCOOTER_SYSTEM, scooter_system(HUBS, hour, now, rng))
    return docked


@contextlib.asynccontextmanager
async def _mobility(start_service, directory: Path, **overrides) -> AsyncIterator[RunningService]:
    async with start_service(
        SERVICE,
        http_port=0,
        mobility_demo_gbfs_directory=directory,
        mobility_directory_poll_seconds=0.2,
        mobility_stale_check_seconds=0.3,
        mobility_backoff_first_seconds=0.2,
        **overrides,
    ) as service:
        consumer = service.runtime.context.consumers[0]
        await wait_until(lambda: consumer._consumer is not None and consumer._consumer.assignment(), timeout=30)
        yield service


async def _hub(stub: MobilityServiceStub, hub_id: str = HBF) -> pb.HubView:
    return (await stub.GetHub(pb.GetHubRequest(hub_id=hub_id))).hub


def _docked_bikes(docked: dict, hub_id: str) -> tuple[int, int]:
    for entry in docked["station_status"]["data"]["stations"]:
        if entry["station_id"] == hub_id:
            return entry["num_vehicles_available"], entry["num_docks_available"]
    raise AssertionError(hub_id)


async def test_hub_view_follows_the_gbfs_files(start_service, redis_client, tmp_path: Path) -> None:
    """Tests that GBFS v3.0 docked and v2.3 free-floating files become the hub's figures, with their ages."""
    docked = _write_demo(tmp_path)
    async with _mobility(start_service, tmp_path) as service:
        stub = MobilityServiceStub(service.channel)
        bikes, docks = _docked_bikes(docked, HBF)

        async def loaded() -> bool:
            hub = await _hub(stub)
            return hub.bikes_available + hub.ebikes_available == bikes and hub.scooters_available > 0

        await wait_until(loaded, timeout=30)
        hub = await _hub(stub)
        assert hub.demo and hub.name == "Mobilstation Herne Bahnhof"
        assert hub.docks_available == docks  # the bike boxes have no report yet: not counted
        assert {c.power_kw: c.total for c in hub.chargers} == {150.0: 2, 22.0: 4}
        assert hub.park_and_ride_capacity == 120
        sources = {source.source: source for source in hub.sources}
        assert not sources[DOCKED_SYSTEM].stale and sources[DOCKED_SYSTEM].age_seconds < 60
        assert sources[f"report:{BOXES.partition(':')[0]}"].stale  # never reported
        feeds = {feed.system_id: feed for feed in (await stub.ListFeeds(pb.ListFeedsRequest())).feeds}
        assert feeds[DOCKED_SYSTEM].demo and feeds[DOCKED_SYSTEM].version == "3.0"
        assert feeds[SCOOTER_SYSTEM].version == "2.3"
        assert not feeds["nextbike_mr"].enabled
        listed = await stub.ListHubs(pb.ListHubsRequest())
        assert {"herne-bahnhof", "wanne-eickel-hbf", "akademie-mont-cenis"} <= {h.hub_id for h in listed.hubs}

        # the next simulated hour arrives through the same files
        later = _write_demo(tmp_path, hour=18.0)
        bikes_later, _ = _docked_bikes(later, HBF)
        await wait_until(lambda: _equal(stub, bikes_later), timeout=30)


async def _equal(stub: MobilityServiceStub, bikes: int) -> bool:
    hub = await _hub(stub)
    return hub.bikes_available + hub.ebikes_available == bikes


async def test_a_broken_feed_keeps_the_last_good_state(start_service, redis_client, tmp_path: Path) -> None:
    """Tests that broken JSON and schema violations are reported in ListFeeds and change no figure."""
    docked = _write_demo(tmp_path)
    async with _mobility(start_service, tmp_path) as service:
        stub = MobilityServiceStub(service.channel)
        bikes, _ = _docked_bikes(docked, HBF)
        await wait_until(lambda: _equal(stub, bikes), timeout=30)
        (tmp_path / DOCKED_SYSTEM / "station_status.json").write_text('{"data": {"stations": [')

        async def reported() -> bool:
            feeds = {f.system_id: f for f in (await stub.ListFeeds(pb.ListFeedsRequest())).feeds}
            return "not valid JSON" in feeds[DOCKED_SYSTEM].last_error

        await wait_until(reported, timeout=30)
        assert await _equal(stub, bikes)
        bad = dict(docked["station_status"], ttl="soon")
        (tmp_path / DOCKED_SYSTEM / "station_status.json").write_text(json.dumps(bad))

        async def schema_reported() -> bool:
            feeds = {f.system_id: f for f in (await stub.ListFeeds(pb.ListFeedsRequest())).feeds}
            return "ttl" in feeds[DOCKED_SYSTEM].last_error

        await wait_until(schema_reported, timeout=30)
        assert await _equal(stub, bikes)

    # a restart serves the last good state from Redis
    async with _mobility(start_service, tmp_path) as service:
        await wait_until(lambda: _equal(MobilityServiceStub(service.channel), bikes), timeout=30)


async def test_old_data_is_stale_never_live(start_service, redis_client, tmp_path: Path) -> None:
    """Tests that figures older than last_updated + ttl + 5 min are shown as stale with nothing available."""
    _write_demo(tmp_path, now=datetime.now(UTC) - timedelta(seconds=30 + 301))
    async with _mobility(start_service, tmp_path) as service:
        stub = MobilityServiceStub(service.channel)

        async def stale() -> bool:
            station = (
                await stub.GetStationStatus(pb.GetStationStatusRequest(station_id=f"{DOCKED_SYSTEM}:{HBF}"))
            ).station
            return not station.no_status and station.age.stale

        await wait_until(stale, timeout=30)
        station = (await stub.GetStationStatus(pb.GetStationStatusRequest(station_id=f"{DOCKED_SYSTEM}:{HBF}"))).station
        assert station.vehicles_available == 0 and station.docks_available == 0 and not station.is_renting
        hub = await _hub(stub)
        assert hub.bikes_available == hub.ebikes_available == hub.scooters_available == 0


async def _station_events(bootstrap: str, subject: str, since: datetime) -> list:
    consumer = AIOKafkaConsumer(
        MOBILITY_STATION_STATUS_CHANGED.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    found = []
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            if not batch and found:
                break
            for messages in batch.values():
                for message in messages:
                    event = decode(MOBILITY_STATION_STATUS_CHANGED, message.value)
                    if event.subject == subject and event.time >= since:
                        found.append(event)
    finally:
        await consumer.stop()
    return found


async def test_operator_reports_validated_applied_and_published(
    start_service, redis_client, kafka_broker, tmp_path: Path
) -> None:
    """Tests ReportStationStatus: role, validation, newer-wins, the hub view and the change event."""
    since = datetime.now(UTC).replace(microsecond=0)
    async with _mobility(start_service, tmp_path) as service:
        stub = MobilityServiceStub(service.channel)
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await stub.ReportStationStatus(pb.ReportStationStatusRequest(station_id=BOXES, docks_available=3))
        assert anonymous.value.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)
        with pytest.raises(grpc.aio.AioRpcError) as reader:
            await stub.ReportStationStatus(
                pb.ReportStationStatusRequest(station_id=BOXES, docks_available=3), metadata=auth("reader")
            )
        assert reader.value.code() == grpc.StatusCode.PERMISSION_DENIED

        bad_requests = {
            "negative": pb.ReportStationStatusRequest(station_id=BOXES, docks_available=-1),
            "over capacity": pb.ReportStationStatusRequest(station_id=BOXES, docks_available=21),
            "unknown type": pb.ReportStationStatusRequest(
                station_id=CARS, vehicles_by_type=[mobility_pb2.VehicleTypeCount(vehicle_type_id="x:rocket", count=1)]
            ),
            "negative count": pb.ReportStationStatusRequest(
                station_id=CARS,
                vehicles_by_type=[mobility_pb2.VehicleTypeCount(vehicle_type_id="carsharing-herne:e-auto", count=-1)],
            ),
            "unknown power": pb.ReportStationStatusRequest(
                station_id=CHARGERS, chargers=[mobility_pb2.ChargerAvailability(power_kw=7, available=1)]
            ),
            "future": pb.ReportStationStatusRequest(
                station_id=BOXES, observed_time=Timestamp(seconds=int(datetime.now(UTC).timestamp()) + 3600)
            ),
        }
        for name, request in bad_requests.items():
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await stub.ReportStationStatus(request, metadata=OPERATOR)
            assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT, name
            assert len(error.value.details()) > 10
        for station_id, code in (("nope:x", grpc.StatusCode.NOT_FOUND), (f"{DOCKED_SYSTEM}:{HBF}", None)):
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await stub.ReportStationStatus(pb.ReportStationStatusRequest(station_id=station_id), metadata=OPERATOR)
            assert error.value.code() == (code or grpc.StatusCode.FAILED_PRECONDITION)

        now = int(datetime.now(UTC).timestamp())
        reported = await stub.ReportStationStatus(
            pb.ReportStationStatusRequest(
                station_id=CHARGERS,
                chargers=[
                    mobility_pb2.ChargerAvailability(power_kw=150, available=1, total=2),
                    mobility_pb2.ChargerAvailability(power_kw=22, available=3, total=4),
                ],
                is_renting=True,
                is_returning=True,
                observed_time=Timestamp(seconds=now),
            ),
            metadata=OPERATOR,
        )
        assert reported.applied
        older = await stub.ReportStationStatus(
            pb.ReportStationStatusRequest(
                station_id=CHARGERS,
                chargers=[mobility_pb2.ChargerAvailability(power_kw=150, available=0, total=2)],
                observed_time=Timestamp(seconds=now - 60),
            ),
            metadata=OPERATOR,
        )
        assert not older.applied
        hub = await _hub(stub)
        assert {c.power_kw: (c.available, c.total) for c in hub.chargers} == {150.0: (1, 2), 22.0: (3, 4)}
        fast = await stub.FindNearby(
            pb.FindNearbyRequest(
                latitude=HUBS.hubs[HBF].lat,
                longitude=HUBS.hubs[HBF].lon,
                radius_m=500,
                filter=pb.NearbyFilter(min_charger_power_kw=100),
            )
        )
        assert [r.station.station_id for r in fast.results] == [CHARGERS]
    events = await _station_events(kafka_broker.bootstrap, CHARGERS, since)
    assert events, "no station-status-changed event for the report"
    assert {c.power_kw: c.available for c in events[-1].payload.chargers} == {150.0: 1, 22.0: 3}


async def test_park_and_ride_follows_parking_events_by_version(
    start_service, redis_client, kafka_broker, tmp_path: Path
) -> None:
    """Tests that P+R figures follow parking.occupancy-changed.v1, keeping the highest version."""
    async with _mobility(start_service, tmp_path) as service:
        stub = MobilityServiceStub(service.channel)
        publisher = EventPublisher(KafkaConnection(kafka_broker.bootstrap, client_id="test-parking"), source="/test")
        await publisher.start(wait=True)
        try:
            observed = Timestamp(seconds=int(datetime.now(UTC).timestamp()))
            for version, free in ((5, 40), (3, 99), (5, 77)):  # an older and a repeated version after 5
                await publisher.publish(
                    PARKING_OCCUPANCY_CHANGED,
                    parking_events.OccupancyChanged(
                        facility_id="herne-bf-pr",
                        capacity=120,
                        free=free,
                        occupied=120 - free,
                        observed_time=observed,
                        version=version,
                    ),
                    subject="herne-bf-pr",
                )
            await publisher.publish(
                PARKING_OCCUPANCY_CHANGED,
                parking_events.OccupancyChanged(
                    facility_id="wanne-eickel-hbf-pr", capacity=152, free=12, observed_time=observed, version=1
                ),
                subject="wanne-eickel-hbf-pr",
            )

            async def both() -> bool:
                wanne = await _hub(stub, "wanne-eickel-hbf")
                return wanne.park_and_ride_free == 12

            await wait_until(both, timeout=30)
            hub = await _hub(stub)
            assert (hub.park_and_ride_free, hub.park_and_ride_capacity) == (40, 120)
        finally:
            await publisher.stop()


async def test_find_nearby_filters_and_bad_input(start_service, redis_client, tmp_path: Path) -> None:
    """Tests FindNearby's ordering and filters, and INVALID_ARGUMENT/NOT_FOUND on bad requests."""
    _write_demo(tmp_path)
    async with _mobility(start_service, tmp_path) as service:
        stub = MobilityServiceStub(service.channel)
        lat, lon = HUBS.hubs[HBF].lat, HUBS.hubs[HBF].lon

        async def scooters_nearby() -> bool:
            found = await stub.FindNearby(
                pb.FindNearbyRequest(
                    latitude=lat,
                    longitude=lon,
                    radius_m=1000,
                    filter=pb.NearbyFilter(form_factors=[mobility_pb2.FORM_FACTOR_SCOOTER_STANDING]),
                )
            )
            return bool(found.results)

        await wait_until(scooters_nearby, timeout=30)
        found = await stub.FindNearby(pb.FindNearbyRequest(latitude=lat, longitude=lon, radius_m=2000, limit=500))
        distances = [r.distance_m for r in found.results]
        assert distances == sorted(distances) and max(distances) <= 2000
        ranged = await stub.FindNearby(
            pb.FindNearbyRequest(
                latitude=lat,
                longitude=lon,
                radius_m=2000,
                limit=500,
                filter=pb.NearbyFilter(
                    propulsions=[mobility_pb2.PROPULSION_ELECTRIC],
                    min_range_m=20000,
                    kinds=[mobility_pb2.STATION_KIND_FREE_FLOATING_ZONE],
                ),
            )
        )
        vehicles = [r.vehicle for r in ranged.results if r.WhichOneof("item") == "vehicle"]
        assert vehicles and all(v.current_range_m >= 20000 for v in vehicles)
        docks = await stub.FindNearby(
            pb.FindNearbyRequest(latitude=lat, longitude=lon, radius_m=3000, filter=pb.NearbyFilter(min_docks=1))
        )
        assert all(r.station.docks_available >= 1 for r in docks.results)
        assert all(r.WhichOneof("item") == "station" for r in docks.results)

        bad = [
            pb.FindNearbyRequest(latitude=math.nan, longitude=lon, radius_m=100),
            pb.FindNearbyRequest(latitude=lat, longitude=lon, radius_m=-5),
            pb.FindNearbyRequest(latitude=lat, longitude=lon, radius_m=10_000),
            pb.FindNearbyRequest(latitude=lat, longitude=lon, radius_m=100, limit=100_000),
            pb.FindNearbyRequest(latitude=lat, longitude=lon, radius_m=100, filter=pb.NearbyFilter(min_vehicles=-1)),
            pb.FindNearbyRequest(latitude=lat, longitude=lon, radius_m=100, filter=pb.NearbyFilter(form_factors=[99])),
        ]
        for request in bad:
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await stub.FindNearby(request)
            assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT, request
        for call in (
            stub.GetHub(pb.GetHubRequest(hub_id="atlantis")),
            stub.GetStationStatus(pb.GetStationStatusRequest(station_id="x:y")),
            stub.ListStations(pb.ListStationsRequest(hub_id="atlantis")),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as error:
                await call
            assert error.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.ListStations(pb.ListStationsRequest(page_token="%%%"))
        assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT

        # paging visits every station once
        seen, token = [], ""
        while True:
            page = await stub.ListStations(pb.ListStationsRequest(page_size=7, page_token=token))
            seen += [s.station_id for s in page.stations]
            token = page.next_page_token
            if not token:
                break
        assert len(seen) == len(set(seen)) >= len(HUBS.stations)


async def test_watch_hub_sends_the_view_then_changes(start_service, redis_client, tmp_path: Path) -> None:
    """Tests WatchHub and WatchStations: current view first, then the change a report makes."""
    async with _mobility(start_service, tmp_path) as service:
        stub = MobilityServiceStub(service.channel)
        hubs = stub.WatchHub(pb.WatchHubRequest(hub_ids=[HBF]))
        stations = stub.WatchStations(pb.WatchStationsRequest(station_ids=[BOXES]))
        first_hub = await asyncio.wait_for(hubs.read(), 10)
        first_station = await asyncio.wait_for(stations.read(), 10)
        assert first_hub.hub.hub_id == HBF and first_station.station.station_id == BOXES
        await stub.ReportStationStatus(
            pb.ReportStationStatusRequest(station_id=BOXES, docks_available=7, is_returning=True), metadata=OPERATOR
        )

        async def until(stream, predicate):  # type: ignore[no-untyped-def]
            while True:
                message = await asyncio.wait_for(stream.read(), 10)
                if predicate(message):
                    return message

        changed = await until(stations, lambda m: m.station.docks_available == 7)
        assert not changed.station.age.stale
        await until(hubs, lambda m: m.hub.docks_available >= 7)
        hubs.cancel()
        stations.cancel()
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.WatchHub(pb.WatchHubRequest(hub_ids=["atlantis"])).read()
        assert error.value.code() == grpc.StatusCode.NOT_FOUND


async def test_aggregated_gbfs_feed_passes_the_v30_schemas(start_service, redis_client, tmp_path: Path) -> None:
    """Tests the HTTP feed: gbfs.json lists every feed, each validates against its v3.0 schema."""
    _write_demo(tmp_path)
    schemas = shared_path("standards", "gbfs", "v3.0")
    async with _mobility(start_service, tmp_path) as service:
        stub = MobilityServiceStub(service.channel)
        await wait_until(lambda: _scooters(stub), timeout=30)
        base = f"http://127.0.0.1:{service.runtime.http_port}/gbfs"
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/gbfs.json") as response:
                assert response.status == 200
                discovery = await response.json()
            names = {feed["name"]: feed["url"] for feed in discovery["data"]["feeds"]}
            assert {
                "system_information",
                "vehicle_types",
                "station_information",
                "station_status",
                "vehicle_status",
            } <= set(names)
            documents = {"gbfs": discovery}
            for name, url in names.items():
                async with session.get(url) as response:
                    assert response.status == 200, name
                    documents[name] = await response.json()
        for name, document in documents.items():
            schema = json.loads((schemas / f"{name}.json").read_text())
            jsonschema.validators.validator_for(schema)(schema).validate(document)
        status = {s["station_id"]: s for s in documents["station_status"]["data"]["stations"]}
        assert status[f"{DOCKED_SYSTEM}:{HBF}"]["is_renting"]
        assert documents["vehicle_status"]["data"]["vehicles"]


async def _scooters(stub: MobilityServiceStub) -> bool:
    hub = await _hub(stub)
    return hub.scooters_available > 0 and hub.bikes_available + hub.ebikes_available > 0


async def test_a_report_to_one_replica_reaches_the_other(start_service, redis_client, tmp_path: Path) -> None:
    """Tests two replicas on one Redis: a report sent to one is served by the other after its sync."""
    async with (
        _mobility(start_service, tmp_path, mobility_sync_seconds=0.2) as first,
        _mobility(start_service, tmp_path, mobility_sync_seconds=0.2) as second,
    ):
        reported = await MobilityServiceStub(first.channel).ReportStationStatus(
            pb.ReportStationStatusRequest(station_id=BOXES, docks_available=7, is_renting=True, is_returning=True),
            metadata=OPERATOR,
        )
        assert reported.applied
        other = MobilityServiceStub(second.channel)

        async def served_by_the_other() -> bool:
            station = (await other.GetStationStatus(pb.GetStationStatusRequest(station_id=BOXES))).station
            return station.docks_available == 7 and not station.age.stale

        await wait_until(served_by_the_other, timeout=20)
