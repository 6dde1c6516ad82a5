"""Parking facilities, spaces and their availability: plain, typed domain objects.

A facility's spaces are observed in one of two ways: entry/exit counters count
the ``counted_capacity`` (standard spaces) as a whole, and per-space sensors
report each listed space. Capacity per space type is the sum of both, so every
space is observed by exactly one source and nothing is counted twice.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType
from typing import Any

from herne_runtime.geo import haversine_m


class FacilityKind(StrEnum):
    GARAGE = "garage"
    PARK_AND_RIDE = "park_and_ride"
    SURFACE_LOT = "surface_lot"
    ON_STREET_ZONE = "on_street_zone"

    @property
    def off_street(self) -> bool:
        return self is not FacilityKind.ON_STREET_ZONE


class SpaceType(StrEnum):
    STANDARD = "standard"
    DISABLED = "disabled"
    EV_CHARGING = "ev_charging"
    FAMILY = "family"
    SHORT_STAY = "short_stay"


class Trend(StrEnum):
    STABLE = "stable"
    FILLING = "filling"
    EMPTYING = "emptying"


@dataclass(frozen=True)
class Space:
    """One parking space with its own sensor."""

    space_id: str
    facility_id: str
    sensor_id: str
    space_type: SpaceType
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Facility:
    """Static facts of a garage, P+R site, surface lot or on-street zone."""

    facility_id: str
    name: str
    kind: FacilityKind
    address: str
    latitude: float
    longitude: float
    area: str
    counted_capacity: int
    opening_hours: str
    tariff_note: str
    operator: str
    spaces: tuple[Space, ...]
    demo: bool = False

    @property
    def has_counters(self) -> bool:
        return self.counted_capacity > 0

    @property
    def capacity(self) -> int:
        return self.counted_capacity + len(self.spaces)

    # Cached (the fields are immutable) and read-only: every availability computation reads both,
    # and counting a large facility's spaces on each GetAvailability was most of its cost.
    @cached_property
    def sensor_spaces_by_type(self) -> Mapping[SpaceType, int]:
        counts = Counter(space.space_type for space in self.spaces)
        return MappingProxyType({space_type: counts[space_type] for space_type in SpaceType if counts[space_type]})

    @cached_property
    def capacity_by_type(self) -> Mapping[SpaceType, int]:
        capacity = dict(self.sensor_spaces_by_type)
        if self.counted_capacity:
            capacity[SpaceType.STANDARD] = capacity.get(SpaceType.STANDARD, 0) + self.counted_capacity
        return MappingProxyType(
            {space_type: capacity[space_type] for space_type in SpaceType if space_type in capacity}
        )

    @property
    def always_open(self) -> bool:
        return self.opening_hours.strip() == "24/7"

    def distance_m(self, latitude: float, longitude: float) -> float:
        return haversine_m(self.latitude, self.longitude, latitude, longitude)


@dataclass(frozen=True)
class ParkingCatalog:
    """All facilities and the sensor-to-space index."""

    facilities: Mapping[str, Facility]
    notice: str = ""
    spaces_by_sensor: Mapping[str, Space] = field(default_factory=dict)

    def facility(self, facility_id: str) -> Facility | None:
        return self.facilities.get(facility_id)

    def space_of_sensor(self, sensor_id: str) -> Space | None:
        return self.spaces_by_sensor.get(sensor_id)

    @property
    def demo(self) -> bool:
        return any(facility.demo for facility in self.facilities.values())


class CatalogError(ValueError):
    """The facility data file is inconsistent; the message names the place."""


def _text(item: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = item.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise CatalogError(f"{where}.{key}: a non-empty string is required")
    return value


def _coordinate(item: Mapping[str, Any], key: str, where: str, limit: float) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or abs(value) > limit:
        raise CatalogError(f"{where}.{key}: a number between -{limit:g} and {limit:g} is required")
    return float(value)


def load_catalog(data: Mapping[str, Any], *, demo: bool = False) -> ParkingCatalog:
    """Build the catalog from the data file's JSON; CatalogError names the first bad field."""
    facilities: dict[str, Facility] = {}
    spaces_by_sensor: dict[str, Space] = {}
    space_ids: set[str] = set()
    items = data.get("facilities")
    if not isinstance(items, list) or not items:
        raise CatalogError("facilities: a non-empty list is required")
    for index, item in enumerate(items):
        where = f"facilities[{index}]"
        if not isinstance(item, Mapping):
            raise CatalogError(f"{where}: an object is required")
        facility_id = _text(item, "facility_id", where)
        if facility_id in facilities:
            raise CatalogError(f"{where}.facility_id: {facility_id!r} appears twice")
        try:
            kind = FacilityKind(item.get("kind"))
        except ValueError:
            raise CatalogError(f"{where}.kind: one of {[k.value for k in FacilityKind]} is required") from None
        counted = item.get("counted_capacity", 0)
        if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
            raise CatalogError(f"{where}.counted_capacity: a whole number >= 0 is required")
        if counted and kind is FacilityKind.ON_STREET_ZONE:
            raise CatalogError(f"{where}.counted_capacity: on-street zones have no entry/exit counters")
        spaces: list[Space] = []
        for space_index, raw in enumerate(item.get("spaces", [])):
            at = f"{where}.spaces[{space_index}]"
            space_id = _text(raw, "space_id", at)
            sensor_id = _text(raw, "sensor_id", at)
            if space_id in space_ids:
                raise CatalogError(f"{at}.space_id: {space_id!r} appears twice")
            if sensor_id in spaces_by_sensor:
                raise CatalogError(f"{at}.sensor_id: {sensor_id!r} is already the sensor of another space")
            try:
                space_type = SpaceType(raw.get("space_type"))
            except ValueError:
                raise CatalogError(f"{at}.space_type: one of {[t.value for t in SpaceType]} is required") from None
            space = Space(
                space_id,
                facility_id,
                sensor_id,
                space_type,
                _coordinate(raw, "latitude", at, 90),
                _coordinate(raw, "longitude", at, 180),
            )
            spaces.append(space)
            space_ids.add(space_id)
            spaces_by_sensor[sensor_id] = space
        if counted + len(spaces) == 0:
            raise CatalogError(f"{where}: a facility needs counted_capacity > 0 or sensor spaces")
        facilities[facility_id] = Facility(
            facility_id=facility_id,
            name=_text(item, "name", where),
            kind=kind,
            address=_text(item, "address", where),
            latitude=_coordinate(item, "latitude", where, 90),
            longitude=_coordinate(item, "longitude", where, 180),
            area=_text(item, "area", where),
            counted_capacity=counted,
            opening_hours=_text(item, "opening_hours", where),
            tariff_note=_text(item, "tariff_note", where, required=False),
            operator=_text(item, "operator", where),
            spaces=tuple(spaces),
            demo=demo,
        )
    notice = data.get("notice", "")
    return ParkingCatalog(dict(sorted(facilities.items())), str(notice), spaces_by_sensor)


