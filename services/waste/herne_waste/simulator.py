"""Demo simulator: citizens booking bulky-waste pickups through the gRPC API, and a dispatcher.

Run by `herne-mobility up` (and `herne-mobility simulate waste`). It books a first batch of
pickups for the next working day (and a few later ones), plans that day's tours with
PlanTours, then keeps booking now and then (sometimes cancelling) and re-plans the next
working day every few minutes, so `GetTours` for tomorrow always shows a real plan.
Citizens are invented ("Demo-Bürger N", no real persons); addresses come from the demo
street table. Environment: HERNE_SERVICE_TARGET (host:port of the waste service); tokens
are the demo tokens of the embedded stack.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import FrameType

import grpc

from herne.waste.v1 import waste_service_pb2 as pb
from herne.waste.v1.waste_service_pb2_grpc import WasteServiceStub
from herne_optim.network import RoadNetwork
from herne_stack.demo import token_for
from herne_waste.domain import Planner

ITEM_MIX = [
    ([pb.Item(kind=pb.ITEM_KIND_SOFA, count=1)], 3),
    ([pb.Item(kind=pb.ITEM_KIND_WARDROBE, count=1), pb.Item(kind=pb.ITEM_KIND_CHAIR, count=2)], 3),
    ([pb.Item(kind=pb.ITEM_KIND_MATTRESS, count=2), pb.Item(kind=pb.ITEM_KIND_BED, count=1)], 3),
    ([pb.Item(kind=pb.ITEM_KIND_TABLE, count=1), pb.Item(kind=pb.ITEM_KIND_CHAIR, count=4)], 2),
    ([pb.Item(kind=pb.ITEM_KIND_FRIDGE, count=1)], 1),
    ([pb.Item(kind=pb.ITEM_KIND_WASHING_MACHINE, count=1)], 1),
    ([pb.Item(kind=pb.ITEM_KIND_OTHER, count=3, volume_m3=0.8)], 2),
]


class Simulator:
    def __init__(self, target: str, seed: int, booking_token: str, dispatcher_token: str) -> None:
        self.channel = grpc.insecure_channel(target)
        self.stub = WasteServiceStub(self.channel)
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.streets = list(RoadNetwork.demo().streets)
        self.booking = [("authorization", f"Bearer {booking_token}")]
        self.dispatcher = [("authorization", f"Bearer {dispatcher_token}")]
        self.booked: list[str] = []
        self.counter = 0
        self.stopping = False

    def _address(self) -> str:
        street = self.rng.choice(self.streets)
        number = self.rng.randint(1, max(1, street.max_number or 50))
        return f"{street.street} {number}, {street.postcode} Herne"

    def _items(self) -> list[pb.Item]:
        options, weights = zip(*ITEM_MIX, strict=True)
        return list(self.rng.choices(options, weights=weights)[0])

    def book_one(self, earliest: str, horizon_days: int) -> str | None:
        """One citizen: ask for slots, pick one of the best three, book it (alternatives if taken)."""
        self.counter += 1
        address = self._address()
        items = self._items()
        location = pb.PickupLocation(address=address)
        offers = self.stub.OfferSlots(
            pb.OfferSlotsRequest(
                location=location, items=items, earliest_date=earliest, horizon_days=horizon_days, max_slots=5
            ),
            metadata=self.booking,
            timeout=10,
        )
        slots = list(offers.slots)
        for _attempt in range(3):
            if not slots:
                return None
            slot = self.rng.choice(slots[:3])
            request = pb.BookPickupRequest(
                slot_id=slot.slot_id,
                location=location,
                items=items,
                contact=pb.Contact(name=f"Demo-Bürger {self.counter}", phone="+49 2323 000000"),
                idempotency_key=uuid.uuid4().hex,
            )
            try:
                response = self.stub.BookPickup(request, metadata=self.booking, timeout=10)
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.FAILED_PRECONDITION:  # type: ignore[attr-defined]
                    raise
                trailing = dict(error.trailing_metadata() or ())  # type: ignore[attr-defined]
                raw = trailing.get("herne-alternatives-bin")
                slots = list(pb.OfferSlotsResponse.FromString(raw).slots) if raw else []
                continue
            self.booked.append(response.pickup.pickup_id)
            return response.pickup.date
        return None

    def plan(self, day: str, time_limit_s: float) -> pb.TourPlan:
        response = self.stub.PlanTours(
            pb.PlanToursRequest(date=day, time_limit_seconds=time_limit_s),
            metadata=self.dispatcher,
            timeout=time_limit_s + 60,
        )
        plan = response.plan
        print(
            f"planned {day}: {plan.stops_planned} pickups on {plan.vehicles_used} tours, "
            f"{plan.distance_km:.1f} km, {plan.co2_kg:.1f} kg CO2, {len(plan.unserved)} unserved",
            flush=True,
        )
        return plan

    def maybe_cancel(self) -> None:
        if self.booked and self.rng.random() < 0.1:
            pickup_id = self.booked.pop(self.rng.randrange(len(self.booked)))
            try:
                self.stub.CancelPickup(
                    pb.CancelPickupRequest(pickup_id=pickup_id, reason="demo: citizen cancelled"),
                    metadata=self.booking,
                    timeout=10,
                )
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.FAILED_PRECONDITION:  # type: ignore[attr-defined]
                    raise


def _next_day() -> str:
    return (Planner.today(datetime.now(UTC)) + timedelta(days=1)).isoformat()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="herne-mobility simulate waste", description=__doc__)
    parser.add_argument("--target", default=os.environ.get("HERNE_SERVICE_TARGET", "127.0.0.1:50054"))
    parser.add_argument("--initial", type=int, default=45, help="pickups booked at start for the next working day")
    parser.add_argument("--interval", type=float, default=6.0, help="seconds between later bookings")
    parser.add_argument("--replan-every", type=float, default=300.0, help="seconds between re-plans of tomorrow")
    parser.add_argument("--time-limit", type=float, default=10.0, help="PlanTours time limit in seconds")
    parser.add_argument(
        "--duration", type=float, default=0.0, help="stop after this many seconds (0: run until stopped)"
    )
    parser.add_argument("--seed", type=int, default=2030)
    parser.add_argument("--booking-token", default=token_for("booking"), help="default: the demo token")
    parser.add_argument("--dispatcher-token", default=token_for("dispatcher"), help="default: the demo token")
    args = parser.parse_args(argv)
    simulator = Simulator(args.target, args.seed, args.booking_token, args.dispatcher_token)

    def stop(_signum: int, _frame: FrameType | None) -> None:
        simulator.stopping = True

    if threading.current_thread() is threading.main_thread():  # tests run it in a worker thread
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    began = time.monotonic()
    grpc.channel_ready_future(simulator.channel).result(timeout=60)
    first_day: str | None = None
    for _ in range(args.initial):
        if simulator.stopping:
            return 0
        day = _try(simulator.book_one, _next_day(), 1) or _try(simulator.book_one, _next_day(), 5)
        first_day = first_day or day
    for _ in range(args.initial // 3):  # some bookings for the following days
        _try(simulator.book_one, _next_day(), 10)
    if first_day:
        _try(simulator.plan, first_day, args.time_limit)
    last_plan = time.monotonic()
    while not simulator.stopping and (not args.duration or time.monotonic() - began < args.duration):
        time.sleep(args.interval)
        _try(simulator.book_one, _next_day(), 14)
        _try(simulator.maybe_cancel)
        if first_day and time.monotonic() - last_plan > args.replan_every:
            first_day = max(first_day, _next_day())
            _try(simulator.plan, first_day, args.time_limit)
            last_plan = time.monotonic()
    simulator.channel.close()
    return 0


def _try(function, *args):  # type: ignore[no-untyped-def]
    """Call the API; report and carry on when the service says no (the demo must not die)."""
    try:
        return function(*args)
    except grpc.RpcError as error:
        print(f"{function.__name__}: {error.code().name}: {error.details()}", flush=True)  # type: ignore[attr-defined]
        return None
