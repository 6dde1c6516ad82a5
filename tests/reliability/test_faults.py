"""Faults with real processes: kill -9 under a steady stream, broker and Redis restarts during traffic.

Everything here runs on its own Redis and Tansu (module scope), because it
restarts them. Figures are printed (run with ``-s``) and recorded in
RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import random
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from herne.parking.v1.events_pb2 import SensorReading
from herne_events.connection import KafkaConnection
from herne_events.consumer import EventConsumer, Subscription, per_event
from herne_events.envelope import Event
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_SENSOR_READINGS, REGISTRY, Topic
from herne_stack.catalog import SERVICES
from tests.fixtures.services import auth, wait_until
from tests.helpers.domain import GOOD_EVENTS, waste_book, waste_pickup_state
from tests.helpers.rpc import PROPER_CODES, call, served_methods
from tests.helpers.stack import Infra, ServiceProcess, SpawnedProcess, health, start_services, wait_for
from tests.reliability.test_fuzz import caller_role

SENSORS = [f"fault-sensor-{index:02d}" for index in range(40)]


def figures(title: str, **values: Any) -> None:
    """Print measured figures in one greppable line."""
    shown = ", ".join(
        f"{key}={value:.2f}" if isinstance(value, float) else f"{key}={value}" for key, value in values.items()
    )
    print(f"\nFIGURES {title}: {shown}")


@pytest.fixture(scope="module")
def fault_infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    infra = Infra(tmp_path_factory.mktemp("fault-infra")).start()
    yield infra
    infra.stop()


async def _create_topic(bootstrap: str, partitions: int = 2) -> Topic[SensorReading]:
    name = f"fault.{uuid.uuid4().hex[:8]}.sensor-readings.v1"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1), NewTopic(f"{name}.dlq", 1, 1)])
    finally:
        await admin.close()
    return replace(PARKING_SENSOR_READINGS, name=name)


def _reading(sensor: str, occupied: bool) -> SensorReading:
    reading = SensorReading(sensor_id=sensor, occupied=occupied)
    reading.observed_time.FromDatetime(datetime.now(UTC))
    return reading


def _counting_consumer(infra: Infra, topic: Topic[Any], group: str, log: Path) -> SpawnedProcess:
    argv = [
        sys.executable,
        "-m",
        "tests.helpers.counting_consumer",
        infra.bootstrap,
        infra.redis_url,
        topic.name,
        group,
    ]
    return SpawnedProcess("counting-consumer", argv, log)


@pytest.mark.slow
async def test_consumer_killed_under_steady_stream_applies_every_event_once(fault_infra: Infra, tmp_path: Path) -> None:
    """Tests that 4 SIGKILLs of a consumer during a stream with redeliveries leave counts equal to the reference."""
    topic = await _create_topic(fault_infra.bootstrap)
    client = aioredis.Redis.from_url(fault_infra.redis_url)
    await client.delete("counts", *[key async for key in client.scan_iter("stats:*")])
    publisher = EventPublisher(KafkaConnection(fault_infra.bootstrap, client_id="fault-publisher"), source="/tests")
    await publisher.start(wait=True)
    reference: Counter[str] = Counter()
    rng = random.Random(8)
    total, rate = 3000, 600.0  # events, events per second

    sent: list[tuple[SensorReading, str]] = []
    redelivered = 300

    async def steady_stream() -> None:
        began = time.monotonic()
        for index in range(0, total, 20):
            batch = [_reading(rng.choice(SENSORS), rng.random() < 0.5) for _ in range(20)]
            ids = await publisher.publish_many(topic, batch)
            sent.extend(zip(batch, ids, strict=True))
            reference.update(reading.sensor_id for reading in batch)
            if index == total // 2:
                # A producer retry after a lost acknowledgement (no idempotent producer on Tansu)
                # sends records again with the same event ids: they must not count twice.
                again = sent[:redelivered]
                await publisher.publish_many(topic, [r for r, _ in again], event_ids=[i for _, i in again])
            await asyncio.sleep(max(0.0, began + (index + 20) / rate - time.monotonic()))

    group = f"fault-{uuid.uuid4().hex[:8]}"
    consumer = _counting_consumer(fault_infra, topic, group, tmp_path / "consumer.log").start()
    stream = asyncio.create_task(steady_stream())
    kills = 0
    try:
        for pause in (0.9, 1.4, 0.6, 1.1):
            await asyncio.sleep(pause)
            consumer.kill()
            kills += 1
            consumer.start()
        await stream
        began = time.monotonic()

        async def all_counted() -> bool:
            counts = await client.hgetall("counts")
            return sum(int(v) for v in counts.values()) >= total

        await wait_until(all_counted, timeout=90, interval=0.2)
        catch_up = time.monotonic() - began
        await asyncio.sleep(1.5)  # anything applied twice would show up now
        counts = {key.decode(): int(value) for key, value in (await client.hgetall("counts")).items()}
        duplicates = 0
        async for key in client.scan_iter("stats:*"):
            duplicates += int((await client.hget(key, "duplicates")) or 0)
    finally:
        consumer.stop()
        await publisher.stop()
        await client.aclose()
    figures(
        "kill-9 consumer",
        published=total,
        redelivered=redelivered,
        applied=sum(counts.values()),
        kills=kills,
        duplicates_suppressed=duplicates,
        catch_up_after_stream_s=catch_up,
    )
    assert counts == dict(reference), "per-sensor counts differ from the published reference"
    assert duplicates >= redelivered * 0.9, "the re-sent events were not reported as duplicates"


@pytest.mark.slow
async def test_runner_and_publisher_recover_from_a_broker_restart(fault_infra: Infra) -> None:
    """Tests that after Tansu restarts (losing everything) topics are re-created and events flow again by themselves."""
    connection = KafkaConnection(fault_infra.bootstrap, client_id="fault-runner")
    topic = await _create_topic(fault_infra.bootstrap, partitions=1)
    client = aioredis.Redis.from_url(fault_infra.redis_url)
    applied: list[str] = []

    async def handle(event: Event[SensorReading]) -> None:
        applied.append(event.payload.sensor_id)

    publisher = EventPublisher(connection, source="/tests/fault")
    await publisher.start(wait=True)
    consumer = EventConsumer(
        connection,
        group_id=f"fault-{uuid.uuid4().hex[:8]}",
        subscriptions=[Subscription(topic, per_event(handle))],
        redis_client=client,
        publisher=publisher,
        session_timeout_ms=3000,
        heartbeat_interval_ms=300,
        max_backoff_seconds=1.0,
    )
    task = asyncio.create_task(consumer.run())
    try:
        await publisher.publish(topic, _reading("before", True))
        await wait_until(lambda: "before" in applied, timeout=30)
        assert fault_infra.broker is not None
        fault_infra.broker.stop()
        fault_infra.start_broker()
        restarted = time.monotonic()
        # Memory-only Tansu lost the topic; a service re-creates the registry topics on recovery.
        admin = AIOKafkaAdminClient(bootstrap_servers=fault_infra.bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic.name, 1, 1), NewTopic(topic.dead_letter, 1, 1)])
        finally:
            await admin.close()

        async def published_after() -> bool:
            try:
                await publisher.publish(topic, _reading("after", True))
            except Exception:
                return False
            return True

        await wait_until(published_after, timeout=40, interval=0.5)
        published_in = time.monotonic() - restarted
        await wait_until(lambda: "after" in applied, timeout=60, interval=0.2)
        consumed_in = time.monotonic() - restarted
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 30)
        await publisher.stop()
        await client.aclose()
    figures("broker restart (runner)", publish_recovered_s=published_in, consume_recovered_s=consumed_in)
    assert applied.count("before") == 1


@pytest.mark.slow
def test_services_go_not_serving_and_recover_from_broker_and_redis_restarts(fault_infra: Infra, tmp_path: Path) -> None:
    """Tests that every catalog service reports NOT_SERVING while the broker or Redis is down and recovers alone."""
    services = start_services(list(SERVICES), fault_infra, tmp_path)
    try:
        assert fault_infra.broker is not None and fault_infra.redis is not None
        results: dict[str, Any] = {}
        problems: list[str] = []
        waste = next((s for s in services if s.name == "waste"), None)
        pickup_id = ""
        if waste is not None:
            with waste.channel() as channel:
                pickup_id, _ = waste_book(channel, name="Erika Musterfrau", phone="+49 2323 1234567", email="e@x.org")
        for dependency in ("kafka", "redis"):
            process = fault_infra.broker if dependency == "kafka" else fault_infra.redis
            process.stop()
            down = time.monotonic()
            for service in services:
                wait_for(lambda s=service: health(s.target) == "NOT_SERVING", 30, what=f"{service.name} NOT_SERVING")
            results[f"{dependency}_detected_s"] = time.monotonic() - down
            # Traffic during the outage: every RPC answers with a proper status or UNAVAILABLE, in time.
            began = time.monotonic()
            problems += [f"{dependency} down: {p}" for service in services for p in _sweep(service)]
            if waste is not None:
                results[f"booking_during_{dependency}_outage"] = _booking_outcome(waste)
            replay = _replay_during_outage(services)
            if replay:
                results[f"replay_during_{dependency}_outage"] = replay
            time.sleep(max(0.0, 2 - (time.monotonic() - began)))  # an outage, not a blip
            (fault_infra.start_broker if dependency == "kafka" else fault_infra.start_redis)()
            back = time.monotonic()
            for service in services:
                wait_for(lambda s=service: health(s.target) == "SERVING", 60, what=f"{service.name} SERVING again")
                assert service.running, f"{service.name} exited during the {dependency} outage"
            results[f"{dependency}_recovered_s"] = time.monotonic() - back
            assert [s.name for s in services if s.process and s.process.process and s.starts != 1] == []
        if waste is not None:
            # Bookings live in Redis with its append-only file: a Redis restart keeps them.
            with waste.channel() as channel:
                assert waste_pickup_state(channel, pickup_id) == "PICKUP_STATE_BOOKED"
        figures("dependency restarts (4 services)", **results)
        assert not problems, "\n".join(problems)
        topics = asyncio.run(_topic_names(fault_infra.bootstrap))
        missing = [t.name for t in REGISTRY if t.name not in topics or t.dead_letter not in topics]
        assert not missing, f"topics not re-created after the broker restart: {missing}"
    finally:
        for service in services:
            service.stop()


def _sweep(service: ServiceProcess) -> list[str]:
    """Call every served RPC once (empty request, a role it admits); what went wrong."""
    problems = []
    with service.channel() as channel:
        for rpc in served_methods(channel):
            outcome = call(channel, rpc, metadata=auth(caller_role(rpc)), timeout=10, stream_timeout=0.3)
            # UNIMPLEMENTED is the fuzzing's to report; here only the outage matters.
            if outcome.code not in PROPER_CODES | {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNIMPLEMENTED}:
                problems.append(f"{rpc.name}: {outcome.code.name} {outcome.details[:200]!r}")
            elif outcome.code != grpc.StatusCode.OK and not outcome.details.strip():
                problems.append(f"{rpc.name}: {outcome.code.name} without a message")
    return problems


def _replay_during_outage(services: list[ServiceProcess]) -> str:
    """OpsService.ReplayDeadLetters (reads and publishes Kafka) on the first consumed topic: code and seconds."""
    from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc

    for service in services:
        with service.channel() as channel:
            stub = ops_service_pb2_grpc.OpsServiceStub(channel)
            status = stub.GetServiceStatus(ops_service_pb2.GetServiceStatusRequest(), timeout=5)
            topics = [topic for consumer in status.consumers for topic in consumer.topics]
            if not topics:
                continue
            began = time.monotonic()
            try:
                stub.ReplayDeadLetters(
                    ops_service_pb2.ReplayDeadLettersRequest(topic=topics[0], max_events=1),
                    metadata=auth("operator"),
                    timeout=30,
                )
                code = "OK"
            except grpc.RpcError as error:
                code = error.code().name
                if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                    raise AssertionError(f"{service.name} replay in an outage: {code} {error.details()}") from None
            return f"{service.name}:{code}:{time.monotonic() - began:.1f}s"
    return ""


def _booking_outcome(waste: ServiceProcess) -> str:
    """What a citizen booking gets during an outage: OK (outbox) or a clear status."""
    try:
        with waste.channel() as channel:
            waste_book(channel, name="Test Person", phone="+49 2323 0000000", email="t@example.org")
    except grpc.RpcError as error:
        return str(error.code().name)
    return "OK"


async def _topic_names(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


def _book_with_retries(service: ServiceProcess, key: str, request: Any, deadline: float) -> tuple[str, int]:
    """BookPickup with one idempotency key, retried through crashes; (pickup id, attempts)."""
    from herne.waste.v1 import waste_service_pb2_grpc as waste_grpc

    attempts = 0
    while True:
        attempts += 1
        if not service.running:
            # From this thread: PR_SET_PDEATHSIG would kill a child started by a short-lived thread.
            service.start()
        try:
            with service.channel() as channel:
                response = waste_grpc.WasteServiceStub(channel).BookPickup(
                    request, metadata=auth("booking"), timeout=30, wait_for_ready=True
                )
            return response.pickup.pickup_id, attempts
        except grpc.RpcError as error:
            if error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise AssertionError(f"booking {key}: {error.code().name} {error.details()}") from None
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"booking {key} did not get through ({error.code().name}); running: {service.running}; "
                    f"log tail:\n{service.log_text()[-3000:]}"
                ) from None
            time.sleep(0.2)


async def _booked_events(bootstrap: str) -> dict[str, set[str]]:
    """pickup id -> event ids of its PickupBooked records."""
    from herne_events.envelope import decode
    from herne_events.topics import WASTE_PICKUP_BOOKED

    consumer = AIOKafkaConsumer(
        WASTE_PICKUP_BOOKED.name, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: dict[str, set[str]] = {}
    try:
        idle = 0
        while idle < 4:
            batch = await consumer.getmany(timeout_ms=400)
            idle = 0 if batch else idle + 1
            for records in batch.values():
                for record in records:
                    event = decode(WASTE_PICKUP_BOOKED, record.value)
                    found.setdefault(event.payload.pickup_id, set()).add(event.id)
    finally:
        await consumer.stop()
    return found


@pytest.mark.slow
def test_waste_killed_during_bookings_books_each_exactly_once(fault_infra: Infra, tmp_path: Path) -> None:
    """Tests that bookings retried with their idempotency keys through two kill -9s exist once, each with one event."""
    from herne.waste.v1 import waste_service_pb2 as waste
    from herne.waste.v1 import waste_service_pb2_grpc as waste_grpc

    entry = next((e for e in SERVICES if e.name == "waste"), None)
    if entry is None:
        pytest.skip("no waste service in the catalog")
    [service] = start_services([entry], fault_infra, tmp_path)
    requests: dict[str, Any] = {}
    try:
        with service.channel() as channel:
            stub = waste_grpc.WasteServiceStub(channel)
            for index in range(12):
                address = f"Bahnhofstraße {100 + index}, 44623 Herne"
                location = waste.PickupLocation(address=address)
                items = [waste.Item(kind=waste.ITEM_KIND_CHAIR, count=1)]
                offers = stub.OfferSlots(
                    waste.OfferSlotsRequest(location=location, items=items, horizon_days=14),
                    metadata=auth("booking"),
                    timeout=60,
                )
                assert offers.slots, f"no slot for {address}"
                key = f"fault-{uuid.uuid4().hex}"
                requests[key] = waste.BookPickupRequest(
                    slot_id=offers.slots[index % len(offers.slots)].slot_id,
                    location=location,
                    items=items,
                    contact=waste.Contact(name="Test Person", phone="+49 2323 0000000"),
                    idempotency_key=key,
                )
        pickups: dict[str, str] = {}

        attempts = 0
        interrupted = 0  # bookings whose call the kill cut off (retried with the same key)
        kills = 0
        rng = random.Random(3)
        deadline = time.monotonic() + 120
        keys = list(requests)
        for position, key in enumerate(keys):
            if position in (4, 8):
                # Kill while the booking is in flight (a timer fires a few ms after the call starts);
                # the retry loop restarts it at once, as Kubernetes restarts a pod.
                timer = threading.Timer(rng.uniform(0.002, 0.012), service.kill)
                timer.start()
                pickups[key], tries = _book_with_retries(service, key, requests[key], deadline)
                timer.join()
                kills += 1
                interrupted += tries > 1
                pickups[key], more = _book_with_retries(service, key, requests[key], deadline)
                attempts += tries + more
            else:
                pickups[key], tries = _book_with_retries(service, key, requests[key], deadline)
                attempts += tries
        # Every key again, after the crashes: the same pickup, no second booking.
        again = {key: _book_with_retries(service, key, requests[key], deadline)[0] for key in keys}
        with service.channel() as channel:
            states = {pickup: waste_pickup_state(channel, pickup) for pickup in pickups.values()}
        began = time.monotonic()
        events: dict[str, set[str]] = {}
        while time.monotonic() - began < 30:
            events = asyncio.run(_booked_events(fault_infra.bootstrap))
            if set(pickups.values()) <= set(events):
                break
            time.sleep(1)
    finally:
        service.stop()
    figures(
        "kill-9 waste during bookings",
        bookings=len(keys),
        kills=kills,
        calls_cut_off=interrupted,
        booking_attempts=attempts,
        distinct_pickups=len(set(pickups.values())),
        booked_events=sum(len(ids) for pickup, ids in events.items() if pickup in states),
    )
    assert again == pickups, "a retried idempotency key booked another pickup"
    assert len(set(pickups.values())) == len(keys)
    assert set(states.values()) == {"PICKUP_STATE_BOOKED"}
    missing = [p for p in pickups.values() if p not in events]
    assert not missing, f"PickupBooked never published for {missing}"
    twice = {p: ids for p, ids in events.items() if p in states and len(ids) > 1}
    assert not twice, f"pickups with more than one booking event id: {twice}"


RPC_DEADLINE = 1.0  # the default timeoutSeconds of a Kubernetes probe


@pytest.mark.slow
def test_long_optimisation_is_bounded_and_never_blocks_other_rpcs(fault_infra: Infra, tmp_path: Path) -> None:
    """Tests that a PlanTours run with a 4 s limit ends within its bound while health and reads keep answering."""
    from herne.waste.v1 import waste_service_pb2 as waste
    from herne.waste.v1 import waste_service_pb2_grpc as waste_grpc

    entry = next((e for e in SERVICES if e.name == "waste"), None)
    if entry is None:
        pytest.skip("no waste service in the catalog")
    [service] = start_services([entry], fault_infra, tmp_path)
    try:
        with service.channel() as channel:
            pickups = [
                waste_book(channel, name="Test Person", phone="+49 2323 0000000", email="t@example.org")[0]
                for _ in range(8)
            ]
            day = (
                waste_grpc.WasteServiceStub(channel)
                .GetPickup(waste.GetPickupRequest(pickup_id=pickups[0]), metadata=auth("dispatcher"), timeout=30)
                .pickup.date
            )
        limit = 4.0
        outcome: dict[str, Any] = {}

        def plan() -> None:
            began = time.monotonic()
            with service.channel() as channel:
                try:
                    waste_grpc.WasteServiceStub(channel).PlanTours(
                        waste.PlanToursRequest(date=day, time_limit_seconds=limit),
                        metadata=auth("dispatcher"),
                        timeout=limit + 30,
                    )
                    outcome["code"] = grpc.StatusCode.OK
                except grpc.RpcError as error:
                    outcome["code"] = error.code()
            outcome["seconds"] = time.monotonic() - began

        solver = threading.Thread(target=plan)
        solver.start()
        answered, slowest = 0, 0.0
        with service.channel() as channel:
            stub = waste_grpc.WasteServiceStub(channel)
            while solver.is_alive():
                began = time.monotonic()
                assert health(service.target, timeout=RPC_DEADLINE) == "SERVING", "health did not answer in the solve"
                stub.GetPickup(
                    waste.GetPickupRequest(pickup_id=pickups[1]), metadata=auth("crew"), timeout=RPC_DEADLINE
                )
                slowest = max(slowest, time.monotonic() - began)
                answered += 1
                time.sleep(0.05)
        solver.join()
    finally:
        service.stop()
    figures(
        "optimisation off the event loop",
        time_limit_s=limit,
        plan_tours_s=outcome["seconds"],
        rpcs_during_solve=answered,
        slowest_rpc_during_solve_s=slowest,
    )
    assert outcome["code"] == grpc.StatusCode.OK
    assert answered >= 3, "too few RPCs answered while the solver ran"


async def _dead_lettered_ids(bootstrap: str, topic: Topic[Any], group: str) -> tuple[set[str], int]:
    """Event ids in ``topic``'s DLQ put there by ``group``, and the number of such records."""
    from herne.events.v1.envelope_pb2 import Envelope

    consumer = AIOKafkaConsumer(
        topic.dead_letter, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    ids: set[str] = set()
    records = 0
    try:
        idle = 0
        while idle < 3:
            batch = await consumer.getmany(timeout_ms=300)
            idle = 0 if batch else idle + 1
            for messages in batch.values():
                for message in messages:
                    if dict(message.headers).get("dlq-consumer-group", b"").decode() != group:
                        continue
                    envelope = Envelope()
                    envelope.ParseFromString(message.value or b"")
                    ids.add(envelope.id)
                    records += 1
    finally:
        await consumer.stop()
    return ids, records


@pytest.mark.slow
async def test_services_killed_while_consuming_lose_no_event(fault_infra: Infra, tmp_path: Path) -> None:
    """Tests each service consuming a topic: kill -9 twice in a stream; every event ends applied or dead-lettered."""
    from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc

    services = start_services(list(SERVICES), fault_infra, tmp_path)
    client = aioredis.Redis.from_url(fault_infra.redis_url)
    publisher = EventPublisher(KafkaConnection(fault_infra.bootstrap, client_id="fault-stream"), source="/tests")
    await publisher.start(wait=True)
    checked = []
    try:
        for service in services:
            with service.channel() as channel:
                status = ops_service_pb2_grpc.OpsServiceStub(channel).GetServiceStatus(
                    ops_service_pb2.GetServiceStatusRequest(), timeout=5
                )
            for consumer in status.consumers:
                topic = next(t for t in REGISTRY if t.name == consumer.topics[0])
                published: list[str] = []

                async def stream(topic: Topic[Any] = topic, published: list[str] = published) -> None:
                    good = GOOD_EVENTS.get(topic.name)
                    for round_ in range(40):
                        batch = [good(round_ * 10 + i) if good and i % 2 else topic.message() for i in range(10)]
                        published.extend(await publisher.publish_many(topic, batch))
                        await asyncio.sleep(0.05)

                task = asyncio.create_task(stream())
                for pause in (0.6, 0.8):
                    await asyncio.sleep(pause)
                    service.kill()
                    service.start()  # from the test's main thread, see SpawnedProcess
                await task
                service.wait_serving(60)
                group = consumer.group_id
                began = time.monotonic()
                while True:
                    keys = [f"herne:events:applied:{group}:{event_id}" for event_id in published]
                    applied = {e for e, v in zip(published, await client.mget(keys), strict=True) if v is not None}
                    lettered, letters = await _dead_lettered_ids(fault_infra.bootstrap, topic, group)
                    lost = set(published) - applied - lettered
                    if not lost or time.monotonic() - began > 60:
                        break
                    await asyncio.sleep(1)
                figures(
                    f"kill-9 {service.name} consuming {topic.name}",
                    published=len(published),
                    applied=len(applied & set(published)),
                    dead_lettered=len(lettered & set(published)),
                    dlq_records=letters,
                    lost=len(lost),
                )
                assert not lost, f"{service.name} lost {len(lost)} of {len(published)} events of {topic.name}"
                checked.append(topic.name)
    finally:
        await publisher.stop()
        await client.aclose()
        for service in services:
            service.stop()
    if not checked:
        pytest.skip("no catalog service consumes a topic yet")


PARKING_FACILITIES = (
    "herne-bf-pr",
    "wanne-eickel-hbf-pr",
    "zone-bahnhofstrasse",
    "tiefgarage-rathaus",
    "herne-bf-parkhaus",
)
PARKING_COUNTED = ("tiefgarage-rathaus", "herne-bf-parkhaus")


def _passage(facility_id: str, entry: bool, vehicles: int, at: datetime, event_id: str) -> Any:
    from herne.parking.v1 import events_pb2

    direction = events_pb2.COUNTER_DIRECTION_ENTRY if entry else events_pb2.COUNTER_DIRECTION_EXIT
    event = events_pb2.CounterEvent(
        facility_id=facility_id,
        counter_id="gate-1",
        event_id=event_id,
        passage=events_pb2.CounterPassage(direction=direction, vehicles=vehicles),
    )
    event.observed_time.FromDatetime(at)
    return event


def _recount(facility_id: str, occupied: int, at: datetime) -> Any:
    from herne.parking.v1 import events_pb2

    event = events_pb2.CounterEvent(
        facility_id=facility_id, recalibration=events_pb2.CounterRecalibration(occupied=occupied)
    )
    event.observed_time.FromDatetime(at)
    return event


def _observed_at(channel: grpc.Channel, facility_id: str) -> datetime:
    from herne.parking.v1 import parking_service_pb2 as pb
    from herne.parking.v1.parking_service_pb2_grpc import ParkingServiceStub

    request = pb.GetAvailabilityRequest(facility_ids=[facility_id])
    [item] = ParkingServiceStub(channel).GetAvailability(request, timeout=5).availability
    return item.observed_time.ToDatetime(UTC)


@pytest.mark.slow
async def test_parking_killed_during_ingest_ends_at_the_reference(fault_infra: Infra, tmp_path: Path) -> None:
    """Tests kill -9 of parking twice during readings + counter passages (some re-sent): counts equal the reference."""
    from datetime import timedelta

    from herne.parking.v1 import parking_service_pb2 as pb
    from herne.parking.v1.parking_service_pb2_grpc import ParkingServiceStub
    from herne_events.topics import PARKING_COUNTER_EVENTS
    from herne_parking.server import catalog_from_settings
    from herne_parking.settings import ParkingSettings

    entry = next(e for e in SERVICES if e.name == "parking")
    catalog = catalog_from_settings(ParkingSettings())
    sensors = [space.sensor_id for fid in PARKING_FACILITIES for space in catalog.facilities[fid].spaces]
    counted = {fid: catalog.facilities[fid].counted_capacity for fid in PARKING_COUNTED}
    [service] = start_services([entry], fault_infra, tmp_path)
    publisher = EventPublisher(KafkaConnection(fault_infra.bootstrap, client_id="fault-parking"), source="/tests")
    await publisher.start(wait=True)
    rng = random.Random(11)
    # Observed times are later than anything earlier tests of this module sent (a recount or reading
    # observed after ours would rightly win), and never more than seconds ahead of the clock.
    start = datetime.now(UTC).replace(microsecond=0)  # whole ms, as the service keeps them
    latest: dict[str, tuple[datetime, bool]] = {}  # the reference: per sensor the newest reading
    occupied = {fid: capacity // 2 for fid, capacity in counted.items()}
    sent_readings: list[tuple[SensorReading, str]] = []
    sent_passages: list[tuple[Any, str]] = []
    resent = 0
    rounds = 60

    async def stream() -> None:
        recounts = [_recount(fid, count, start) for fid, count in occupied.items()]
        await publisher.publish_many(PARKING_COUNTER_EVENTS, recounts, subjects=list(occupied))
        for round_ in range(rounds):
            at = start + timedelta(milliseconds=100 * (round_ + 1))
            chosen = sensors if round_ == 0 else rng.sample(sensors, 80)  # round 0 covers every sensor
            readings = []
            for sensor in chosen:
                state = rng.random() < 0.5
                readings.append(_reading(sensor, state))
                readings[-1].observed_time.FromDatetime(at)
                latest[sensor] = (at, state)
            ids = await publisher.publish_many(PARKING_SENSOR_READINGS, readings, subjects=chosen)
            sent_readings.extend(zip(readings, ids, strict=True))
            passages = []
            for fid, capacity in counted.items():
                # A walk that stays clear of 0 and the capacity, so clamping never decides the result.
                entering = occupied[fid] < capacity // 4 or (occupied[fid] < 3 * capacity // 4 and rng.random() < 0.5)
                vehicles = rng.randint(1, 3)
                occupied[fid] += vehicles if entering else -vehicles
                passages.append(_passage(fid, entering, vehicles, at, f"gate-{uuid.uuid4().hex}"))
            ids = await publisher.publish_many(PARKING_COUNTER_EVENTS, passages, subjects=list(counted))
            sent_passages.extend(zip(passages, ids, strict=True))
            await asyncio.sleep(0.1)

    task = asyncio.create_task(stream())
    kills = 0
    try:
        for pause in (1.5, 4.0):  # the second kill after the first restart has caught up
            await asyncio.sleep(pause)
            service.kill()
            kills += 1
            service.start()  # from the test's main thread, see SpawnedProcess
        await task
        stream_end = time.monotonic()
        service.wait_serving(60)
        facilities = list(PARKING_FACILITIES)

        def expected() -> dict[str, tuple[int, int]]:
            result = {}
            for fid in facilities:
                facility = catalog.facilities[fid]
                sensed = sum(latest[space.sensor_id][1] for space in facility.spaces if space.sensor_id in latest)
                known = sum(space.sensor_id in latest for space in facility.spaces)
                taken = sensed + occupied.get(fid, 0)
                result[fid] = (taken, known + facility.counted_capacity - taken)
            return result

        def served() -> dict[str, tuple[int, int]]:
            with service.channel() as channel:
                try:
                    answer = ParkingServiceStub(channel).GetAvailability(
                        pb.GetAvailabilityRequest(facility_ids=facilities), timeout=5
                    )
                except grpc.RpcError:
                    return {}
            return {item.facility_id: (item.occupied, item.free) for item in answer.availability}

        reference = expected()
        caught_up = wait_for(lambda: served() == reference, timeout=90, interval=0.3, what="reference counts")
        catch_up = time.monotonic() - stream_end
        # A producer retry after a lost acknowledgement (no idempotent producer on Tansu) re-sends
        # records with their event ids, long after they were applied and committed.
        again_r, again_p = sent_readings[::4], sent_passages
        await publisher.publish_many(
            PARKING_SENSOR_READINGS, [r for r, _ in again_r], event_ids=[i for _, i in again_r]
        )
        await publisher.publish_many(PARKING_COUNTER_EVENTS, [p for p, _ in again_p], event_ids=[i for _, i in again_p])
        resent = len(again_r) + len(again_p)
        marked_at = start + timedelta(seconds=rounds * 0.1 + 5)
        marker = _recount("herne-bf-parkhaus", occupied["herne-bf-parkhaus"], marked_at)
        await publisher.publish(PARKING_COUNTER_EVENTS, marker, subject="herne-bf-parkhaus")
        # The marker recount (same count, so the reference holds) comes after the re-sent records in
        # its partition: once it is applied, the re-sent passages of that facility were consumed.
        with service.channel() as channel:
            wait_for(
                lambda: _observed_at(channel, "herne-bf-parkhaus") >= marked_at,
                timeout=60,
                what="the marker recount",
            )
        await asyncio.sleep(1.0)  # the refresh loop publishes what the consumer applied
        final = served()
    finally:
        await publisher.stop()
        service.stop()
    figures(
        "kill-9 parking during ingest",
        readings_published=len(sent_readings),
        passages_published=len(sent_passages),
        resent_with_same_ids=resent,
        kills=kills,
        starts=service.starts,
        catch_up_after_stream_s=catch_up,
        wait_s=caught_up,
    )
    assert final == reference, f"served {final}, reference {reference}"


@pytest.mark.slow
async def test_mobility_killed_during_gbfs_updates_serves_the_last_feed(fault_infra: Infra, tmp_path: Path) -> None:
    """Tests kill -9 of mobility twice while GBFS files change every 0.25 s: it ends serving the last generation."""
    import json
    from datetime import timedelta

    from herne.mobility.v1 import mobility_service_pb2 as pb
    from herne.mobility.v1.mobility_service_pb2_grpc import MobilityServiceStub
    from herne_mobility.hubs import DEMO_HUBS, load_hubs
    from herne_mobility.simulator import DOCKED_SYSTEM, docked_system, write_system

    entry = next(e for e in SERVICES if e.name == "mobility")
    hubs = load_hubs(json.loads(DEMO_HUBS.read_text(encoding="utf-8")))
    feeds = tmp_path / "gbfs"
    rng = random.Random(5)
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    generations = 40
    final: dict[str, tuple[int, int]] = {}

    def write(generation: int) -> None:
        documents = docked_system(hubs, 5 + generation * 0.4, base + timedelta(seconds=generation), rng)
        write_system(feeds / DOCKED_SYSTEM, documents)
        final.clear()
        for station in documents["station_status"]["data"]["stations"]:
            final[f"{DOCKED_SYSTEM}:{station['station_id']}"] = (
                station["num_vehicles_available"],
                station["num_docks_available"],
            )

    write(0)
    [service] = start_services(
        [entry],
        fault_infra,
        tmp_path,
        HERNE_MOBILITY_DEMO_GBFS_DIRECTORY=str(feeds),
        HERNE_MOBILITY_DIRECTORY_POLL_SECONDS="0.2",
    )

    async def updates() -> None:
        for generation in range(1, generations):
            await asyncio.to_thread(write, generation)
            await asyncio.sleep(0.25)

    def served() -> dict[str, tuple[int, int]]:
        result = {}
        with service.channel() as channel:
            stub = MobilityServiceStub(channel)
            for station_id in final:
                try:
                    station = stub.GetStationStatus(
                        pb.GetStationStatusRequest(station_id=station_id), timeout=5
                    ).station
                except grpc.RpcError:
                    return {}
                result[station_id] = (station.vehicles_available, station.docks_available)
        return result

    task = asyncio.create_task(updates())
    kills = 0
    try:
        for pause in (1.5, 4.0):
            await asyncio.sleep(pause)
            service.kill()
            kills += 1
            service.start()
        await task
        ended = time.monotonic()
        service.wait_serving(60)
        wait_for(lambda: served() == final, timeout=60, interval=0.3, what="the last GBFS generation")
        catch_up = time.monotonic() - ended
        # A restart with unchanged files serves the stored snapshot at once, then the same figures.
        service.kill()
        service.start()
        service.wait_serving(60)
        after_restart = served()
    finally:
        service.stop()
    figures(
        "kill-9 mobility during GBFS updates",
        generations=generations,
        stations=len(final),
        kills=kills + 1,
        catch_up_after_last_write_s=catch_up,
    )
    assert after_restart == final


@pytest.mark.slow
async def test_two_parking_processes_never_corrupt_counts(fault_infra: Infra, tmp_path: Path) -> None:
    """Tests two parking processes (one consumer group, 2 partitions) plus gateway calls to both at once."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta

    from herne.parking.v1 import parking_service_pb2 as pb
    from herne.parking.v1.parking_service_pb2_grpc import ParkingServiceStub
    from herne_events.topics import PARKING_COUNTER_EVENTS
    from herne_parking.server import catalog_from_settings
    from herne_parking.settings import ParkingSettings

    entry = next(e for e in SERVICES if e.name == "parking")
    catalog = catalog_from_settings(ParkingSettings())
    by_topic = ("city-center-neue-hoefe", "wanne-eickel-hbf-parkhaus")  # passages through the broker
    by_rpc = "parkhaus-kulturzentrum"  # passages sent to both processes at the same time
    zone = catalog.facilities["zone-robert-brauner-platz"]  # readings sent to both processes at once
    services = [start_services([entry], fault_infra, tmp_path / name)[0] for name in ("first", "second")]
    publisher = EventPublisher(KafkaConnection(fault_infra.bootstrap, client_id="fault-two"), source="/tests")
    await publisher.start(wait=True)
    start = datetime.now(UTC).replace(microsecond=0)
    expected = {fid: catalog.facilities[fid].counted_capacity // 2 for fid in (*by_topic, by_rpc)}
    try:
        recounts = [_recount(fid, count, start) for fid, count in expected.items()]
        await publisher.publish_many(PARKING_COUNTER_EVENTS, recounts, subjects=list(expected))

        def recounted() -> bool:
            with services[0].channel() as channel:
                return all(_observed_at(channel, fid) >= start for fid in expected)

        wait_for(recounted, timeout=60, what="the recounts")
        rng = random.Random(21)
        passages = []
        for index in range(300):
            fid = by_topic[index % 2]
            entering = rng.random() < 0.5
            expected[fid] += 1 if entering else -1
            passages.append(_passage(fid, entering, 1, start + timedelta(milliseconds=index + 1), uuid.uuid4().hex))

        def gateway(service: ServiceProcess, offset: int) -> list[int]:
            # 100 single-event calls: every one a separate Lua run racing the other process.
            counts = []
            with service.channel() as channel:
                stub = ParkingServiceStub(channel)
                for index in range(100):
                    entering = index % 3 != 0
                    event = _passage(
                        by_rpc, entering, 1, start + timedelta(milliseconds=offset + index), uuid.uuid4().hex
                    )
                    reply = stub.ReportCounterEvents(
                        pb.ReportCounterEventsRequest(events=[event]), metadata=auth("sensor-gateway"), timeout=10
                    )
                    counts.append(reply.results[0].counted_occupied)
                    reading = _reading(zone.spaces[index % len(zone.spaces)].sensor_id, entering)
                    reading.observed_time.FromDatetime(start + timedelta(milliseconds=offset + index))
                    stub.ReportSensorReadings(
                        pb.ReportSensorReadingsRequest(readings=[reading]), metadata=auth("sensor-gateway"), timeout=10
                    )
            return counts

        with ThreadPoolExecutor(2) as pool:
            calls = [pool.submit(gateway, service, 1000 * (k + 1)) for k, service in enumerate(services)]
            await publisher.publish_many(PARKING_COUNTER_EVENTS, passages, subjects=[p.facility_id for p in passages])
            for call_ in calls:
                call_.result(timeout=120)
        # Per caller 66 entries and 34 exits: +32 each, never near 0 or the capacity.
        expected[by_rpc] += 2 * sum(1 if index % 3 != 0 else -1 for index in range(100))
        # Per zone sensor the newest reading wins: the second caller's (larger offsets), its last index.
        newest: dict[str, bool] = {}
        for index in range(100):
            newest[zone.spaces[index % len(zone.spaces)].sensor_id] = index % 3 != 0
        expected[zone.facility_id] = sum(newest.values())

        def occupied() -> dict[str, int]:
            # Asked of the other process than the one that applied most of it; the garages' own
            # sensor spaces never report here, so their occupied count is the counted one.
            with services[1].channel() as channel:
                try:
                    answer = ParkingServiceStub(channel).GetAvailability(
                        pb.GetAvailabilityRequest(facility_ids=list(expected)), timeout=5
                    )
                except grpc.RpcError:
                    return {}
            return {item.facility_id: item.occupied for item in answer.availability}

        try:
            waited = wait_for(lambda: occupied() == expected, timeout=60, interval=0.3, what="exact counts")
        except AssertionError:
            raise AssertionError(f"served {occupied()}, reference {expected}") from None
        await asyncio.sleep(1.0)  # anything applied twice would show up now
        final = occupied()
    finally:
        await publisher.stop()
        for service in services:
            service.stop()
    figures(
        "two parking processes",
        topic_passages=len(passages),
        gateway_calls=2 * 200,
        settled_after_s=waited,
    )
    assert final == expected, f"served {final}, reference {expected}"
