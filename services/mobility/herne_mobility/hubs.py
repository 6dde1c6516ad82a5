"""The hub data file: Mobilstationen, their stations and the vehicle types of reporting operators."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from herne_mobility.model import FORM_FACTORS, PROPULSIONS, Hub, Kind, Source, StationInfo, VehicleType

DEMO_HUBS = Path(__file__).resolve().parent / "data" / "herne_demo_hubs.json"
# Which source may feed which kind of station (a P+R space count cannot come from a bike feed).
ALLOWED_SOURCES = {
    Kind.BIKE_SHARING: {Source.GBFS, Source.REPORT},
    Kind.CAR_SHARING: {Source.GBFS, Source.REPORT},
    Kind.BIKE_BOX: {Source.REPORT, Source.GBFS},
    Kind.EV_CHARGER: {Source.REPORT},
    Kind.PARK_AND_RIDE: {Source.PARKING},
    Kind.FREE_FLOATING_ZONE: {Source.ZONE},
}


class HubDataError(ValueError):
    """The hub data file is malformed (names the entry)."""


@dataclass
class HubData:
    hubs: dict[str, Hub]
    stations: dict[str, StationInfo]  # stations defined in the file (report, parking, zone, pinned gbfs)
    vehicle_types: dict[str, VehicleType]
    demo: bool
    notice: str = ""
    by_facility: dict[str, str] = field(default_factory=dict)  # parking facility id -> station id

    def stations_of(self, hub_id: str) -> list[StationInfo]:
        return [station for station in self.stations.values() if station.hub_id == hub_id]


def _number(entry: Mapping[str, Any], name: str, where: str, *, minimum: float | None = None) -> float:
    value = entry.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise HubDataError(f"{where}.{name} must be a number")
    if minimum is not None and value < minimum:
        raise HubDataError(f"{where}.{name} must be at least {minimum}")
    return float(value)


def _text(entry: Mapping[str, Any], name: str, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise HubDataError(f"{where}.{name} must be a non-empty string")
    return value


def _position(entry: Mapping[str, Any], where: str) -> tuple[float, float]:
    lat, lon = _number(entry, "lat", where), _number(entry, "lon", where)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise HubDataError(f"{where}: lat/lon out of range")
    return lat, lon


def load_hubs(document: Any) -> HubData:
    """Validate and read a hub data document (see data/herne_demo_hubs.json)."""
    if not isinstance(document, dict) or not isinstance(document.get("hubs"), list):
        raise HubDataError("the hub data must be an object with a 'hubs' list")
    demo = document.get("demo") is True
    types: dict[str, VehicleType] = {}
    for index, entry in enumerate(document.get("vehicle_types") or []):
        where = f"vehicle_types[{index}]"
        type_id = _text(entry, "vehicle_type_id", where)
        form, propulsion = entry.get("form_factor"), entry.get("propulsion")
        if form not in FORM_FACTORS or propulsion not in PROPULSIONS:
            raise HubDataError(f"{where}: form_factor must be one of {FORM_FACTORS}, propulsion one of {PROPULSIONS}")
        types[type_id] = VehicleType(
            type_id, form, propulsion, float(entry.get("max_range_m", 0)), str(entry.get("name", ""))
        )
    hubs: dict[str, Hub] = {}
    stations: dict[str, StationInfo] = {}
    by_facility: dict[str, str] = {}
    for index, entry in enumerate(document["hubs"]):
        where = f"hubs[{index}]"
        hub_id = _text(entry, "hub_id", where)
        if hub_id in hubs:
            raise HubDataError(f"{where}: hub {hub_id} defined twice")
        lat, lon = _position(entry, where)
        hubs[hub_id] = Hub(
            hub_id, _text(entry, "name", where), lat, lon, _number(entry, "radius_m", where, minimum=0), demo
        )
        for position, raw in enumerate(entry.get("stations") or []):
            station = _station(raw, f"{where}.stations[{position}]", hub_id, types)
            if station.station_id in stations:
                raise HubDataError(f"{where}.stations[{position}]: station {station.station_id} defined twice")
            if station.parking_facility_id:
                by_facility[station.parking_facility_id] = station.station_id
            stations[station.station_id] = station
    return HubData(hubs, stations, types, demo, str(document.get("notice", "")), by_facility)


def _station(entry: Any, where: str, hub_id: str, types: Mapping[str, VehicleType]) -> StationInfo:
    if not isinstance(entry, dict):
        raise HubDataError(f"{where} must be an object")
    station_id = _text(entry, "station_id", where)
    system_id, sep, _rest = station_id.partition(":")
    if not sep or not system_id or not _rest:
        raise HubDataError(f"{where}.station_id must be '<system>:<id>', got {station_id!r}")
    try:
        kind, source = Kind(entry.get("kind")), Source(entry.get("source"))
    except ValueError:
        raise HubDataError(
            f"{where}: kind must be one of {[k.value for k in Kind]}, source one of {[s.value for s in Source]}"
        ) from None
    if source not in ALLOWED_SOURCES[kind]:
        raise HubDataError(f"{where}: a {kind.value} station cannot have source {source.value}")
    lat, lon = _position(entry, where)
    chargers: dict[float, int] = {}
    for charger in entry.get("chargers") or []:
        power = _number(charger, "power_kw", f"{where}.chargers", minimum=0.1)
        chargers[power] = chargers.get(power, 0) + int(_number(charger, "count", f"{where}.chargers", minimum=1))
    if kind is Kind.EV_CHARGER and not chargers:
        raise HubDataError(f"{where}: an EV charger station needs 'chargers'")
    vehicle_types = tuple(entry.get("vehicle_types") or ())
    unknown = [type_id for type_id in vehicle_types if type_id not in types]
    if unknown:
        raise HubDataError(f"{where}: vehicle types {unknown} are not in 'vehicle_types'")
    facility = str(entry.get("parking_facility_id", ""))
    if kind is Kind.PARK_AND_RIDE and not facility:
        raise HubDataError(f"{where}: a P+R station needs 'parking_facility_id'")
    return StationInfo(
        station_id=station_id,
        system_id=system_id,
        name=str(entry.get("name") or station_id),
        lat=lat,
        lon=lon,
        kind=kind,
        source=source,
        capacity=int(_number(entry, "capacity", where, minimum=0)) if "capacity" in entry else 0,
        hub_id=hub_id,
        parking_facility_id=facility,
        chargers_total=chargers,
        vehicle_type_ids=vehicle_types,
        zone_radius_m=_number(entry, "radius_m", where, minimum=1) if kind is Kind.FREE_FLOATING_ZONE else 0.0,
        zone_systems=tuple(entry.get("systems") or ()),
    )
