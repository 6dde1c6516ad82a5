"""Demo detector simulator: counts for every demo detector whose demand follows a compressed day.

Publishes ``traffic.detector-counts.v1`` through the broker like a real detector gateway. The
simulated clock runs ``--speed`` times faster than real time, so the morning and evening peaks of
the historic profiles pass within minutes and measured demand drifts away from the active
plans; the service then proposes new plans for a traffic engineer to approve. One detector
repeats a constant count (a stuck loop) so its group visibly falls back to the historic profile.
At start it proposes and approves a plan for the isolated intersection (demo engineer token),
so drift proposals have an active plan to compare with.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
from datetime import UTC, datetime, timedelta

import grpc

from herne.signals.v1 import events_pb2
from herne.signals.v1 import signals_service_pb2 as pb
from herne.signals.v1.signals_service_pb2_grpc import SignalsServiceStub
from herne_events.connection import KafkaConnection
from herne_events.publisher import EventPublisher
from herne_events.topics import TRAFFIC_DETECTOR_COUNTS
from herne_signals.model import Network, load_network
from herne_signals.settings import DEMO_SIGNALS
from herne_stack.demo import token_for

STUCK_DETECTOR_VEHICLES = 7


def counts(network: Network, simulated: datetime, interval_s: int, rng: random.Random) -> list[tuple[str, int]]:
    """(detector id, vehicles in the interval) for every detector at the simulated time of day."""
    hour = simulated.hour + simulated.minute / 60
    result = []
    for intersection in network.intersections.values():
        for group in intersection.groups:
            if not group.detectors or not group.historic_flows:
                continue
            low, high = group.historic_flows[int(hour) % 24], group.historic_flows[(int(hour) + 1) % 24]
            flow = low + (high - low) * (hour - int(hour))
            per_detector = flow / len(group.detectors) * interval_s / 3600
            for detector_id in group.detectors:
                result.append((detector_id, max(0, round(rng.gauss(per_detector, max(per_detector, 1) ** 0.5)))))
    return result


async def run(args: argparse.Namespace) -> int:
    network = load_network(json.loads(DEMO_SIGNALS.read_text(encoding="utf-8")))
    rng = random.Random(args.seed)  # noqa: S311 - demo noise, not security
    publisher = EventPublisher(
        KafkaConnection(args.bootstrap, client_id="herne-signals-simulator"), source="/herne/signals-simulator"
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await _approve_first_plan(args.target, args.engineer_token, args.isolated)
    started = datetime.now(UTC)
    simulated_start = started.replace(hour=args.start_hour, minute=0, second=0, microsecond=0)
    interval_start = started.replace(microsecond=0)
    stuck = sorted(d for x in network.intersections.values() for g in x.groups for d in g.detectors)[0]
    try:
        while not stopping.is_set():
            now = datetime.now(UTC)
            simulated = simulated_start + (now - started) * args.speed
            readings = counts(network, simulated, args.interval, rng)
            payloads = [
                events_pb2.DetectorCount(
                    detector_id=detector_id,
                    interval_seconds=args.interval,
                    vehicles=STUCK_DETECTOR_VEHICLES if detector_id == stuck else vehicles,
                    occupancy_percent=min(100.0, vehicles * 1.5),
                )
                for detector_id, vehicles in readings
            ]
            for payload in payloads:
                payload.interval_start_time.FromDatetime(interval_start)
            await publisher.publish_many(TRAFFIC_DETECTOR_COUNTS, payloads, subjects=[p.detector_id for p in payloads])
            interval_start += timedelta(seconds=args.interval)
            if args.duration and (now - started).total_seconds() > args.duration:
                break
            # One interval of counts per tick; real time between ticks is shorter than the interval
            # because the simulated day runs faster.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=args.tick)
    finally:
        await publisher.stop()
    return 0


async def _approve_first_plan(target: str, token: str, intersection_id: str) -> None:
    metadata = [("authorization", f"Bearer {token}")]
    async with grpc.aio.insecure_channel(target) as channel:
        stub = SignalsServiceStub(channel)
        try:
            await stub.GetActivePlan(pb.GetActivePlanRequest(intersection_id=intersection_id))
            return
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND:
                raise
        proposed = await stub.OptimizeIntersection(
            pb.OptimizeIntersectionRequest(intersection_id=intersection_id), metadata=metadata
        )
        await stub.ApprovePlan(pb.ApprovePlanRequest(plan_id=proposed.plan.plan_id), metadata=metadata)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="herne-mobility simulate signals", description=__doc__)
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--target", default=os.environ.get("HERNE_SERVICE_TARGET", "127.0.0.1:50053"))
    parser.add_argument("--engineer-token", default=token_for("traffic-engineer"), help="default: the demo token")
    parser.add_argument("--isolated", default="wanne-hauptstrasse-hbf", help="intersection approved at start")
    parser.add_argument("--interval", type=int, default=60, help="counting interval in seconds")
    parser.add_argument("--tick", type=float, default=2.0, help="real seconds between published intervals")
    parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second")
    parser.add_argument("--start-hour", type=int, default=5, help="simulated hour of day at start")
    parser.add_argument("--duration", type=float, default=0.0, help="stop after this many seconds (0: never)")
    parser.add_argument("--seed", type=int, default=2030)
    return asyncio.run(run(parser.parse_args(argv)))
