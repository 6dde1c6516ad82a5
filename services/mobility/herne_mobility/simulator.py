"""Demo simulator: availability at the Herne hubs over a compressed day, through the real ingest path.

It writes two GBFS systems into the service's demo directory (HERNE_MOBILITY_DEMO_GBFS_DIRECTORY,
one subdirectory per system), which the service polls like any recorded feed:

- ``demo_metropolradruhr`` (GBFS v3.0, docked): the hub stations of the demo file. Commuter
  peaks: at rail hubs bikes pile up in the morning (ridden to the train) and empty in the
  evening; at the other hubs the opposite.
- ``demo_scooters`` (GBFS v2.3, free_bike_status): e-scooters gathering at the rail hubs in
  the morning and spreading out in the evening, with remaining ranges.

Operator stations without GBFS (bike boxes, car sharing, chargers) are reported over gRPC
(ReportStationStatus with the demo mobility-operator token) when HERNE_SERVICE_TARGET is set.
P+R figures come from the parking service's own simulator (parking.occupancy-changed.v1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import signal
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

from herne.mobility.v1 import mobility_pb2
from herne.mobility.v1 import mobility_service_pb2 as pb
from herne.mobility.v1.mobility_service_pb2_grpc import MobilityServiceStub
from herne_mobility.hubs import DEMO_HUBS, HubData, load_hubs
from herne_mobility.model import Kind, Source
from herne_mobility.settings import DEFAULT_DEMO_GBFS_DIRECTORY

DOCKED_SYSTEM = "demo_metropolradruhr"
SCOOTER_SYSTEM = "demo_scooters"
RAIL_HUBS = ("herne-bahnhof", "wanne-eickel-hbf")
TTL_S = 30
BIKE_TYPES = {"bike": ("bicycle", "human", 0), "ebike": ("bicycle", "electric_assist", 60000)}
SCOOTERS = 60


def _gauss(hour: float, centre: float, width: float) -> float:
    return math.exp(-(((hour - centre) / width) ** 2))


def commuter_fill(hour: float, rail: bool) -> float:
    """Share of docks holding a bike at this time of day (0..1)."""
    swing = 0.4 * _gauss(hour, 8.0, 1.3) - 0.4 * _gauss(hour, 17.5, 1.6)
    return min(0.95, max(0.05, 0.45 + (swing if rail else -swing)))


def _v3(documents: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"last_updated": now.isoformat(timespec="seconds"), "ttl": TTL_S, "version": "3.0", "data": documents}


def _v2(documents: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {"last_updated": int(now.timestamp()), "ttl": TTL_S, "version": "2.3", "data": documents}


def docked_system(hubs: HubData, hour: float, now: datetime, rng: random.Random) -> dict[str, dict[str, Any]]:
    """GBFS v3.0 documents of the docked demo system at a simulated hour."""
    stations = [info for info in hubs.stations.values() if info.system_id == DOCKED_SYSTEM]
    information, status = [], []
    for info in sorted(stations, key=lambda station: station.station_id):
        raw_id = info.station_id.split(":", 1)[1]
        capacity = info.capacity or 10
        information.append(
            {
                "station_id": raw_id,
                "name": [{"text": info.name, "language": "de"}],
                "lat": info.lat,
                "lon": info.lon,
                "capacity": capacity,
            }
        )
        fill = commuter_fill(hour, info.hub_id in RAIL_HUBS)
        bikes = max(0, min(capacity, round(rng.gauss(fill * capacity, 1.0))))
        ebikes = min(bikes, round(bikes * 0.3))
        status.append(
            {
                "station_id": raw_id,
                "num_vehicles_available": bikes,
                "vehicle_types_available": [
                    {"vehicle_type_id": "bike", "count": bikes - ebikes},
                    {"vehicle_type_id": "ebike", "count": ebikes},
                ],
                "num_docks_available": capacity - bikes,
                "is_installed": True,
                "is_renting": True,
                "is_returning": True,
                "last_reported": now.isoformat(timespec="seconds"),
            }
        )
    types = [
        {"vehicle_type_id": type_id, "form_factor": form, "propulsion_type": propulsion}
        | ({"max_range_meters": max_range} if max_range else {})
        for type_id, (form, propulsion, max_range) in BIKE_TYPES.items()
    ]
    return {
        "system_information": _v3(
            {
                "system_id": DOCKED_SYSTEM,
                "languages": ["de"],
                "name": [{"text": "metropolradruhr (Demo)", "language": "de"}],
                "opening_hours": "24/7",
                "feed_contact_email": "demo@example.org",
                "timezone": "Europe/Berlin",
                "license_id": "CC0-1.0",
            },
            now,
        ),
        "vehicle_types": _v3({"vehicle_types": types}, now),
        "station_information": _v3({"stations": information}, now),
        "station_status": _v3({"stations": status}, now),
    }


def scooter_system(hubs: HubData, hour: float, now: datetime, rng: random.Random) -> dict[str, dict[str, Any]]:
    """GBFS v2.3 documents of the free-floating demo scooters at a simulated hour."""
    zones = [info for info in hubs.stations.values() if info.kind is Kind.FREE_FLOATING_ZONE]
    rail = [zone for zone in zones if zone.hub_id in RAIL_HUBS]
    gathered = 0.2 + 0.5 * _gauss(hour, 8.5, 1.5)  # share of scooters parked in the rail-hub zones
    bikes = []
    for index in range(SCOOTERS):
        pool = rail if rng.random() < gathered else zones
        zone = pool[index % len(pool)]
        spread = zone.zone_radius_m * (0.6 if pool is rail else 6.0)
        angle, distance = rng.uniform(0, 2 * math.pi), spread * math.sqrt(rng.random())
        lat = zone.lat + distance * math.cos(angle) / 111_000
        lon = zone.lon + distance * math.sin(angle) / (111_000 * math.cos(math.radians(zone.lat)))
        bikes.append(
            {
                "bike_id": f"s{rng.getrandbits(48):012x}",  # rotating ids, as GBFS 2.x asks
                "lat": round(lat, 6),
                "lon": round(lon, 6),
                "is_reserved": False,
                "is_disabled": rng.random() < 0.05,
                "vehicle_type_id": "escooter",
                "current_range_meters": round(rng.uniform(2000, 35000)),
            }
        )
    return {
        "system_information": _v2(
            {"system_id": SCOOTER_SYSTEM, "language": "de", "name": "E-Scooter (Demo)", "timezone": "Europe/Berlin"},
            now,
        ),
        "vehicle_types": _v2(
            {
                "vehicle_types": [
                    {
                        "vehicle_type_id": "escooter",
                        "form_factor": "scooter",
                        "propulsion_type": "electric",
                        "max_range_meters": 40000,
                        "name": "E-Scooter",
                    }
                ]
            },
            now,
        ),
        "free_bike_status": _v2({"bikes": bikes}, now),
    }


def write_system(directory: Path, documents: dict[str, dict[str, Any]]) -> None:
    """Write a system's documents atomically (the poller never sees half a file)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".tmp", delete=False, encoding="utf-8") as file:
            json.dump(document, file)
        os.replace(file.name, directory / f"{name}.json")


