"""`herne-mobility waste tours`: the tours of a day as a readable table (for dispatchers)."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime, timedelta

from herne_waste.domain import TIME_ZONE, Planner


def add_tours_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("tours", help="print the tours of a day from a running waste service")
    parser.add_argument("--date", default="", help="ISO date (default: tomorrow)")
    parser.add_argument("--target", default=os.environ.get("HERNE_SERVICE_TARGET", "127.0.0.1:50054"))
    parser.add_argument("--token", default="demo-dispatcher-token", help="bearer token with the dispatcher role")
    parser.add_argument("--plan", action="store_true", help="run PlanTours first (full optimisation)")
    parser.add_argument("--time-limit", type=float, default=10.0, help="PlanTours time limit in seconds")
    parser.set_defaults(handler=_tours)


def _clock(stamp: object) -> str:
    moment = stamp.ToDatetime(tzinfo=UTC)  # type: ignore[attr-defined]
    return moment.astimezone(TIME_ZONE).strftime("%H:%M")


def _tours(args: argparse.Namespace) -> int:
    import grpc

    from herne.waste.v1 import waste_service_pb2 as pb
    from herne.waste.v1.waste_service_pb2_grpc import WasteServiceStub

    day = args.date or (Planner.today(datetime.now(UTC)) + timedelta(days=1)).isoformat()
    stub = WasteServiceStub(grpc.insecure_channel(args.target))
    meta = [("authorization", f"Bearer {args.token}")]
    try:
        if args.plan:
            request = pb.PlanToursRequest(date=day, time_limit_seconds=args.time_limit)
            plan = stub.PlanTours(request, metadata=meta, timeout=args.time_limit + 60).plan
        else:
            plan = stub.GetTours(pb.GetToursRequest(date=day), metadata=meta, timeout=30).plan
    except grpc.RpcError as error:
        print(f"tours: {error.code().name}: {error.details()}", file=sys.stderr)  # type: ignore[attr-defined]
        return 2
    print(
        f"{plan.date}  plan {plan.plan_id or '-'} ({plan.status}): {plan.stops_planned} pickups, "
        f"{plan.vehicles_used} tours, {plan.distance_km:.1f} km, {plan.co2_kg:.1f} kg CO2"
    )
    kinds = {pb.STOP_KIND_START: "start", pb.STOP_KIND_PICKUP: "pickup", pb.STOP_KIND_UNLOAD: "unload"}
    kinds |= {pb.STOP_KIND_BREAK: "break", pb.STOP_KIND_END: "end"}
    for tour in plan.tours:
        print(
            f"\n{tour.vehicle_id}  {tour.truck}  {tour.crew}: {tour.pickups} pickups, "
            f"{tour.unloading_trips} unloading trips, {tour.distance_km:.1f} km, max load "
            f"{tour.max_load_m3:.1f}/{tour.capacity_m3:.0f} m3"
        )
        for stop in tour.stops:
            where = stop.name or stop.node_id
            kind = kinds.get(stop.kind, "?")
            print(f"  {_clock(stop.arrival_time)}  {kind:<7} {stop.id:<22} {where:<40} {stop.load_m3:5.1f} m3")
    for item in plan.unserved:
        print(f"\nnot served: {item.pickup_id}: {pb.UnservedReason.Name(item.reason)}: {item.detail}")
    return 0
