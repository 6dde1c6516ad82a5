"""Sensor-reading ingest rate of the parking service through the broker, beside the raw consume rate.

    .venv/bin/python bench/parking_ingest.py [--readings 200000] [--seed 1] [--profile]

Starts Redis, the broker and (later) `herne-mobility serve parking` as processes on free ports.
Publishes --readings sensor readings of the Herne demo sensors onto parking.sensor-readings.v1
with the project's publisher (herne envelope, key = sensor id, as the LoRaWAN adapter and the demo
simulator do): observed times increase over the last --span-minutes, a sensor changes state with
--change-share of its readings and otherwise sends a heartbeat, --duplicate-share of the uplinks
are heard twice. Then, on the same backlog:

1. raw: a plain aiokafka consumer (no group, getmany of 1000 like the service) reads every record,
   no processing: the broker's and aiokafka's ceiling on this machine;
2. decode: the same plus the envelope + payload decoding the service does;
3. service: the parking service starts, its consumer group drains the backlog; the time runs from
   the first to the last applied reading as seen in its herne_parking_sensor_readings metric.

Afterwards every sensor's last applied observed time in Redis is checked against the newest
reading published for it. --profile runs the service under cProfile and prints where its time
went (slower than without; for finding the hot spots, not for the figure).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
from aiokafka import AIOKafkaConsumer, TopicPartition
from parking_stack import ParkingStack, machine_line, print_profile

from herne.parking.v1 import events_pb2
from herne_events.connection import KafkaConnection
from herne_events.envelope import decode
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_SENSOR_READINGS
from herne_parking.domain import ParkingCatalog, load_catalog
from herne_parking.settings import DEMO_PARKING
from herne_parking.store import SENSOR_TIME

READINGS_METRIC = "herne_parking_sensor_readings_total"


def make_readings(
    catalog: ParkingCatalog, count: int, *, span: timedelta, change_share: float, duplicate_share: float, seed: int
) -> list[events_pb2.SensorReading]:
    """Uplinks of the demo sensors in observed-time order, ending now."""
    rng = random.Random(seed)
    sensors = sorted(catalog.spaces_by_sensor)
    occupied = {sensor: rng.random() < 0.5 for sensor in sensors}
    end = datetime.now(UTC)
    start = end - span
    step = span / count
    readings: list[events_pb2.SensorReading] = []
    index = 0
    while len(readings) < count:
        sensor = rng.choice(sensors)
        if rng.random() < change_share:
            occupied[sensor] = not occupied[sensor]
        reading = events_pb2.SensorReading(
            sensor_id=sensor,
            occupied=occupied[sensor],
            battery_percent=round(rng.uniform(20, 100), 1),
            rssi_dbm=round(rng.uniform(-120, -70), 1),
            snr_db=round(rng.uniform(-10, 10), 1),
        )
        reading.observed_time.FromDatetime(start + step * index)
        index += 1
        readings.append(reading)
        if rng.random() < duplicate_share and len(readings) < count:
            readings.append(reading)
    return readings


async def publish(bootstrap: str, readings: list[events_pb2.SensorReading], chunk: int) -> float:
    publisher = EventPublisher(KafkaConnection(bootstrap, client_id="bench-publisher"), source="/herne/bench")
    await publisher.start(wait=True)
    began = time.perf_counter()
    try:
        for offset in range(0, len(readings), chunk):
            part = readings[offset : offset + chunk]
            await publisher.publish_many(PARKING_SENSOR_READINGS, part, subjects=[r.sensor_id for r in part])
    finally:
        await publisher.stop()
    return time.perf_counter() - began


async def raw_consume(bootstrap: str, expected: int, *, with_decode: bool) -> tuple[float, int]:
    """Seconds from the first to the last of ``expected`` records, read without a group; and the count."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id="bench-raw", enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(PARKING_SENSOR_READINGS.name, p)
            for p in sorted(consumer.partitions_for_topic(PARKING_SENSOR_READINGS.name) or ())
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        seen = 0
        began = 0.0
        while seen < expected:
            batches = await consumer.getmany(timeout_ms=1000, max_records=1000)
            if not batches:
                continue
            if not began:
                began = time.perf_counter()
            for records in batches.values():
                if with_decode:
                    for record in records:
                        decode(PARKING_SENSOR_READINGS, record.value, partition=record.partition, offset=record.offset)
                seen += len(records)
        return time.perf_counter() - began, seen
    finally:
        await consumer.stop()


def applied_count(metrics_port: int) -> tuple[int, dict[str, int]]:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    outcomes: dict[str, int] = {}
    for line in text.splitlines():
        if line.startswith(READINGS_METRIC + "{"):
            labels, value = line.rsplit(" ", 1)
            outcome = labels.split('outcome="', 1)[1].split('"', 1)[0]
            outcomes[outcome] = int(float(value))
    return sum(outcomes.values()), outcomes


def newest_by_sensor(readings: list[events_pb2.SensorReading]) -> dict[str, int]:
    newest: dict[str, int] = {}
    for reading in readings:
        ms = reading.observed_time.ToMilliseconds()
        newest[reading.sensor_id] = max(newest.get(reading.sensor_id, 0), ms)
    return newest


