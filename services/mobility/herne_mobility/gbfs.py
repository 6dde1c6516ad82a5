"""Reading GBFS v2.x and v3.0 documents into the domain model.

Every document is first checked structurally (always) and, when a schema
directory is configured, against the official GBFS JSON schemas. What is
accepted leniently, and why (real feeds, see README "Leniency rules"):

- ``version`` missing (GBFS 1.x) or 2.0-2.2: read with the 2.3 rules, since the
  fields we use did not change; ``version`` 3.1-RC*: read as 3.0. The schema's
  ``const`` on ``version`` is therefore not held against the feed.
- 0/1 instead of false/true for the station flags (GBFS 1.x habit, e.g. the
  Helsinki recording): converted before validation.
- A single bad entry (station without id or position, negative count, vehicle
  of an unknown type) is dropped with a warning; the rest of the feed is used.
  In station_status, a ``vehicle_types_available`` item of an unknown type is
  left out (warning), the station's other figures stay.
- Unknown extra fields (Lillestrøm's legacy ``installed``/``renting``) are ignored.
- A system with only system_information (and geofencing zones, as the TIER Oslo
  recording) imports with nothing available.
- Discovery URLs that are not absolute http(s) (OTP rewrote TIER Oslo's to
  ``file:`` paths) are not followed; recordings are read from a directory.

A document that is not JSON, lacks ``data``/``last_updated``/``ttl``, or where
every entry is bad, fails the whole read: the last good state stays.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from herne_mobility.model import (
    STALE_GRACE_SECONDS,
    FeedSnapshot,
    Kind,
    Source,
    StationInfo,
    StationStatus,
    Vehicle,
    VehicleType,
)

FEEDS = ("system_information", "vehicle_types", "station_information", "station_status", "vehicle_status")
BOOLEAN_FLAGS = ("is_installed", "is_renting", "is_returning", "is_reserved", "is_disabled", "is_virtual_station")
MAX_ENTRIES = 50_000  # per document; a bigger list is refused rather than loaded
MAX_WARNINGS_PER_FEED = 20  # dropped entries beyond this are counted, not listed one by one


class FeedError(Exception):
    """The feed cannot be used; the last good state stays."""


@dataclass(frozen=True)
class SchemaProblem:
    path: tuple[str | int, ...]
    message: str


class SchemaSet:
    """The official GBFS JSON schemas of v2.3 and v3.0 from a directory (``../shared/standards/gbfs``)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory if directory and directory.is_dir() else None
        self._validators: dict[tuple[str, str], Any] = {}

    @property
    def available(self) -> bool:
        return self.directory is not None

    def problems(self, major: str, feed: str, document: Any) -> list[SchemaProblem] | None:
        """Schema violations, or None when no schema is available (structural checks only)."""
        validator = self._validator(major, feed)
        if validator is None:
            return None
        return [
            SchemaProblem(tuple(error.absolute_path), error.message[:200]) for error in validator.iter_errors(document)
        ]

    def _validator(self, major: str, feed: str) -> Any:
        if self.directory is None:
            return None
        key = (major, feed)
        if key not in self._validators:
            import jsonschema

            name = feed
            if major == "v2.3" and feed == "vehicle_status":
                name = "free_bike_status"
            path = self.directory / major / f"{name}.json"
            if not path.exists():
                self._validators[key] = None
            else:
                schema = json.loads(path.read_text(encoding="utf-8"))
                self._validators[key] = jsonschema.validators.validator_for(schema)(schema)
        return self._validators[key]


def major_of(version: Any, warnings: list[str]) -> str:
    """Schema directory to read a document with ("v2.3" or "v3.0")."""
    text = str(version) if version is not None else ""
    if text.startswith("3."):
        if text != "3.0":
            warnings.append(f"version {text} read as 3.0")
        return "v3.0"
    if text != "2.3":
        warnings.append(f"version {text or 'missing (1.x)'} read as 2.3")
    return "v2.3"


