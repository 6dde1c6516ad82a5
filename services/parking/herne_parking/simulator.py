"""Demo sensor simulator: LoRaWAN space sensors and entry/exit counters over a compressed day.

Publishes ``parking.sensor-readings.v1`` and ``parking.counter-events.v1`` through the broker,
as the LoRaWAN network-server adapter and the garage counting systems would. The simulated
clock runs ``--speed`` times faster than real time (default 60: a day in 24 minutes), so the
P+R sites at Herne Bahnhof and Wanne-Eickel Hbf visibly fill in the morning and empty in the
evening, city-centre garages peak at midday and on-street zones stay busy in shopping hours.
A sensor reports when its space changes and sends a heartbeat every ``--heartbeat`` seconds;
``--dead-share`` of the sensors never report (their spaces show as UNKNOWN and stale),
readings are occasionally duplicated or delayed like real radio traffic.
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
from dataclasses import dataclass
from datetime import UTC, datetime

from herne.parking.v1 import events_pb2
from herne_events.connection import KafkaConnection
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_COUNTER_EVENTS, PARKING_SENSOR_READINGS
from herne_parking.domain import Facility, FacilityKind, ParkingCatalog, load_catalog
from herne_parking.settings import DEMO_PARKING

Reading = events_pb2.SensorReading


TURNOVER_PER_HOUR = 1.5


def _bump(hour: float, centre: float, width: float) -> float:
    return math.exp(-(((hour - centre) / width) ** 2))


def target_share(facility: Facility, hour: float, weekday: int) -> float:
    """Expected occupied share of a facility at a simulated hour of day (0-24) and weekday (0 = Monday)."""
    workday = weekday < 5
    if facility.kind is FacilityKind.PARK_AND_RIDE:
        # Commuters arrive 6-8, leave 16-19.
        if not workday:
            return 0.15 + 0.2 * _bump(hour, 13, 3)
        rising = 1 / (1 + math.exp(-(hour - 7.0) * 2.5))
        falling = 1 / (1 + math.exp((hour - 17.5) * 1.8))
        return 0.05 + 0.9 * rising * falling
    if facility.kind is FacilityKind.GARAGE:
        shopping = 0.75 if weekday == 5 else 0.6
        return 0.08 + shopping * _bump(hour, 13, 3.5) + 0.15 * _bump(hour, 20, 1.5)
    if facility.kind is FacilityKind.ON_STREET_ZONE:
        return 0.35 + 0.55 * _bump(hour, 12.5, 4.0)
    return 0.1 + 0.5 * _bump(hour, 15, 3.0) * (1.4 if not workday else 1.0)


@dataclass
class SensorState:
    sensor_id: str
    occupied: bool
    last_sent: float
    dead: bool


def step_spaces(sensors: list[SensorState], share: float, dt_hours: float, rng: random.Random) -> set[str]:
    """One step of a two-state chain per space whose equilibrium is ``share``; returns the changed sensors.

    Arrivals at rate TURNOVER * share, departures at TURNOVER * (1 - share) per simulated hour,
    so occupancy follows the target with a time constant of 1 / TURNOVER hours.
    """
    arrive = 1 - math.exp(-TURNOVER_PER_HOUR * share * dt_hours)
    leave = 1 - math.exp(-TURNOVER_PER_HOUR * (1 - share) * dt_hours)
    changed = set()
    for sensor in sensors:
        if rng.random() < (leave if sensor.occupied else arrive):
            sensor.occupied = not sensor.occupied
            changed.add(sensor.sensor_id)
    return changed


class Simulation:
    """The simulated state of every demo space and counted facility."""

    def __init__(self, catalog: ParkingCatalog, args: argparse.Namespace, rng: random.Random, weekday: int) -> None:
        self.catalog = catalog
        self.args = args
        self.rng = rng
        self.weekday = weekday
        self.sensors: dict[str, list[SensorState]] = {}
        self.counted: dict[str, int] = {}
        for facility in catalog.facilities.values():
            share = target_share(facility, args.start_hour, weekday)
            self.sensors[facility.facility_id] = [
                SensorState(space.sensor_id, rng.random() < share, -1e9, rng.random() < args.dead_share)
                for space in facility.spaces
            ]
            if facility.has_counters:
                self.counted[facility.facility_id] = round(share * facility.counted_capacity)
        self.last_recount = -1e9

    def readings(self, now: float, hour: float, day: int, dt_hours: float, observed: datetime) -> list[Reading]:
        readings: list[Reading] = []
        for facility_id, states in self.sensors.items():
            facility = self.catalog.facilities[facility_id]
            changed = step_spaces(states, target_share(facility, hour, day), dt_hours, self.rng)
            for state in states:
                due = now - state.last_sent >= self.args.heartbeat * self.rng.uniform(0.8, 1.2)
                if state.dead or not (state.sensor_id in changed or due):
                    continue
                state.last_sent = now
                reading = Reading(
                    sensor_id=state.sensor_id,
                    occupied=state.occupied,
                    battery_percent=round(self.rng.uniform(20, 100), 1),
                    rssi_dbm=round(self.rng.uniform(-120, -70), 1),
                    snr_db=round(self.rng.uniform(-10, 10), 1),
                )
                reading.observed_time.FromDatetime(observed)
                readings.append(reading)
                if self.rng.random() < 0.02:  # LoRaWAN uplinks heard by two gateways arrive twice
                    readings.append(reading)
        return readings

    def counter_events(self, now: float, hour: float, day: int, observed: datetime) -> list[events_pb2.CounterEvent]:
        events: list[events_pb2.CounterEvent] = []
        recount = now - self.last_recount >= self.args.recount
        if recount:
            self.last_recount = now
        for facility_id, occupied in self.counted.items():
            facility = self.catalog.facilities[facility_id]
            if recount:
                events.append(_recount(facility_id, occupied, observed))
            target = round(target_share(facility, hour, day) * facility.counted_capacity)
            delta = target - occupied + round(self.rng.gauss(0, 1))
            if delta:
                direction = events_pb2.COUNTER_DIRECTION_ENTRY if delta > 0 else events_pb2.COUNTER_DIRECTION_EXIT
                events.append(_passage(facility_id, direction, abs(delta), observed))
                self.counted[facility_id] = min(max(occupied + delta, 0), facility.counted_capacity)
        return events


async def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(json.loads(DEMO_PARKING.read_text(encoding="utf-8")), demo=True)
    rng = random.Random(args.seed)  # noqa: S311 - demo noise, not security
    publisher = EventPublisher(
        KafkaConnection(args.bootstrap, client_id="herne-parking-simulator"), source="/herne/parking-simulator"
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    started = previous = loop.time()
    weekday = datetime.now(UTC).weekday()
    simulation = Simulation(catalog, args, rng, weekday)
    try:
        while not stopping.is_set():
            now = loop.time()
            simulated_hours = args.start_hour + (now - started) * args.speed / 3600
            hour, day = simulated_hours % 24, (weekday + int(simulated_hours // 24)) % 7
            dt_hours, previous = (now - previous) * args.speed / 3600, now
            observed = datetime.now(UTC)
            readings = simulation.readings(now, hour, day, dt_hours, observed)
            counter_events = simulation.counter_events(now, hour, day, observed)
            if readings:
                await publisher.publish_many(
                    PARKING_SENSOR_READINGS, readings, subjects=[r.sensor_id for r in readings]
                )
            if counter_events:
                subjects = [e.facility_id for e in counter_events]
                await publisher.publish_many(PARKING_COUNTER_EVENTS, counter_events, subjects=subjects)
            if args.duration and now - started > args.duration:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=args.tick)
    finally:
        await publisher.stop()
    return 0


def _recount(facility_id: str, occupied: int, at: datetime) -> events_pb2.CounterEvent:
    event = events_pb2.CounterEvent(
        facility_id=facility_id,
        counter_id="recount",
        recalibration=events_pb2.CounterRecalibration(occupied=occupied),
    )
    event.observed_time.FromDatetime(at)
    return event


def _passage(facility_id: str, direction: int, vehicles: int, at: datetime) -> events_pb2.CounterEvent:
    event = events_pb2.CounterEvent(
        facility_id=facility_id,
        counter_id="gate-1",
        passage=events_pb2.CounterPassage(direction=direction, vehicles=vehicles),  # type: ignore[arg-type]
    )
    event.observed_time.FromDatetime(at)
    return event


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="herne-mobility simulate parking", description=__doc__)
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--tick", type=float, default=2.0, help="real seconds between rounds")
    parser.add_argument("--speed", type=float, default=60.0, help="simulated seconds per real second")
    parser.add_argument("--start-hour", type=float, default=5.0, help="simulated hour of day at start")
    parser.add_argument("--heartbeat", type=float, default=300.0, help="real seconds between sensor heartbeats")
    parser.add_argument("--recount", type=float, default=600.0, help="real seconds between counter recalibrations")
    parser.add_argument("--dead-share", type=float, default=0.03, help="share of sensors that never report")
    parser.add_argument("--duration", type=float, default=0.0, help="stop after this many seconds (0: never)")
    parser.add_argument("--seed", type=int, default=2030)
    return asyncio.run(run(parser.parse_args(argv)))
