"""FindNearby and GetHub latency (p50/p99) under concurrent load over real gRPC.

    .venv/bin/python bench/mobility_latency.py [--stations 500] [--vehicles 2000] [--clients 16] [--seconds 10]
    .venv/bin/python bench/mobility_latency.py --target 127.0.0.1:50052   # against a running service (`up`)

Without --target it starts Redis and the broker (the embedded stack's binaries) and
`herne-mobility serve mobility` as its own process, whose demo GBFS directory holds the Herne
demo systems plus a synthetic one of --stations docked stations and --vehicles free-floating
vehicles spread over Herne (nextbike Ruhr and a scooter fleet are of that order). Then
--clients concurrent clients call FindNearby (random points in Herne, 500 m, random filters)
and GetHub (random hub) for --seconds and the client-side latencies are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import grpc

from herne.mobility.v1 import mobility_pb2
from herne.mobility.v1 import mobility_service_pb2 as pb
from herne.mobility.v1.mobility_service_pb2_grpc import MobilityServiceStub
from herne_mobility.hubs import DEMO_HUBS, load_hubs
from herne_mobility.simulator import DOCKED_SYSTEM, SCOOTER_SYSTEM, docked_system, scooter_system, write_system

HERNE = (51.525, 51.575, 7.14, 7.29)  # lat/lon box of Herne


def synthetic_system(stations: int, vehicles: int, rng: random.Random) -> dict[str, dict]:
    now = datetime.now(UTC).isoformat(timespec="seconds")

    def doc(data: dict) -> dict:
        return {"last_updated": now, "ttl": 600, "version": "3.0", "data": data}

    def point() -> tuple[float, float]:
        return round(rng.uniform(HERNE[0], HERNE[1]), 6), round(rng.uniform(HERNE[2], HERNE[3]), 6)

    info, status, fleet = [], [], []
    for index in range(stations):
        lat, lon = point()
        bikes = rng.randint(0, 12)
        info.append(
            {
                "station_id": f"s{index}",
                "name": [{"text": f"Station {index}", "language": "de"}],
                "lat": lat,
                "lon": lon,
                "capacity": 12,
            }
        )
        status.append(
            {
                "station_id": f"s{index}",
                "num_vehicles_available": bikes,
                "num_docks_available": 12 - bikes,
                "vehicle_types_available": [{"vehicle_type_id": "bike", "count": bikes}],
                "is_installed": True,
                "is_renting": True,
                "is_returning": True,
                "last_reported": now,
            }
        )
    for index in range(vehicles):
        lat, lon = point()
        fleet.append(
            {
                "vehicle_id": f"v{index}",
                "lat": lat,
                "lon": lon,
                "is_reserved": False,
                "is_disabled": False,
                "vehicle_type_id": "scooter",
                "current_range_meters": rng.randint(1000, 40000),
            }
        )
    return {
        "system_information": doc(
            {
                "system_id": "bench",
                "languages": ["de"],
                "name": [{"text": "Bench", "language": "de"}],
                "opening_hours": "24/7",
                "feed_contact_email": "bench@example.org",
                "timezone": "Europe/Berlin",
                "license_id": "CC0-1.0",
            }
        ),
        "vehicle_types": doc(
            {
                "vehicle_types": [
                    {"vehicle_type_id": "bike", "form_factor": "bicycle", "propulsion_type": "human"},
                    {
                        "vehicle_type_id": "scooter",
                        "form_factor": "scooter_standing",
                        "propulsion_type": "electric",
                        "max_range_meters": 40000,
                    },
                ]
            }
        ),
        "station_information": doc({"stations": info}),
        "station_status": doc({"stations": status}),
        "vehicle_status": doc({"vehicles": fleet}),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(target: str, hub_ids: list[str], clients: int, seconds: float, seed: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"FindNearby": [], "GetHub": []}
    errors = 0
    async with grpc.aio.insecure_channel(target) as channel:
        stub = MobilityServiceStub(channel)
        await stub.ListHubs(pb.ListHubsRequest(), timeout=10)
        deadline = time.perf_counter() + seconds

        async def client(number: int) -> None:
            nonlocal errors
            rng = random.Random(seed + number)
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    if rng.random() < 0.5:
                        filters = rng.choice(
                            [
                                pb.NearbyFilter(),
                                pb.NearbyFilter(form_factors=[mobility_pb2.FORM_FACTOR_BICYCLE], min_vehicles=1),
                                pb.NearbyFilter(min_docks=2),
                                pb.NearbyFilter(propulsions=[mobility_pb2.PROPULSION_ELECTRIC], min_range_m=10000),
                            ]
                        )
                        await stub.FindNearby(
                            pb.FindNearbyRequest(
                                latitude=rng.uniform(HERNE[0], HERNE[1]),
                                longitude=rng.uniform(HERNE[2], HERNE[3]),
                                radius_m=500,
                                filter=filters,
                                limit=50,
                            ),
                            timeout=10,
                        )
                        timings["FindNearby"].append(time.perf_counter() - started)
                    else:
                        await stub.GetHub(pb.GetHubRequest(hub_id=rng.choice(hub_ids)), timeout=10)
                        timings["GetHub"].append(time.perf_counter() - started)
                except grpc.aio.AioRpcError:
                    errors += 1

        await asyncio.gather(*(client(number) for number in range(clients)))
    if errors:
        print(f"{errors} calls failed", file=sys.stderr)
    return timings


def start_own_service(directory: Path, run_dir: Path):  # type: ignore[no-untyped-def]
    from herne_events.admin import ensure_topics
    from herne_events.connection import KafkaConnection
    from herne_stack.probes import is_serving
    from herne_stack.processes import ManagedProcess, free_port
    from herne_stack.servers import broker_process, broker_ready, redis_process, redis_ready

    processes = []
    redis_port, broker_port, grpc_port = free_port(), free_port(), free_port()
    redis = redis_process(redis_port, run_dir / "redis", run_dir / "redis.log", persistent=False).start()
    processes.append(redis)
    redis.wait_ready(lambda: redis_ready(redis_port), 30)
    broker = broker_process(broker_port, run_dir / "broker.log").start()
    processes.append(broker)
    broker.wait_ready(lambda: broker_ready(broker_port), 30)
    asyncio.run(ensure_topics(KafkaConnection(f"127.0.0.1:{broker_port}", client_id="bench")))
    env = {
        **os.environ,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker_port}",
        "HERNE_GRPC_HOST": "127.0.0.1",
        "HERNE_GRPC_PORT": str(grpc_port),
        "HERNE_METRICS_PORT": "0",
        "HERNE_HTTP_PORT": "0",
        "HERNE_LOG_FORMAT": "json",
        "HERNE_MOBILITY_DEMO_GBFS_DIRECTORY": str(directory),
    }
    service = ManagedProcess(
        "mobility", [sys.executable, "-m", "herne_cli", "serve", "mobility"], run_dir / "mobility.log", env
    ).start()
    processes.append(service)
    service.wait_ready(lambda: is_serving(f"127.0.0.1:{grpc_port}"), 90)
    return f"127.0.0.1:{grpc_port}", processes


async def wait_loaded(target: str, expected_stations: int) -> None:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = MobilityServiceStub(channel)
        for _ in range(300):
            page = await stub.ListStations(pb.ListStationsRequest(system_id="bench", page_size=1000), timeout=10)
            if len(page.stations) >= min(expected_stations, 1000):
                return
            await asyncio.sleep(0.2)
    raise SystemExit("the service did not load the synthetic feed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default="", help="a running mobility service (default: start one)")
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--vehicles", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    hubs = load_hubs(json.loads(DEMO_HUBS.read_text(encoding="utf-8")))
    processes = []
    with tempfile.TemporaryDirectory(prefix="herne-mobility-bench-") as tmp:
        target = args.target
        if not target:
            directory, rng = Path(tmp) / "gbfs", random.Random(args.seed)
            now = datetime.now(UTC)
            write_system(directory / DOCKED_SYSTEM, docked_system(hubs, 8.0, now, rng))
            write_system(directory / SCOOTER_SYSTEM, scooter_system(hubs, 8.0, now, rng))
            write_system(directory / "bench", synthetic_system(args.stations, args.vehicles, rng))
            target, processes = start_own_service(directory, Path(tmp))
            asyncio.run(wait_loaded(target, args.stations))
        try:
            timings = asyncio.run(load(target, sorted(hubs.hubs), args.clients, args.seconds, args.seed))
        finally:
            for process in reversed(processes):
                process.stop()
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {datetime.now(UTC):%Y-%m-%d}"
    )
    print(
        f"data: {args.stations} synthetic stations + {args.vehicles} vehicles + Herne demo; "
        f"{args.clients} concurrent clients for {args.seconds:.0f} s"
    )
    for name, values in timings.items():
        if not values:
            print(f"{name}: no calls")
            continue
        print(
            f"{name:<11} calls {len(values):6d}  {len(values) / args.seconds:7.0f}/s  "
            f"p50 {percentile(values, 0.5) * 1000:6.2f} ms  p99 {percentile(values, 0.99) * 1000:6.2f} ms  "
            f"mean {statistics.fmean(values) * 1000:6.2f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
