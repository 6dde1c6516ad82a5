"""Parking state in Redis: sensor states, facility counters, geo index and history.

Every change of a count happens inside one Lua script, so any number of
consumers and gRPC replicas can apply readings concurrently without losing or
double-counting a space (Redis runs scripts one at a time). Layout:

- ``herne:parking:sensor-time``  hash sensor -> observed ms of the last applied reading
- ``herne:parking:sensor-state`` hash sensor -> "1" occupied / "0" free (absent: unknown)
- ``herne:parking:sensor-seen``  zset sensor -> observed ms, only sensors with a known state
- ``herne:parking:sensor-meta``  hash sensor -> "<facility>\\t<space type>" (from the catalog)
- ``herne:parking:facility:<id>`` hash: ``free:<type>``/``occ:<type>`` sensor counts,
  ``counted_occ``, ``calibrated``, ``counter_ms``, ``recal_ms``, ``newest_ms``, ``version``
- ``herne:parking:geo`` geo set of facility positions
- ``herne:parking:history:<id>`` zset sample ms -> "<ms>:<occupied>:<free>:<unknown>"
- ``herne:parking:published`` hash facility -> last version published as an event

The scripts name facility keys in ARGV, which a Redis Cluster would refuse; herne
runs one Redis (with a replica) per city, where this is fine.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

import redis.asyncio as aioredis

from herne_parking.domain import ParkingCatalog, RawCounts, SpaceType

PREFIX = "herne:parking:"
SENSOR_TIME = PREFIX + "sensor-time"
SENSOR_STATE = PREFIX + "sensor-state"
SENSOR_SEEN = PREFIX + "sensor-seen"
SENSOR_META = PREFIX + "sensor-meta"
FACILITY_PREFIX = PREFIX + "facility:"
GEO = PREFIX + "geo"
HISTORY_PREFIX = PREFIX + "history:"
PUBLISHED = PREFIX + "published"
COUNTER_EVENT_PREFIX = PREFIX + "counter-event:"

# ARGV: stale cutoff ms, then the readings as one JSON array of [sensor, facility key, space type,
# "1"|"0", observed ms]: one argument instead of five per reading, because packing the arguments
# of a large EVALSHA was the consumer's biggest cost. Facility counts, versions and newest times are
# summed per facility and written once per batch; the end state is the same as reading by reading.
# The reply is one string of "1" (applied) / "0" (older) per reading: redis-py parses a long integer
# array line by line in Python.
_APPLY_READINGS = """
local cutoff = tonumber(ARGV[1])
local readings = cjson.decode(ARGV[2])
local out = {}
local facilities, deltas, changes, newest = {}, {}, {}, {}
for i, reading in ipairs(readings) do
  local sensor, fkey, stype, value, observed = reading[1], reading[2], reading[3], reading[4], reading[5]
  local last = redis.call('HGET', KEYS[1], sensor)
  if last and tonumber(last) >= observed then
    out[i] = '0'
  else
    if not deltas[fkey] then
      facilities[#facilities + 1] = fkey
      deltas[fkey], changes[fkey], newest[fkey] = {}, 0, 0
    end
    redis.call('HSET', KEYS[1], sensor, observed)
    local old = redis.call('HGET', KEYS[2], sensor)
    local new = value
    if observed < cutoff then new = false end
    if new then
      redis.call('HSET', KEYS[2], sensor, new)
      redis.call('ZADD', KEYS[3], observed, sensor)
    else
      redis.call('HDEL', KEYS[2], sensor)
      redis.call('ZREM', KEYS[3], sensor)
    end
    if old ~= new then
      local delta = deltas[fkey]
      if old then
        local field = (old == '1' and 'occ:' or 'free:') .. stype
        delta[field] = (delta[field] or 0) - 1
      end
      if new then
        local field = (new == '1' and 'occ:' or 'free:') .. stype
        delta[field] = (delta[field] or 0) + 1
      end
      changes[fkey] = changes[fkey] + 1
    end
    if observed > newest[fkey] then newest[fkey] = observed end
    out[i] = '1'
  end
end
for _, fkey in ipairs(facilities) do
  for field, delta in pairs(deltas[fkey]) do
    if delta ~= 0 then redis.call('HINCRBY', fkey, field, delta) end
  end
  if changes[fkey] > 0 then redis.call('HINCRBY', fkey, 'version', changes[fkey]) end
  if newest[fkey] > tonumber(redis.call('HGET', fkey, 'newest_ms') or '0') then
    redis.call('HSET', fkey, 'newest_ms', newest[fkey])
  end
end
return table.concat(out)
"""

_EXPIRE_STALE = """
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, sensor in ipairs(stale) do
  redis.call('ZREM', KEYS[2], sensor)
  local old = redis.call('HGET', KEYS[1], sensor)
  if old then
    redis.call('HDEL', KEYS[1], sensor)
    local meta = redis.call('HGET', KEYS[3], sensor)
    if meta then
      local tab = string.find(meta, '\\t', 1, true)
      local fkey = ARGV[3] .. string.sub(meta, 1, tab - 1)
      redis.call('HINCRBY', fkey, (old == '1' and 'occ:' or 'free:') .. string.sub(meta, tab + 1), -1)
      redis.call('HINCRBY', fkey, 'version', 1)
    end
  end
end
return #stale
"""

# ARGV: facility key prefix, number of facilities, facility ids..., then sensor/meta pairs.
_INSTALL = """
local prefix = ARGV[1]
local facilities = tonumber(ARGV[2])
for i = 3, 2 + facilities do
  local fkey = prefix .. ARGV[i]
  for _, field in ipairs(redis.call('HKEYS', fkey)) do
    if string.sub(field, 1, 4) == 'occ:' or string.sub(field, 1, 5) == 'free:' then redis.call('HDEL', fkey, field) end
  end
  redis.call('HINCRBY', fkey, 'version', 1)
end
redis.call('DEL', KEYS[3])
for i = 3 + facilities, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end
local states = redis.call('HGETALL', KEYS[1])
for i = 1, #states, 2 do
  local sensor, value = states[i], states[i + 1]
  local meta = redis.call('HGET', KEYS[3], sensor)
  if meta then
    local tab = string.find(meta, '\\t', 1, true)
    local fkey = prefix .. string.sub(meta, 1, tab - 1)
    redis.call('HINCRBY', fkey, (value == '1' and 'occ:' or 'free:') .. string.sub(meta, tab + 1), 1)
  else
    redis.call('HDEL', KEYS[1], sensor)
    redis.call('ZREM', KEYS[2], sensor)
  end
end
return #states / 2
"""

# ARGV: dedup ttl, then 6-tuples (dedup key or '', facility key, 'p'|'r', value, observed ms, capacity).
_APPLY_COUNTER = """
local ttl = tonumber(ARGV[1])
local out = {}
local n = (#ARGV - 1) / 6
for i = 0, n - 1 do
  local b = 2 + i * 6
  local dedup, fkey, kind, value, observed, cap = ARGV[b], ARGV[b + 1], ARGV[b + 2], tonumber(ARGV[b + 3]),
    tonumber(ARGV[b + 4]), tonumber(ARGV[b + 5])
  local current = tonumber(redis.call('HGET', fkey, 'counted_occ') or '0')
  if dedup ~= '' and not redis.call('SET', dedup, '1', 'NX', 'EX', ttl) then
    out[#out + 1] = 2; out[#out + 1] = current; out[#out + 1] = 0
  elseif observed <= tonumber(redis.call('HGET', fkey, 'recal_ms') or '0') then
    out[#out + 1] = 3; out[#out + 1] = current; out[#out + 1] = 0
  else
    local new = current + value
    if kind == 'r' then
      new = value
      redis.call('HSET', fkey, 'recal_ms', observed, 'calibrated', 1)
    end
    local clamped = 0
    if new < 0 then new = 0; clamped = 1 elseif new > cap then new = cap; clamped = 1 end
    redis.call('HSET', fkey, 'counted_occ', new)
    if observed > tonumber(redis.call('HGET', fkey, 'counter_ms') or '0') then
      redis.call('HSET', fkey, 'counter_ms', observed)
    end
    redis.call('HINCRBY', fkey, 'version', 1)
    out[#out + 1] = 1; out[#out + 1] = new; out[#out + 1] = clamped
  end
end
return out
"""

# KEYS: published hash; ARGV: facility, version. 1 when this caller should publish it.
_CLAIM_PUBLICATION = """
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > last then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 1 end
return 0
"""


# KEYS: facility keys. Every facility hash as one line of tab-separated fields and values (names are
# ours, values integers), all in one reply: parsing a dozen HGETALL replies in redis-py's pure-Python
# RESP parser was most of GetAvailability's time. Also one consistent snapshot of all facilities.
_READ_COUNTS = """
local out = {}
for i, key in ipairs(KEYS) do out[i] = table.concat(redis.call('HGETALL', key), '\\t') end
return table.concat(out, '\\n')
"""


class CounterOutcome(IntEnum):
    APPLIED = 1
    DUPLICATE = 2
    IGNORED_OLDER = 3


@dataclass(frozen=True)
class ReadingWrite:
    """A validated sensor reading, ready for the store."""

    sensor_id: str
    facility_id: str
    space_type: SpaceType
    occupied: bool
    observed_ms: int


@dataclass(frozen=True)
class CounterWrite:
    """A validated counter event: a passage (signed vehicles) or a recalibration (absolute count)."""

    facility_id: str
    recalibration: bool
    value: int
    observed_ms: int
    counted_capacity: int
    dedup_key: str | None


@dataclass(frozen=True)
class CounterApplied:
    outcome: CounterOutcome
    counted_occupied: int
    clamped: bool


@dataclass(frozen=True)
class HistorySample:
    at_ms: int
    occupied: int
    free: int
    unknown: int


def facility_key(facility_id: str) -> str:
    return FACILITY_PREFIX + facility_id


class ParkingStore:
    """All Redis access of the parking service."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client
        self._apply_readings = client.register_script(_APPLY_READINGS)
        self._expire_stale = client.register_script(_EXPIRE_STALE)
        self._install = client.register_script(_INSTALL)
        self._apply_counter = client.register_script(_APPLY_COUNTER)
        self._claim = client.register_script(_CLAIM_PUBLICATION)
        self._read_counts = client.register_script(_READ_COUNTS)

    async def install(self, catalog: ParkingCatalog) -> int:
        """Write the sensor index and geo set, and recount sensor states (after a catalog change or restart)."""
        args: list[str] = [FACILITY_PREFIX, str(len(catalog.facilities)), *catalog.facilities]
        for sensor_id, space in catalog.spaces_by_sensor.items():
            args += [sensor_id, f"{space.facility_id}\t{space.space_type.value}"]
        known = int(await self._install(keys=[SENSOR_STATE, SENSOR_SEEN, SENSOR_META], args=args))
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.delete(GEO)
            for facility in catalog.facilities.values():
                pipe.geoadd(GEO, (facility.longitude, facility.latitude, facility.facility_id))
            await pipe.execute()
        return known

    async def apply_readings(self, readings: Sequence[ReadingWrite], *, stale_before_ms: int) -> list[bool]:
        """Apply readings in order; True where applied, False where an equal or newer one was applied before."""
        if not readings:
            return []
        packed = json.dumps(
            [
                [
                    reading.sensor_id,
                    FACILITY_PREFIX + reading.facility_id,
                    reading.space_type,  # a StrEnum: json writes its value
                    "1" if reading.occupied else "0",
                    reading.observed_ms,
                ]
                for reading in readings
            ],
            separators=(",", ":"),
        )
        result = await self._apply_readings(
            keys=[SENSOR_TIME, SENSOR_STATE, SENSOR_SEEN], args=[stale_before_ms, packed]
        )
        return [flag == 49 for flag in result]  # b"1"

    async def expire_stale(self, *, stale_before_ms: int, limit: int = 5000) -> int:
        """Make sensors silent since before ``stale_before_ms`` unknown; returns how many expired."""
        return int(
            await self._expire_stale(
                keys=[SENSOR_STATE, SENSOR_SEEN, SENSOR_META], args=[stale_before_ms, limit, FACILITY_PREFIX]
            )
        )

    async def apply_counter_events(self, events: Sequence[CounterWrite], *, dedup_ttl_s: int) -> list[CounterApplied]:
        if not events:
            return []
        args: list[str | int] = [max(dedup_ttl_s, 1)]
        for event in events:
            args += [
                event.dedup_key or "",
                facility_key(event.facility_id),
                "r" if event.recalibration else "p",
                event.value,
                event.observed_ms,
                event.counted_capacity,
            ]
        flat = await self._apply_counter(keys=[], args=args)
        return [
            CounterApplied(CounterOutcome(int(flat[i])), int(flat[i + 1]), bool(flat[i + 2]))
            for i in range(0, len(flat), 3)
        ]

    async def raw_counts(self, facility_ids: Sequence[str]) -> dict[str, RawCounts]:
        if not facility_ids:
            return {}
        reply = await self._read_counts(keys=[facility_key(fid) for fid in facility_ids], args=[])
        rows = reply.decode().split("\n")
        return {facility_id: _raw(row) for facility_id, row in zip(facility_ids, rows, strict=True)}

    async def sensor_states(self, sensor_ids: Sequence[str]) -> dict[str, tuple[bool | None, int | None]]:
        """Per sensor: occupied (None: unknown) and the observed ms of its last applied reading."""
        if not sensor_ids:
            return {}
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.hmget(SENSOR_STATE, list(sensor_ids))
            pipe.hmget(SENSOR_TIME, list(sensor_ids))
            states, times = await pipe.execute()
        return {
            sensor_id: (None if state is None else state == b"1", None if at is None else int(at))
            for sensor_id, state, at in zip(sensor_ids, states, times, strict=True)
        }

    async def within(self, longitude: float, latitude: float, radius_m: float) -> list[tuple[str, float]]:
        """Facility ids within the radius, nearest first, with distances in metres (Redis GEOSEARCH)."""
        found = await self._client.geosearch(
            GEO, longitude=longitude, latitude=latitude, radius=radius_m, unit="m", sort="ASC", withdist=True
        )
        return [(name.decode(), float(distance)) for name, distance in found]

    async def claim_publication(self, facility_id: str, version: int) -> bool:
        """True once per version, for the one replica that publishes the occupancy-changed event."""
        return bool(await self._claim(keys=[PUBLISHED], args=[facility_id, version]))

    async def record_history(self, samples: Mapping[str, HistorySample], *, keep_after_ms: int) -> None:
        """Store one sample per facility; a second replica sampling the same instant overwrites, never adds."""
        async with self._client.pipeline(transaction=True) as pipe:
            for facility_id, sample in samples.items():
                key = HISTORY_PREFIX + facility_id
                member = f"{sample.at_ms}:{sample.occupied}:{sample.free}:{sample.unknown}"
                pipe.zremrangebyscore(key, sample.at_ms, sample.at_ms)
                pipe.zadd(key, {member: sample.at_ms})
                pipe.zremrangebyscore(key, "-inf", f"({keep_after_ms}")
            await pipe.execute()

    async def history(self, facility_id: str, start_ms: int, end_ms: int) -> list[HistorySample]:
        members = await self._client.zrangebyscore(HISTORY_PREFIX + facility_id, start_ms, f"({end_ms}")
        samples = []
        for member in members:
            at, occupied, free, unknown = member.decode().split(":")
            samples.append(HistorySample(int(at), int(occupied), int(free), int(unknown)))
        return samples


def _raw(row: str) -> RawCounts:
    """One line of the count-reading script: field and value alternating, tab-separated."""
    parts = row.split("\t") if row else []
    fields = {parts[i]: int(parts[i + 1]) for i in range(0, len(parts), 2)}
    free = {t: fields.get(f"free:{t.value}", 0) for t in SpaceType}
    occupied = {t: fields.get(f"occ:{t.value}", 0) for t in SpaceType}
    return RawCounts(
        sensor_free=free,
        sensor_occupied=occupied,
        counted_occupied=fields.get("counted_occ", 0),
        counter_calibrated=bool(fields.get("calibrated", 0)),
        counter_observed_ms=fields.get("counter_ms", 0),
        newest_observed_ms=fields.get("newest_ms", 0),
        version=fields.get("version", 0),
    )
