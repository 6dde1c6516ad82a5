"""The parking service over real gRPC, Redis and the broker."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import grpc
import pytest
from aiokafka import AIOKafkaConsumer

from herne.common.v1 import geo_pb2
from herne.parking.v1 import events_pb2, parking_pb2
from herne.parking.v1 import parking_service_pb2 as pb
from herne.parking.v1.parking_service_pb2_grpc import ParkingServiceStub
from herne_events.envelope import decode
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_COUNTER_EVENTS, PARKING_OCCUPANCY_CHANGED, PARKING_SENSOR_READINGS
from herne_parking.server import SERVICE, catalog_from_settings
from herne_parking.settings import ParkingSettings
from tests.fixtures.services import RunningService, auth, wait_until

GATEWAY = auth("sensor-gateway")
CATALOG = catalog_from_settings(ParkingSettings())
PR_HERNE = CATALOG.facilities["herne-bf-pr"]
GARAGE = CATALOG.facilities["tiefgarage-rathaus"]
HERNE_BF = geo_pb2.GeoPoint(latitude=51.5443, longitude=7.2197)


def _reading(sensor_id: str, occupied: bool, at: datetime) -> events_pb2.SensorReading:
    reading = events_pb2.SensorReading(sensor_id=sensor_id, occupied=occupied, battery_percent=87.0)
    reading.observed_time.FromDatetime(at)
    return reading


def _passage(facility_id: str, direction: int, vehicles: int, at: datetime, event_id: str) -> events_pb2.CounterEvent:
    event = events_pb2.CounterEvent(
        facility_id=facility_id,
        counter_id="gate-1",
        event_id=event_id,
        passage=events_pb2.CounterPassage(direction=direction, vehicles=vehicles),  # type: ignore[arg-type]
    )
    event.observed_time.FromDatetime(at)
    return event


def _recount(facility_id: str, occupied: int, at: datetime) -> events_pb2.CounterEvent:
    event = events_pb2.CounterEvent(
        facility_id=facility_id, recalibration=events_pb2.CounterRecalibration(occupied=occupied)
    )
    event.observed_time.FromDatetime(at)
    return event


@contextlib.asynccontextmanager
async def _parking(start_service, **settings) -> AsyncIterator[RunningService]:
    async with start_service(SERVICE, parking_refresh_seconds=0.2, **settings) as service:
        consumer = service.runtime.context.consumers[0]
        await wait_until(lambda: consumer._consumer is not None and consumer._consumer.assignment(), timeout=30)
        yield service


async def _availability(stub: ParkingServiceStub, facility_id: str) -> pb.FacilityAvailability:
    response = await stub.GetAvailability(pb.GetAvailabilityRequest(facility_ids=[facility_id]))
    return response.availability[0]


async def test_gateway_batch_applies_the_good_part_and_reports_each_item(start_service, redis_client) -> None:
    """Tests per-item outcomes: applied, older ignored, duplicate harmless, unknown sensor rejected, rest kept."""
    now = datetime.now(UTC).replace(microsecond=0)
    spaces = PR_HERNE.spaces
    async with _parking(start_service) as service:
        stub = ParkingServiceStub(service.channel)
        before = await _availability(stub, PR_HERNE.facility_id)
        assert before.unknown == before.capacity == PR_HERNE.capacity
        readings = [
            _reading(spaces[0].sensor_id, True, now),
            _reading(spaces[1].sensor_id, False, now),
            _reading("NO-SUCH-SENSOR", True, now),
            _reading(spaces[0].sensor_id, False, now - timedelta(seconds=30)),  # older: ignored
            _reading(spaces[1].sensor_id, False, now),  # duplicate: harmless
            _reading(spaces[2].sensor_id, True, now + timedelta(hours=2)),  # from the future: rejected
        ]
        response = await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=readings), metadata=GATEWAY)
        outcomes = [r.outcome for r in response.results]
        assert outcomes == [
            pb.READING_OUTCOME_APPLIED,
            pb.READING_OUTCOME_APPLIED,
            pb.READING_OUTCOME_REJECTED,
            pb.READING_OUTCOME_IGNORED_OLDER,
            pb.READING_OUTCOME_IGNORED_OLDER,
            pb.READING_OUTCOME_REJECTED,
        ]
        assert "unknown sensor" in response.results[2].reason
        assert "future" in response.results[5].reason
        assert (response.applied, response.ignored, response.rejected) == (2, 2, 2)
        after = await _availability(stub, PR_HERNE.facility_id)
        assert (after.occupied, after.free, after.unknown) == (1, 1, PR_HERNE.capacity - 2)
        assert after.stale_sensors == len(PR_HERNE.spaces) - 2
        assert 0 <= after.data_age_seconds < 60
        detail = await stub.GetFacility(pb.GetFacilityRequest(facility_id=PR_HERNE.facility_id, include_spaces=True))
        states = {s.sensor_id: s.state for s in detail.spaces}
        assert states[spaces[0].sensor_id] == pb.SPACE_STATE_OCCUPIED
        assert states[spaces[1].sensor_id] == pb.SPACE_STATE_FREE
        assert states[spaces[2].sensor_id] == pb.SPACE_STATE_UNKNOWN


async def test_batches_are_bounded_and_writes_need_the_gateway_role(start_service, redis_client) -> None:
    """Tests that an oversized batch is refused as a whole with a clear status, and anonymous writes are refused."""
    now = datetime.now(UTC)
    async with _parking(start_service, parking_max_batch=10) as service:
        stub = ParkingServiceStub(service.channel)
        readings = [_reading(PR_HERNE.spaces[0].sensor_id, True, now)] * 11
        with pytest.raises(grpc.aio.AioRpcError) as too_many:
            await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=readings), metadata=GATEWAY)
        assert too_many.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "at most 10" in (too_many.value.details() or "")
        with pytest.raises(grpc.aio.AioRpcError) as anonymous:
            await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=readings[:1]))
        assert anonymous.value.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)
        assert (await _availability(stub, PR_HERNE.facility_id)).occupied == 0


async def test_counts_stay_within_zero_and_capacity(start_service, redis_client) -> None:
    """Tests recalibration, clamping at both ends, duplicate event ids and passages older than the recount."""
    now = datetime.now(UTC).replace(microsecond=0)
    counted = GARAGE.counted_capacity
    async with _parking(start_service) as service:
        stub = ParkingServiceStub(service.channel)
        uncalibrated = await _availability(stub, GARAGE.facility_id)
        assert uncalibrated.unknown == GARAGE.capacity  # counted spaces stay unknown until a recount
        events = [
            _recount(GARAGE.facility_id, counted - 3, now - timedelta(seconds=60)),
            _passage(GARAGE.facility_id, events_pb2.COUNTER_DIRECTION_ENTRY, 5, now - timedelta(seconds=50), "e-1"),
            _passage(GARAGE.facility_id, events_pb2.COUNTER_DIRECTION_ENTRY, 5, now - timedelta(seconds=50), "e-1"),
            _passage(GARAGE.facility_id, events_pb2.COUNTER_DIRECTION_EXIT, 1, now - timedelta(seconds=90), "e-0"),
            _passage("parkplatz-schloss-struenkede", events_pb2.COUNTER_DIRECTION_ENTRY, 1, now, "e-2"),
        ]
        response = await stub.ReportCounterEvents(pb.ReportCounterEventsRequest(events=events), metadata=GATEWAY)
        assert [r.outcome for r in response.results] == [
            pb.COUNTER_OUTCOME_APPLIED,
            pb.COUNTER_OUTCOME_APPLIED,
            pb.COUNTER_OUTCOME_DUPLICATE,
            pb.COUNTER_OUTCOME_IGNORED_OLDER,
            pb.COUNTER_OUTCOME_REJECTED,
        ]
        assert response.results[1].counted_occupied == counted  # clamped at capacity
        assert "no entry/exit counters" in response.results[4].reason
        full = await _availability(stub, GARAGE.facility_id)
        standard = next(t for t in full.by_space_type if t.space_type == parking_pb2.SPACE_TYPE_STANDARD)
        assert (standard.occupied, standard.free) == (counted, 0)
        leave = [
            _passage(GARAGE.facility_id, events_pb2.COUNTER_DIRECTION_EXIT, counted, now - timedelta(seconds=40), "x1"),
            _passage(GARAGE.facility_id, events_pb2.COUNTER_DIRECTION_EXIT, 7, now - timedelta(seconds=30), "x2"),
        ]
        response = await stub.ReportCounterEvents(pb.ReportCounterEventsRequest(events=leave), metadata=GATEWAY)
        assert [r.counted_occupied for r in response.results] == [0, 0]  # never below 0
        empty = await _availability(stub, GARAGE.facility_id)
        assert empty.occupied == 0
        assert empty.free == counted


async def test_topic_ingest_dead_letters_unknown_sensors_and_publishes_changes(
    start_service, redis_client, kafka_broker
) -> None:
    """Tests readings and counter events from the topics, the DLQ for unknown sensors and occupancy-changed events."""
    now = datetime.now(UTC).replace(microsecond=0)
    since = now - timedelta(seconds=5)
    wanne = CATALOG.facilities["wanne-eickel-hbf-pr"]
    publisher = EventPublisher(kafka_broker.connection, source="/tests/lorawan-adapter")
    await publisher.start(wait=True)
    try:
        async with _parking(start_service) as service:
            stub = ParkingServiceStub(service.channel)
            readings = [_reading(space.sensor_id, index % 2 == 0, now) for index, space in enumerate(wanne.spaces[:20])]
            readings.insert(5, _reading("UNKNOWN-EUI", True, now))
            await publisher.publish_many(PARKING_SENSOR_READINGS, readings, subjects=[r.sensor_id for r in readings])
            await publisher.publish(PARKING_COUNTER_EVENTS, _recount(GARAGE.facility_id, 40, now))

            async def ingested() -> bool:
                wanne_now = await _availability(stub, wanne.facility_id)
                garage_now = await _availability(stub, GARAGE.facility_id)
                return wanne_now.occupied == 10 and wanne_now.free == 10 and garage_now.occupied == 40

            await wait_until(ingested, timeout=30)
            letters = await _records(kafka_broker.bootstrap, PARKING_SENSOR_READINGS.dead_letter, lambda r: True)
            assert any(b"unknown sensor" in dict(r.headers).get("dlq-reason", b"") for r in letters)

            def is_wanne(record) -> bool:
                event = decode(PARKING_OCCUPANCY_CHANGED, record.value)
                return event.subject == wanne.facility_id and event.time >= since and event.payload.occupied == 10

            changed = await _records(kafka_broker.bootstrap, PARKING_OCCUPANCY_CHANGED.name, is_wanne)
            assert changed, "no occupancy-changed event for the P+R"
            payload = decode(PARKING_OCCUPANCY_CHANGED, changed[-1].value).payload
            assert (payload.free, payload.kind) == (10, parking_pb2.FACILITY_KIND_PARK_AND_RIDE)
            assert not payload.stale
    finally:
        await publisher.stop()


async def _records(bootstrap: str, topic: str, wanted, timeout: float = 20.0) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found: list = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not found and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            found += [record for records in batch.values() for record in records if wanted(record)]
    finally:
        await consumer.stop()
    return found


async def test_silent_sensors_become_unknown_and_are_never_free(start_service, redis_client) -> None:
    """Tests that a sensor silent longer than the stale limit leaves the free count and is reported stale."""
    zone = CATALOG.facilities["zone-mont-cenis"]
    async with _parking(start_service, parking_sensor_stale_seconds=2.0) as service:
        stub = ParkingServiceStub(service.channel)
        now = datetime.now(UTC)
        readings = [_reading(space.sensor_id, False, now) for space in zone.spaces]
        await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=readings), metadata=GATEWAY)
        fresh = await _availability(stub, zone.facility_id)
        assert (fresh.free, fresh.stale_sensors, fresh.stale) == (zone.capacity, 0, False)

        async def expired() -> bool:
            current = await _availability(stub, zone.facility_id)
            return current.free == 0 and current.unknown == zone.capacity

        await wait_until(expired, timeout=15)
        stale = await _availability(stub, zone.facility_id)
        assert stale.stale and stale.stale_sensors == len(zone.spaces)
        late = [_reading(zone.spaces[0].sensor_id, False, now - timedelta(seconds=10))]  # applied, but stale already
        await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=late), metadata=GATEWAY)
        assert (await _availability(stub, zone.facility_id)).free == 0


async def test_watch_starts_with_a_snapshot_then_streams_changes(start_service, redis_client) -> None:
    """Tests WatchAvailability: a snapshot of the requested facilities, then each change of them only."""
    now = datetime.now(UTC)
    zone = CATALOG.facilities["zone-robert-brauner-platz"]
    async with _parking(start_service) as service:
        stub = ParkingServiceStub(service.channel)
        stream = stub.WatchAvailability(pb.WatchAvailabilityRequest(facility_ids=[zone.facility_id]))
        snapshot = await asyncio.wait_for(stream.read(), 10)
        assert snapshot.snapshot and [a.facility_id for a in snapshot.availability] == [zone.facility_id]
        readings = [_reading(space.sensor_id, True, now) for space in zone.spaces[:3]]
        other = [_reading(PR_HERNE.spaces[0].sensor_id, True, now)]
        await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=other + readings), metadata=GATEWAY)
        update = await asyncio.wait_for(stream.read(), 10)
        while update.availability[0].occupied < 3:
            update = await asyncio.wait_for(stream.read(), 10)
        assert not update.snapshot
        assert [a.facility_id for a in update.availability] == [zone.facility_id]
        stream.cancel()


async def test_find_nearby_sorts_by_distance_and_filters(start_service, redis_client) -> None:
    """Tests FindNearby: nearest first within the radius, min_free and space-type filters, bad input refused."""
    now = datetime.now(UTC)
    async with _parking(start_service) as service:
        stub = ParkingServiceStub(service.channel)
        free_ev = [s for s in PR_HERNE.spaces if s.space_type.value == "ev_charging"]
        await stub.ReportSensorReadings(
            pb.ReportSensorReadingsRequest(readings=[_reading(s.sensor_id, False, now) for s in free_ev]),
            metadata=GATEWAY,
        )
        everything = await stub.FindNearby(pb.FindNearbyRequest(position=HERNE_BF, radius_m=3000))
        distances = [f.distance_m for f in everything.facilities]
        assert distances == sorted(distances) and everything.facilities[0].facility.facility_id == "herne-bf-pr"
        assert all(d <= 3000 for d in distances)
        assert "wanne-eickel-hbf-pr" not in {f.facility.facility_id for f in everything.facilities}  # ~3.9 km away
        charging = await stub.FindNearby(
            pb.FindNearbyRequest(
                position=HERNE_BF, radius_m=3000, min_free=1, space_type=parking_pb2.SPACE_TYPE_EV_CHARGING
            )
        )
        assert [f.facility.facility_id for f in charging.facilities] == ["herne-bf-pr"]
        for bad in (
            pb.FindNearbyRequest(position=geo_pb2.GeoPoint(latitude=float("nan"), longitude=7.2), radius_m=100),
            pb.FindNearbyRequest(position=HERNE_BF, radius_m=-5),
            pb.FindNearbyRequest(position=HERNE_BF, radius_m=100, min_free=-1),
            pb.FindNearbyRequest(radius_m=100),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.FindNearby(bad)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_history_and_forecast(start_service, redis_client) -> None:
    """Tests that samples become history buckets and the forecast answers every horizon within capacity."""
    now = datetime.now(UTC)
    zone = CATALOG.facilities["zone-hauptstrasse-wanne"]
    async with _parking(start_service, parking_history_sample_seconds=1) as service:
        stub = ParkingServiceStub(service.channel)
        readings = [_reading(space.sensor_id, i < 30, now) for i, space in enumerate(zone.spaces)]
        await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=readings), metadata=GATEWAY)
        request = pb.GetOccupancyHistoryRequest(facility_id=zone.facility_id, bucket_minutes=5)
        request.start_time.FromDatetime(now - timedelta(minutes=10))
        request.end_time.FromDatetime(now + timedelta(minutes=5))

        async def sampled() -> bool:
            history = await stub.GetOccupancyHistory(request)
            return any(b.samples and b.max_occupied == 30 for b in history.buckets)

        await wait_until(sampled, timeout=15)
        history = await stub.GetOccupancyHistory(request)
        assert len(history.buckets) == 3 and history.capacity == zone.capacity
        forecast = await stub.ForecastOccupancy(pb.ForecastOccupancyRequest(facility_id=zone.facility_id))
        assert [f.horizon_minutes for f in forecast.forecasts] == [15, 30, 60, 90, 120]
        assert forecast.current_free == zone.capacity - 30
        assert all(0 <= f.expected_free <= zone.capacity for f in forecast.forecasts)
        for bad in (
            pb.ForecastOccupancyRequest(facility_id=zone.facility_id, horizons_minutes=[5]),
            pb.ForecastOccupancyRequest(facility_id=""),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.ForecastOccupancy(bad)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.ForecastOccupancy(pb.ForecastOccupancyRequest(facility_id="nowhere"))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND


D2 = "http://datex2.eu/schema/2/2_0"


async def test_open_data_feeds_agree_with_the_grpc_api(start_service, redis_client) -> None:
    """Tests the HTTP feeds: the index lists them, each serves its format, and the free count equals GetAvailability."""
    now = datetime.now(UTC).replace(microsecond=0)
    spaces = PR_HERNE.spaces
    async with _parking(start_service, http_port=0) as service:
        stub = ParkingServiceStub(service.channel)
        readings = [_reading(space.sensor_id, index % 3 == 0, now) for index, space in enumerate(spaces[:30])]
        await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=readings), metadata=GATEWAY)
        live = await _availability(stub, PR_HERNE.facility_id)
        assert (live.free, live.occupied) == (20, 10)
        base = f"http://127.0.0.1:{service.runtime.http_port}/opendata"
        async with aiohttp.ClientSession() as session:
            async with session.get(base) as response:
                assert response.status == 200
                feeds = {feed["url"]: feed["media_type"] for feed in (await response.json())["feeds"]}
            assert len(feeds) == 4
            bodies: dict[str, bytes] = {}
            for url, media_type in feeds.items():
                async with session.get(url) as response:
                    assert response.status == 200, url
                    assert response.content_type == media_type, url
                    assert response.headers["Access-Control-Allow-Origin"] == "*"
                    bodies[url.removeprefix(base + "/")] = await response.read()
            async with session.get(f"{base}/ngsi-ld/entities", params={"type": "Bus"}) as response:
                assert response.status == 400
                assert "unknown entity type" in await response.text()
            async with session.get(f"{base}/ngsi-ld/entities", params={"type": "ParkingSpot"}) as response:
                spots = await response.json()

        status = ET.fromstring(bodies["datex2/parking-status.xml"])
        records = {
            record.find(f"{{{D2}}}parkingRecordReference").get("id"): record  # type: ignore[union-attr]
            for record in status.iter(f"{{{D2}}}parkingRecordStatus")
        }
        assert set(records) == set(CATALOG.facilities)
        vacant = records[PR_HERNE.facility_id].findtext(f"{{{D2}}}parkingOccupancy/{{{D2}}}parkingNumberOfVacantSpaces")
        assert vacant is not None and int(vacant) == live.free
        assert records[GARAGE.facility_id].findtext(f"{{{D2}}}parkingSiteStatus") == "unknown"  # never recounted
        table = ET.fromstring(bodies["datex2/parking-table.xml"])
        assert len(list(table.iter(f"{{{D2}}}parkingRecord"))) == len(CATALOG.facilities)

        entities = {entity["id"]: entity for entity in json.loads(bodies["ngsi-ld/entities"])}
        pr_entity = entities[f"urn:ngsi-ld:OffStreetParking:herne:{PR_HERNE.facility_id}"]
        assert pr_entity["availableSpotNumber"] == live.free
        spot_states = {spot["name"]: spot["status"] for spot in spots if spot["type"] == "ParkingSpot"}
        assert len(spot_states) == len(spots) == len(CATALOG.spaces_by_sensor)
        assert spot_states[spaces[0].space_id] == "occupied"
        assert spot_states[spaces[1].space_id] == "free"
        assert spot_states[spaces[40].space_id] == "unknown"

        sites = {site["uid"]: site for site in json.loads(bodies["parkapi/v3/parking-sites"])["items"]}
        assert sites[PR_HERNE.facility_id]["realtime_free_capacity"] == live.free
        assert sites[GARAGE.facility_id]["has_realtime_data"] is False


async def test_forecast_profile_survives_silent_sensors(start_service, redis_client) -> None:
    """Tests that weeks of history with a few dead sensors still make a profile, scaled to the observed spaces."""
    from herne_parking.store import HistorySample, ParkingStore

    zone = CATALOG.facilities["zone-mont-cenis"]  # 32 sensor spaces
    now = datetime.now(UTC).replace(microsecond=0)
    store = ParkingStore(redis_client)
    # Four weeks at 15-minute resolution: 2 of the 32 sensors dead throughout, 75 % of the rest taken.
    samples = {}
    for index in range(1, 4 * 7 * 96):
        at = now - timedelta(minutes=15 * index)
        samples[int(at.timestamp() * 1000)] = HistorySample(int(at.timestamp() * 1000), 22, 8, 2)
    for at_ms, sample in samples.items():
        await store.record_history({zone.facility_id: sample}, keep_after_ms=at_ms - 86_400_000)
    async with _parking(start_service) as service:
        stub = ParkingServiceStub(service.channel)
        # Now only 10 of the spaces are observed (the rest silent): 5 taken, 5 free, 50 % against the usual 73 %.
        readings = [_reading(space.sensor_id, i < 5, now) for i, space in enumerate(zone.spaces[:10])]
        await stub.ReportSensorReadings(pb.ReportSensorReadingsRequest(readings=readings), metadata=GATEWAY)
        answer = await stub.ForecastOccupancy(
            pb.ForecastOccupancyRequest(facility_id=zone.facility_id, horizons_minutes=[120])
        )
    assert answer.profile_samples > 2000
    [point] = answer.forecasts
    assert point.profile_weight > 0.8
    # 2 h ahead the usual 22/30 share dominates: scaled to the 10 observed spaces, about 7 taken.
    expected_share = 22 / 30 + (0.5 - 22 / 30) * math.exp(-2)
    assert point.expected_occupied == pytest.approx(10 * expected_share, abs=0.01)
    assert point.expected_free + point.expected_occupied == pytest.approx(10)
