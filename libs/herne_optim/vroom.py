"""VROOM-compatible problem JSON in, VROOM-style solution JSON out.

Reads the problem format of VROOM (https://github.com/VROOM-Project/vroom/blob/master/docs/API.md),
validates it completely (every error names its JSON path, e.g. ``$.jobs[3].location_index``)
and turns it into the library's `RoutingProblem`, so it is planned by the very same model,
search and checker as the waste service. `solution_to_vroom` writes VROOM's output format.

Supported VROOM input:

- ``jobs``: ``id``, ``location_index`` or ``location`` ([lon, lat]), ``setup``, ``service``,
  ``delivery``, ``pickup`` (legacy ``amount``: a pickup), ``skills``, ``priority`` (0-100),
  ``time_windows``, ``description``.
- ``vehicles``: ``id``, ``start_index``/``start``, ``end_index``/``end``, ``capacity``,
  ``skills``, ``time_window``, ``breaks`` (``id``, ``time_windows``, ``service``),
  ``costs`` (``fixed``, ``per_hour``, ``per_km``), ``profile``, ``speed_factor`` (one value
  for the whole fleet), ``description``, ``steps`` (used as a warm start, not as a fixed plan).
- ``matrices``: per profile ``durations``, ``distances``, ``costs``; the legacy top-level
  ``matrix`` (durations). A matrix is used exactly as given.
- Without any matrix, locations are coordinates and travel is *estimated*: great-circle
  distance times a detour factor (1.3), at 50 km/h; both can be set in the extension field
  ``coordinate_travel``. For real plans pass a matrix from a routing engine, or a road
  network (``network=``, CLI ``--road-network demo|FILE.osm|FILE.json``): fastest paths
  between the nodes nearest to the coordinates, plus straight access legs (at most 3 km).

Not supported (a clear error, or for shipments a clear entry in ``unassigned``):
``shipments`` (pickup-delivery pairs: every pickup and delivery of a shipment is reported
unassigned with reason ``unsupported_shipment``), ``max_tasks``, ``max_travel_time``,
``max_distance``, break ``max_load``, different matrices for different vehicles' profiles.

Approximations (always on the safe side, the plan is feasible in VROOM's terms):
a job's ``setup`` is always applied (VROOM skips it after a stop at the same location);
capacity is checked on delivery + pickup per trip (VROOM tracks the load along the route,
which can fit more mixed deliveries and pickups); priorities weigh a job (1 + priority)
times a large penalty, so a higher priority wins over a lower one in practice, but it is not
a strict lexicographic order as in VROOM.

Extensions (optional fields VROOM lacks, ignored by VROOM itself):

- top-level ``disposal_sites``: ``[{"id": 1, "location_index": 7, "opening": [t0, t1],
  "unload": 900, "description": "..."}]``: where a vehicle unloads (the load drops to zero)
  and then continues: multiple trips per shift. ``opening``: unloading must start inside it.
- vehicle ``disposal_sites``: ids of the sites this vehicle may use (default: all);
  vehicle ``must_unload_before_end``: true: the vehicle must arrive at its end empty.
- top-level ``coordinate_travel``: ``{"speed_kmh": 50, "detour_factor": 1.3}``.

Other keys are ignored, as VROOM does (``description``, ``options``, ...). Limits: at most
2000 locations, 3000 jobs, 500 vehicles, 10 amount dimensions, matrix entries up to 10^8.

The output has steps of type ``start``, ``job``, ``break``, ``end`` and our ``unload``
(with ``id`` = the disposal site's id); ``unassigned`` entries carry ``reason`` and ``detail``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from herne_optim.network import RoadNetwork
from herne_optim.problem import (
    Break,
    DisposalSite,
    Job,
    ProblemError,
    RoutingProblem,
    Solution,
    SolveOptions,
    StepKind,
    TimeWindow,
    UnassignedReason,
    Vehicle,
    Violation,
)

MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_LOCATIONS = 2000
MAX_JOBS = 3000
MAX_VEHICLES = 500
MAX_DIMENSIONS = 10
MAX_TIME = 2**40  # seconds; unix timestamps fit with a wide margin
MAX_MATRIX_ENTRY = 10**8  # seconds, metres or cost units per arc
MAX_PRIORITY = 100
_BIG = 10**6  # cost units of an unserved job: above any route cost the limits allow
DEFAULT_SPEED_KMH = 50.0
DEFAULT_DETOUR = 1.3
MAX_SNAP_M = 3000.0  # a coordinate farther from every road-network node is not on the map
ACCESS_SPEED_KMH = 20.0  # from the nearest network node to the door
EARTH_RADIUS_M = 6_371_000.0


class VroomInputError(ProblemError):
    """The problem file is not a valid (supported) VROOM problem; ``path`` names the field."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.detail = message


@dataclass(frozen=True)
class VroomJob:
    id: int
    key: str  # the job id in the RoutingProblem
    location: int
    coordinates: tuple[float, float] | None
    setup: float
    service: float
    delivery: tuple[int, ...]
    pickup: tuple[int, ...]
    priority: int
    description: str | None


@dataclass(frozen=True)
class VroomVehicle:
    id: int
    key: str
    per_hour: float
    per_km: float
    fixed: float
    description: str | None


