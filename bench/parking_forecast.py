"""Forecast error of ForecastOccupancy's model against a naive "no change" forecast, on held-out weeks.

    .venv/bin/python bench/parking_forecast.py [--seed 11] [--weeks 5] [--test-weeks 1] [--dead-share 0.03]

History comes from the demo simulator's occupancy model (herne_parking.simulator: each space a
two-state chain around target_share(facility, local hour, weekday), counted garages following
the target with the simulator's counter noise, --dead-share of the sensors never reporting),
stepped every --sample-minutes over --weeks weeks of Europe/Berlin time for every demo facility.
On top, each facility's demand on each day is scaled by a factor drawn from N(1, --day-noise):
real days are not all average (weather, events, holidays), which is what the model's decaying
anomaly term is for; with --day-noise 0 the profile is the truth.

The training weeks go into Redis through the service's own ParkingStore.record_history (a real
redis-server), as the samples its refresh loop would have taken. The held-out weeks are then
played through a ParkingApp (the service's application object, on a clock set to the simulated
time): every --sample-minutes the state of every live sensor goes in through report_readings, the
counted garages through a recount (report_counter_events), refresh() recomputes availability,
the trend and records history as in the service; every 15 minutes ParkingApp.forecast (the code
behind ForecastOccupancy: profile from the Redis history, shares of the observed spaces, trend)
is asked for every facility and compared with the count actually reached 15, 30, 60 and 120
minutes later; so is the naive forecast, the current count. Errors are MAE in spaces and in % of
the facility's capacity. The profile is rebuilt from Redis every --profile-refresh-hours of
simulated time (the service: every 15 minutes; rebuilding 35 days of history that often would
make the bench slow without changing the figures noticeably). Use a --seed not used while
developing (7 was).
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
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import redis.asyncio as aioredis
from parking_stack import machine_line

from herne_parking import service as service_module
from herne_parking.domain import ParkingCatalog, load_catalog
from herne_parking.forecast import LOCAL_TIME
from herne_parking.service import CounterEventInput, ParkingApp, SensorReadingInput
from herne_parking.settings import DEMO_PARKING, ParkingSettings
from herne_parking.simulator import SensorState, step_spaces, target_share
from herne_parking.store import HistorySample, ParkingStore
from herne_stack.processes import free_port
from herne_stack.servers import redis_process, redis_ready

HORIZONS = (15, 30, 60, 120)
ORIGIN_EVERY_MINUTES = 15


# horizon -> group ("all", "profile", "trend") -> "model"/"naive"/"model_pct"/"naive_pct" -> absolute errors
Errors = dict[int, dict[str, dict[str, list[float]]]]


@dataclass(frozen=True)
class Series:
    """One facility's sampled availability, as the service's history would hold it."""

    capacity: int
    occupied: list[int]
    unknown: list[int]
    counted: list[int]
    # per step: occupied flag of each live (not dead) sensor, in catalog order; only from ``keep_from``
    sensor_states: dict[int, bytes]
    live_sensors: tuple[str, ...]


def simulate(
    catalog: ParkingCatalog,
    start: datetime,
    steps: int,
    step: timedelta,
    *,
    dead_share: float,
    day_noise: float,
    rng: random.Random,
    keep_from: int,
) -> dict[str, Series]:
    dt_hours = step.total_seconds() / 3600
    result: dict[str, Series] = {}
    for facility in catalog.facilities.values():
        local_start = start.astimezone(LOCAL_TIME)
        share0 = target_share(facility, local_start.hour + local_start.minute / 60, local_start.weekday())
        sensors = [
            SensorState(space.sensor_id, rng.random() < share0, 0.0, rng.random() < dead_share)
            for space in facility.spaces
        ]
        counted = round(share0 * facility.counted_capacity)
        day_factor: dict[date, float] = {}
        occupied_series, unknown_series, counted_series = [], [], []
        states: dict[int, bytes] = {}
        live = [sensor for sensor in sensors if not sensor.dead]
        for index in range(steps):
            local = (start + step * index).astimezone(LOCAL_TIME)
            factor = day_factor.setdefault(local.date(), max(0.0, rng.gauss(1.0, day_noise)))
            share = min(1.0, target_share(facility, local.hour + local.minute / 60, local.weekday()) * factor)
            if index:
                step_spaces(sensors, share, dt_hours, rng)
                if facility.has_counters:
                    # The simulator's counters: each round moves to the target, with a vehicle or so of noise.
                    target = round(share * facility.counted_capacity)
                    counted = min(max(target + round(rng.gauss(0, 1)), 0), facility.counted_capacity)
            occupied_series.append(sum(1 for s in live if s.occupied) + counted)
            unknown_series.append(len(sensors) - len(live))
            counted_series.append(counted)
            if index >= keep_from:
                states[index] = bytes(s.occupied for s in live)
        result[facility.facility_id] = Series(
            len(facility.spaces) + facility.counted_capacity,
            occupied_series,
            unknown_series,
            counted_series,
            states,
            tuple(s.sensor_id for s in live),
        )
    return result


def add(errors: Errors, group: str, horizon: int, model: float, naive: float, capacity: int) -> None:
    for name in ("all", group):
        bucket = errors[horizon][name]
        bucket["model"].append(model)
        bucket["naive"].append(naive)
        bucket["model_pct"].append(100 * model / capacity)
        bucket["naive_pct"].append(100 * naive / capacity)


async def run_service(
    redis_url: str,
    catalog: ParkingCatalog,
    series: dict[str, Series],
    start: datetime,
    step: timedelta,
    train: int,
    end: int,
    profile_refresh: timedelta,
) -> tuple[Errors, dict[str, int], int]:
    """Training history into Redis, then the held-out steps through a ParkingApp; errors per horizon/group."""
    settings = ParkingSettings()
    client = aioredis.Redis.from_url(redis_url)
    store = ParkingStore(client)
    clock = [start.timestamp()]
    app = ParkingApp(
        catalog,
        store,
        None,
        sensor_stale_s=settings.parking_sensor_stale_seconds,
        counter_silent_s=settings.parking_counter_silent_seconds,
        trend_window_s=settings.parking_trend_window_seconds,
        history_sample_s=int(step.total_seconds()),
        history_retention_days=settings.parking_history_retention_days,
        max_batch=settings.parking_max_batch,
        max_clock_skew_s=settings.parking_max_clock_skew_seconds,
        max_streams_per_client=settings.max_streams_per_client,
        dedup_ttl_s=settings.event_dedup_ttl_seconds,
        clock=lambda: clock[0],
    )
    service_module.PROFILE_CACHE_SECONDS = profile_refresh.total_seconds()
    step_min = int(step.total_seconds() // 60)
    errors: Errors = {h: defaultdict(lambda: defaultdict(list)) for h in HORIZONS}
    profile_samples: dict[str, int] = {}
    mismatches = 0
    try:
        await app.install()
        retention_ms = settings.parking_history_retention_days * 86_400_000
        for index in range(train):
            at_ms = int((start + step * index).timestamp() * 1000)
            samples = {
                fid: HistorySample(
                    at_ms, s.occupied[index], s.capacity - s.occupied[index] - s.unknown[index], s.unknown[index]
                )
                for fid, s in series.items()
            }
            await store.record_history(samples, keep_after_ms=at_ms - retention_ms)
        for index in range(train, end):
            now = start + step * index
            clock[0] = now.timestamp()
            readings = [
                SensorReadingInput(sensor, bool(flag), now)
                for s in series.values()
                for sensor, flag in zip(s.live_sensors, s.sensor_states[index], strict=True)
            ]
            for offset in range(0, len(readings), app.max_batch):
                await app.report_readings(readings[offset : offset + app.max_batch])
            recounts = [
                CounterEventInput(fid, now, recalibration_occupied=s.counted[index])
                for fid, s in series.items()
                if catalog.facilities[fid].has_counters
            ]
            if recounts:
                await app.report_counter_events(recounts)
            current = {item.facility_id: item for item in await app.refresh()}
            if (index - train) % (ORIGIN_EVERY_MINUTES // step_min):
                continue
            for fid, s in series.items():
                if current[fid].occupied != s.occupied[index]:
                    mismatches += 1
                result = await app.forecast(fid, HORIZONS)
                profile_samples[fid] = result.profile_samples
                for point in result.points:
                    actual = s.occupied[index + point.horizon_minutes // step_min]
                    group = "profile" if point.profile_weight > 0 else "trend"
                    add(
                        errors,
                        group,
                        point.horizon_minutes,
                        abs(point.expected_occupied - actual),
                        abs(current[fid].occupied - actual),
                        s.capacity,
                    )
        return errors, profile_samples, mismatches
    finally:
        await client.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--weeks", type=int, default=5, help="weeks simulated in total")
    parser.add_argument("--test-weeks", type=int, default=1, help="last weeks held out for evaluation")
    parser.add_argument("--start", default="2026-05-04", help="first day (a Monday; local time, Europe/Berlin)")
    parser.add_argument("--sample-minutes", type=int, default=5, help="history resolution (the service's 300 s)")
    parser.add_argument("--dead-share", type=float, default=0.03, help="sensors that never report (simulator default)")
    parser.add_argument("--day-noise", type=float, default=0.1, help="sd of the per-day demand factor")
    parser.add_argument("--profile-refresh-hours", type=float, default=24.0, help="simulated hours between rebuilds")
    args = parser.parse_args(argv)
    if not 0 < args.test_weeks < args.weeks:
        parser.error("--test-weeks must be between 1 and --weeks - 1")
    if ORIGIN_EVERY_MINUTES % args.sample_minutes or any(h % args.sample_minutes for h in HORIZONS):
        parser.error("--sample-minutes must divide 15")
    catalog = load_catalog(json.loads(DEMO_PARKING.read_text(encoding="utf-8")), demo=True)
    print(machine_line(), flush=True)
    began = time.perf_counter()
    start = datetime.fromisoformat(args.start).replace(tzinfo=LOCAL_TIME)
    step = timedelta(minutes=args.sample_minutes)
    per_week = 7 * 24 * 60 // args.sample_minutes
    train = per_week * (args.weeks - args.test_weeks)
    tail = max(HORIZONS) // args.sample_minutes
    total = per_week * args.weeks + tail
    series = simulate(
        catalog,
        start,
        total,
        step,
        dead_share=args.dead_share,
        day_noise=args.day_noise,
        rng=random.Random(args.seed),
        keep_from=train,
    )
    with tempfile.TemporaryDirectory(prefix="herne-parking-forecast-") as tmp:
        port = free_port()
        server = redis_process(port, Path(tmp) / "redis", Path(tmp) / "redis.log", persistent=False).start()
        try:
            server.wait_ready(lambda: redis_ready(port), 30)
            errors, profile_samples, mismatches = asyncio.run(
                run_service(
                    f"redis://127.0.0.1:{port}/0",
                    catalog,
                    series,
                    start,
                    step,
                    train,
                    per_week * args.weeks,
                    timedelta(hours=args.profile_refresh_hours),
                )
            )
        finally:
            server.stop()
    without_profile = sorted(fid for fid, n in profile_samples.items() if n == 0)
    print(
        f"data: simulator occupancy model, {len(catalog.facilities)} demo facilities, {args.weeks} weeks from "
        f"{args.start} every {args.sample_minutes} min, last {args.test_weeks} held out; seed {args.seed}, "
        f"dead sensors {args.dead_share:.0%}, day-to-day demand sd {args.day_noise:.0%}"
    )
    print(
        f"profiles from Redis history: {len(catalog.facilities) - len(without_profile)}/{len(catalog.facilities)} "
        f"facilities have one" + (f"; none for {', '.join(without_profile)}" if without_profile else "")
    )
    if mismatches:
        print(f"WARNING: {mismatches} forecasts started from a count that differs from the simulation")
    for group, title in (
        ("all", "all facilities"),
        ("profile", "facilities with a profile"),
        ("trend", "facilities without a profile (trend fallback)"),
    ):
        if not errors[HORIZONS[0]][group]["model"] or (
            group != "all" and len(errors[HORIZONS[0]][group]["model"]) == len(errors[HORIZONS[0]]["all"]["model"])
        ):
            continue
        print(
            f"\n{title}: {len(errors[HORIZONS[0]][group]['model'])} forecasts per horizon, one every "
            f"{ORIGIN_EVERY_MINUTES} min per facility"
        )
        print(f"{'horizon':>8} {'MAE model':>10} {'MAE naive':>10} {'model %cap':>11} {'naive %cap':>11} {'skill':>6}")
        for horizon in HORIZONS:
            bucket = errors[horizon][group]
            model, naive = statistics.fmean(bucket["model"]), statistics.fmean(bucket["naive"])
            print(
                f"{horizon:>5} min {model:10.2f} {naive:10.2f} {statistics.fmean(bucket['model_pct']):10.2f}% "
                f"{statistics.fmean(bucket['naive_pct']):10.2f}% {1 - model / naive if naive else 0:6.2f}"
            )
    print("skill = 1 - MAE model / MAE naive (> 0: the model is better)")
    print(f"took {time.perf_counter() - began:.0f} s; {machine_line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
