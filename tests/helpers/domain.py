"""Small domain flows the reliability tests drive through the public APIs (real gRPC)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import grpc

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
