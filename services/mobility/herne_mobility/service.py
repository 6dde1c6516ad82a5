"""What the gRPC API does: availability per station and hub from GBFS feeds, reports and P+R events.

State lives in memory (loaded from Redis at start, written through on every change): the last
good snapshot of each GBFS system, operator reports and P+R figures. Views are computed at
the moment of the question, so data turns stale exactly when GBFS says (last_updated + ttl +
5 min), whether or not a poll happened. ``refresh`` compares every station's figures with the
last published ones and publishes mobility.station-status-changed.v1 only for changes.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from herne.mobility.v1 import events_pb2, mobility_pb2
from herne_events.publisher import EventPublisher
from herne_events.topics import MOBILITY_STATION_STATUS_CHANGED
from herne_mobility import metrics
from herne_mobility.feeds import FeedConfig
from herne_mobility.hubs import HubData
from herne_mobility.model import (
    FORM_FACTORS,
    MODES,
    PROPULSIONS,
    FeedSnapshot,
    HubView,
    Kind,
    ParkingState,
    Source,
    SourceAge,
    StationInfo,
    StationStatus,
    StationView,
    Vehicle,
    VehicleType,
)
from herne_mobility.store import MobilityStore
from herne_runtime.errors import FailedPrecondition, InvalidArgument, NotFound
from herne_runtime.geo import haversine_m, validate_position, validate_radius
from herne_runtime.logging import get_logger
from herne_runtime.streams import ChangeFeed

log = get_logger(__name__)

MAX_RADIUS_M = 5000.0
MAX_NEARBY = 500
DEFAULT_NEARBY = 50
MAX_PAGE = 1000
DEFAULT_PAGE = 200
MAX_IDS = 500  # ids per Watch request
MAX_REPORT_ENTRIES = 100
FUTURE_TOLERANCE_S = 300.0
PUBLISH_TIMEOUT_S = 15.0
DOCK_KINDS = (Kind.BIKE_SHARING, Kind.BIKE_BOX)
_KIND_PB = {kind: mobility_pb2.StationKind.Value(f"STATION_KIND_{kind.value}") for kind in Kind}


def timestamp(epoch_s: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromNanoseconds(int(epoch_s * 1e9))
    return stamp


@dataclass
class FeedState:
    config: FeedConfig
    version: str = ""
    last_success: float = 0.0
    last_error: str = ""
    warnings: list[str] = field(default_factory=list)
    valid_until: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "last_success": self.last_success,
            "last_error": self.last_error,
            "warnings": self.warnings,
            "valid_until": self.valid_until,
        }


@dataclass(frozen=True)
class NearbyQuery:
    lat: float
    lon: float
    radius_m: float
    form_factors: frozenset[str] = frozenset()
    propulsions: frozenset[str] = frozenset()
    min_vehicles: int = 0
    min_docks: int = 0
    min_range_m: float = 0.0
    min_charger_kw: float = 0.0
    kinds: frozenset[Kind] = frozenset()
    limit: int = DEFAULT_NEARBY


def _fingerprint(parts: tuple[object, ...]) -> str:
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()


def _bbox(lat: float, lon: float, radius_m: float) -> tuple[float, float]:
    dlat = radius_m / 111_000.0
    dlon = radius_m / (111_000.0 * max(0.01, math.cos(math.radians(lat))))
    return dlat, dlon


class MobilityApp:
    def __init__(
        self,
        hubs: HubData,
        store: MobilityStore,
        publisher: EventPublisher,
        feeds: Sequence[FeedConfig],
        *,
        report_valid_s: float,
        parking_valid_s: float,
        max_streams_per_client: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.hub_data = hubs
        self.store = store
        self.publisher = publisher
        self.now = clock
        self.report_valid_s = report_valid_s
        self.parking_valid_s = parking_valid_s
        self.feeds: dict[str, FeedState] = {config.system_id: FeedState(config) for config in feeds}
        self.snapshots: dict[str, FeedSnapshot] = {}
        self.reports: dict[str, StationStatus] = {}
        self.parking: dict[str, ParkingState] = {}
        self.published: dict[str, str] = {}
        self.hub_prints: dict[str, str] = {}
        self.stations: dict[str, StationInfo] = {}
        self.types: dict[str, VehicleType] = {}
        self.free_vehicles: list[Vehicle] = []
        self.docked_vehicles: dict[str, list[Vehicle]] = {}
        self.zone_vehicles: dict[str, list[Vehicle]] = {}
        self.station_feed: ChangeFeed[str, StationView] = ChangeFeed(max_per_client=max_streams_per_client)
        self.hub_feed: ChangeFeed[str, HubView] = ChangeFeed(max_per_client=max_streams_per_client)
        self._lock = asyncio.Lock()
        self._refresh_lock = asyncio.Lock()
        self._rebuild()

    # ---- state ---------------------------------------------------------------------------

    async def load(self) -> None:
        """Last good state from Redis (after a restart); the first refresh runs in the background."""
        systems = list(self.feeds)
        self.snapshots = await self.store.snapshots(systems)
        for system, data in (await self.store.feed_states(systems)).items():
            state = self.feeds[system]
            state.version, state.last_success = data.get("version", ""), float(data.get("last_success", 0))
            state.last_error, state.warnings = data.get("last_error", ""), list(data.get("warnings", []))
            state.valid_until = float(data.get("valid_until", 0))
        self.reports = await self.store.reports()
        self.parking = await self.store.parking()
        self.published = await self.store.published()
        self._rebuild()

    async def sync(self) -> bool:
        """Take over what other replicas stored since: operator reports, P+R figures, newer GBFS reads.

        Each replica answers from memory, so without this a report sent to one replica would stay
        invisible on the others until a restart. Newest wins when merging (by observation time for
        reports, by version for P+R), so a write this replica makes during the sync is never lost.
        True when anything changed.
        """
        systems = list(self.feeds)
        stored_states = await self.store.feed_states(systems)
        newer = [
            system
            for system, data in stored_states.items()
            if float(data.get("last_success", 0)) > self.feeds[system].last_success
        ]
        snapshots = await self.store.snapshots(newer)
        reports = await self.store.reports()
        parking = await self.store.parking()
        published = await self.store.published()
        changed = False
        async with self._lock:
            for system, snapshot in snapshots.items():
                state, data = self.feeds[system], stored_states[system]
                state.version, state.last_success = data.get("version", ""), float(data.get("last_success", 0))
                state.last_error, state.warnings = data.get("last_error", ""), list(data.get("warnings", []))
                state.valid_until = float(data.get("valid_until", 0))
                self.snapshots[system] = snapshot
                changed = True
            for station_id, report in reports.items():
                current = self.reports.get(station_id)
                if current is None or report.last_reported > current.last_reported:
                    self.reports[station_id] = report
                    changed = True
            for facility_id, figures in parking.items():
                current_figures = self.parking.get(facility_id)
                if current_figures is None or figures.version > current_figures.version:
                    self.parking[facility_id] = figures
                    changed = True
            # Another replica published these already; publishing them again would only repeat events.
            self.published.update(published)
            if snapshots:
                self._rebuild()
        return changed

    def add_feed(self, config: FeedConfig) -> None:
        if config.system_id not in self.feeds:
            self.feeds[config.system_id] = FeedState(config)

    def _rebuild(self) -> None:
        """Station index, vehicle types and free-floating vehicles per zone from the current snapshots."""
        types = dict(self.hub_data.vehicle_types)
        stations = dict(self.hub_data.stations)
        free: list[Vehicle] = []
        docked: dict[str, list[Vehicle]] = {}
        for snapshot in self.snapshots.values():
            types.update(snapshot.vehicle_types)
            for station_id, info in snapshot.stations.items():
                pinned = stations.get(station_id)
                if pinned is not None:
                    # The hub file decides hub and kind; the feed knows name, position and capacity.
                    stations[station_id] = StationInfo(
                        station_id,
                        info.system_id,
                        info.name,
                        info.lat,
                        info.lon,
                        pinned.kind,
                        pinned.source,
                        info.capacity or pinned.capacity,
                        pinned.hub_id,
                    )
                else:
                    stations[station_id] = StationInfo(
                        station_id,
                        info.system_id,
                        info.name,
                        info.lat,
                        info.lon,
                        info.kind,
                        info.source,
                        info.capacity,
                        self._nearest_hub(info.lat, info.lon),
                    )
            for vehicle in snapshot.vehicles:
                if vehicle.station_id:
                    docked.setdefault(vehicle.station_id, []).append(vehicle)
                else:
                    free.append(vehicle)
        zones: dict[str, list[Vehicle]] = {}
        for station in stations.values():
            if station.kind is Kind.FREE_FLOATING_ZONE:
                zones[station.station_id] = [
                    vehicle
                    for vehicle in free
                    if (not station.zone_systems or vehicle.system_id in station.zone_systems)
                    and haversine_m(station.lat, station.lon, vehicle.lat, vehicle.lon) <= station.zone_radius_m
                ]
        self.types, self.stations, self.free_vehicles = types, stations, free
        self.docked_vehicles, self.zone_vehicles = docked, zones

    def _nearest_hub(self, lat: float, lon: float) -> str:
        best, best_distance = "", math.inf
        for hub in self.hub_data.hubs.values():
            distance = haversine_m(lat, lon, hub.lat, hub.lon)
            if distance <= hub.radius_m and distance < best_distance:
                best, best_distance = hub.hub_id, distance
        return best

    # ---- ingest --------------------------------------------------------------------------

    async def apply_snapshot(self, snapshot: FeedSnapshot) -> None:
        """A good read of a GBFS system: stored, then published as far as figures changed."""
        async with self._lock:
            state = self.feeds.get(snapshot.system_id)
            if state is None:
                raise NotFound(f"feed {snapshot.system_id} is not configured")
            state.version, state.last_success, state.last_error = snapshot.version, self.now(), ""
            state.warnings, state.valid_until = snapshot.warnings, snapshot.valid_until
            await self.store.save_snapshot(snapshot, state.to_dict())
            self.snapshots[snapshot.system_id] = snapshot
            self._rebuild()
        for warning in snapshot.warnings[:5]:
            log.info("gbfs_lenient", system=snapshot.system_id, warning=warning)
        metrics.FEED_READS.labels(snapshot.system_id, "ok").inc()
        await self.refresh()

    async def feed_failed(self, system_id: str, error: str) -> None:
        """A failed read: reported (log, metric, ListFeeds); the last good snapshot stays."""
        state = self.feeds[system_id]
        state.last_error = error[:500]
        log.warning("gbfs_feed_failed", system=system_id, error=state.last_error)
        metrics.FEED_READS.labels(system_id, "error").inc()
        await self.store.save_feed_state(system_id, state.to_dict())

    async def report(
        self,
        station_id: str,
        vehicles_by_type: Sequence[tuple[str, int]],
        docks_available: int,
        chargers: Sequence[tuple[float, int, int]],
        is_renting: bool,
        is_returning: bool,
        observed: float | None,
    ) -> tuple[StationView, bool]:
        """Apply an operator's report; (view, applied) with applied False for an older report."""
        info = self._station(station_id)
        if info.source is not Source.REPORT:
            raise FailedPrecondition(
                f"station {station_id} gets its status from {info.source.value}, not from operator reports"
            )
        now = self.now()
        observed = now if observed is None else observed
        if not math.isfinite(observed) or observed > now + FUTURE_TOLERANCE_S:
            raise InvalidArgument("observed_time lies more than 5 minutes in the future")
        status = StationStatus(
            vehicles_by_type=self._reported_vehicles(info, vehicles_by_type),
            docks_available=self._reported_docks(info, docks_available),
            chargers_free=self._reported_chargers(info, chargers),
            is_renting=is_renting,
            is_returning=is_returning,
            last_reported=observed,
            valid_until=observed + self.report_valid_s,
        )
        async with self._lock:
            applied = await self.store.save_report(station_id, status)
            if applied:
                self.reports[station_id] = status
        if applied:
            await self.refresh()
        return self.view(station_id), applied

    def _reported_vehicles(self, info: StationInfo, entries: Sequence[tuple[str, int]]) -> dict[str, int]:
        if len(entries) > MAX_REPORT_ENTRIES:
            raise InvalidArgument(f"vehicles_by_type: at most {MAX_REPORT_ENTRIES} entries")
        counts: dict[str, int] = {}
        for index, (type_id, count) in enumerate(entries):
            if type_id not in info.vehicle_type_ids:
                raise InvalidArgument(
                    f"vehicles_by_type[{index}]: vehicle type {type_id[:80]!r} is not offered at {info.station_id} "
                    f"(known: {list(info.vehicle_type_ids)})"
                )
            if count < 0:
                raise InvalidArgument(f"vehicles_by_type[{index}].count must not be negative, got {count}")
            counts[type_id] = counts.get(type_id, 0) + count
        total = sum(counts.values())
        if info.capacity and total > info.capacity:
            raise InvalidArgument(f"{total} vehicles reported, but {info.station_id} has {info.capacity} spaces")
        return counts

    @staticmethod
    def _reported_docks(info: StationInfo, docks: int) -> int:
        if docks < 0:
            raise InvalidArgument(f"docks_available must not be negative, got {docks}")
        if docks > info.capacity:
            raise InvalidArgument(f"docks_available {docks} exceeds the capacity {info.capacity} of {info.station_id}")
        return docks

    @staticmethod
    def _reported_chargers(info: StationInfo, entries: Sequence[tuple[float, int, int]]) -> dict[float, int]:
        if len(entries) > MAX_REPORT_ENTRIES:
            raise InvalidArgument(f"chargers: at most {MAX_REPORT_ENTRIES} entries")
        free: dict[float, int] = {}
        for index, (power, available, total) in enumerate(entries):
            if power not in info.chargers_total:
                raise InvalidArgument(
                    f"chargers[{index}]: {info.station_id} has no {power} kW charge points "
                    f"(known: {sorted(info.chargers_total)})"
                )
            if available < 0 or available > info.chargers_total[power] or (total and available > total):
                raise InvalidArgument(
                    f"chargers[{index}].available must be between 0 and {info.chargers_total[power]}, got {available}"
                )
            free[power] = available
        return free

    async def parking_changed(self, state: ParkingState) -> bool:
        """P+R figures from parking.occupancy-changed.v1; only a higher version than stored applies."""
        if not state.facility_id:
            raise InvalidArgument("facility_id is empty")
        if state.free < 0 or state.capacity < 0 or state.version < 0:
            raise InvalidArgument(f"facility {state.facility_id[:80]}: negative counts or version")
        if state.facility_id not in self.hub_data.by_facility:
            return False  # a facility without P+R at a hub: nothing of ours
        async with self._lock:
            applied = await self.store.save_parking(state)
            if applied:
                self.parking[state.facility_id] = state
        if applied:
            await self.refresh()
        return applied

    # ---- views ---------------------------------------------------------------------------

    def _station(self, station_id: str) -> StationInfo:
        if not station_id:
            raise InvalidArgument("station_id is required")
        info = self.stations.get(station_id)
        if info is None:
            raise NotFound(f"unknown station {station_id[:120]!r}")
        return info

    def view(self, station_id: str, now: float | None = None) -> StationView:
        return self._view(self._station(station_id), self.now() if now is None else now)

    def _view(self, info: StationInfo, now: float) -> StationView:
        if info.source is Source.ZONE:
            return self._zone_view(info, now)
        status: StationStatus | None = None
        source, updated = info.system_id, 0.0
        capacity = info.capacity
        if info.source is Source.GBFS:
            snapshot = self.snapshots.get(info.system_id)
            status = snapshot.statuses.get(info.station_id) if snapshot else None
            updated = snapshot.last_updated if snapshot else 0.0
        elif info.source is Source.REPORT:
            status = self.reports.get(info.station_id)
            source, updated = f"report:{info.system_id}", status.last_reported if status else 0.0
        else:
            parking = self.parking.get(info.parking_facility_id)
            source = f"parking:{info.parking_facility_id}"
            if parking is not None:
                updated = parking.observed
                capacity = parking.capacity or capacity
                valid_until = 0.0 if parking.stale else parking.observed + self.parking_valid_s
                status = StationStatus({}, parking.free, {}, True, True, parking.observed, valid_until)
        if status is None:
            age = SourceAge(source, updated, now - updated if updated else 0.0, True)
            return StationView(info, {}, 0, {}, False, False, age, True)
        stale = now > status.valid_until
        age = SourceAge(source, updated, max(0.0, now - updated), stale)
        if stale:
            return StationView(info, {}, 0, {}, False, False, age, False)
        return StationView(
            info,
            dict(status.vehicles_by_type),
            min(status.docks_available, capacity)
            if info.source is Source.PARKING and capacity
            else status.docks_available,
            dict(status.chargers_free),
            status.is_renting,
            status.is_returning,
            age,
            False,
        )

    def _zone_view(self, info: StationInfo, now: float) -> StationView:
        live: dict[str, int] = {}
        newest, any_feed, any_live = 0.0, False, False
        for snapshot in self.snapshots.values():
            if not snapshot.has_vehicle_feed or (info.zone_systems and snapshot.system_id not in info.zone_systems):
                continue
            any_feed = True
            if now <= snapshot.valid_until:
                any_live = True
                newest = max(newest, snapshot.last_updated)
        for vehicle in self.zone_vehicles.get(info.station_id, []):
            snapshot = self.snapshots.get(vehicle.system_id)
            if snapshot is not None and now <= snapshot.valid_until:
                live[vehicle.vehicle_type_id] = live.get(vehicle.vehicle_type_id, 0) + 1
        age = SourceAge("free-floating", newest, max(0.0, now - newest) if newest else 0.0, not any_live)
        return StationView(info, live, 0, {}, any_live, any_live, age, not any_feed)

    def hub_view(self, hub_id: str, now: float | None = None) -> HubView:
        if not hub_id:
            raise InvalidArgument("hub_id is required")
        hub = self.hub_data.hubs.get(hub_id)
        if hub is None:
            raise NotFound(f"unknown hub {hub_id[:120]!r}")
        now = self.now() if now is None else now
        views = tuple(
            self._view(info, now)
            for info in sorted(self.stations.values(), key=lambda station: station.station_id)
            if info.hub_id == hub_id
        )
        modes = dict.fromkeys(MODES, 0)
        docks = pr_free = pr_capacity = 0
        chargers: dict[float, tuple[int, int]] = {}
        sources: dict[str, SourceAge] = {}
        for view in views:
            for type_id, count in view.vehicles_by_type.items():
                vehicle_type = self.types.get(type_id)
                modes[vehicle_type.mode if vehicle_type else "other"] += count
            if view.info.kind in DOCK_KINDS:
                docks += view.docks_available
            if view.info.kind is Kind.PARK_AND_RIDE:
                pr_free += view.docks_available
                parking = self.parking.get(view.info.parking_facility_id)
                pr_capacity += parking.capacity if parking and parking.capacity else view.info.capacity
            for power, total in view.info.chargers_total.items():
                free, known = chargers.get(power, (0, 0))
                chargers[power] = (free + view.chargers_free.get(power, 0), known + total)
            previous = sources.get(view.age.source)
            if previous is None or view.age.age_s > previous.age_s or view.age.stale:
                sources[view.age.source] = view.age
        return HubView(
            hub,
            views,
            modes,
            docks,
            chargers,
            pr_free,
            pr_capacity,
            tuple(sources[key] for key in sorted(sources)),
        )

    def hub_views(self, now: float | None = None) -> list[HubView]:
        now = self.now() if now is None else now
        return [self.hub_view(hub_id, now) for hub_id in sorted(self.hub_data.hubs)]

    def list_stations(
        self, hub_id: str, system_id: str, kind: Kind | None, page_size: int, page_token: str
    ) -> tuple[list[StationView], str]:
        if page_size < 0 or page_size > MAX_PAGE:
            raise InvalidArgument(f"page_size must be between 1 and {MAX_PAGE}, got {page_size}")
        if hub_id and hub_id not in self.hub_data.hubs:
            raise NotFound(f"unknown hub {hub_id[:120]!r}")
        after = ""
        if page_token:
            try:
                after = base64.b64decode(page_token.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
            except (ValueError, binascii.Error, UnicodeError):
                after = ""
            if ":" not in after:
                raise InvalidArgument("page_token is not a token from a previous ListStations answer")
        size = page_size or DEFAULT_PAGE
        now = self.now()
        matching = sorted(
            station_id
            for station_id, info in self.stations.items()
            if station_id > after
            and (not hub_id or info.hub_id == hub_id)
            and (not system_id or info.system_id == system_id)
            and (kind is None or info.kind is kind)
        )
        page = matching[:size]
        token = base64.urlsafe_b64encode(page[-1].encode()).decode() if len(matching) > size else ""
        return [self._view(self.stations[station_id], now) for station_id in page], token

    def resolve_hubs(self, hub_ids: Sequence[str]) -> list[str] | None:
        if len(hub_ids) > MAX_IDS:
            raise InvalidArgument(f"at most {MAX_IDS} hub ids")
        for hub_id in hub_ids:
            if hub_id not in self.hub_data.hubs:
                raise NotFound(f"unknown hub {hub_id[:120]!r}")
        return list(dict.fromkeys(hub_ids)) or None

    def resolve_stations(self, station_ids: Sequence[str], hub_id: str) -> list[str] | None:
        if len(station_ids) > MAX_IDS:
            raise InvalidArgument(f"at most {MAX_IDS} station ids")
        ids = [self._station(station_id).station_id for station_id in station_ids]
        if hub_id:
            if hub_id not in self.hub_data.hubs:
                raise NotFound(f"unknown hub {hub_id[:120]!r}")
            ids += [info.station_id for info in self.stations.values() if info.hub_id == hub_id]
        return list(dict.fromkeys(ids)) or None

    # ---- FindNearby ----------------------------------------------------------------------

    def find_nearby(self, query: NearbyQuery) -> list[tuple[float, StationView | Vehicle]]:
        validate_position(query.lat, query.lon)
        validate_radius(query.radius_m, maximum_m=MAX_RADIUS_M)
        for name in ("min_vehicles", "min_docks", "min_range_m", "min_charger_kw"):
            value = getattr(query, name)
            if not math.isfinite(value) or value < 0:
                raise InvalidArgument(f"filter.{name} must be a non-negative number, got {value}")
        if not 0 <= query.limit <= MAX_NEARBY:
            raise InvalidArgument(f"limit must be between 1 and {MAX_NEARBY}, got {query.limit}")
        now = self.now()
        dlat, dlon = _bbox(query.lat, query.lon, query.radius_m)
        found: list[tuple[float, StationView | Vehicle]] = []
        for info in self.stations.values():
            if abs(info.lat - query.lat) > dlat or abs(info.lon - query.lon) > dlon:
                continue
            if query.kinds and info.kind not in query.kinds:
                continue
            distance = haversine_m(query.lat, query.lon, info.lat, info.lon)
            if distance > query.radius_m:
                continue
            view = self._view(info, now)
            if self._station_matches(view, query):
                found.append((distance, view))
        if not query.kinds or Kind.FREE_FLOATING_ZONE in query.kinds:
            for vehicle in self.free_vehicles:
                if abs(vehicle.lat - query.lat) > dlat or abs(vehicle.lon - query.lon) > dlon:
                    continue
                distance = haversine_m(query.lat, query.lon, vehicle.lat, vehicle.lon)
                if distance <= query.radius_m and self._vehicle_matches(vehicle, query, now):
                    found.append((distance, vehicle))
        found.sort(key=lambda item: (item[0], _item_id(item[1])))
        return found[: query.limit or DEFAULT_NEARBY]

    def _type_matches(self, type_id: str, query: NearbyQuery) -> bool:
        vehicle_type = self.types.get(type_id)
        if vehicle_type is None:
            return False
        if query.form_factors and vehicle_type.form_factor not in query.form_factors:
            return False
        return not query.propulsions or vehicle_type.propulsion in query.propulsions

    def _station_matches(self, view: StationView, query: NearbyQuery) -> bool:
        typed = bool(query.form_factors or query.propulsions)
        matching = sum(count for type_id, count in view.vehicles_by_type.items() if self._type_matches(type_id, query))
        if matching < query.min_vehicles or (typed and matching == 0):
            return False
        if view.docks_available < query.min_docks:
            return False
        if query.min_charger_kw and not any(
            power >= query.min_charger_kw and free > 0 for power, free in view.chargers_free.items()
        ):
            return False
        if query.min_range_m:
            docked = self.docked_vehicles.get(view.info.station_id, [])
            if view.age.stale or not any(
                vehicle.current_range_m >= query.min_range_m and self._type_matches(vehicle.vehicle_type_id, query)
                for vehicle in docked
            ):
                return False
        return True

    def _vehicle_matches(self, vehicle: Vehicle, query: NearbyQuery, now: float) -> bool:
        if query.min_docks or query.min_charger_kw or query.min_vehicles > 1:
            return False
        snapshot = self.snapshots.get(vehicle.system_id)
        if snapshot is None or now > snapshot.valid_until:
            return False
        if not self._type_matches(vehicle.vehicle_type_id, query):
            return False
        return not query.min_range_m or vehicle.current_range_m >= query.min_range_m

    def vehicle_age(self, vehicle: Vehicle, now: float) -> SourceAge:
        snapshot = self.snapshots.get(vehicle.system_id)
        updated = snapshot.last_updated if snapshot else 0.0
        return SourceAge(
            vehicle.system_id, updated, max(0.0, now - updated), snapshot is None or now > snapshot.valid_until
        )

    # ---- change publication --------------------------------------------------------------

    async def refresh(self) -> int:
        """Publish every station whose figures changed (or turned stale); push views to the streams.

        A station whose event could not be published keeps its old fingerprint, so the next
        refresh (the stale sweep runs every few seconds) tries again.
        """
        async with self._refresh_lock:
            now = self.now()
            changes: list[tuple[StationView, str]] = []
            for info in list(self.stations.values()):
                view = self._view(info, now)
                fingerprint = _fingerprint(view.fingerprint())
                if self.published.get(info.station_id) != fingerprint:
                    changes.append((view, fingerprint))
            published = 0
            if changes:
                try:
                    await asyncio.wait_for(
                        self.publisher.publish_many(
                            MOBILITY_STATION_STATUS_CHANGED,
                            [self.event(view) for view, _ in changes],
                            subjects=[view.info.station_id for view, _ in changes],
                        ),
                        PUBLISH_TIMEOUT_S,
                    )
                    fingerprints = {view.info.station_id: fingerprint for view, fingerprint in changes}
                    self.published.update(fingerprints)
                    await self.store.save_published(fingerprints)
                    published = len(changes)
                except Exception as error:  # broker or Redis away: retried by the next refresh
                    log.warning("station_changes_not_published", stations=len(changes), error=str(error)[:300])
                for view, _ in changes:
                    self.station_feed.publish(view.info.station_id, view)
            for hub_id in sorted(self.hub_data.hubs):
                hub = self.hub_view(hub_id, now)
                fingerprint = _fingerprint(hub.fingerprint())
                if self.hub_prints.get(hub_id) != fingerprint:
                    self.hub_prints[hub_id] = fingerprint
                    self.hub_feed.publish(hub_id, hub)
                metrics.observe_hub(hub)
            return published

    def event(self, view: StationView) -> events_pb2.StationStatusChanged:
        return events_pb2.StationStatusChanged(
            station_id=view.info.station_id,
            hub_id=view.info.hub_id,
            kind=_KIND_PB[view.info.kind],
            system_id=view.info.system_id,
            vehicles_available=view.vehicles_available,
            vehicles_by_type=self.type_counts(view.vehicles_by_type),
            docks_available=view.docks_available,
            chargers=[
                mobility_pb2.ChargerAvailability(
                    power_kw=power, available=view.chargers_free.get(power, 0), total=total
                )
                for power, total in sorted(view.info.chargers_total.items())
            ],
            is_renting=view.is_renting,
            is_returning=view.is_returning,
            last_reported_time=timestamp(view.age.last_updated) if view.age.last_updated else None,
            stale=view.age.stale,
        )

    def type_counts(self, counts: dict[str, int]) -> list[mobility_pb2.VehicleTypeCount]:
        result = []
        for type_id, count in sorted(counts.items()):
            vehicle_type = self.types.get(type_id)
            result.append(
                mobility_pb2.VehicleTypeCount(
                    vehicle_type_id=type_id,
                    form_factor=form_factor_pb(vehicle_type.form_factor if vehicle_type else "other"),
                    propulsion=propulsion_pb(vehicle_type.propulsion if vehicle_type else "other"),
                    count=count,
                )
            )
        return result


def form_factor_pb(form: str) -> int:
    return mobility_pb2.FormFactor.Value(f"FORM_FACTOR_{form.upper()}")


def propulsion_pb(propulsion: str) -> int:
    return mobility_pb2.Propulsion.Value(f"PROPULSION_{propulsion.upper()}")


FORM_BY_PB = {form_factor_pb(form): form for form in FORM_FACTORS}
PROPULSION_BY_PB = {propulsion_pb(propulsion): propulsion for propulsion in PROPULSIONS}
KIND_BY_PB = {number: kind for kind, number in _KIND_PB.items()}


def _item_id(item: StationView | Vehicle) -> str:
    return item.info.station_id if isinstance(item, StationView) else item.vehicle_id


def live_feeds(states: Iterable[FeedState], now: float) -> list[FeedState]:
    return [state for state in states if state.last_success and now <= state.valid_until]
