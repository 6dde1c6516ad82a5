"""The open-data feeds over HTTP: the formats of ``opendata`` built from the live store.

Routes (on ``HERNE_HTTP_PORT``, unauthenticated, as open data must be):

- ``GET /opendata`` — index of the feeds below, with their media types;
- ``GET /opendata/datex2/parking-table.xml`` — DATEX II v2.3 ParkingTablePublication (static);
- ``GET /opendata/datex2/parking-status.xml`` — DATEX II v2.3 ParkingStatusPublication (dynamic);
- ``GET /opendata/ngsi-ld/entities`` — FIWARE NGSI-LD key-values; ``?type=OffStreetParking`` etc. filters,
  ``?spots=false`` leaves out the per-space ``ParkingSpot`` entities;
- ``GET /opendata/parkapi/v3/parking-sites`` — ParkAPI v3 parking-site list.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from redis.exceptions import RedisError

from herne_parking import opendata
from herne_parking.domain import Availability
from herne_parking.service import ParkingApp
from herne_runtime.logging import get_logger

log = get_logger(__name__)

PREFIX = "/opendata"
XML = "application/xml"
JSON_LD = "application/ld+json"
NGSI_TYPES = ("OffStreetParking", "OnStreetParking", "ParkingSpot")

FEEDS: dict[str, tuple[str, str]] = {
    "datex2/parking-table.xml": (XML, "DATEX II v2.3 ParkingTablePublication: static facts of every facility"),
    "datex2/parking-status.xml": (XML, "DATEX II v2.3 ParkingStatusPublication: live occupancy per facility"),
    "ngsi-ld/entities": (JSON_LD, "FIWARE NGSI-LD OffStreetParking, OnStreetParking and ParkingSpot entities"),
    "parkapi/v3/parking-sites": ("application/json", "ParkAPI v3 parking sites with realtime data"),
}

Handler = Callable[[web.Request], Awaitable[web.Response]]


class OpenDataFeeds:
    """Builds each feed from the catalog and the availability the gRPC API reports at the same moment."""

    def __init__(self, app: ParkingApp, *, stale_after_s: float, cache_seconds: int) -> None:
        self.app = app
        self.stale_after_s = stale_after_s
        self.cache_seconds = cache_seconds
        # The static facts change only when the catalog does, i.e. with a restart on a new data file.
        self.static_updated_at = app.now()

    async def _availability(self) -> dict[str, Availability]:
        return {item.facility_id: item for item in await self.app.availability([])}

    async def _sensor_states(self) -> dict[str, bool | None]:
        states: dict[str, bool | None] = {}
        for facility in self.app.catalog.facilities.values():
            for sensor_id, (occupied, _at) in (await self.app.space_states(facility)).items():
                states[sensor_id] = occupied
        return states

    def _response(self, body: bytes, content_type: str) -> web.Response:
        return web.Response(
            body=body,
            content_type=content_type,
            charset="utf-8",
            headers={"Cache-Control": f"public, max-age={self.cache_seconds}", "Access-Control-Allow-Origin": "*"},
        )

    async def parking_table(self, _request: web.Request) -> web.Response:
        body = opendata.datex2_parking_table(
            self.app.catalog, publication_time=self.app.now(), static_updated_at=self.static_updated_at
        )
        return self._response(body, XML)

    async def parking_status(self, _request: web.Request) -> web.Response:
        availability = await self._availability()
        body = opendata.datex2_parking_status(
            self.app.catalog, availability, now=self.app.now(), stale_after_s=self.stale_after_s
        )
        return self._response(body, XML)

    async def ngsi_ld(self, request: web.Request) -> web.Response:
        wanted = request.query.getall("type", [])
        unknown = sorted(set(wanted) - set(NGSI_TYPES))
        if unknown:
            raise web.HTTPBadRequest(text=f"unknown entity type(s) {unknown}; known: {list(NGSI_TYPES)}")
        spots = request.query.get("spots", "true").lower()
        if spots not in ("true", "false"):
            raise web.HTTPBadRequest(text=f"spots must be true or false, got {spots!r}")
        with_spots = spots == "true" and (not wanted or "ParkingSpot" in wanted)
        availability = await self._availability()
        space_states = opendata.space_states_of(self.app.catalog, await self._sensor_states()) if with_spots else None
        entities = opendata.ngsi_ld_entities(
            self.app.catalog,
            availability,
            now=self.app.now(),
            stale_after_s=self.stale_after_s,
            space_states=space_states,
        )
        if wanted:
            entities = [entity for entity in entities if entity["type"] in wanted]
        return self._response(json.dumps(entities, ensure_ascii=False).encode(), JSON_LD)

    async def parkapi(self, _request: web.Request) -> web.Response:
        availability = await self._availability()
        sites = opendata.parkapi_v3_parking_sites(
            self.app.catalog,
            availability,
            now=self.app.now(),
            stale_after_s=self.stale_after_s,
            static_updated_at=self.static_updated_at,
        )
        return self._response(json.dumps(sites, ensure_ascii=False).encode(), "application/json")

    async def index(self, request: web.Request) -> web.Response:
        base = f"{request.url.origin()}{PREFIX}"
        listing = {
            "publisher": "Stadt Herne",
            "notice": self.app.catalog.notice,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "feeds": [
                {"url": f"{base}/{path}", "media_type": media_type, "description": description}
                for path, (media_type, description) in FEEDS.items()
            ],
        }
        return self._response(json.dumps(listing, ensure_ascii=False).encode(), "application/json")


def _unavailable_on_redis_error(handler: Handler) -> Handler:
    async def guarded(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except RedisError as error:
            # A feed built without the live store would publish wrong numbers: refuse instead.
            log.warning("opendata_store_unavailable", path=request.path, error=f"{type(error).__name__}: {error}")
            raise web.HTTPServiceUnavailable(
                text="live parking state is unavailable, try again shortly", headers={"Retry-After": "5"}
            ) from error

    return guarded


def opendata_routes(feeds: OpenDataFeeds) -> list[web.RouteDef]:
    handlers: dict[str, Handler] = {
        "datex2/parking-table.xml": feeds.parking_table,
        "datex2/parking-status.xml": feeds.parking_status,
        "ngsi-ld/entities": feeds.ngsi_ld,
        "parkapi/v3/parking-sites": feeds.parkapi,
    }
    routes = [web.get(PREFIX, feeds.index), web.get(f"{PREFIX}/", feeds.index)]
    routes += [web.get(f"{PREFIX}/{path}", _unavailable_on_redis_error(handlers[path])) for path in FEEDS]
    return routes
