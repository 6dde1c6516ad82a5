"""Redis memory per 10,000 parking sensors, measured on a real redis-server (runtime: about 10 s).

    .venv/bin/python bench/redis_memory.py [--sensors 10000] [--uplinks-per-day 150] [--sample 100000]

Writes a PROVISIONAL key layout for the parking service (the parking branch owns the real one
in herne_parking/store.py: re-run with its layout once merged) plus the foundation's real
duplicate-suppression keys (``herne:events:applied:<group>:<event id>``, TTL
HERNE_EVENT_DEDUP_TTL_SECONDS = 1 day), and reads ``used_memory`` from INFO:

- per sensor: a hash of its last reading (facility, space, occupied, observed time, battery,
  signal) and one member in a "last seen" sorted set used to find stale sensors;
- per applied reading: one dedup key kept for a day. At ``--uplinks-per-day`` uplinks per sensor
  (LoRaWAN parking sensors send on every change plus a heartbeat), these dominate.

Dedup keys are measured on ``--sample`` keys and scaled linearly (the per-key cost is flat).
Prints the figures with the machine load; record them in BENCHMARKS.md (Deploy section).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from pathlib import Path

import redis

from herne_stack.processes import free_port, managed
from herne_stack.servers import redis_process, redis_ready


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=10_000)
    parser.add_argument("--uplinks-per-day", type=int, default=150)
    parser.add_argument("--sample", type=int, default=100_000, help="dedup keys actually written")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        process = redis_process(port, Path(directory), Path(directory) / "redis.log", persistent=False)
        with managed(process, lambda: redis_ready(port)), redis.Redis(port=port) as client:
            start = time.perf_counter()
            baseline = used_memory(client)
            pipe = client.pipeline(transaction=False)
            now = int(time.time() * 1000)
            for index in range(args.sensors):
                sensor = f"herne-demo-sensor-{index:06d}"
                pipe.hset(
                    f"herne:parking:sensor:{sensor}",
                    mapping={"facility": f"herne-facility-{index % 40:03d}", "space": f"space-{index:06d}",
                             "occupied": index % 2, "observed_ms": now, "battery": 87, "rssi": -97},
                )  # fmt: skip
                pipe.zadd("herne:parking:last-seen", {sensor: now})
            pipe.execute()
            state = used_memory(client) - baseline
            before_dedup = used_memory(client)
            for _ in range(args.sample):
                pipe.set(f"herne:events:applied:herne-parking:{uuid.uuid4()}", b"1", ex=86_400)
            pipe.execute()
            per_dedup_key = (used_memory(client) - before_dedup) / args.sample
            elapsed = time.perf_counter() - start
    dedup_keys = args.sensors * args.uplinks_per_day
    dedup = dedup_keys * per_dedup_key
    mib = 1024 * 1024
    print(f"sensors                         {args.sensors}")
    print(f"sensor state (hash + last-seen) {state / mib:8.1f} MiB  ({state / args.sensors:.0f} B per sensor)")
    print(f"dedup key                       {per_dedup_key:8.0f} B each, {dedup_keys} live keys (1-day TTL)")
    print(f"dedup keys                      {dedup / mib:8.1f} MiB")
    print(f"total                           {(state + dedup) / mib:8.1f} MiB")
    print(f"run {elapsed:.1f} s; load {os.getloadavg()} (PRELIMINARY: shared machine)")


if __name__ == "__main__":
    main()
