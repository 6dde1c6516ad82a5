"""The aggregated GBFS v3.0 feed of every provider in Herne, served over HTTP next to gRPC.

Like GBFS aggregators do, every provider's stations, vehicle types and free-floating vehicles
appear in one system (``herne-mobility``) with ids namespaced by provider (``<system>:<id>``).
Only rentable stations (docked bike sharing, car sharing) are GBFS stations; bike boxes,
chargers and P+R have no GBFS representation. Stale figures are published as not renting with
nothing available, never as live.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from herne_mobility.model import Kind, StationView
from herne_mobility.service import MobilityApp

SYSTEM_ID = "herne-mobility"
FEED_TTL_S = 60
GBFS_STATION_KINDS = (Kind.BIKE_SHARING, Kind.CAR_SHARING)
FEEDS = ("system_information", "vehicle_types", "station_information", "station_status", "vehicle_status")
# Ingest folds hybrid, plug-in hybrid and hydrogen into "other"; GBFS v3.0 has no "other" propulsion.
_PROPULSION_OUT = {"other": "hybrid"}


def _rfc3339(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")


def _text(text: str) -> list[dict[str, str]]:
    return [{"text": text, "language": "de"}]


def _envelope(app: MobilityApp, data: dict[str, Any]) -> dict[str, Any]:
    return {"last_updated": _rfc3339(app.now()), "ttl": FEED_TTL_S, "version": "3.0", "data": data}


def discovery(app: MobilityApp, base_url: str) -> dict[str, Any]:
    feeds = [{"name": "gbfs", "url": f"{base_url}/gbfs.json"}]
    feeds += [{"name": name, "url": f"{base_url}/{name}.json"} for name in FEEDS]
    return _envelope(app, {"feeds": feeds})


@dataclass(frozen=True)
class Publisher:
    """Who publishes the aggregated feed, as system_information states it."""

    contact_email: str
    license_id: str


def system_information(app: MobilityApp, publisher: Publisher) -> dict[str, Any]:
    return _envelope(
        app,
        {
            "system_id": SYSTEM_ID,
            "languages": ["de"],
            "name": _text("Mobilstationen Herne (aggregiert)"),
            "operator": _text("Stadt Herne"),
            "opening_hours": "24/7",
            "feed_contact_email": publisher.contact_email,
            "timezone": "Europe/Berlin",
            "license_id": publisher.license_id,
            "attribution_organization_name": _text(
                ", ".join(sorted(state.config.name or state.config.system_id for state in app.feeds.values()))
                or "Stadt Herne"
            ),
        },
    )


def vehicle_types(app: MobilityApp) -> dict[str, Any]:
    types = []
    for type_id in sorted(app.types):
        vehicle_type = app.types[type_id]
        entry: dict[str, Any] = {
            "vehicle_type_id": type_id,
            "form_factor": vehicle_type.form_factor,
            "propulsion_type": _PROPULSION_OUT.get(vehicle_type.propulsion, vehicle_type.propulsion),
        }
        if vehicle_type.name:
            entry["name"] = _text(vehicle_type.name)
        if vehicle_type.propulsion != "human":
            # Required for motorised types; an unknown range is published as the smallest allowed.
            entry["max_range_meters"] = max(1.0, vehicle_type.max_range_m)
        types.append(entry)
    return _envelope(app, {"vehicle_types": types})


def _stations(app: MobilityApp) -> list[StationView]:
    now = app.now()
    return [
        app._view(info, now)
        for info in sorted(app.stations.values(), key=lambda station: station.station_id)
        if info.kind in GBFS_STATION_KINDS
    ]


def station_information(app: MobilityApp) -> dict[str, Any]:
    stations = []
    for view in _stations(app):
        entry: dict[str, Any] = {
            "station_id": view.info.station_id,
            "name": _text(view.info.name),
            "lat": view.info.lat,
            "lon": view.info.lon,
        }
        if view.info.capacity:
            entry["capacity"] = view.info.capacity
        stations.append(entry)
    return _envelope(app, {"stations": stations})


def station_status(app: MobilityApp) -> dict[str, Any]:
    stations = []
    for view in _stations(app):
        entry: dict[str, Any] = {
            "station_id": view.info.station_id,
            "num_vehicles_available": view.vehicles_available,
            "vehicle_types_available": [
                {"vehicle_type_id": type_id, "count": count} for type_id, count in sorted(view.vehicles_by_type.items())
            ],
            "is_installed": True,
            "is_renting": view.is_renting,
            "is_returning": view.is_returning,
            "last_reported": _rfc3339(view.age.last_updated or app.now()),
        }
        if view.info.kind is Kind.BIKE_SHARING:
            entry["num_docks_available"] = view.docks_available
        stations.append(entry)
    return _envelope(app, {"stations": stations})


def vehicle_status(app: MobilityApp) -> dict[str, Any]:
    now = app.now()
    vehicles = []
    for vehicle in sorted(app.free_vehicles, key=lambda item: item.vehicle_id):
        snapshot = app.snapshots.get(vehicle.system_id)
        if snapshot is None or now > snapshot.valid_until:
            continue  # stale vehicles are not published as available
        entry: dict[str, Any] = {
            "vehicle_id": vehicle.vehicle_id,
            "lat": vehicle.lat,
            "lon": vehicle.lon,
            "is_reserved": False,
            "is_disabled": False,
            "vehicle_type_id": vehicle.vehicle_type_id,
            "last_reported": _rfc3339(snapshot.last_updated),
        }
        vehicle_type = app.types.get(vehicle.vehicle_type_id)
        if vehicle_type is not None and vehicle_type.propulsion != "human":
            entry["current_range_meters"] = vehicle.current_range_m
        vehicles.append(entry)
    return _envelope(app, {"vehicles": vehicles})


def gbfs_routes(app: MobilityApp, publisher: Publisher, prefix: str = "/gbfs") -> list[web.RouteDef]:
    """aiohttp routes of the feed: ``<prefix>/gbfs.json`` and ``<prefix>/<feed>.json``."""
    builders: dict[str, Callable[[MobilityApp], dict[str, Any]]] = {
        "system_information": lambda app: system_information(app, publisher),
        "vehicle_types": vehicle_types,
        "station_information": station_information,
        "station_status": station_status,
        "vehicle_status": vehicle_status,
    }

    async def gbfs_json(request: web.Request) -> web.Response:
        base = f"{request.url.origin()}{prefix}"
        return web.json_response(discovery(app, base), headers={"Cache-Control": f"max-age={FEED_TTL_S}"})

    def handler(name: str):  # type: ignore[no-untyped-def]
        async def serve(_request: web.Request) -> web.Response:
            return web.json_response(builders[name](app), headers={"Cache-Control": f"max-age={FEED_TTL_S}"})

        return serve

    routes = [web.get(f"{prefix}/gbfs.json", gbfs_json)]
    routes += [web.get(f"{prefix}/{name}.json", handler(name)) for name in builders]
    return routes
