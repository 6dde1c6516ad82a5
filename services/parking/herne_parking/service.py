"""The parking application: ingest rules, availability, history and forecasts over the store.

Plain Python with domain types in and out; the servicer and the consumers only
translate. One refresh loop per process recomputes every facility's
availability (cheap: one pipelined read), expires silent sensors, feeds the
stream subscribers, publishes ``parking.occupancy-changed.v1`` for facilities
whose counts changed (one replica per change, claimed in Redis), sets the
metrics and samples history.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from herne.parking.v1 import events_pb2
from herne_events.publisher import EventPublisher
from herne_events.topics import PARKING_OCCUPANCY_CHANGED
from herne_parking import metrics
from herne_parking.convert import KIND_TO_PB, availability_by_type_pb, trend_pb
from herne_parking.domain import (
    Availability,
    Facility,
    FacilityKind,
    ParkingCatalog,
    SpaceType,
    Trend,
    availability_of,
    trend_of,
)
from herne_parking.forecast import ForecastPoint, Profile, build_profile, forecast, slope_per_minute
from herne_parking.store import CounterApplied, CounterWrite, HistorySample, ParkingStore, ReadingWrite
from herne_runtime.errors import InvalidArgument, NotFound, ResourceExhausted
from herne_runtime.geo import validate_position, validate_radius
from herne_runtime.logging import get_logger
from herne_runtime.streams import ChangeFeed

log = get_logger(__name__)

MAX_IDS = 500
MAX_NEARBY_RADIUS_M = 20_000.0
MAX_HISTORY_RANGE = timedelta(days=31)
DEFAULT_HORIZONS = (15, 30, 60, 90, 120)
PROFILE_CACHE_SECONDS = 900.0
# A history sample enters the profile when at least this share of the spaces was observed.
MIN_OBSERVED_SHARE = 0.5


@dataclass(frozen=True)
class SensorReadingInput:
    sensor_id: str
    occupied: bool
    observed_at: datetime | None
    battery_percent: float | None = None
    rssi_dbm: float | None = None
    snr_db: float | None = None


@dataclass(frozen=True)
class CounterEventInput:
    facility_id: str
    observed_at: datetime | None
    recalibration_occupied: int | None = None  # absolute recount; None for a passage
    entering: int = 0  # vehicles in (positive) or out (negative) for a passage
    event_id: str = ""


class ItemOutcome:
    APPLIED = "applied"
    IGNORED_OLDER = "ignored_older"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class ItemResult:
    index: int
    subject: str
    outcome: str
    reason: str = ""
    counted_occupied: int = 0


@dataclass(frozen=True)
class HistoryBucket:
    start: datetime
    mean_occupied: float
    mean_free: float
    max_occupied: int
    mean_unknown: float
    samples: int


@dataclass(frozen=True)
class Forecast:
    facility: Facility
    current_free: int
    profile_samples: int
    points: list[ForecastPoint]


def _counter_value_problem(event: CounterEventInput, facility: Facility) -> str | None:
    if event.recalibration_occupied is not None:
        if event.recalibration_occupied < 0:
            return f"recalibration.occupied must be >= 0, got {event.recalibration_occupied}"
        return None
    if event.entering == 0:
        return "a passage needs direction ENTRY or EXIT and vehicles >= 1"
    if abs(event.entering) > facility.counted_capacity:
        return f"a passage of {abs(event.entering)} vehicles exceeds the counted capacity {facility.counted_capacity}"
    return None


def _observed_share(sample: HistorySample) -> float | None:
    """Occupied share of the observed spaces, or None when too few were observed to say."""
    observed = sample.occupied + sample.free
    if observed == 0 or observed < MIN_OBSERVED_SHARE * (observed + sample.unknown):
        return None
    return sample.occupied / observed


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class ParkingApp:
    def __init__(
        self,
        catalog: ParkingCatalog,
        store: ParkingStore,
        publisher: EventPublisher | None,
        *,
        sensor_stale_s: float,
        counter_silent_s: float,
        trend_window_s: float,
        history_sample_s: int,
        history_retention_days: int,
        max_batch: int,
        max_clock_skew_s: float,
        max_streams_per_client: int,
        dedup_ttl_s: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.store = store
        self.publisher = publisher
        self.sensor_stale_s = sensor_stale_s
        self.counter_silent_s = counter_silent_s
        self.trend_window_s = trend_window_s
        self.history_sample_s = history_sample_s
        self.history_retention_days = history_retention_days
        self.max_batch = max_batch
        self.max_clock_skew_s = max_clock_skew_s
        self.dedup_ttl_s = dedup_ttl_s
        self.clock = clock
        self.feed: ChangeFeed[str, Availability] = ChangeFeed(max_per_client=max_streams_per_client)
        self._occupied_samples: dict[str, deque[tuple[float, int]]] = {fid: deque() for fid in catalog.facilities}
        self._trends: dict[str, Trend] = dict.fromkeys(catalog.facilities, Trend.STABLE)
        self._last_signature: dict[str, tuple[object, ...]] = {}
        self._last_history_slot = -1
        self._profiles: dict[str, tuple[float, Profile]] = {}

    # --- set-up -----------------------------------------------------------------------------

    async def install(self) -> None:
        known = await self.store.install(self.catalog)
        log.info("parking_catalog_installed", facilities=len(self.catalog.facilities), known_sensor_states=known)

    # --- ingest -----------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def _check_batch(self, length: int, what: str) -> None:
        if length == 0:
            raise InvalidArgument(f"{what}: at least one item is required")
        if length > self.max_batch:
            raise ResourceExhausted(f"{what}: at most {self.max_batch} items per call, got {length}; split the batch")

    def _latest_allowed(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.max_clock_skew_s)

    def _check_time(self, observed_at: datetime | None, latest: datetime) -> str | None:
        """``latest``: now plus the allowed clock skew, computed once per batch."""
        if observed_at is None:
            return "observed_time is required"
        if observed_at > latest:
            return f"observed_time {observed_at.isoformat()} is more than {self.max_clock_skew_s:.0f} s in the future"
        return None

    def _reading_problem(self, reading: SensorReadingInput, latest: datetime) -> str | None:
        if not reading.sensor_id:
            return "sensor_id is required"
        if reading.sensor_id not in self.catalog.spaces_by_sensor:
            return f"unknown sensor {reading.sensor_id[:64]!r}: not registered for any space"
        problem = self._check_time(reading.observed_at, latest)
        if problem:
            return problem
        if reading.battery_percent is not None and not (0.0 <= reading.battery_percent <= 100.0):
            return f"battery_percent must be between 0 and 100, got {reading.battery_percent}"
        for name, value in (("rssi_dbm", reading.rssi_dbm), ("snr_db", reading.snr_db)):
            if value is not None and not math.isfinite(value):
                return f"{name} must be a finite number"
        return None

    async def report_readings(
        self, readings: Sequence[SensorReadingInput], *, bounded: bool = True
    ) -> list[ItemResult]:
        """Apply what is valid, report every item; an older reading than the last applied one is ignored."""
        if bounded:
            self._check_batch(len(readings), "readings")
        now = self.now()
        latest = self._latest_allowed(now)
        results: list[ItemResult | None] = [None] * len(readings)
        writes: list[ReadingWrite] = []
        positions: list[int] = []
        for index, reading in enumerate(readings):
            problem = self._reading_problem(reading, latest)
            if problem:
                results[index] = ItemResult(index, reading.sensor_id, ItemOutcome.REJECTED, problem)
                metrics.READINGS.labels("rejected").inc()
                continue
            space = self.catalog.spaces_by_sensor[reading.sensor_id]
            assert reading.observed_at is not None
            writes.append(
                ReadingWrite(
                    reading.sensor_id, space.facility_id, space.space_type, reading.occupied, _ms(reading.observed_at)
                )
            )
            positions.append(index)
        stale_before = _ms(now) - int(self.sensor_stale_s * 1000)
        applied = await self.store.apply_readings(writes, stale_before_ms=stale_before)
        for index, was_applied in zip(positions, applied, strict=True):
            outcome = ItemOutcome.APPLIED if was_applied else ItemOutcome.IGNORED_OLDER
            results[index] = ItemResult(index, readings[index].sensor_id, outcome)
        metrics.READINGS.labels("applied").inc(sum(applied))
        metrics.READINGS.labels("ignored_older").inc(len(applied) - sum(applied))
        return [result for result in results if result is not None]

    def _counter_problem(self, event: CounterEventInput, now: datetime) -> str | None:
        if not event.facility_id:
            return "facility_id is required"
        facility = self.catalog.facility(event.facility_id)
        if facility is None:
            return f"unknown facility {event.facility_id[:64]!r}"
        if not facility.has_counters:
            return f"facility {event.facility_id!r} has no entry/exit counters"
        if len(event.event_id) > 200:
            return "event_id is longer than 200 characters"
        return self._check_time(event.observed_at, self._latest_allowed(now)) or _counter_value_problem(event, facility)

    async def report_counter_events(
        self,
        events: Sequence[CounterEventInput],
        *,
        dedup_keys: Sequence[str | None] | None = None,
        bounded: bool = True,
    ) -> list[ItemResult]:
        """Apply passages and recalibrations; counts stay within 0..counted capacity."""
        if bounded:
            self._check_batch(len(events), "events")
        now = self.now()
        results: list[ItemResult | None] = [None] * len(events)
        writes: list[CounterWrite] = []
        positions: list[int] = []
        for index, event in enumerate(events):
            problem = self._counter_problem(event, now)
            if problem:
                results[index] = ItemResult(index, event.facility_id, ItemOutcome.REJECTED, problem)
                metrics.COUNTER_EVENTS.labels("rejected").inc()
                continue
            assert event.observed_at is not None
            facility = self.catalog.facilities[event.facility_id]
            if dedup_keys is not None:
                dedup = dedup_keys[index]
            else:
                dedup = f"herne:parking:counter-event:{event.event_id}" if event.event_id else None
            recalibration = event.recalibration_occupied is not None
            writes.append(
                CounterWrite(
                    facility_id=event.facility_id,
                    recalibration=recalibration,
                    value=event.recalibration_occupied if recalibration else event.entering,  # type: ignore[arg-type]
                    observed_ms=_ms(event.observed_at),
                    counted_capacity=facility.counted_capacity,
                    dedup_key=dedup,
                )
            )
            positions.append(index)
        applied = await self.store.apply_counter_events(writes, dedup_ttl_s=self.dedup_ttl_s)
        for index, result in zip(positions, applied, strict=True):
            results[index] = self._counter_result(index, events[index], result)
        return [result for result in results if result is not None]

    def _counter_result(self, index: int, event: CounterEventInput, applied: CounterApplied) -> ItemResult:
        outcome = {1: ItemOutcome.APPLIED, 2: ItemOutcome.DUPLICATE, 3: ItemOutcome.IGNORED_OLDER}[applied.outcome]
        metrics.COUNTER_EVENTS.labels(outcome).inc()
        if applied.clamped:
            metrics.COUNTER_CLAMPED.labels(event.facility_id).inc()
            log.warning("counter_clamped", facility=event.facility_id, counted_occupied=applied.counted_occupied)
        return ItemResult(index, event.facility_id, outcome, counted_occupied=applied.counted_occupied)

    # --- reads ------------------------------------------------------------------------------

    def facility(self, facility_id: str) -> Facility:
        if not facility_id:
            raise InvalidArgument("facility_id is required")
        facility = self.catalog.facility(facility_id)
        if facility is None:
            raise NotFound(f"no facility {facility_id[:64]!r}; ListFacilities names them")
        return facility

    def list_facilities(
        self, *, kinds: Sequence[FacilityKind] = (), area: str = "", space_type: SpaceType | None = None
    ) -> list[Facility]:
        wanted_area = area.strip().casefold()
        return [
            facility
            for facility in self.catalog.facilities.values()
            if (not kinds or facility.kind in kinds)
            and (not wanted_area or facility.area.casefold() == wanted_area)
            and (space_type is None or space_type in facility.capacity_by_type)
        ]

    def resolve_ids(self, facility_ids: Sequence[str]) -> list[str]:
        if len(facility_ids) > MAX_IDS:
            raise ResourceExhausted(f"at most {MAX_IDS} facility ids per request, got {len(facility_ids)}")
        if not facility_ids:
            return list(self.catalog.facilities)
        for facility_id in facility_ids:
            self.facility(facility_id)
        return list(dict.fromkeys(facility_ids))

    async def availability(self, facility_ids: Sequence[str]) -> list[Availability]:
        ids = self.resolve_ids(facility_ids)
        raw = await self.store.raw_counts(ids)
        now_ms = _ms(self.now())
        return [
            availability_of(
                self.catalog.facilities[fid],
                raw[fid],
                now_ms=now_ms,
                counter_silent_ms=int(self.counter_silent_s * 1000),
                trend=self._trends.get(fid, Trend.STABLE),
            )
            for fid in ids
        ]

    async def space_states(self, facility: Facility) -> dict[str, tuple[bool | None, datetime | None]]:
        states = await self.store.sensor_states([space.sensor_id for space in facility.spaces])
        stale_before = _ms(self.now()) - int(self.sensor_stale_s * 1000)
        result: dict[str, tuple[bool | None, datetime | None]] = {}
        for sensor_id, (occupied, at_ms) in states.items():
            at = datetime.fromtimestamp(at_ms / 1000, tz=UTC) if at_ms is not None else None
            live = occupied if at_ms is not None and at_ms >= stale_before else None
            result[sensor_id] = (live, at)
        return result

    async def find_nearby(
        self,
        *,
        latitude: float,
        longitude: float,
        radius_m: float,
        min_free: int,
        space_type: SpaceType | None,
        limit: int,
    ) -> list[tuple[Facility, float, Availability]]:
        validate_position(latitude, longitude)
        validate_radius(radius_m, maximum_m=MAX_NEARBY_RADIUS_M)
        if min_free < 0:
            raise InvalidArgument(f"min_free must be >= 0, got {min_free}")
        if limit < 0 or limit > 100:
            raise InvalidArgument(f"limit must be between 1 and 100 (0: 20), got {limit}")
        limit = limit or 20
        found = await self.store.within(longitude, latitude, radius_m)
        ids = [fid for fid, _ in found if fid in self.catalog.facilities]
        if not ids:
            return []
        by_id = {a.facility_id: a for a in await self.availability(ids)}
        result = []
        for fid, distance in found:
            availability = by_id.get(fid)
            facility = self.catalog.facilities.get(fid)
            if availability is None or facility is None:
                continue
            if space_type is not None and space_type not in facility.capacity_by_type:
                continue
            if availability.free_of(space_type) < min_free:
                continue
            result.append((facility, distance, availability))
            if len(result) >= limit:
                break
        return result

    async def history(
        self, facility_id: str, start: datetime | None, end: datetime | None, bucket_minutes: int
    ) -> tuple[Facility, list[HistoryBucket]]:
        facility = self.facility(facility_id)
        if start is None or end is None:
            raise InvalidArgument("start_time and end_time are required")
        if end <= start:
            raise InvalidArgument("end_time must be after start_time")
        if end - start > MAX_HISTORY_RANGE:
            raise InvalidArgument(f"the range may span at most {MAX_HISTORY_RANGE.days} days")
        bucket_minutes = bucket_minutes or 15
        if not 5 <= bucket_minutes <= 1440:
            raise InvalidArgument(f"bucket_minutes must be between 5 and 1440, got {bucket_minutes}")
        samples = await self.store.history(facility_id, _ms(start), _ms(end))
        width_ms = bucket_minutes * 60_000
        start_ms = _ms(start)
        count = -(-(_ms(end) - start_ms) // width_ms)
        grouped: list[list[HistorySample]] = [[] for _ in range(count)]
        for sample in samples:
            grouped[(sample.at_ms - start_ms) // width_ms].append(sample)
        buckets = []
        for index, group in enumerate(grouped):
            n = len(group)
            buckets.append(
                HistoryBucket(
                    start=start + timedelta(milliseconds=index * width_ms),
                    mean_occupied=sum(s.occupied for s in group) / n if n else 0.0,
                    mean_free=sum(s.free for s in group) / n if n else 0.0,
                    max_occupied=max((s.occupied for s in group), default=0),
                    mean_unknown=sum(s.unknown for s in group) / n if n else 0.0,
                    samples=n,
                )
            )
        return facility, buckets

    async def profile(self, facility_id: str) -> Profile:
        cached = self._profiles.get(facility_id)
        now_s = self.clock()
        if cached is not None and now_s - cached[0] < PROFILE_CACHE_SECONDS:
            return cached[1]
        now_ms = int(now_s * 1000)
        start_ms = now_ms - self.history_retention_days * 86_400_000
        samples = await self.store.history(facility_id, start_ms, now_ms + 1)
        profile = build_profile(
            (datetime.fromtimestamp(sample.at_ms / 1000, tz=UTC), share)
            for sample in samples
            if (share := _observed_share(sample)) is not None
        )
        self._profiles[facility_id] = (now_s, profile)
        return profile

    async def forecast(self, facility_id: str, horizons: Sequence[int]) -> Forecast:
        facility = self.facility(facility_id)
        if len(horizons) > 16:
            raise InvalidArgument(f"at most 16 horizons, got {len(horizons)}")
        for horizon in horizons:
            if not 15 <= horizon <= 120:
                raise InvalidArgument(f"each horizon must be between 15 and 120 minutes, got {horizon}")
        chosen = list(horizons) or list(DEFAULT_HORIZONS)
        (current,) = await self.availability([facility_id])
        profile = await self.profile(facility_id)
        now = self.now()
        recent = [
            (datetime.fromtimestamp(t, tz=UTC), float(occupied))
            for t, occupied in self._occupied_samples.get(facility_id, ())
            if self.clock() - t <= self.trend_window_s
        ]
        # Shares of the spaces observed now, scaled back to them: a dead sensor neither spoils the
        # profile nor lets the forecast promise spaces that nobody observes.
        observed = current.capacity - current.unknown
        shares = forecast(
            now=now,
            occupied_now=current.occupied / observed if observed else 0.0,
            capacity=1.0,
            horizons_minutes=chosen,
            profile=profile,
            slope=slope_per_minute(recent) / observed if observed else 0.0,
        )
        points = [
            replace(
                point,
                expected_occupied=point.expected_occupied * observed,
                expected_free=point.expected_free * observed,
            )
            for point in shares
        ]
        return Forecast(facility, current.free, profile.total_samples, points)

    # --- the refresh loop -------------------------------------------------------------------

    async def refresh(self) -> list[Availability]:
        """One round: expire silent sensors, recompute, notify streams, publish events, metrics, history."""
        now_s = self.clock()
        stale_before = int((now_s - self.sensor_stale_s) * 1000)
        while await self.store.expire_stale(stale_before_ms=stale_before) >= 5000:
            pass
        current = []
        for item in await self.availability([]):
            samples = self._occupied_samples[item.facility_id]
            samples.append((now_s, item.occupied))
            while samples and now_s - samples[0][0] > self.trend_window_s:
                samples.popleft()
            trend = trend_of(samples, item.capacity, now_s=now_s, window_s=self.trend_window_s)
            self._trends[item.facility_id] = trend
            current.append(dataclasses.replace(item, trend=trend))
        for item in current:
            metrics.observe(self.catalog.facilities[item.facility_id], item)
            signature = item.signature()
            if self._last_signature.get(item.facility_id) != signature:
                self._last_signature[item.facility_id] = signature
                self.feed.publish(item.facility_id, item)
            if self.publisher is not None and await self.store.claim_publication(item.facility_id, item.version):
                await self.publisher.publish(PARKING_OCCUPANCY_CHANGED, self.occupancy_event(item))
        slot = int(now_s // self.history_sample_s)
        if slot != self._last_history_slot:
            self._last_history_slot = slot
            at_ms = slot * self.history_sample_s * 1000
            await self.store.record_history(
                {a.facility_id: HistorySample(at_ms, a.occupied, a.free, a.unknown) for a in current},
                keep_after_ms=at_ms - self.history_retention_days * 86_400_000,
            )
        return current

    def occupancy_event(self, item: Availability) -> events_pb2.OccupancyChanged:
        facility = self.catalog.facilities[item.facility_id]
        event = events_pb2.OccupancyChanged(
            facility_id=item.facility_id,
            kind=KIND_TO_PB[facility.kind],
            capacity=item.capacity,
            free=item.free,
            occupied=item.occupied,
            unknown=item.unknown,
            by_space_type=availability_by_type_pb(item),
            trend=trend_pb(item.trend),
            stale=item.stale,
            version=item.version,
            stale_sensors=item.stale_sensors,
        )
        if item.observed_at is not None:
            event.observed_time.FromDatetime(item.observed_at)
        return event