@dataclass(frozen=True)
class VroomProblem:
    """A parsed VROOM problem: the library problem plus what the output format needs back."""

    problem: RoutingProblem
    jobs: Mapping[str, VroomJob]  # by RoutingProblem job id
    vehicles: Sequence[VroomVehicle]  # in input order
    sites: Mapping[str, int]  # RoutingProblem site id -> VROOM extension id
    durations: Sequence[Sequence[float]]
    distances: Sequence[Sequence[float]] | None
    costs: Sequence[Sequence[float]] | None  # a custom cost matrix, if given
    coordinates: Mapping[int, tuple[float, float]]  # location index -> [lon, lat] given
    uses_indices: bool  # the input referred to locations by index (a matrix was given)
    dimensions: int
    unsupported: Sequence[dict[str, Any]] = field(default_factory=tuple)  # shipment steps


# ---------------------------------------------------------------------------------------
# Reading


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON number")


def loads_problem(text: str | bytes, *, network: RoadNetwork | None = None) -> VroomProblem:
    """Parse and validate problem JSON text; raises `VroomInputError` naming the field."""
    if len(text) > MAX_INPUT_BYTES:
        raise VroomInputError("$", f"file larger than {MAX_INPUT_BYTES} bytes")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise VroomInputError("$", f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise VroomInputError("$", f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:
        raise VroomInputError("$", f"malformed JSON: {exc}") from None
    except RecursionError:
        raise VroomInputError("$", "malformed JSON: nested too deeply") from None
    return parse_problem(data, network=network)


def _obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise VroomInputError(path, f"must be an object, got {_kind(value)}")
    return value


def _list(value: Any, path: str, *, max_len: int | None = None, min_len: int = 0) -> list[Any]:
    if not isinstance(value, list):
        raise VroomInputError(path, f"must be an array, got {_kind(value)}")
    if len(value) < min_len:
        raise VroomInputError(path, f"must have at least {min_len} entries")
    if max_len is not None and len(value) > max_len:
        raise VroomInputError(path, f"at most {max_len} entries supported, got {len(value)}")
    return value


def _int(value: Any, path: str, lo: int = 0, hi: int = 2**64 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise VroomInputError(path, f"must be an integer, got {_kind(value)}")
    if not lo <= value <= hi:
        raise VroomInputError(path, f"must be between {lo} and {hi}, got {value}")
    return value


def _num(value: Any, path: str, lo: float = 0.0, hi: float = float(MAX_TIME)) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise VroomInputError(path, f"must be a number, got {_kind(value)}")
    if not (math.isfinite(value) and lo <= value <= hi):
        raise VroomInputError(path, f"must be a finite number between {lo:g} and {hi:g}, got {value}")
    return float(value)


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise VroomInputError(path, f"must be a string, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return {dict: "an object", list: "an array", str: "a string", int: "an integer", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _window(value: Any, path: str) -> TimeWindow:
    pair = _list(value, path)
    if len(pair) != 2:
        raise VroomInputError(path, "a time window is [start, end]")
    start, end = _num(pair[0], f"{path}[0]"), _num(pair[1], f"{path}[1]")
    if end < start:
        raise VroomInputError(path, f"end {end:g} before start {start:g}")
    return TimeWindow(start, end)


def _windows(value: Any, path: str) -> tuple[TimeWindow, ...]:
    items = _list(value, path, max_len=100, min_len=1)
    return tuple(_window(item, f"{path}[{k}]") for k, item in enumerate(items))


def _skills(value: Any, path: str) -> frozenset[str]:
    items = _list(value, path, max_len=1000)
    return frozenset(str(_int(item, f"{path}[{k}]", 0, 2**32 - 1)) for k, item in enumerate(items))


def _coordinates(value: Any, path: str) -> tuple[float, float]:
    pair = _list(value, path)
    if len(pair) != 2:
        raise VroomInputError(path, "coordinates are [lon, lat]")
    lon = _num(pair[0], f"{path}[0]", -180.0, 180.0)
    lat = _num(pair[1], f"{path}[1]", -90.0, 90.0)
    return (lon, lat)


def _matrix(value: Any, path: str) -> list[list[float]]:
    rows = _list(value, path, max_len=MAX_LOCATIONS, min_len=1)
    n = len(rows)
    out: list[list[float]] = []
    for i, row in enumerate(rows):
        cells = _list(row, f"{path}[{i}]")
        if len(cells) != n:
            raise VroomInputError(f"{path}[{i}]", f"row has {len(cells)} entries, the matrix needs {n} (square)")
        out_row = []
        for j, cell in enumerate(cells):
            if isinstance(cell, bool) or not isinstance(cell, int | float):
                raise VroomInputError(f"{path}[{i}][{j}]", f"must be a number, got {_kind(cell)}")
            if not (math.isfinite(cell) and 0 <= cell <= MAX_MATRIX_ENTRY):
                raise VroomInputError(f"{path}[{i}][{j}]", f"must be between 0 and {MAX_MATRIX_ENTRY}, got {cell}")
            out_row.append(float(cell))
        out.append(out_row)
    return out


class _Locations:
    """Resolves location references: matrix indices, or coordinates deduplicated into indices."""

    def __init__(self, size: int | None) -> None:
        self.size = size  # None: no matrix, locations are coordinates
        self.points: list[tuple[float, float]] = []
        self._index: dict[tuple[float, float], int] = {}
        self.given: dict[int, tuple[float, float]] = {}
        self.paths: list[str] = []  # where each coordinate point was first given

    def resolve(
        self, entry: dict[str, Any], path: str, index_key: str, coord_key: str, *, required: bool
    ) -> int | None:
        has_index, has_coord = index_key in entry, coord_key in entry
        coords = _coordinates(entry[coord_key], f"{path}.{coord_key}") if has_coord else None
        if self.size is not None:
            if not has_index:
                if has_coord or required:
                    raise VroomInputError(f"{path}.{index_key}", "required when a matrix is given")
                return None
            index = _int(entry[index_key], f"{path}.{index_key}")
            if index >= self.size:
                raise VroomInputError(
                    f"{path}.{index_key}", f"{index} is outside the matrix ({self.size} locations, 0..{self.size - 1})"
                )
            if coords is not None:
                self.given[index] = coords
            return index
        if has_index:
            raise VroomInputError(f"{path}.{index_key}", "no matrix given (add `matrices` or use coordinates)")
        if coords is None:
            if required:
                raise VroomInputError(f"{path}.{coord_key}", "required (no matrix given)")
            return None
        if coords not in self._index:
            if len(self.points) >= MAX_LOCATIONS:
                raise VroomInputError(path, f"more than {MAX_LOCATIONS} distinct locations")
            self._index[coords] = len(self.points)
            self.points.append(coords)
            self.paths.append(f"{path}.{coord_key}")
        index = self._index[coords]
        self.given[index] = coords
        return index


def _amount(value: Any, path: str, dims: list[int | None], first: list[str]) -> tuple[int, ...]:
    items = _list(value, path, max_len=MAX_DIMENSIONS)
    amounts = tuple(_int(item, f"{path}[{k}]", 0, 2**53) for k, item in enumerate(items))
    if dims[0] is None:
        dims[0] = len(amounts)
        first.append(path)
    elif len(amounts) != dims[0]:
        raise VroomInputError(path, f"has {len(amounts)} dimensions, but {first[0]} has {dims[0]}")
    return amounts


def _pick_matrices(data: dict[str, Any], profiles: set[str]) -> dict[str, list[list[float]] | None] | None:
    """durations/distances/costs of the fleet's profile, or None when no matrix is given."""
    if "matrices" in data:
        matrices = _obj(data["matrices"], "$.matrices")
        chosen: dict[str, list[list[float]] | None] | None = None
        for profile in sorted(profiles):
            path = f"$.matrices.{profile}"
            if profile not in matrices:
                raise VroomInputError(path, f"no matrices for the vehicles' profile {profile!r}")
            entry = _obj(matrices[profile], path)
            if "durations" not in entry:
                raise VroomInputError(f"{path}.durations", "required")
            current = {
                key: _matrix(entry[key], f"{path}.{key}") if key in entry else None
                for key in ("durations", "distances", "costs")
            }
            if chosen is not None and current != chosen:
                raise VroomInputError(path, "vehicles use profiles with different matrices (not supported)")
            chosen = current
        return chosen
    if "matrix" in data:  # legacy: one durations matrix for every profile
        return {"durations": _matrix(data["matrix"], "$.matrix"), "distances": None, "costs": None}
    return None


def _check_size(matrix: list[list[float]] | None, n: int, path: str) -> None:
    if matrix is not None and len(matrix) != n:
        raise VroomInputError(path, f"{len(matrix)} rows, but durations has {n}")


def _haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _road_tables(
    network: RoadNetwork,
    points: list[tuple[float, float]],
    paths: list[str],
    estimated_durations: list[list[float]],
    estimated_distances: list[list[float]],
) -> tuple[list[list[float]], list[list[float]]]:
    """Travel on the road network: snap each point to its nearest node, fastest paths between
    nodes, plus the straight access legs (detour factor, town speed) at both ends. Points
    snapped to the same node keep the straight-line estimate between them."""
    nodes, access_m = [], []
    for point, path in zip(points, paths, strict=True):
        node, gap = network.nearest_node(point[1], point[0])
        if gap > MAX_SNAP_M:
            raise VroomInputError(path, f"{gap:.0f} m from the road network (more than {MAX_SNAP_M:.0f} m)")
        nodes.append(node)
        access_m.append(gap * DEFAULT_DETOUR)
    table = network.matrix(nodes)
    n = len(points)
    durations = [[0.0] * n for _ in range(n)]
    distances = [[0.0] * n for _ in range(n)]
    access_s = [a / (ACCESS_SPEED_KMH / 3.6) for a in access_m]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            if nodes[i] == nodes[j]:
                durations[i][j], distances[i][j] = estimated_durations[i][j], estimated_distances[i][j]
                continue
            seconds, metres = table.durations[i][j], table.distances[i][j]
            if math.isinf(seconds):
                raise VroomInputError(paths[j], f"not reachable on the road network from {paths[i]}")
            durations[i][j] = round(access_s[i] + seconds + access_s[j])
            distances[i][j] = round(access_m[i] + metres + access_m[j])
    return durations, distances


def parse_problem(  # noqa: PLR0912, PLR0915 - one pass over the document
    data: Any, *, network: RoadNetwork | None = None
) -> VroomProblem:
    """Validate a decoded VROOM problem document and build the `RoutingProblem`.

    ``network``: for a problem without matrices, travel between its coordinates comes from
    this road network (fastest paths) instead of the straight-line estimate.
    """
    root = _obj(data, "$")
    vehicles_in = _list(root.get("vehicles"), "$.vehicles", max_len=MAX_VEHICLES) if "vehicles" in root else None
    if vehicles_in is None:
        raise VroomInputError("$.vehicles", "required")
    jobs_in = _list(root["jobs"], "$.jobs", max_len=MAX_JOBS) if "jobs" in root else []
    shipments_in = _list(root["shipments"], "$.shipments", max_len=MAX_JOBS) if "shipments" in root else []
    if not jobs_in and not shipments_in:
        raise VroomInputError("$.jobs", "no jobs or shipments to plan")

    vehicle_objs = [_obj(v, f"$.vehicles[{k}]") for k, v in enumerate(vehicles_in)]
    profiles = set()
    speed_factors = set()
    for k, v in enumerate(vehicle_objs):
        profiles.add(_str(v["profile"], f"$.vehicles[{k}].profile") if "profile" in v else "car")
        if "speed_factor" in v:
            speed_factors.add(_num(v["speed_factor"], f"$.vehicles[{k}].speed_factor", 0.001, 5.0))
        else:
            speed_factors.add(1.0)
        for unsupported in ("max_tasks", "max_travel_time", "max_distance"):
            if unsupported in v:
                raise VroomInputError(f"$.vehicles[{k}].{unsupported}", "not supported by this planner")
    if len(speed_factors) > 1:
        raise VroomInputError("$.vehicles", "different speed_factor values per vehicle are not supported")
    speed_factor = speed_factors.pop() if speed_factors else 1.0

    matrices = _pick_matrices(root, profiles or {"car"})
    locations = _Locations(len(matrices["durations"] or []) if matrices else None)
    if matrices:
        n = len(matrices["durations"] or [])
        for key in ("distances", "costs"):
            _check_size(matrices[key], n, f"$.matrices.{key}")

    dims: list[int | None] = [None]
    first_amount: list[str] = []
    # The fleet's capacity sets the number of dimensions; amounts of jobs must match it.
    for k, v in enumerate(vehicle_objs):
        if "capacity" in v:
            _amount(v["capacity"], f"$.vehicles[{k}].capacity", dims, first_amount)
            break

    # Disposal sites (extension).
    sites: list[DisposalSite] = []
    site_keys: dict[int, str] = {}
    for k, raw in enumerate(_list(root.get("disposal_sites", []), "$.disposal_sites", max_len=100)):
        path = f"$.disposal_sites[{k}]"
        site = _obj(raw, path)
        if "id" not in site:
            raise VroomInputError(f"{path}.id", "required")
        site_id = _int(site["id"], f"{path}.id")
        if site_id in site_keys:
            raise VroomInputError(f"{path}.id", f"duplicate disposal site id {site_id}")
        location = locations.resolve(site, path, "location_index", "location", required=True)
        assert location is not None
        opening = _window(site["opening"], f"{path}.opening") if "opening" in site else None
        unload = _num(site["unload"], f"{path}.unload") if "unload" in site else 0.0
        key = f"site-{site_id}"
        site_keys[site_id] = key
        sites.append(DisposalSite(key, location, opening, unload))

    # Jobs.
    jobs: list[tuple[VroomJob, frozenset[str], tuple[TimeWindow, ...]]] = []
    seen_jobs: set[int] = set()
    for k, raw in enumerate(jobs_in):
        path = f"$.jobs[{k}]"
        job = _obj(raw, path)
        if "id" not in job:
            raise VroomInputError(f"{path}.id", "required")
        job_id = _int(job["id"], f"{path}.id")
        if job_id in seen_jobs:
            raise VroomInputError(f"{path}.id", f"duplicate job id {job_id}")
        seen_jobs.add(job_id)
        location = locations.resolve(job, path, "location_index", "location", required=True)
        assert location is not None
        delivery = _amount(job["delivery"], f"{path}.delivery", dims, first_amount) if "delivery" in job else ()
        pickup = _amount(job["pickup"], f"{path}.pickup", dims, first_amount) if "pickup" in job else ()
        if "amount" in job and "pickup" not in job:
            pickup = _amount(job["amount"], f"{path}.amount", dims, first_amount)
        description = _str(job["description"], f"{path}.description") if "description" in job else None
        vjob = VroomJob(
            id=job_id,
            key=str(job_id),
            location=location,
            coordinates=None,
            setup=_num(job["setup"], f"{path}.setup") if "setup" in job else 0.0,
            service=_num(job["service"], f"{path}.service") if "service" in job else 0.0,
            delivery=delivery,
            pickup=pickup,
            priority=_int(job["priority"], f"{path}.priority", 0, MAX_PRIORITY) if "priority" in job else 0,
            description=description,
        )
        skills = _skills(job["skills"], f"{path}.skills") if "skills" in job else frozenset()
        windows = _windows(job["time_windows"], f"{path}.time_windows") if "time_windows" in job else ()
        jobs.append((vjob, skills, windows))

    # Shipments: validated, then reported unassigned (no pickup-delivery pairs in the model).
    unsupported: list[dict[str, Any]] = []
    for k, raw in enumerate(shipments_in):
        path = f"$.shipments[{k}]"
        shipment = _obj(raw, path)
        if "amount" in shipment:
            _amount(shipment["amount"], f"{path}.amount", dims, first_amount)
        for side in ("pickup", "delivery"):
            if side not in shipment:
                raise VroomInputError(f"{path}.{side}", "required")
            step = _obj(shipment[side], f"{path}.{side}")
            if "id" not in step:
                raise VroomInputError(f"{path}.{side}.id", "required")
            entry: dict[str, Any] = {"id": _int(step["id"], f"{path}.{side}.id"), "type": side}
            index = locations.resolve(step, f"{path}.{side}", "location_index", "location", required=True)
            if locations.size is not None:
                entry["location_index"] = index
            if "location" in step:
                entry["location"] = list(_coordinates(step["location"], f"{path}.{side}.location"))
            entry["reason"] = "unsupported_shipment"
            entry["detail"] = "shipments (pickup-delivery pairs) are not modelled by this planner"
            unsupported.append(entry)

    # Vehicles.
    vehicle_specs: list[dict[str, Any]] = []
    seen_vehicles: set[int] = set()
    for k, vehicle in enumerate(vehicle_objs):
        path = f"$.vehicles[{k}]"
        if "id" not in vehicle:
            raise VroomInputError(f"{path}.id", "required")
        vehicle_id = _int(vehicle["id"], f"{path}.id")
        if vehicle_id in seen_vehicles:
            raise VroomInputError(f"{path}.id", f"duplicate vehicle id {vehicle_id}")
        seen_vehicles.add(vehicle_id)
        start = locations.resolve(vehicle, path, "start_index", "start", required=False)
        end = locations.resolve(vehicle, path, "end_index", "end", required=False)
        if start is None and end is None:
            raise VroomInputError(path, "needs a start or an end (start_index/end_index or start/end)")
        capacity = (
            _amount(vehicle["capacity"], f"{path}.capacity", dims, first_amount) if "capacity" in vehicle else None
        )
        breaks: list[Break] = []
        break_ids: set[int] = set()
        for b, raw_break in enumerate(_list(vehicle.get("breaks", []), f"{path}.breaks", max_len=50)):
            bpath = f"{path}.breaks[{b}]"
            brk = _obj(raw_break, bpath)
            if "id" not in brk:
                raise VroomInputError(f"{bpath}.id", "required")
            break_id = _int(brk["id"], f"{bpath}.id")
            if break_id in break_ids:
                raise VroomInputError(f"{bpath}.id", f"duplicate break id {break_id} for this vehicle")
            break_ids.add(break_id)
            if "max_load" in brk:
                raise VroomInputError(f"{bpath}.max_load", "not supported by this planner")
            if "time_windows" not in brk:
                raise VroomInputError(f"{bpath}.time_windows", "required")
            windows = _windows(brk["time_windows"], f"{bpath}.time_windows")
            service = _num(brk["service"], f"{bpath}.service") if "service" in brk else 0.0
            if service > 0:  # a zero-length break constrains nothing
                breaks.append(Break(str(break_id), service, windows))
        costs = _obj(vehicle.get("costs", {}), f"{path}.costs")
        allowed_sites: tuple[str, ...] | None = None
        if "disposal_sites" in vehicle:
            ids = _list(vehicle["disposal_sites"], f"{path}.disposal_sites", max_len=100)
            allowed = []
            for s, raw_site in enumerate(ids):
                site_id = _int(raw_site, f"{path}.disposal_sites[{s}]")
                if site_id not in site_keys:
                    raise VroomInputError(f"{path}.disposal_sites[{s}]", f"unknown disposal site {site_id}")
                allowed.append(site_keys[site_id])
            allowed_sites = tuple(allowed)
        must_unload = vehicle.get("must_unload_before_end", False)
        if not isinstance(must_unload, bool):
            raise VroomInputError(f"{path}.must_unload_before_end", f"must be true or false, got {_kind(must_unload)}")
        if must_unload and not sites:
            raise VroomInputError(f"{path}.must_unload_before_end", "needs disposal_sites in the problem")
        vehicle_specs.append(
            {
                "id": vehicle_id,
                "start": start,
                "end": end,
                "capacity": capacity,
                "skills": _skills(vehicle["skills"], f"{path}.skills") if "skills" in vehicle else frozenset(),
                "window": _window(vehicle["time_window"], f"{path}.time_window") if "time_window" in vehicle else None,
                "breaks": tuple(breaks),
                "fixed": _num(costs["fixed"], f"{path}.costs.fixed", 0, 1e9) if "fixed" in costs else 0.0,
                "per_hour": _num(costs["per_hour"], f"{path}.costs.per_hour", 0, 1e7)
                if "per_hour" in costs
                else 3600.0,
                "per_km": _num(costs["per_km"], f"{path}.costs.per_km", 0, 1e7) if "per_km" in costs else 0.0,
                "sites": allowed_sites,
                "must_unload": must_unload,
                "description": _str(vehicle["description"], f"{path}.description")
                if "description" in vehicle
                else None,
                "steps": vehicle.get("steps"),
                "path": path,
            }
        )

    # Travel tables.
    if matrices is not None:
        durations = matrices["durations"] or []
        distances = matrices["distances"]
        custom_costs = matrices["costs"]
    else:
        travel = _obj(root.get("coordinate_travel", {}), "$.coordinate_travel")
        speed = (
            _num(travel["speed_kmh"], "$.coordinate_travel.speed_kmh", 1, 300)
            if "speed_kmh" in travel
            else DEFAULT_SPEED_KMH
        )
        detour = (
            _num(travel["detour_factor"], "$.coordinate_travel.detour_factor", 1, 5)
            if "detour_factor" in travel
            else DEFAULT_DETOUR
        )
        points = locations.points
        distances = [[round(_haversine(a, b) * detour) for b in points] for a in points]
        durations = [[round(d / (speed / 3.6)) for d in row] for row in distances]
        if network is not None:
            durations, distances = _road_tables(network, points, locations.paths, durations, distances)
        custom_costs = None
    if speed_factor != 1.0:
        durations = [[round(d / speed_factor) for d in row] for row in durations]

    # Cost: VROOM's objective is fixed + per_hour * travel time + per_km * distance (or a
    # custom cost matrix). The library costs per km of its `distances` table, so it gets one
    # cost table and each vehicle its scale on it.
    base = next(iter(vehicle_specs), {"per_hour": 3600.0, "per_km": 0.0})
    if custom_costs is not None:
        cost_table = custom_costs
    else:
        ph, pk = base["per_hour"], base["per_km"]
        if distances is None and any(v["per_km"] for v in vehicle_specs):
            raise VroomInputError("$.vehicles", "costs.per_km needs a distances matrix")
        cost_table = [
            [ph / 3600 * row[j] + (pk / 1000 * distances[i][j] if distances else 0.0) for j in range(len(row))]
            for i, row in enumerate(durations)
        ]

    def scale(spec: dict[str, Any]) -> float:
        if custom_costs is not None:
            return 1.0
        reference = base["per_hour"] + base["per_km"]
        return (spec["per_hour"] + spec["per_km"]) / reference if reference else 0.0

    # Horizon for vehicles without a time window: long enough to serve everything.
    longest = max((max(row) for row in durations), default=0.0)
    latest = max(
        [w.end for _, _, ws in jobs for w in ws]
        + [v["window"].end for v in vehicle_specs if v["window"] is not None]
        + [w.end for v in vehicle_specs for b in v["breaks"] for w in b.windows]
        + [s.opening.end for s in sites if s.opening is not None]
        + [0.0]
    )
    busy = sum(j.setup + j.service for j, _, _ in jobs) + sum(b.duration_s for v in vehicle_specs for b in v["breaks"])
    trips = len(jobs) * (longest + max((s.unload_s for s in sites), default=0.0)) if sites else 0.0
    horizon = latest + busy + trips + (len(jobs) + 2) * longest + 1.0

    dimension_names = [f"amount_{d}" for d in range(dims[0] or 0)]
    try:
        core_jobs = []
        for vjob, skills, windows in jobs:
            demand = {
                name: float((vjob.delivery[d] if vjob.delivery else 0) + (vjob.pickup[d] if vjob.pickup else 0))
                for d, name in enumerate(dimension_names)
            }
            core_jobs.append(
                Job(
                    id=vjob.key,
                    location=vjob.location,
                    service_s=vjob.setup + vjob.service,
                    demand={k: v for k, v in demand.items() if v},
                    time_windows=windows,
                    skills=skills,
                    penalty=None if vjob.priority == 0 else float(_BIG * (1 + vjob.priority)),
                )
            )
        core_vehicles = []
        out_vehicles = []
        for spec in vehicle_specs:
            key = str(spec["id"])
            capacity = (
                {name: float(spec["capacity"][d]) for d, name in enumerate(dimension_names)}
                if spec["capacity"] is not None
                else {}
            )
            core_vehicles.append(
                Vehicle(
                    id=key,
                    start_location=spec["start"],
                    end_location=spec["end"],
                    shift=spec["window"] or TimeWindow(0.0, horizon),
                    capacity=capacity,
                    skills=spec["skills"],
                    breaks=spec["breaks"],
                    cost_fixed=spec["fixed"],
                    cost_per_km=1000.0 * scale(spec),
                    cost_per_hour=0.0,
                    disposal_site_ids=spec["sites"],
                    must_unload_before_end=spec["must_unload"],
                )
            )
            out_vehicles.append(
                VroomVehicle(spec["id"], key, spec["per_hour"], spec["per_km"], spec["fixed"], spec["description"])
            )
        initial = _initial_routes(vehicle_specs, {j.id for j, _, _ in jobs})
        problem = RoutingProblem(
            durations=durations,
            jobs=tuple(core_jobs),
            vehicles=tuple(core_vehicles),
            distances=cost_table,
            disposal_sites=tuple(sites),
            initial_routes=initial or None,
        )
    except VroomInputError:
        raise
    except ProblemError as exc:  # a rule of the library model the checks above did not cover
        raise VroomInputError("$", str(exc)) from None
    return VroomProblem(
        problem=problem,
        jobs={j.key: j for j, _, _ in jobs},
        vehicles=tuple(out_vehicles),
        sites={key: site_id for site_id, key in site_keys.items()},
        durations=durations,
        distances=distances,
        costs=custom_costs,
        coordinates=dict(locations.given),
        uses_indices=matrices is not None,
        dimensions=dims[0] or 0,
        unsupported=tuple(unsupported),
    )


def _initial_routes(vehicle_specs: list[dict[str, Any]], job_ids: set[int]) -> dict[str, list[str]]:
    """VROOM's vehicle ``steps`` (a given plan) as a warm start: job steps only."""
    routes: dict[str, list[str]] = {}
    used: set[int] = set()
    for spec in vehicle_specs:
        if spec["steps"] is None:
            continue
        path = f"{spec['path']}.steps"
        stops = []
        for s, raw in enumerate(_list(spec["steps"], path, max_len=MAX_JOBS + 100)):
            step = _obj(raw, f"{path}[{s}]")
            kind = _str(step.get("type"), f"{path}[{s}].type")
            if kind not in ("start", "end", "job", "break", "pickup", "delivery"):
                raise VroomInputError(f"{path}[{s}].type", f"unknown step type {kind!r}")
            if kind != "job":
                continue
            if "id" not in step:
                raise VroomInputError(f"{path}[{s}].id", "required for a job step")
            job_id = _int(step["id"], f"{path}[{s}].id")
            if job_id not in job_ids:
                raise VroomInputError(f"{path}[{s}].id", f"unknown job {job_id}")
            if job_id in used:
                raise VroomInputError(f"{path}[{s}].id", f"job {job_id} appears in two vehicles' steps")
            used.add(job_id)
            stops.append(str(job_id))
        if stops:
            routes[str(spec["id"])] = stops
    return routes


# ---------------------------------------------------------------------------------------
# Writing


def _t(x: float) -> int | float:
    """VROOM writes integers; keep fractions only where the input had them."""
    r = round(x)
    return int(r) if abs(x - r) < 1e-6 else round(x, 3)


def _travel(table: Sequence[Sequence[float]] | None, a: int | None, b: int | None) -> float:
    if table is None or a is None or b is None:
        return 0.0
    return float(table[a][b])


_REASONS = {
    UnassignedReason.NOT_WORTH_IT: UnassignedReason.NO_ROOM,  # priorities are penalties, not "optional"
}


def solution_to_vroom(  # noqa: PLR0912, PLR0915 - one walk over every route
    vp: VroomProblem,
    solution: Solution,
    *,
    violations: Sequence[Violation] = (),
    loading_ms: int = 0,
) -> dict[str, Any]:
    """The solution in VROOM's output format (plus our ``unload`` steps and a ``herne`` block)."""
    k = vp.dimensions
    zero = [0] * k
    with_distance = vp.distances is not None
    vehicles = {v.key: v for v in vp.vehicles}

    def place(out: dict[str, Any], location: int | None) -> None:
        if location is None:
            return
        if vp.uses_indices:
            out["location_index"] = location
        if location in vp.coordinates:
            out["location"] = list(vp.coordinates[location])

    def add(a: list[int], b: Sequence[int]) -> list[int]:
        return [x + y for x, y in zip(a, b, strict=True)] if b else a

    routes_out = []
    totals = {"cost": 0.0, "setup": 0.0, "service": 0.0, "duration": 0.0, "waiting_time": 0.0, "distance": 0.0}
    sum_delivery, sum_pickup, sum_priority = list(zero), list(zero), 0
    for route in solution.routes:
        vehicle = vehicles[route.vehicle_id]
        steps = route.steps
        # Deliveries of a trip are on board from its start (the depot or the last unload).
        trip_delivery: list[list[int]] = [list(zero)]
        for step in steps:
            if step.kind is StepKind.UNLOAD:
                trip_delivery.append(list(zero))
            elif step.kind is StepKind.JOB and step.id is not None:
                trip_delivery[-1] = add(trip_delivery[-1], vp.jobs[step.id].delivery)
        trip = 0
        load = list(trip_delivery[0])
        duration = distance = cost_travel = 0.0
        setup = service = waiting = 0.0
        delivery, pickup, priority = list(zero), list(zero), 0
        prev_location: int | None = None
        out_steps = []
        for step in steps:
            location = step.location if step.kind is not StepKind.BREAK else prev_location
            if step.kind is not StepKind.BREAK and step.location is not None:
                if prev_location is not None:
                    duration += _travel(vp.durations, prev_location, step.location)
                    distance += _travel(vp.distances, prev_location, step.location)
                    cost_travel += _travel(vp.problem.distances, prev_location, step.location)  # type: ignore[arg-type]
                prev_location = step.location
            entry: dict[str, Any] = {"type": step.kind.value}
            step_setup = 0.0
            step_service = step.departure - step.start
            if step.kind is StepKind.JOB and step.id is not None:
                job = vp.jobs[step.id]
                entry["id"] = job.id
                entry["job"] = job.id  # legacy key VROOM still writes
                if job.description is not None:
                    entry["description"] = job.description
                step_setup, step_service = job.setup, job.service
                if job.delivery:
                    load = [x - y for x, y in zip(load, job.delivery, strict=True)]
                    delivery = add(delivery, job.delivery)
                if job.pickup:
                    load = add(load, job.pickup)
                    pickup = add(pickup, job.pickup)
                priority += job.priority
            elif step.kind is StepKind.UNLOAD and step.id is not None:
                entry["id"] = vp.sites[step.id]
                trip += 1
                load = list(trip_delivery[trip])
            elif step.kind is StepKind.BREAK and step.id is not None:
                entry["id"] = int(step.id)
            place(entry, location)
            step_wait = max(0.0, step.start - step.arrival)
            entry.update(
                {
                    "setup": _t(step_setup),
                    "service": _t(step_service),
                    "waiting_time": _t(step_wait),
                    "arrival": _t(step.departure if step.kind is StepKind.START else step.arrival),
                    "duration": _t(duration),
                    "violations": [],
                }
            )
            if k:
                entry["load"] = list(load)
            if with_distance:
                entry["distance"] = _t(distance)
            setup += step_setup
            service += step_service
            waiting += step_wait
            out_steps.append(entry)
        cost = vehicle.fixed + cost_travel * (1.0 if vp.costs is not None else _scale(vp, vehicle))
        route_out: dict[str, Any] = {"vehicle": vehicle.id, "cost": _t(round(cost))}
        if vehicle.description is not None:
            route_out["description"] = vehicle.description
        if k:
            route_out["delivery"] = delivery
            route_out["pickup"] = pickup
        route_out.update(
            {
                "setup": _t(setup),
                "service": _t(service),
                "duration": _t(duration),
                "waiting_time": _t(waiting),
                "priority": priority,
            }
        )
        if with_distance:
            route_out["distance"] = _t(distance)
        route_out["steps"] = out_steps
        route_out["violations"] = []
        routes_out.append(route_out)
        for key, value in (
            ("cost", round(cost)),
            ("setup", setup),
            ("service", service),
            ("duration", duration),
            ("waiting_time", waiting),
            ("distance", distance),
        ):
            totals[key] += value
        sum_delivery, sum_pickup = add(sum_delivery, delivery), add(sum_pickup, pickup)
        sum_priority += priority

    unassigned_out = []
    for u in solution.unassigned:
        job = vp.jobs[u.job_id]
        entry = {"id": job.id, "type": "job"}
        place(entry, job.location)
        if job.description is not None:
            entry["description"] = job.description
        entry["reason"] = _REASONS.get(u.reason, u.reason).value
        entry["detail"] = u.detail
        unassigned_out.append(entry)
    unassigned_out.extend(dict(e) for e in vp.unsupported)

    summary: dict[str, Any] = {
        "cost": _t(totals["cost"]),
        "routes": len(routes_out),
        "unassigned": len(unassigned_out),
    }
    if k:
        summary["delivery"] = sum_delivery
        summary["pickup"] = sum_pickup
    summary.update(
        {
            "setup": _t(totals["setup"]),
            "service": _t(totals["service"]),
            "duration": _t(totals["duration"]),
            "waiting_time": _t(totals["waiting_time"]),
            "priority": sum_priority,
        }
    )
    if with_distance:
        summary["distance"] = _t(totals["distance"])
    summary["violations"] = []
    summary["computing_times"] = {"loading": loading_ms, "solving": round(solution.solve_time_s * 1000)}
    return {
        "code": 0,
        "summary": summary,
        "unassigned": unassigned_out,
        "routes": routes_out,
        "herne": {
            "checked": not violations,
            "check_violations": [{"kind": v.kind, "subject": v.subject, "detail": v.detail} for v in violations],
            "unload_steps": sum(1 for r in solution.routes for s in r.steps if s.kind is StepKind.UNLOAD),
        },
    }


def _scale(vp: VroomProblem, vehicle: VroomVehicle) -> float:
    """The vehicle's factor on the shared cost table (see `parse_problem`)."""
    core = next(v for v in vp.problem.vehicles if v.id == vehicle.key)
    return core.cost_per_km / 1000.0


def error_document(error: VroomInputError) -> dict[str, Any]:
    """VROOM's error answer (code 2: input error), with the field path."""
    return {"code": 2, "error": str(error), "path": error.path}


def plan(vp: VroomProblem, options: SolveOptions, *, loading_ms: int = 0) -> dict[str, Any]:
    """Solve with the library's search, check independently, answer in VROOM's format."""
    from herne_optim.checker import check
    from herne_optim.routing import solve

    solution = solve(vp.problem, options)
    return solution_to_vroom(vp, solution, violations=check(vp.problem, solution), loading_ms=loading_ms)


__all__ = [
    "VroomInputError",
    "VroomProblem",
    "error_document",
    "loads_problem",
    "parse_problem",
    "plan",
    "solution_to_vroom",
]
