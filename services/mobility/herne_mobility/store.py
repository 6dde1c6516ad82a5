"""Redis keys of the mobility service; every value is JSON.

- ``mobility:snapshot:<system>``: the last GOOD read of a GBFS system (a failed read never
  touches it, so a restart serves the last good state).
- ``mobility:feed:<system>``: feed health (last success, last error, warnings).
- ``mobility:reports`` / ``mobility:report-times``: hashes station id -> operator report and its
  observation time; a report replaces the stored one only when newer (atomically, in Lua).
- ``mobility:parking`` / ``mobility:parking-versions``: hashes facility id -> P+R figures and their
  ``version``; only a higher version replaces the stored figures (redeliveries, reordering).
- ``mobility:published``: hash station id -> fingerprint of the last published status, so a restart
  does not re-publish unchanged stations.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import redis.asyncio as aioredis

from herne_mobility.model import (
    FeedSnapshot,
    Kind,
    ParkingState,
    Source,
    StationInfo,
    StationStatus,
    Vehicle,
    VehicleType,
)

_SNAPSHOT = "mobility:snapshot:"
_FEED = "mobility:feed:"
_REPORTS = "mobility:reports"
_REPORT_TIMES = "mobility:report-times"
_PARKING = "mobility:parking"
_PARKING_VERSIONS = "mobility:parking-versions"
_PUBLISHED = "mobility:published"

# KEYS[1] values hash, KEYS[2] order hash; ARGV field, order, value. 1 when stored, 0 when not newer.
_SET_IF_NEWER = """
local current = redis.call('HGET', KEYS[2], ARGV[1])
if current and tonumber(current) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
"""


def _status_to_dict(status: StationStatus) -> dict[str, Any]:
    data = dataclasses.asdict(status)
    data["chargers_free"] = {str(power): free for power, free in status.chargers_free.items()}
    return data


def status_from_dict(data: dict[str, Any]) -> StationStatus:
    data = dict(data)
    data["chargers_free"] = {float(power): int(free) for power, free in data["chargers_free"].items()}
    return StationStatus(**data)


def snapshot_to_json(snapshot: FeedSnapshot) -> str:
    data = dataclasses.asdict(snapshot)
    data["statuses"] = {key: _status_to_dict(value) for key, value in snapshot.statuses.items()}
    data["stations"] = {
        key: dataclasses.asdict(value) | {"chargers_total": {}} for key, value in snapshot.stations.items()
    }
    return json.dumps(data)


def snapshot_from_json(raw: bytes | str) -> FeedSnapshot:
    data = json.loads(raw)
    data["vehicle_types"] = {key: VehicleType(**value) for key, value in data["vehicle_types"].items()}
    stations = {}
    for key, value in data["stations"].items():
        value["kind"], value["source"] = Kind(value["kind"]), Source(value["source"])
        value["vehicle_type_ids"] = tuple(value["vehicle_type_ids"])
        value["zone_systems"] = tuple(value["zone_systems"])
        stations[key] = StationInfo(**value)
    data["stations"] = stations
    data["statuses"] = {key: status_from_dict(value) for key, value in data["statuses"].items()}
    data["vehicles"] = [Vehicle(**value) for value in data["vehicles"]]
    return FeedSnapshot(**data)


class MobilityStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self.redis = client
        self._set_if_newer = client.register_script(_SET_IF_NEWER)

    async def save_snapshot(self, snapshot: FeedSnapshot, feed_state: dict[str, Any]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(_SNAPSHOT + snapshot.system_id, snapshot_to_json(snapshot))
            pipe.set(_FEED + snapshot.system_id, json.dumps(feed_state))
            await pipe.execute()

    async def save_feed_state(self, system_id: str, feed_state: dict[str, Any]) -> None:
        await self.redis.set(_FEED + system_id, json.dumps(feed_state))

    async def snapshots(self, system_ids: list[str]) -> dict[str, FeedSnapshot]:
        if not system_ids:
            return {}
        raws = await self.redis.mget([_SNAPSHOT + system for system in system_ids])
        return {system: snapshot_from_json(raw) for system, raw in zip(system_ids, raws, strict=True) if raw}

    async def feed_states(self, system_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not system_ids:
            return {}
        raws = await self.redis.mget([_FEED + system for system in system_ids])
        return {system: json.loads(raw) for system, raw in zip(system_ids, raws, strict=True) if raw}

    async def save_report(self, station_id: str, status: StationStatus) -> bool:
        """Store a report unless a newer one is stored; True when stored."""
        stored = await self._set_if_newer(
            keys=[_REPORTS, _REPORT_TIMES],
            args=[station_id, repr(status.last_reported), json.dumps(_status_to_dict(status))],
        )
        return bool(stored)

    async def reports(self) -> dict[str, StationStatus]:
        raw = await self.redis.hgetall(_REPORTS)
        return {key.decode(): status_from_dict(json.loads(value)) for key, value in raw.items()}

    async def save_parking(self, state: ParkingState) -> bool:
        """Store P+R figures unless a higher version is stored; True when stored."""
        stored = await self._set_if_newer(
            keys=[_PARKING, _PARKING_VERSIONS],
            args=[state.facility_id, str(state.version), json.dumps(dataclasses.asdict(state))],
        )
        return bool(stored)

    async def parking(self) -> dict[str, ParkingState]:
        raw = await self.redis.hgetall(_PARKING)
        return {key.decode(): ParkingState(**json.loads(value)) for key, value in raw.items()}

    async def published(self) -> dict[str, str]:
        raw = await self.redis.hgetall(_PUBLISHED)
        return {key.decode(): value.decode() for key, value in raw.items()}

    async def save_published(self, fingerprints: dict[str, str]) -> None:
        if fingerprints:
            await self.redis.hset(_PUBLISHED, mapping=fingerprints)  # type: ignore[arg-type]