def drain(
    stack: ParkingStack, newest: dict[str, int], expected: int, timeout: float
) -> tuple[float, float, dict[str, int]]:
    """Wait until the service has handled every reading: (seconds first->last applied, seconds from SERVING).

    Progress is watched in Redis, not on the service's /metrics (a scrape costs the service CPU):
    a sensor's readings share a partition and are applied in order, so when every sensor's stored
    time is its newest reading's, all readings have been handled.
    """
    sensors, wanted = list(newest), [str(ms).encode() for ms in newest.values()]
    serving = time.perf_counter()
    first = 0.0
    deadline = serving + timeout
    with redis.Redis.from_url(stack.redis_url) as client:
        while True:
            stored = client.hmget(SENSOR_TIME, sensors)
            now = time.perf_counter()
            if not first and any(value is not None for value in stored):
                first = now
            if stored == wanted:
                break
            if now > deadline:
                count, outcomes = applied_count(stack.metrics_port)
                raise SystemExit(f"the service handled {count} of {expected} readings in {timeout:.0f} s: {outcomes}")
            time.sleep(0.02)
    count, outcomes = applied_count(stack.metrics_port)
    while count < expected and time.perf_counter() < deadline:  # the counter moves just after the script
        time.sleep(0.05)
        count, outcomes = applied_count(stack.metrics_port)
    return now - first, now - serving, outcomes


def verify(redis_url: str, newest: dict[str, int]) -> tuple[int, int]:
    with redis.Redis.from_url(redis_url) as client:
        stored = client.hmget(SENSOR_TIME, list(newest))
    matching = sum(1 for ms, at in zip(newest.values(), stored, strict=True) if at is not None and int(at) == ms)
    return matching, len(newest)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux /proc), less sensitive to machine load than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def redis_busy_seconds(redis_url: str) -> float:
    """Seconds Redis spent executing commands (INFO commandstats), scripts included."""
    with redis.Redis.from_url(redis_url) as client:
        stats = client.info("commandstats")
    return sum(float(entry["usec"]) for entry in stats.values()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readings", type=int, default=200_000)
    parser.add_argument("--span-minutes", type=float, default=20.0, help="observed times spread over this")
    parser.add_argument("--change-share", type=float, default=0.3)
    parser.add_argument("--duplicate-share", type=float, default=0.02)
    parser.add_argument("--publish-chunk", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--profile", action="store_true", help="run the service under cProfile")
    parser.add_argument("--profile-lines", type=int, default=30)
    args = parser.parse_args(argv)
    catalog = load_catalog(json.loads(DEMO_PARKING.read_text(encoding="utf-8")), demo=True)
    print(machine_line(), flush=True)
    readings = make_readings(
        catalog,
        args.readings,
        span=timedelta(minutes=args.span_minutes),
        change_share=args.change_share,
        duplicate_share=args.duplicate_share,
        seed=args.seed,
    )
    newest = newest_by_sensor(readings)
    with tempfile.TemporaryDirectory(prefix="herne-parking-ingest-") as tmp:
        stack = ParkingStack(Path(tmp)).start()
        try:
            publish_s = asyncio.run(publish(stack.bootstrap, readings, args.publish_chunk))
            raw_s, raw_n = asyncio.run(raw_consume(stack.bootstrap, len(readings), with_decode=False))
            decode_s, decode_n = asyncio.run(raw_consume(stack.bootstrap, len(readings), with_decode=True))
            profile_path = Path(tmp) / "parking.prof" if args.profile else None
            stack.start_service(profile_to=profile_path)
            service_pid = stack.service_pid()
            busy_before, cpu_before = redis_busy_seconds(stack.redis_url), cpu_seconds(service_pid)
            drain_s, since_serving_s, outcomes = drain(stack, newest, len(readings), args.timeout)
            redis_s = redis_busy_seconds(stack.redis_url) - busy_before
            service_cpu_s = cpu_seconds(service_pid) - cpu_before
            matching, sensors = verify(stack.redis_url, newest)
            stack.stop_service()
            if profile_path is not None:
                print_profile(profile_path, args.profile_lines)
        finally:
            stack.stop()
    n = len(readings)
    print(
        f"data: {n} readings of {len(catalog.spaces_by_sensor)} demo sensors over {args.span_minutes:.0f} min "
        f"(change share {args.change_share}, duplicates {args.duplicate_share}), seed {args.seed}, "
        f"topic {PARKING_SENSOR_READINGS.name} ({PARKING_SENSOR_READINGS.partitions} partitions)"
    )
    print(f"publish (EventPublisher, chunks of {args.publish_chunk}, acks=all): {n / publish_s:9.0f} readings/s")
    print(f"raw aiokafka consume, no processing:                  {raw_n / raw_s:9.0f} records/s")
    print(f"raw aiokafka consume + envelope/payload decode:       {decode_n / decode_s:9.0f} records/s")
    label = "parking service ingest (under cProfile)" if args.profile else "parking service ingest"
    print(
        f"{label + ':':<54}{n / drain_s:9.0f} readings/s  ({drain_s:.1f} s first to last applied, "
        f"{since_serving_s:.1f} s from SERVING; outcomes {outcomes})"
    )
    print(
        f"service process CPU from SERVING to done: {service_cpu_s:.1f} s, "
        f"{service_cpu_s / n * 1e6:.0f} us per reading "
        f"({n / service_cpu_s:.0f} readings per CPU second)"
    )
    print(
        f"Redis busy executing commands during the drain: {redis_s:.1f} s "
        f"({redis_s / since_serving_s:.0%} of the time from SERVING; the consumer waits for each batch's script)"
    )
    print(f"check: Redis holds the newest observed time for {matching}/{sensors} sensors")
    print(machine_line())
    return 0 if matching == sensors else 1


if __name__ == "__main__":
    sys.exit(main())
