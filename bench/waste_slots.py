"""OfferSlots latency with 10 working days x 60 booked pickups, and tour KPIs of one day.

    .venv/bin/python bench/waste_slots.py [--days 10] [--per-day 60] [--queries 200] [--plan-seconds 10]
    .venv/bin/python bench/waste_slots.py --target 127.0.0.1:50054   # also over gRPC against `up`

Fills the days by booking random demo pickups one by one exactly as BookPickup does
(insertion into the tentative tours), then times the work of OfferSlots for random new
requests over the whole horizon: reading the day plans from their stored JSON, building each
day's problem, feasible insertion for every slot window, ranking. With --target the same
requests also go over real gRPC to a running service (which then holds its own bookings).
Then one day is optimised with PlanTours' model (time limit --plan-seconds) and its KPIs
(km, CO2, tours, unloading trips, unserved) are printed next to the tentative tours.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from herne_optim.network import RoadNetwork
from herne_waste.catalog import load_fleet, load_items
from herne_waste.domain import DayPlan, ItemLine, Pickup, PickupState, Planner, new_pickup_id

KINDS = ["SOFA", "WARDROBE", "MATTRESS", "TABLE", "CHAIR", "BED", "FRIDGE", "WASHING_MACHINE", "CARPET"]


def _request(rng: random.Random, planner: Planner) -> tuple[str, list[ItemLine]]:
    street = rng.choice(planner.network.streets)
    address = f"{street.street} {rng.randint(1, max(1, street.max_number))}, {street.postcode} Herne"
    items = [ItemLine(rng.choice(KINDS), rng.randint(1, 2)) for _ in range(rng.randint(1, 3))]
    return address, items


def fill(planner: Planner, days: list[date], per_day: int, rng: random.Random) -> list[DayPlan]:
    now = datetime.now(UTC)
    plans = []
    for day in days:
        plan = DayPlan(day.isoformat())
        booked = attempts = 0
        while booked < per_day and attempts < per_day * 5:
            attempts += 1
            address, items = _request(rng, planner)
            location = planner.locate(address, None)
            demand = planner.demand(items)
            offers = planner.offer([plan], location, demand, 20, day)
            if not offers:
                continue
            offer = rng.choice(offers[:5])
            pickup = Pickup(new_pickup_id(), PickupState.BOOKED, plan.date, offer.window_s, location, items, demand)
            new = planner.insert(plan, pickup, now)
            if new is not None:
                plan, booked = new, booked + 1
        plans.append(plan)
    return plans


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--per-day", type=int, default=60)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--plan-seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--target", default="")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    planner = Planner(RoadNetwork.demo(), load_fleet(), load_items())
    start = date.today() + timedelta(days=1)
    days: list[date] = []
    while len(days) < args.days:
        if planner.fleet.is_working_day(start):
            days.append(start)
        start += timedelta(days=1)
    began = time.perf_counter()
    plans = fill(planner, days, args.per_day, rng)
    fill_s = time.perf_counter() - began
    booked = [len(p.jobs) for p in plans]
    stored = [json.dumps(p.to_json()) for p in plans]
    print(
        f"filled {len(plans)} days with {booked} pickups in {fill_s:.1f} s "
        f"({fill_s / sum(booked) * 1000:.1f} ms/booking)"
    )
    print(f"stored plan size: {statistics.mean(len(s) for s in stored) / 1024:.0f} KiB per day (JSON)")

    timings: list[float] = []
    offered: list[int] = []
    for _ in range(args.queries):
        address, items = _request(rng, planner)
        t0 = time.perf_counter()
        loaded = [DayPlan.from_json(json.loads(s)) for s in stored]  # what reading Redis costs us beyond the round trip
        location = planner.locate(address, None)
        demand = planner.demand(items)
        offers = planner.offer(loaded, location, demand, 10, days[0])
        timings.append((time.perf_counter() - t0) * 1000)
        offered.append(len(offers))
    print(
        f"OfferSlots work ({args.queries} requests, {len(days)} days x ~{statistics.mean(booked):.0f} pickups, "
        f"{len(planner.fleet.slot_windows_s)} windows/day): p50 {percentile(timings, 0.5):.0f} ms, "
        f"p95 {percentile(timings, 0.95):.0f} ms, max {max(timings):.0f} ms; "
        f"slots offered: mean {statistics.mean(offered):.1f}"
    )
    if args.target:
        grpc_bench(args.target, planner, rng, args.queries, days[0])

    plan = plans[0]
    tentative_km = sum(planner.route_distance_m(s) for s in plan.steps.values()) / 1000
    tentative_co2 = sum(planner.co2_kg(v, planner.route_distance_m(s)) for v, s in plan.steps.items())
    t0 = time.perf_counter()
    optimised, _solution, violations = planner.optimise(plan, datetime.now(UTC), time_limit_s=args.plan_seconds)
    plan_s = time.perf_counter() - t0
    km = sum(planner.route_distance_m(s) for s in optimised.steps.values()) / 1000
    co2 = sum(planner.co2_kg(v, planner.route_distance_m(s)) for v, s in optimised.steps.items())
    unloads = sum(1 for s in optimised.steps.values() for step in s if step.kind == "unload")
    print(
        f"tour KPIs of {plan.date} ({len(plan.jobs)} pickups): tentative (bookings only) {tentative_km:.1f} km, "
        f"{tentative_co2:.0f} kg CO2, {len(plan.routes)} tours; PlanTours ({args.plan_seconds:g} s limit, "
        f"{plan_s:.1f} s wall) {km:.1f} km ({(km / tentative_km - 1) * 100:+.0f} %), {co2:.0f} kg CO2, "
        f"{len(optimised.routes)} tours, {unloads} unloading trips, {len(optimised.unserved)} unserved, "
        f"checker violations: {len(violations)}"
    )


def grpc_bench(target: str, planner: Planner, rng: random.Random, queries: int, first: date) -> None:
    import grpc

    from herne.waste.v1 import waste_service_pb2 as pb
    from herne.waste.v1.waste_service_pb2_grpc import WasteServiceStub
    from herne_stack.demo import token_for

    stub = WasteServiceStub(grpc.insecure_channel(target))
    meta = [("authorization", f"Bearer {token_for('booking')}")]
    timings = []
    for _ in range(queries):
        address, items = _request(rng, planner)
        request = pb.OfferSlotsRequest(
            location=pb.PickupLocation(address=address),
            items=[pb.Item(kind=pb.ItemKind.Value(f"ITEM_KIND_{i.kind}"), count=i.count) for i in items],
            earliest_date=first.isoformat(),
            horizon_days=14,
        )
        t0 = time.perf_counter()
        stub.OfferSlots(request, metadata=meta, timeout=10)
        timings.append((time.perf_counter() - t0) * 1000)
    print(
        f"OfferSlots over gRPC at {target} ({queries} requests): p50 {percentile(timings, 0.5):.0f} ms, "
        f"p95 {percentile(timings, 0.95):.0f} ms"
    )


if __name__ == "__main__":
    main()
