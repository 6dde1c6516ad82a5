"""Small domain flows the reliability tests drive through the public APIs (real gRPC)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import grpc
from google.protobuf.message import Message

from tests.fixtures.services import auth


def waste_book(channel: grpc.Channel, *, name: str, phone: str, email: str) -> tuple[str, str]:
    """Offer slots for a sofa at a Herne-Mitte address and book the first; returns (pickup id, address)."""
    from herne.waste.v1 import waste_service_pb2 as waste
    from herne.waste.v1 import waste_service_pb2_grpc as waste_grpc

    house = 100 + int(uuid.uuid4().hex[:4], 16) % 80
    address = f"Bahnhofstraße {house}, 44623 Herne"
    items = [waste.Item(kind=waste.ITEM_KIND_SOFA, count=1)]
    location = waste.PickupLocation(address=address)
    stub = waste_grpc.WasteServiceStub(channel)
    earliest = (date.today() + timedelta(days=2)).isoformat()
    offers = stub.OfferSlots(
        waste.OfferSlotsRequest(location=location, items=items, earliest_date=earliest, horizon_days=14),
        metadata=auth("booking"),
        timeout=60,
    )
    assert offers.slots, "OfferSlots offered no slot for a sofa in Herne-Mitte"
    booked = stub.BookPickup(
        waste.BookPickupRequest(
            slot_id=offers.slots[0].slot_id,
            location=location,
            items=items,
            contact=waste.Contact(name=name, phone=phone, email=email),
            idempotency_key=f"reliability-{uuid.uuid4().hex}",
        ),
        metadata=auth("booking"),
        timeout=60,
    )
    assert booked.pickup.pickup_id, "BookPickup returned no pickup id"
    return booked.pickup.pickup_id, address


def waste_pickup_state(channel: grpc.Channel, pickup_id: str) -> str:
    """State name of a pickup (GetPickup as dispatcher)."""
    from herne.waste.v1 import waste_service_pb2 as waste
    from herne.waste.v1 import waste_service_pb2_grpc as waste_grpc

    response = waste_grpc.WasteServiceStub(channel).GetPickup(
        waste.GetPickupRequest(pickup_id=pickup_id), metadata=auth("dispatcher"), timeout=30
    )
    return str(waste.PickupState.Name(response.pickup.state))


def waste_cancel(channel: grpc.Channel, pickup_id: str) -> None:
    from herne.waste.v1 import waste_service_pb2 as waste
    from herne.waste.v1 import waste_service_pb2_grpc as waste_grpc

    waste_grpc.WasteServiceStub(channel).CancelPickup(
        waste.CancelPickupRequest(pickup_id=pickup_id, reason="reliability test"), metadata=auth("booking"), timeout=30
    )


def _road_condition(index: int) -> Message:
    from herne.signals.v1 import events_pb2 as signals

    change = signals.RoadConditionChanged(
        segment_id="mitte-bahnhof>mitte-kreuzkirche",
        from_node_id="mitte-bahnhof",
        to_node_id="mitte-kreuzkirche",
        kind=signals.ROAD_CONDITION_KIND_CONGESTED,
        travel_time_factor=1.0 + (index % 5) / 10,
        reason="reliability test",
    )
    change.valid_from_time.FromDatetime(datetime.now(UTC))
    change.valid_until_time.FromDatetime(datetime.now(UTC) + timedelta(minutes=30))
    return change


def _counter_passage(index: int) -> Message:
    from herne.parking.v1 import events_pb2 as parking

    direction = parking.COUNTER_DIRECTION_ENTRY if index % 2 else parking.COUNTER_DIRECTION_EXIT
    event = parking.CounterEvent(
        facility_id="herne-bf-parkhaus",
        counter_id="gate-1",
        event_id=f"reliability-{uuid.uuid4().hex}",
        passage=parking.CounterPassage(direction=direction, vehicles=1),
    )
    event.observed_time.FromDatetime(datetime.now(UTC))
    return event


def _occupancy_changed(index: int) -> Message:
    from herne.parking.v1 import events_pb2 as parking
    from herne.parking.v1 import parking_pb2

    change = parking.OccupancyChanged(
        facility_id="herne-bf-pr",
        kind=parking_pb2.FACILITY_KIND_PARK_AND_RIDE,
        capacity=120,
        occupied=index % 120,
        free=120 - index % 120,
        version=1_000_000 + index,
    )
    change.observed_time.FromDatetime(datetime.now(UTC))
    return change


def _detector_count(index: int) -> Message:
    from herne.signals.v1 import events_pb2 as signals

    count = signals.DetectorCount(
        detector_id="D-bahnhofstrasse-bahnhofsplatz-K1", interval_seconds=60, vehicles=5 + index % 10
    )
    # Each event its own later interval, so none is ignored as older than the last one applied.
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    count.interval_start_time.FromDatetime(start + timedelta(seconds=index))
    return count


# Valid events per topic (demo data ids) for tests that need events a service applies;
# topics without one get the empty payload, which a service must dead-letter.
GOOD_EVENTS: dict[str, Callable[[int], Message]] = {
    "traffic.road-conditions.v1": _road_condition,
    "parking.counter-events.v1": _counter_passage,
    "parking.occupancy-changed.v1": _occupancy_changed,
    "traffic.detector-counts.v1": _detector_count,
}