def parse_json(raw: bytes | str, feed: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise FeedError(f"{feed}: not valid JSON ({error})") from None


def timestamp(value: Any, field: str) -> float:
    """Epoch seconds from a v2 POSIX integer or a v3 RFC 3339 string."""
    if isinstance(value, bool):
        raise FeedError(f"{field}: not a timestamp")
    if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise FeedError(f"{field}: not a timestamp ({str(value)[:40]!r})")


def text_of(value: Any) -> str:
    """A v2 plain string or the German (else first) text of a v3 localised list."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        texts = [item for item in value if isinstance(item, dict) and isinstance(item.get("text"), str)]
        for item in texts:
            if str(item.get("language", "")).startswith("de"):
                return str(item["text"])
        if texts:
            return str(texts[0]["text"])
    return ""


def _coerce_flags(entries: list[Any]) -> int:
    fixed = 0
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        for flag in BOOLEAN_FLAGS:
            if flag in entry and entry[flag] in (0, 1) and not isinstance(entry[flag], bool):
                entry[flag] = bool(entry[flag])
                fixed += 1
    return fixed


def _check_lists(feed: str, data: Mapping[str, Any], warnings: list[str]) -> None:
    for name in ("stations", "bikes", "vehicles", "vehicle_types"):
        entries = data.get(name)
        if isinstance(entries, list):
            if len(entries) > MAX_ENTRIES:
                raise FeedError(f"{feed}: {len(entries)} entries in data.{name}, at most {MAX_ENTRIES} accepted")
            if _coerce_flags(entries):
                warnings.append(f"{feed}: 0/1 read as booleans")


@dataclass
class Document:
    feed: str
    major: str
    last_updated: float
    ttl: float
    data: dict[str, Any]
    bad_entries: set[tuple[str, int]]  # (list name, index) dropped by the schema check


def read_document(feed: str, raw: Any, schemas: SchemaSet, warnings: list[str]) -> Document:
    """Structural + schema check of one document (already JSON-decoded)."""
    if not isinstance(raw, dict):
        raise FeedError(f"{feed}: the document is not a JSON object")
    data = raw.get("data")
    if not isinstance(data, dict):
        raise FeedError(f"{feed}: 'data' is missing or not an object")
    if "last_updated" not in raw:
        raise FeedError(f"{feed}: 'last_updated' is missing")
    last_updated = timestamp(raw["last_updated"], f"{feed}.last_updated")
    ttl = raw.get("ttl")
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not math.isfinite(ttl) or ttl < 0:
        raise FeedError(f"{feed}: 'ttl' must be a non-negative number of seconds")
    local: list[str] = []
    major = major_of(raw.get("version"), local)
    _check_lists(feed, data, local)
    bad: set[tuple[str, int]] = set()
    problems = schemas.problems(major, feed, raw)
    if problems:
        fatal: list[SchemaProblem] = []
        for problem in problems:
            path = problem.path
            if path == ("version",) or (not path and "'version'" in problem.message):
                continue  # see module docstring: minor versions are read with the nearest schema
            if len(path) >= 3 and path[0] == "data" and isinstance(path[2], int):
                bad.add((str(path[1]), path[2]))
                continue
            fatal.append(problem)
        if fatal:
            first = fatal[0]
            where = ".".join(str(part) for part in first.path) or "(document)"
            raise FeedError(f"{feed}: schema violation at {where}: {first.message}")
        if bad:
            local.append(f"{feed}: {len(bad)} entries violating the schema dropped")
    warnings.extend(local)
    return Document(feed, major, last_updated, float(ttl), data, bad)


def _entries(document: Document, name: str, warnings: list[str]) -> list[dict[str, Any]]:
    entries = document.data.get(name)
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise FeedError(f"{document.feed}: data.{name} is not a list")
    good = [
        entry
        for index, entry in enumerate(entries)
        if (name, index) not in document.bad_entries and isinstance(entry, dict)
    ]
    return good


def _count(entry: Mapping[str, Any], *names: str) -> int | None:
    """First present count field as a non-negative int; None if absent; ValueError if invalid."""
    for name in names:
        if name in entry:
            value = entry[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value != int(value):
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
            return int(value)
    return None


def _position(entry: Mapping[str, Any]) -> tuple[float, float]:
    lat, lon = entry.get("lat"), entry.get("lon")
    for value in (lat, lon):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError("lat/lon missing or not numbers")
    if not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180):  # type: ignore[arg-type]
        raise ValueError("lat/lon out of range")
    return float(lat), float(lon)  # type: ignore[arg-type]


FORM_FACTOR_ALIASES = {"scooter": "scooter_standing"}
PROPULSION_ALIASES = {
    "combustion_diesel": "combustion",
    "hybrid": "other",
    "plug_in_hybrid": "other",
    "hydrogen_fuel_cell": "other",
}


def _vehicle_types(system_id: str, document: Document, warnings: list[str]) -> dict[str, VehicleType]:
    types: dict[str, VehicleType] = {}
    for entry in _entries(document, "vehicle_types", warnings):
        type_id = entry.get("vehicle_type_id")
        if not isinstance(type_id, str) or not type_id:
            warnings.append("vehicle_types: entry without vehicle_type_id dropped")
            continue
        form = str(entry.get("form_factor", "other"))
        form = FORM_FACTOR_ALIASES.get(form, form)
        propulsion = str(entry.get("propulsion_type", "human"))
        propulsion = PROPULSION_ALIASES.get(propulsion, propulsion)
        max_range = entry.get("max_range_meters", 0)
        types[f"{system_id}:{type_id}"] = VehicleType(
            type_id=f"{system_id}:{type_id}",
            form_factor=form
            if form in ("bicycle", "cargo_bicycle", "car", "moped", "scooter_standing", "scooter_seated")
            else "other",
            propulsion=propulsion if propulsion in ("human", "electric_assist", "electric", "combustion") else "other",
            max_range_m=float(max_range)
            if isinstance(max_range, int | float) and not isinstance(max_range, bool)
            else 0.0,
            name=text_of(entry.get("name")),
        )
    return types


def _kind_of(types: Mapping[str, VehicleType]) -> Kind:
    forms = {vehicle_type.form_factor for vehicle_type in types.values()}
    return Kind.CAR_SHARING if forms == {"car"} else Kind.BIKE_SHARING


def _stations(system_id: str, document: Document, kind: Kind, warnings: list[str]) -> dict[str, StationInfo]:
    stations: dict[str, StationInfo] = {}
    for entry in _entries(document, "stations", warnings):
        raw_id = entry.get("station_id")
        try:
            if not isinstance(raw_id, str) or not raw_id:
                raise ValueError("station_id missing")
            lat, lon = _position(entry)
            capacity = _count(entry, "capacity") or 0
        except ValueError as error:
            warnings.append(f"station_information: station {raw_id!r} dropped: {error}")
            continue
        station_id = f"{system_id}:{raw_id}"
        name = text_of(entry.get("name")) or raw_id
        stations[station_id] = StationInfo(station_id, system_id, name, lat, lon, kind, Source.GBFS, capacity)
    if document.data.get("stations") and not stations:
        raise FeedError("station_information: no usable station")
    return stations


def _by_type(
    system_id: str,
    entry: Mapping[str, Any],
    types: Mapping[str, VehicleType],
    implicit: str,
    total: int,
    warnings: list[str],
) -> dict[str, int]:
    by_type: dict[str, int] = {}
    for item in entry.get("vehicle_types_available") or []:
        type_id = f"{system_id}:{item.get('vehicle_type_id')}" if isinstance(item, dict) else ""
        count = _count(item, "count") or 0
        if type_id not in types:
            # Only the unknown type's vehicles are left out; the station's other figures stay usable.
            warnings.append(f"station_status: {count} vehicles of type {type_id!r} (not in vehicle_types) left out")
            continue
        by_type[type_id] = by_type.get(type_id, 0) + count
    if not entry.get("vehicle_types_available") and total:
        by_type = {implicit or next(iter(types)): total}
    return by_type


def _statuses(
    system_id: str,
    document: Document,
    stations: Mapping[str, StationInfo],
    types: Mapping[str, VehicleType],
    implicit: str,
    warnings: list[str],
) -> dict[str, StationStatus]:
    statuses: dict[str, StationStatus] = {}
    valid_until = document.last_updated + document.ttl + STALE_GRACE_SECONDS
    for entry in _entries(document, "stations", warnings):
        raw_id = entry.get("station_id")
        station_id = f"{system_id}:{raw_id}"
        try:
            if station_id not in stations:
                raise ValueError("not in station_information")
            total = _count(entry, "num_vehicles_available", "num_bikes_available")
            if total is None:
                raise ValueError("num_vehicles_available missing")
            docks = _count(entry, "num_docks_available") or 0
            by_type = _by_type(system_id, entry, types, implicit, total, warnings)
            reported = document.last_updated
            if "last_reported" in entry:
                reported = timestamp(entry["last_reported"], "last_reported")
        except (ValueError, FeedError) as error:
            warnings.append(f"station_status: station {str(raw_id)[:40]!r} dropped: {error}")
            continue
        installed = entry.get("is_installed", True) is not False
        statuses[station_id] = StationStatus(
            vehicles_by_type=by_type,
            docks_available=docks,
            chargers_free={},
            is_renting=installed and entry.get("is_renting", True) is not False,
            is_returning=installed and entry.get("is_returning", True) is not False,
            # A report "from the future" (clock skew) must not outlive the feed's own timestamp.
            last_reported=min(reported, document.last_updated),
            valid_until=valid_until,
        )
    if document.data.get("stations") and not statuses:
        raise FeedError("station_status: no usable station")
    return statuses


def _vehicle(
    system_id: str,
    entry: Mapping[str, Any],
    types: Mapping[str, VehicleType],
    implicit: str,
    stations: Mapping[str, StationInfo],
) -> Vehicle:
    raw_id = entry.get("vehicle_id", entry.get("bike_id"))
    if not isinstance(raw_id, str) or not raw_id:
        raise ValueError("vehicle_id missing")
    raw_type = entry.get("vehicle_type_id")
    type_id = f"{system_id}:{raw_type}" if raw_type is not None else implicit
    if type_id not in types:
        raise ValueError(f"vehicle type {raw_type!r} not in vehicle_types")
    station = f"{system_id}:{entry['station_id']}" if entry.get("station_id") else ""
    if station:
        lat, lon = (stations[station].lat, stations[station].lon) if station in stations else (0.0, 0.0)
    else:
        lat, lon = _position(entry)
    range_m = entry.get("current_range_meters", 0)
    if isinstance(range_m, bool) or not isinstance(range_m, int | float) or not 0 <= range_m < 1e7:
        raise ValueError("current_range_meters must be a non-negative number")
    return Vehicle(f"{system_id}:{raw_id}", system_id, type_id, lat, lon, float(range_m), station)


def _vehicles(
    system_id: str,
    document: Document,
    types: Mapping[str, VehicleType],
    implicit: str,
    stations: Mapping[str, StationInfo],
    warnings: list[str],
) -> list[Vehicle]:
    vehicles: list[Vehicle] = []
    held = 0  # reserved or disabled: valid, just not available
    entries = _entries(document, "vehicles", warnings) + _entries(document, "bikes", warnings)
    for entry in entries:
        if entry.get("is_reserved") is True or entry.get("is_disabled") is True:
            held += 1
            continue
        try:
            vehicles.append(_vehicle(system_id, entry, types, implicit, stations))
        except ValueError as error:
            raw_id = entry.get("vehicle_id", entry.get("bike_id"))
            warnings.append(f"vehicle_status: vehicle {str(raw_id)[:40]!r} dropped: {error}")
    present = len(document.data.get("vehicles") or []) + len(document.data.get("bikes") or [])
    if present and not vehicles and not held:
        raise FeedError(f"vehicle_status: no usable vehicle ({warnings[-1] if warnings else 'all invalid'})")
    return vehicles


def build_snapshot(
    system_id: str, raw_documents: Mapping[str, Any], schemas: SchemaSet, *, default_type: VehicleType | None = None
) -> FeedSnapshot:
    """A FeedSnapshot from decoded documents keyed by feed name (vehicle_status or free_bike_status)."""
    warnings: list[str] = []
    documents: dict[str, Document] = {}
    for feed, raw in raw_documents.items():
        name = "vehicle_status" if feed == "free_bike_status" else feed
        if name in FEEDS:
            documents[name] = read_document(name, raw, schemas, warnings)
    if "station_status" not in documents and "vehicle_status" not in documents:
        if "system_information" not in documents:
            raise FeedError("neither station_status, vehicle_status/free_bike_status nor system_information was read")
        # A system publishing only system_information and geofencing zones (the TIER Oslo
        # recording) is valid GBFS: it imports with nothing available rather than failing.
        warnings.append("no station_status or vehicle_status: nothing available from this system")
    if "station_status" in documents and "station_information" not in documents:
        raise FeedError("station_status without station_information")
    types = _vehicle_types(system_id, documents["vehicle_types"], warnings) if "vehicle_types" in documents else {}
    implicit = ""
    if not types:
        # GBFS: without vehicle_types every vehicle is a human-powered bicycle.
        fallback = default_type or VehicleType(f"{system_id}:bicycle", "bicycle", "human", name="Fahrrad")
        types = {fallback.type_id: fallback}
        implicit = fallback.type_id
    stations: dict[str, StationInfo] = {}
    if "station_information" in documents:
        stations = _stations(system_id, documents["station_information"], _kind_of(types), warnings)
    statuses: dict[str, StationStatus] = {}
    if "station_status" in documents:
        statuses = _statuses(system_id, documents["station_status"], stations, types, implicit, warnings)
    vehicles: list[Vehicle] = []
    if "vehicle_status" in documents:
        vehicles = _vehicles(system_id, documents["vehicle_status"], types, implicit, stations, warnings)
    reference = documents.get("station_status") or documents.get("vehicle_status") or documents["system_information"]
    information = documents["system_information"].data if "system_information" in documents else {}
    return FeedSnapshot(
        system_id=system_id,
        version="3.0" if reference.major == "v3.0" else "2.3",
        last_updated=reference.last_updated,
        ttl=reference.ttl,
        vehicle_types=types,
        stations=stations,
        statuses=statuses,
        vehicles=vehicles,
        warnings=_condensed(warnings),
        has_station_feeds="station_status" in documents,
        has_vehicle_feed="vehicle_status" in documents,
        name=text_of(information.get("name")) or system_id,
        operator=text_of(information.get("operator")),
        timezone=str(information.get("timezone") or "Europe/Berlin"),
    )


def _condensed(warnings: list[str]) -> list[str]:
    """Distinct warnings, at most MAX_WARNINGS_PER_FEED of them plus a count of the rest."""
    distinct = list(dict.fromkeys(warnings))
    if len(distinct) <= MAX_WARNINGS_PER_FEED:
        return distinct
    return [*distinct[:MAX_WARNINGS_PER_FEED], f"... and {len(distinct) - MAX_WARNINGS_PER_FEED} more warnings"]


def discovery_urls(document: Any) -> dict[str, str]:
    """Feed name -> URL from a v2.x (per language) or v3.0 gbfs.json."""
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise FeedError("gbfs.json: 'data' is missing or not an object")
    data = document["data"]
    feeds: Any = data.get("feeds")
    if feeds is None:
        languages = [value for key, value in data.items() if isinstance(value, dict)]
        preferred = data.get("de") or data.get("en") or (languages[0] if languages else {})
        feeds = preferred.get("feeds") if isinstance(preferred, dict) else None
    if not isinstance(feeds, list):
        raise FeedError("gbfs.json: no feed list")
    urls: dict[str, str] = {}
    for feed in feeds:
        if isinstance(feed, dict) and isinstance(feed.get("name"), str) and isinstance(feed.get("url"), str):
            urls[feed["name"]] = feed["url"]
    return urls
