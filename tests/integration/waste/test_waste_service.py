"""The waste service over real gRPC, Redis and the broker."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from aiokafka import AIOKafkaConsumer

from herne.signals.v1 import events_pb2 as signals_events
from herne.waste.v1 import waste_service_pb2 as pb
from herne.waste.v1.waste_service_pb2_grpc import WasteServiceStub
from herne_events.envelope import decode
from herne_events.publisher import EventPublisher
from herne_events.topics import (
    TRAFFIC_ROAD_CONDITIONS,
    WASTE_PICKUP_BOOKED,
    WASTE_PICKUP_CANCELLED,
    WASTE_TOURS_PLANNED,
)
from herne_waste.domain import Planner
from herne_waste.server import SERVICE
from herne_waste.servicer import ALTERNATIVES_METADATA
from herne_waste.simulator import main as simulator_main
from herne_waste.tours_cli import add_tours_command
from tests.fixtures.services import RunningService, auth, token_for, wait_until

CONTACT = pb.Contact(name="Erika Mustermann", phone="+49 2323 555123", email="erika@example.org")
ADDRESS = "Bahnhofstraße 12, 44623 Herne"


def _next_working_day(offset: int = 1) -> str:
    day = Planner.today(datetime.now(UTC)) + timedelta(days=offset)
    while day.weekday() == 6 or (day.month, day.day) in {(12, 25), (12, 26), (1, 1)}:
        day += timedelta(days=1)
    return day.isoformat()


def _offer(address: str = ADDRESS, **kwargs: object) -> pb.OfferSlotsRequest:
    items = kwargs.pop("items", [pb.Item(kind=pb.ITEM_KIND_SOFA, count=1), pb.Item(kind=pb.ITEM_KIND_CHAIR, count=4)])
    return pb.OfferSlotsRequest(location=pb.PickupLocation(address=address), items=items, **kwargs)  # type: ignore[arg-type]


def _book(slot: pb.Slot, key: str, address: str = ADDRESS, items: list[pb.Item] | None = None) -> pb.BookPickupRequest:
    return pb.BookPickupRequest(
        slot_id=slot.slot_id,
        location=pb.PickupLocation(address=address),
        items=items or [pb.Item(kind=pb.ITEM_KIND_SOFA, count=1), pb.Item(kind=pb.ITEM_KIND_CHAIR, count=4)],
        contact=CONTACT,
        idempotency_key=key,
    )


async def _records(bootstrap: str, topic: str, count: int, since: datetime) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found = []
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while len(found) < count and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                found.extend(m for m in messages if m.timestamp / 1000 >= since.timestamp() - 1)
    finally:
        await consumer.stop()
    return found


@contextlib.asynccontextmanager
async def _waste(start_service, **settings: object) -> AsyncIterator[RunningService]:
    async with start_service(
        SERVICE, waste_plan_time_limit_seconds=1.0, waste_replan_time_limit_seconds=1.0, **settings
    ) as service:
        # let the road-conditions consumer join its group first: stopping a consumer that is
        # still joining leaves aiokafka's coordinator connection open (ResourceWarning)
        consumer = service.runtime.context.consumers[0]
        await wait_until(lambda: consumer._consumer is not None and consumer._consumer.assignment(), timeout=30)
        yield service


@pytest.fixture
async def waste(start_service, redis_client):
    await redis_client.flushdb()
    async with _waste(start_service) as service:
        yield service


@pytest.mark.slow
async def test_offer_book_plan_report_cancel(waste, kafka_broker, capfd: pytest.CaptureFixture[str]) -> None:
    started = datetime.now(UTC)
    stub = WasteServiceStub(waste.channel)
    day = _next_working_day(2)
    offers = await stub.OfferSlots(_offer(earliest_date=day, horizon_days=3), metadata=auth("booking"))
    assert offers.slots and offers.district == "Herne-Mitte"
    assert offers.volume_m3 == pytest.approx(1.5 + 4 * 0.2)
    slot = offers.slots[0]
    key = uuid.uuid4().hex
    first = await stub.BookPickup(_book(slot, key), metadata=auth("booking"))
    again = await stub.BookPickup(_book(slot, key), metadata=auth("booking"))
    assert first.created and not again.created
    assert again.pickup.pickup_id == first.pickup.pickup_id
    pickup_id = first.pickup.pickup_id
    assert first.pickup.vehicle_id and first.pickup.HasField("eta_time")
    # same key, different request
    other = pb.Slot(slot_id=offers.slots[-1].slot_id) if len(offers.slots) > 1 else slot
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await stub.BookPickup(_book(other, key, address="Mont-Cenis-Straße 5"), metadata=auth("booking"))
    assert reused.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    # a second, electrical pickup on the same day, then plan the day
    fridge = [pb.Item(kind=pb.ITEM_KIND_FRIDGE, count=1)]
    offers2 = await stub.OfferSlots(
        _offer("Hauptstraße 20, 44651 Herne", earliest_date=slot.date, horizon_days=1, items=fridge),
        metadata=auth("booking"),
    )
    assert offers2.required_skills == ["electrical"]
    second = await stub.BookPickup(
        _book(offers2.slots[0], uuid.uuid4().hex, "Hauptstraße 20, 44651 Herne", fridge), metadata=auth("booking")
    )
    planned = await stub.PlanTours(
        pb.PlanToursRequest(date=slot.date, time_limit_seconds=1), metadata=auth("dispatcher")
    )
    plan = planned.plan
    assert plan.status == "optimised" and plan.stops_planned == 2 and not plan.unserved
    fridge_tour = next(t for t in plan.tours if any(s.id == second.pickup.pickup_id for s in t.stops))
    assert fridge_tour.vehicle_id in {"crew-1a", "crew-1b", "crew-4a"}  # electrical truck and crew
    for tour in plan.tours:
        kinds = [s.kind for s in tour.stops]
        assert kinds[0] == pb.STOP_KIND_START and kinds[-1] == pb.STOP_KIND_END
        assert pb.STOP_KIND_UNLOAD in kinds and tour.distance_km > 0 and tour.co2_kg >= 0
    tours = await stub.GetTours(pb.GetToursRequest(date=slot.date), metadata=auth("crew"))
    assert tours.plan.plan_id == plan.plan_id

    # the crew reports; the rest is re-planned
    report = await stub.ReportStopResult(
        pb.ReportStopResultRequest(pickup_id=pickup_id, result=pb.STOP_RESULT_DONE), metadata=auth("crew")
    )
    assert report.pickup.state == pb.PICKUP_STATE_DONE
    assert report.plan.status == "replanned"
    with pytest.raises(grpc.aio.AioRpcError) as visited:
        await stub.CancelPickup(pb.CancelPickupRequest(pickup_id=pickup_id), metadata=auth("booking"))
    assert visited.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    cancelled = await stub.CancelPickup(
        pb.CancelPickupRequest(pickup_id=second.pickup.pickup_id, reason="citizen request"), metadata=auth("booking")
    )
    assert cancelled.pickup.state == pb.PICKUP_STATE_CANCELLED
    got = await stub.GetPickup(pb.GetPickupRequest(pickup_id=second.pickup.pickup_id), metadata=auth("dispatcher"))
    assert got.pickup.state == pb.PICKUP_STATE_CANCELLED and got.pickup.contact.name == CONTACT.name

    # events arrive and carry no personal data
    booked = await _records(kafka_broker.bootstrap, WASTE_PICKUP_BOOKED.name, 2, started)
    cancelled_events = await _records(kafka_broker.bootstrap, WASTE_PICKUP_CANCELLED.name, 1, started)
    planned_events = await _records(kafka_broker.bootstrap, WASTE_TOURS_PLANNED.name, 2, started)
    ids = {decode(WASTE_PICKUP_BOOKED, r.value).payload.pickup_id for r in booked}
    assert {pickup_id, second.pickup.pickup_id} <= ids
    assert len([r for r in booked if decode(WASTE_PICKUP_BOOKED, r.value).payload.pickup_id == pickup_id]) == 1
    assert cancelled_events and planned_events
    secrets = (CONTACT.name, CONTACT.phone, CONTACT.email, "Bahnhofstraße", "Hauptstraße")
    for record in [*booked, *cancelled_events, *planned_events]:
        for secret in secrets:
            assert secret.encode() not in record.value
    logs = capfd.readouterr()
    assert "pickup_booked" in logs.out + logs.err  # the service did log the bookings ...
    for secret in secrets:
        assert secret not in logs.out + logs.err  # ... without personal data


async def test_bad_input_gives_clear_errors(waste) -> None:
    stub = WasteServiceStub(waste.channel)
    meta = auth("booking")
    cases = [
        (_offer("Unbekannte Gasse 1"), grpc.StatusCode.NOT_FOUND, "address"),
        (_offer(earliest_date="2020-01-01"), grpc.StatusCode.INVALID_ARGUMENT, "today"),
        (_offer(earliest_date="tomorrow"), grpc.StatusCode.INVALID_ARGUMENT, "ISO date"),
        (
            _offer(items=[pb.Item(kind=pb.ITEM_KIND_OTHER, count=1, volume_m3=30)]),
            grpc.StatusCode.INVALID_ARGUMENT,
            "m3",
        ),
        (_offer(items=[]), grpc.StatusCode.INVALID_ARGUMENT, "item"),
        (_offer(horizon_days=400), grpc.StatusCode.INVALID_ARGUMENT, "horizon"),
        (
            pb.OfferSlotsRequest(
                location=pb.PickupLocation(position={"latitude": 52.52, "longitude": 13.40}),
                items=[pb.Item(kind=pb.ITEM_KIND_SOFA, count=1)],
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "service area",
        ),
    ]
    for request, code, text in cases:
        with pytest.raises(grpc.aio.AioRpcError) as error:
            await stub.OfferSlots(request, metadata=meta)
        assert error.value.code() == code, request
        assert text in error.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.GetPickup(pb.GetPickupRequest(pickup_id="p-unknown"), metadata=meta)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.PlanTours(pb.PlanToursRequest(date="2020-01-01"), metadata=auth("dispatcher"))
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.PlanTours(pb.PlanToursRequest(date=_next_working_day()), metadata=auth("booking"))
    assert error.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await stub.BookPickup(_book(pb.Slot(slot_id="garbage"), uuid.uuid4().hex), metadata=meta)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_taken_slot_gives_alternatives(waste) -> None:
    """Fill one window of a day until it is full; the next booking gets fresh alternatives."""
    stub = WasteServiceStub(waste.channel)
    day = _next_working_day(3)
    meta = auth("booking")
    big = [pb.Item(kind=pb.ITEM_KIND_OTHER, count=1, volume_m3=9.5)]
    offers = await stub.OfferSlots(_offer(earliest_date=day, horizon_days=1, items=big, max_slots=50), metadata=meta)
    target = next(s for s in offers.slots if s.slot_id.endswith("07:00-09:00"))
    booked = 0
    refusal: grpc.aio.AioRpcError | None = None
    for _ in range(40):
        try:
            await stub.BookPickup(_book(target, uuid.uuid4().hex, items=big), metadata=meta)
        except grpc.aio.AioRpcError as error:
            refusal = error
            break
        booked += 1
    assert refusal is not None, "the window never filled up"
    assert refusal.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "no longer available" in refusal.details() and "alternatives" in refusal.details()
    trailing = dict(refusal.trailing_metadata() or ())
    alternatives = pb.OfferSlotsResponse.FromString(trailing[ALTERNATIVES_METADATA])
    assert alternatives.slots and all(s.slot_id != target.slot_id for s in alternatives.slots)
    assert booked >= 2
    tours = await stub.GetTours(pb.GetToursRequest(date=day), metadata=auth("dispatcher"))
    assert tours.plan.status == "tentative" and tours.plan.stops_planned == booked


async def test_road_closure_from_signals_is_applied(waste, kafka_broker, redis_client) -> None:
    """A closure on traffic.road-conditions.v1 cuts off Am Westhafen; re-opening brings its slots back."""
    stub = WasteServiceStub(waste.channel)
    request = _offer("Am Westhafen 40, 44653 Herne", earliest_date=_next_working_day(), horizon_days=3)
    assert (await stub.OfferSlots(request, metadata=auth("booking"))).slots
    publisher = EventPublisher(kafka_broker.connection, source="/tests/signals")
    await publisher.start(wait=True)

    async def condition(kind: int) -> None:
        change = signals_events.RoadConditionChanged(
            segment_id="wanne-unser-fritz>wanne-westhafen",
            from_node_id="wanne-unser-fritz",
            to_node_id="wanne-westhafen",
            kind=kind,  # type: ignore[arg-type]
            travel_time_factor=1.0,
            reason="Baustelle Am Westhafen",
        )
        await publisher.publish(TRAFFIC_ROAD_CONDITIONS, change)

    async def slots() -> int:
        return len((await stub.OfferSlots(request, metadata=auth("booking"))).slots)

    try:
        await condition(signals_events.ROAD_CONDITION_KIND_CLOSED)
        await wait_until(lambda: _is(slots(), 0), timeout=30)
        value = json.loads(await redis_client.hget("waste:conditions", "wanne-unser-fritz>wanne-westhafen"))
        assert value["closed"] is True
        response = await stub.OfferSlots(request, metadata=auth("booking"))
        assert "no free slot" in response.note
        await condition(signals_events.ROAD_CONDITION_KIND_NORMAL)
        await wait_until(lambda: _is_not(slots(), 0), timeout=30)
    finally:
        await publisher.stop()


async def _is(value: object, expected: int) -> bool:
    return await value == expected  # type: ignore[misc]


async def _is_not(value: object, expected: int) -> bool:
    return await value != expected  # type: ignore[misc]


@pytest.mark.slow
async def test_bookings_survive_restart_of_service_and_redis(start_service, redis_server, redis_client) -> None:
    """Redis (AOF) is the store of record: a booking outlives the service and a Redis restart."""
    if redis_server.process is None:
        pytest.skip("HERNE_TEST_REDIS_URL points at an external Redis that this test cannot restart")
    await redis_client.flushdb()
    day = _next_working_day(4)
    async with _waste(start_service) as service:
        stub = WasteServiceStub(service.channel)
        offers = await stub.OfferSlots(_offer(earliest_date=day, horizon_days=1), metadata=auth("booking"))
        booked = await stub.BookPickup(_book(offers.slots[0], uuid.uuid4().hex), metadata=auth("booking"))
    redis_server.restart()  # SIGTERM: Redis fsyncs its append-only file and exits; then starts again from it
    async with _waste(start_service) as service:
        stub = WasteServiceStub(service.channel)
        got = await stub.GetPickup(pb.GetPickupRequest(pickup_id=booked.pickup.pickup_id), metadata=auth("booking"))
        assert got.pickup.state == pb.PICKUP_STATE_BOOKED and got.pickup.contact.phone == CONTACT.phone
        tours = await stub.GetTours(pb.GetToursRequest(date=booked.pickup.date), metadata=auth("dispatcher"))
        assert booked.pickup.pickup_id in {s.id for t in tours.plan.tours for s in t.stops}


@pytest.mark.slow
async def test_simulator_books_and_plans_tomorrow(waste, capsys: pytest.CaptureFixture[str]) -> None:
    target = waste.target
    code = await asyncio.to_thread(
        simulator_main,
        [
            *("--target", target, "--initial", "10", "--duration", "1", "--interval", "0.5", "--time-limit", "1"),
            *("--booking-token", token_for("booking"), "--dispatcher-token", token_for("dispatcher")),
        ],
    )
    assert code == 0
    stub = WasteServiceStub(waste.channel)
    day = Planner.today(datetime.now(UTC)) + timedelta(days=1)
    for _ in range(7):
        tours = await stub.GetTours(pb.GetToursRequest(date=day.isoformat()), metadata=auth("dispatcher"))
        if tours.plan.stops_planned:
            break
        day += timedelta(days=1)
    # optimised, or tentative again when the simulator booked more after planning
    assert tours.plan.status in {"optimised", "tentative"} and tours.plan.stops_planned >= 5
    # the dispatcher's table from the CLI
    parser = argparse.ArgumentParser()
    add_tours_command(parser.add_subparsers())
    args = parser.parse_args(
        ["tours", "--date", day.isoformat(), "--target", target, "--token", token_for("dispatcher")]
    )
    capsys.readouterr()
    assert await asyncio.to_thread(args.handler, args) == 0
    printed = capsys.readouterr().out
    assert f"{tours.plan.stops_planned} pickups" in printed and "unload" in printed


async def test_concurrent_bookings_and_planning_stay_consistent(waste, redis_client) -> None:
    """Bookings racing each other and a running PlanTours: every success is in the tours, all feasible."""
    stub = WasteServiceStub(waste.channel)
    day = _next_working_day(5)
    meta = auth("booking")
    big = [pb.Item(kind=pb.ITEM_KIND_OTHER, count=1, volume_m3=9.0)]
    offers = await stub.OfferSlots(_offer(earliest_date=day, horizon_days=1, items=big, max_slots=50), metadata=meta)
    target = next(s for s in offers.slots if s.slot_id.endswith("09:00-11:00"))

    refusals: list[grpc.StatusCode] = []

    async def book() -> str | None:
        try:
            response = await stub.BookPickup(_book(target, uuid.uuid4().hex, items=big), metadata=meta)
        except grpc.aio.AioRpcError as error:
            refusals.append(error.code())
            return None
        return response.pickup.pickup_id

    first = [p for p in await asyncio.gather(*(book() for _ in range(20))) if p]
    plan_call = stub.PlanTours(pb.PlanToursRequest(date=day, time_limit_seconds=2), metadata=auth("dispatcher"))
    during = await asyncio.gather(*(book() for _ in range(4)))
    planned = await plan_call
    booked = set(first) | {p for p in during if p}
    assert set(refusals) <= {grpc.StatusCode.FAILED_PRECONDITION}  # taken, never an error
    assert len(booked) + len(refusals) == 24
    tours = (await stub.GetTours(pb.GetToursRequest(date=day), metadata=auth("dispatcher"))).plan
    served = {s.id for t in tours.tours for s in t.stops if s.kind == pb.STOP_KIND_PICKUP}
    assert booked == served | {u.pickup_id for u in tours.unserved}
    assert planned.plan.stops_planned >= len(first) - len(planned.plan.unserved)
    for tour in tours.tours:
        assert all(stop.load_m3 <= tour.capacity_m3 + 1e-6 for stop in tour.stops)
        for stop in tour.stops:
            if stop.kind == pb.STOP_KIND_PICKUP:
                window = (stop.start_time.ToDatetime(), target.window_start_time.ToDatetime())
                assert window[0] >= window[1]