@dataclass(frozen=True)
class TypeAvailability:
    """Free, occupied and unknown spaces of one type; the three add up to the capacity."""

    space_type: SpaceType
    capacity: int
    free: int
    occupied: int

    @property
    def unknown(self) -> int:
        return self.capacity - self.free - self.occupied


@dataclass(frozen=True)
class Availability:
    """A facility's availability at one moment."""

    facility_id: str
    by_type: tuple[TypeAvailability, ...]
    trend: Trend
    observed_at: datetime | None
    stale_sensors: int
    counters_live: bool
    version: int

    @property
    def capacity(self) -> int:
        return sum(item.capacity for item in self.by_type)

    @property
    def free(self) -> int:
        return sum(item.free for item in self.by_type)

    @property
    def occupied(self) -> int:
        return sum(item.occupied for item in self.by_type)

    @property
    def unknown(self) -> int:
        return self.capacity - self.free - self.occupied

    @property
    def stale(self) -> bool:
        """No live figure at all: every space is unknown."""
        return self.unknown == self.capacity

    def free_of(self, space_type: SpaceType | None) -> int:
        if space_type is None:
            return self.free
        return sum(item.free for item in self.by_type if item.space_type is space_type)

    def age_seconds(self, now: datetime) -> float | None:
        return None if self.observed_at is None else max((now - self.observed_at).total_seconds(), 0.0)

    def signature(self) -> tuple[Any, ...]:
        """What subscribers and the occupancy-changed event care about (not the data age)."""
        return (tuple((t.space_type, t.free, t.occupied) for t in self.by_type), self.trend, self.stale_sensors)


@dataclass(frozen=True)
class RawCounts:
    """Facility counters as kept in Redis, before the counted part's liveness is applied."""

    sensor_free: Mapping[SpaceType, int]
    sensor_occupied: Mapping[SpaceType, int]
    counted_occupied: int
    counter_calibrated: bool
    counter_observed_ms: int
    newest_observed_ms: int
    version: int


def availability_of(
    facility: Facility,
    raw: RawCounts,
    *,
    now_ms: int,
    counter_silent_ms: int,
    trend: Trend = Trend.STABLE,
) -> Availability:
    """Combine sensor counts and the counter count; silent or uncalibrated counters make their spaces unknown."""
    counters_live = (
        facility.has_counters and raw.counter_calibrated and now_ms - raw.counter_observed_ms <= counter_silent_ms
    )
    by_type = []
    sensor_capacity = facility.sensor_spaces_by_type
    known_sensors = 0
    for space_type, capacity in facility.capacity_by_type.items():
        free = min(max(raw.sensor_free.get(space_type, 0), 0), sensor_capacity.get(space_type, 0))
        occupied = min(max(raw.sensor_occupied.get(space_type, 0), 0), sensor_capacity.get(space_type, 0) - free)
        known_sensors += free + occupied
        if space_type is SpaceType.STANDARD and counters_live:
            counted_occupied = min(max(raw.counted_occupied, 0), facility.counted_capacity)
            occupied += counted_occupied
            free += facility.counted_capacity - counted_occupied
        by_type.append(TypeAvailability(space_type, capacity, free, occupied))
    observed = max(raw.newest_observed_ms, raw.counter_observed_ms if facility.has_counters else 0)
    return Availability(
        facility_id=facility.facility_id,
        by_type=tuple(by_type),
        trend=trend,
        observed_at=datetime.fromtimestamp(observed / 1000, tz=UTC) if observed > 0 else None,
        stale_sensors=len(facility.spaces) - known_sensors,
        counters_live=counters_live,
        version=raw.version,
    )


def trend_of(samples: Iterable[tuple[float, int]], capacity: int, *, now_s: float, window_s: float) -> Trend:
    """Filling/emptying when occupied spaces changed by at least max(2, 3 % of capacity) within the window."""
    recent = [(t, occupied) for t, occupied in samples if now_s - t <= window_s]
    if len(recent) < 2:
        return Trend.STABLE
    change = recent[-1][1] - recent[0][1]
    threshold = max(2, round(0.03 * capacity))
    if change >= threshold:
        return Trend.FILLING
    if change <= -threshold:
        return Trend.EMPTYING
    return Trend.STABLE