def reports(hubs: HubData, hour: float, rng: random.Random) -> list[pb.ReportStationStatusRequest]:
    """Operator reports for the stations without GBFS at a simulated hour."""
    requests = []
    for info in sorted(hubs.stations.values(), key=lambda station: station.station_id):
        if info.source is not Source.REPORT:
            continue
        busy = 0.3 + 0.5 * max(_gauss(hour, 8.0, 1.5), _gauss(hour, 17.5, 2.0))
        request = pb.ReportStationStatusRequest(station_id=info.station_id, is_renting=True, is_returning=True)
        if info.kind is Kind.BIKE_BOX:
            request.docks_available = max(0, min(info.capacity, round(info.capacity * (1 - busy) + rng.gauss(0, 1))))
        elif info.kind is Kind.CAR_SHARING:
            left = info.capacity
            for type_id in info.vehicle_type_ids:
                count = max(0, min(left, round(rng.random() * 2 * (1 - busy))))
                left -= count
                request.vehicles_by_type.add(vehicle_type_id=type_id, count=count)
        elif info.kind is Kind.EV_CHARGER:
            for power, total in sorted(info.chargers_total.items()):
                free = max(0, min(total, round(total * (1 - busy) + rng.gauss(0, 0.7))))
                request.chargers.append(mobility_pb2.ChargerAvailability(power_kw=power, available=free, total=total))
        requests.append(request)
    return requests


async def run(args: argparse.Namespace, hubs: HubData) -> int:
    rng = random.Random(args.seed)  # noqa: S311 - demo noise, not security
    directory = Path(args.directory)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    channel = grpc.aio.insecure_channel(args.target) if args.target else None
    stub = MobilityServiceStub(channel) if channel else None
    metadata = [("authorization", f"Bearer {args.token}")] if args.token else []
    start = datetime.now(UTC)
    simulated_start = start.replace(hour=args.start_hour, minute=0, second=0, microsecond=0)
    rounds = 0
    try:
        while not stopping.is_set() and (args.rounds == 0 or rounds < args.rounds):
            now = datetime.now(UTC)
            simulated = simulated_start + (now - start) * args.speed
            hour = simulated.hour + simulated.minute / 60
            docked, scooters = docked_system(hubs, hour, now, rng), scooter_system(hubs, hour, now, rng)
            await asyncio.to_thread(write_system, directory / DOCKED_SYSTEM, docked)
            await asyncio.to_thread(write_system, directory / SCOOTER_SYSTEM, scooters)
            if stub is not None:
                for request in reports(hubs, hour, rng):
                    with contextlib.suppress(grpc.aio.AioRpcError):  # service restarting: next round
                        await stub.ReportStationStatus(request, metadata=metadata, timeout=5)
            rounds += 1
            print(f"simulated {simulated:%H:%M} written to {directory}", flush=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), args.interval)
    finally:
        if channel is not None:
            await channel.close()
    return 0


def _demo_token() -> str:
    try:
        from herne_stack.demo import token_for
    except ImportError:  # the image without the embedded stack: pass --token
        return ""
    return token_for("mobility-operator")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="herne-mobility simulate mobility", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--directory",
        default=os.environ.get("HERNE_MOBILITY_DEMO_GBFS_DIRECTORY") or str(DEFAULT_DEMO_GBFS_DIRECTORY),
        help="demo GBFS directory the service polls (default: HERNE_MOBILITY_DEMO_GBFS_DIRECTORY or %(default)s)",
    )
    parser.add_argument("--hubs", default=os.environ.get("HERNE_MOBILITY_HUBS_FILE") or str(DEMO_HUBS))
    parser.add_argument("--target", default=os.environ.get("HERNE_SERVICE_TARGET", ""), help="mobility gRPC address")
    parser.add_argument("--token", default=None, help="mobility-operator token (default: the demo token)")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between two feed updates")
    parser.add_argument("--speed", type=float, default=120.0, help="simulated seconds per real second")
    parser.add_argument("--start-hour", type=int, default=6, choices=range(24), metavar="H")
    parser.add_argument("--rounds", type=int, default=0, help="stop after this many updates (0: run until stopped)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.token is None:
        args.token = _demo_token()
    hubs = load_hubs(json.loads(Path(args.hubs).read_text(encoding="utf-8")))
    return asyncio.run(run(args, hubs))
