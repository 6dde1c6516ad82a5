"""GetAvailability p50/p99 at a fixed offered rate (open loop) over real gRPC, beside a health-check floor.

    .venv/bin/python bench/parking_latency.py [--rate 500] [--seconds 30] [--ids 1]
    .venv/bin/python bench/parking_latency.py --target 127.0.0.1:50051   # against a running service (`up`)

Without --target it starts Redis, the broker and `herne-mobility serve parking` as processes on
free ports and gives every demo sensor a state (one reading each through
parking.sensor-readings.v1, waited for in Redis). Then, one after the other at the same offered
rate, for --seconds each after a --warmup:

1. GetAvailability for --ids random demo facilities per call (0: all facilities);
2. grpc.health.v1.Health/Check on the same server: the floor of a unary call through this
   machine's gRPC stack, auth interceptor and event loop, without the service's own work.

Open loop: call i is sent at start + i / rate whether or not earlier calls have answered, and its
latency runs from that planned send time to the answer, so a stall delays every call planned
during it instead of hiding them (no coordinated omission). The client runs in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import grpc
import redis
from grpc_health.v1 import health_pb2, health_pb2_grpc
from parking_stack import ParkingStack, machine_line, percentile, print_profile

from herne.parking.v1 import events_pb2
from herne.parking.v1 import parking_service_pb2 as pb
from herne.parking.v1.parking_service_pb2_grpc import ParkingServiceStub
from herne_events.connection import KafkaConnection
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_SENSOR_READINGS
from herne_parking.domain import ParkingCatalog, load_catalog
from herne_parking.settings import DEMO_PARKING
from herne_parking.store import SENSOR_TIME


async def seed_states(stack: ParkingStack, catalog: ParkingCatalog, rng: random.Random) -> None:
    """One reading per demo sensor through the broker, then wait until Redis has them all."""
    now = datetime.now(UTC)
    readings = []
    for sensor in sorted(catalog.spaces_by_sensor):
        reading = events_pb2.SensorReading(sensor_id=sensor, occupied=rng.random() < 0.6)
        reading.observed_time.FromDatetime(now)
        readings.append(reading)
    publisher = EventPublisher(KafkaConnection(stack.bootstrap, client_id="bench-seed"), source="/herne/bench")
    try:
        await publisher.publish_many(PARKING_SENSOR_READINGS, readings, subjects=[r.sensor_id for r in readings])
    finally:
        await publisher.stop()
    with redis.Redis.from_url(stack.redis_url) as client:
        for _ in range(600):
            if client.hlen(SENSOR_TIME) >= len(readings):
                return
            await asyncio.sleep(0.1)
    raise SystemExit("the service did not apply the seed readings within 60 s")


async def open_loop(
    call: Callable[[], Awaitable[object]], rate: float, seconds: float
) -> tuple[list[float], Counter[str]]:
    """Latencies (s) from each call's planned send time, and the failed calls by status code and message."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    pending: set[asyncio.Task[None]] = set()

    async def one(planned: float) -> None:
        try:
            await call()
        except grpc.aio.AioRpcError as error:
            errors[f"{error.code().name}: {(error.details() or '')[:80]}"] += 1
            return
        latencies.append(time.perf_counter() - planned)

    start = time.perf_counter()
    for index in range(int(rate * seconds)):
        planned = start + index / rate
        delay = planned - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(planned))
        pending.add(task)
        task.add_done_callback(pending.discard)
    if pending:
        await asyncio.wait(pending)
    return latencies, errors


async def measure(
    target: str, catalog: ParkingCatalog, args: argparse.Namespace
) -> dict[str, tuple[list[float], Counter[str]]]:
    facility_ids = sorted(catalog.facilities)
    rng = random.Random(args.seed)
    results: dict[str, tuple[list[float], Counter[str]]] = {}
    async with grpc.aio.insecure_channel(target) as channel:
        parking = ParkingServiceStub(channel)
        health = health_pb2_grpc.HealthStub(channel)

        def availability() -> Awaitable[object]:
            ids = rng.sample(facility_ids, args.ids) if args.ids else []
            return parking.GetAvailability(pb.GetAvailabilityRequest(facility_ids=ids), timeout=10)

        def check() -> Awaitable[object]:
            return health.Check(health_pb2.HealthCheckRequest(), timeout=10)

        what = f"{args.ids} random facilit{'y' if args.ids == 1 else 'ies'}" if args.ids else "all facilities"
        for name, call in ((f"GetAvailability ({what})", availability), ("Health/Check (floor)", check)):
            await open_loop(call, args.rate, args.warmup)
            results[name] = await open_loop(call, args.rate, args.seconds)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default="", help="a running parking service (default: start one)")
    parser.add_argument("--rate", type=float, default=500.0, help="offered calls per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured seconds per RPC")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each")
    parser.add_argument("--ids", type=int, default=1, help="facility ids per GetAvailability (0: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="run the own service under cProfile, print hot spots")
    args = parser.parse_args(argv)
    catalog = load_catalog(json.loads(DEMO_PARKING.read_text(encoding="utf-8")), demo=True)
    print(machine_line(), flush=True)
    with tempfile.TemporaryDirectory(prefix="herne-parking-latency-") as tmp:
        stack: ParkingStack | None = None
        target = args.target
        try:
            if not target:
                stack = ParkingStack(Path(tmp)).start()
                stack.start_service(profile_to=Path(tmp) / "parking.prof" if args.profile else None)
                asyncio.run(seed_states(stack, catalog, random.Random(args.seed)))
                target = stack.target
            results = asyncio.run(measure(target, catalog, args))
            if stack is not None and args.profile:
                stack.stop_service()
                print_profile(Path(tmp) / "parking.prof", 40)
        finally:
            if stack is not None:
                stack.stop()
    print(
        f"offered {args.rate:.0f} calls/s open loop for {args.seconds:.0f} s each (after {args.warmup:.0f} s warm-up), "
        f"one channel, client in the bench process; {'own stack' if not args.target else args.target}"
    )
    for name, (latencies, errors) in results.items():
        if not latencies:
            print(f"{name}: no successful calls ({sum(errors.values())} failed: {dict(errors)})")
            continue
        print(
            f"{name:<36} calls {len(latencies):6d}  p50 {percentile(latencies, 0.5) * 1000:6.2f} ms  "
            f"p99 {percentile(latencies, 0.99) * 1000:6.2f} ms  p99.9 {percentile(latencies, 0.999) * 1000:6.2f} ms  "
            f"max {max(latencies) * 1000:6.1f} ms  mean {statistics.fmean(latencies) * 1000:5.2f} ms  "
            f"failed {sum(errors.values())}"
        )
        for problem, count in errors.most_common(5):
            print(f"    {count} x {problem}")
    print(machine_line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
