"""Road network: a directed networkx graph with travel times, matrices and address lookup.

Nodes are intersections (string ids), edges directed road segments with a length, a
free-flow travel time and a current condition (a travel-time factor, or closed). The
segment id of an edge is ``"<from_node_id>><to_node_id>"``, the id that
``traffic.road-conditions.v1`` uses.

Travel-time and distance matrices come from Dijkstra (fastest path by current travel
time; the distance is the length of that path). Each source's shortest-path row is cached;
a condition change drops only the rows whose shortest paths it can affect (an edge that
gets slower matters only to sources whose shortest-path tree uses it, one that gets faster
only to sources for which it opens a shorter path), so a closure does not recompute every
matrix.

`RoadNetwork.demo()` is the built-in DEMO network of Herne (approximate geometry,
``data/herne_demo_network.json``); `herne_optim.osm.load_osm` reads an OpenStreetMap
extract for real use. Both give the same class. The class is safe to use from the event
loop and from a solver thread at once (one lock around the cache and the conditions).
"""

from __future__ import annotations

import itertools
import json
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

DEMO_NETWORK_FILE = Path(__file__).with_name("data") / "herne_demo_network.json"
EARTH_RADIUS_M = 6_371_008.8
SEGMENT_SEPARATOR = ">"
# Free-flow speeds of a loaded refuse truck per road class (km/h), used when a way has no
# usable maxspeed; towns keep trucks well below the signed limits.
DEFAULT_SPEEDS_KMH: dict[str, float] = {
    "motorway": 70.0,
    "trunk": 60.0,
    "primary": 38.0,
    "secondary": 32.0,
    "tertiary": 28.0,
    "unclassified": 25.0,
    "residential": 24.0,
    "living_street": 7.0,
    "service": 15.0,
}
# Travel-time factors are bounded: a factor above this is treated as a closure by senders
# anyway, and bounding keeps matrices finite and meaningful.
MAX_TRAVEL_TIME_FACTOR = 50.0


class NetworkError(ValueError):
    """Malformed network data or an unknown node/segment."""


class AddressNotFound(LookupError):
    """An address or street that the network's address table does not know."""


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def segment_id(from_node: str, to_node: str) -> str:
    """The id of the directed segment from ``from_node`` to ``to_node``."""
    return f"{from_node}{SEGMENT_SEPARATOR}{to_node}"


def parse_segment_id(value: str) -> tuple[str, str]:
    """Split ``"<from>><to>"``; raises NetworkError when it is not of that form."""
    parts = value.split(SEGMENT_SEPARATOR)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise NetworkError(f"segment id {value!r} is not of the form '<from_node_id>><to_node_id>'")
    return parts[0], parts[1]


@dataclass(frozen=True)
class Place:
    """A named node of interest: depot or disposal site."""

    id: str
    name: str
    node: str
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Street:
    """One entry of the address table: a street (in a postcode) running along ``nodes``."""

    street: str
    postcode: str
    nodes: tuple[str, ...]
    max_number: int = 0


@dataclass(frozen=True)
class GeocodedAddress:
    """Where an address lies on the network."""

    node: str
    lat: float
    lon: float
    district: str
    street: str
    postcode: str


@dataclass(frozen=True)
class TravelMatrix:
    """Durations (s) and distances (m) between ``nodes``; ``math.inf`` where unreachable."""

    nodes: tuple[str, ...]
    durations: tuple[tuple[float, ...], ...]
    distances: tuple[tuple[float, ...], ...]

    def index(self, node: str) -> int:
        return self.nodes.index(node)

    @property
    def unreachable_pairs(self) -> list[tuple[str, str]]:
        return [
            (self.nodes[i], self.nodes[j])
            for i, row in enumerate(self.durations)
            for j, value in enumerate(row)
            if math.isinf(value)
        ]


@dataclass(frozen=True)
class _Row:
    times: dict[str, float]
    lengths: dict[str, float]


def normalise_street(name: str) -> str:
    """Lower-case street name with the usual spellings unified (Str./Strasse -> straße)."""
    text = unicodedata.normalize("NFC", name).strip().lower().replace("-", " ")
    text = text.replace("strasse", "straße")
    text = re.sub(r"str\.?(?=\s|$)", "straße", text)
    return re.sub(r"\s+", " ", text).strip()


_ADDRESS = re.compile(
    r"^\s*(?P<street>[^\d,]+?)\s*(?P<number>\d+)?\s*[a-zA-Z]?\s*(?:,\s*(?P<postcode>\d{5})?\s*(?P<city>[^\d,]*))?\s*$"
)


class RoadNetwork:
    """A road network with cached shortest-path rows and live road conditions."""

    def __init__(
        self,
        graph: nx.DiGraph,
        *,
        name: str = "network",
        depots: Iterable[Place] = (),
        disposal_sites: Iterable[Place] = (),
        streets: Iterable[Street] = (),
        demo: bool = False,
    ) -> None:
        for node, data in graph.nodes(data=True):
            if "lat" not in data or "lon" not in data:
                raise NetworkError(f"node {node!r} has no lat/lon")
        for u, v, data in graph.edges(data=True):
            if data.get("length_m", -1) < 0 or data.get("base_time_s", 0) <= 0:
                raise NetworkError(f"segment {segment_id(u, v)} needs length_m >= 0 and base_time_s > 0")
            data.setdefault("factor", 1.0)
            data.setdefault("closed", False)
        self.graph = graph
        self.name = name
        self.demo = demo
        self.depots = {place.id: place for place in depots}
        self.disposal_sites = {place.id: place for place in disposal_sites}
        self.streets = tuple(streets)
        for place in (*self.depots.values(), *self.disposal_sites.values()):
            self._require_node(place.node, f"place {place.id}")
        for street in self.streets:
            for node in street.nodes:
                self._require_node(node, f"street {street.street}")
        self._by_street: dict[str, list[Street]] = {}
        for street in self.streets:
            self._by_street.setdefault(normalise_street(street.street), []).append(street)
        self._lock = threading.RLock()
        self._rows: dict[str, _Row] = {}
        self.version = 0
        self.row_computations = 0

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def demo(cls) -> RoadNetwork:
        """The built-in DEMO network of Herne (approximate, see the data file's note)."""
        return cls.from_json(DEMO_NETWORK_FILE)

    @classmethod
    def from_json(cls, path: Path) -> RoadNetwork:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise NetworkError(f"cannot read network file {path}: {error}") from error
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoadNetwork:
        graph = nx.DiGraph()
        for node in data["nodes"]:
            graph.add_node(
                str(node["id"]),
                lat=float(node["lat"]),
                lon=float(node["lon"]),
                name=node.get("name", ""),
                district=node.get("district", ""),
            )
        detour = float(data.get("detour_factor", 1.0))
        speeds = {**DEFAULT_SPEEDS_KMH, **data.get("speeds_kmh", {})}
        for road in data["roads"]:
            speed = float(road.get("speed_kmh") or speeds[road["class"]])
            nodes = [str(n) for n in road["nodes"]]
            for a, b in itertools.pairwise(nodes):
                for u, v in ((a, b),) if road.get("oneway") else ((a, b), (b, a)):
                    if u not in graph or v not in graph:
                        raise NetworkError(f"road {road['name']}: unknown node {u if u not in graph else v}")
                    length = haversine_m(graph.nodes[u]["lat"], graph.nodes[u]["lon"], *_pos(graph, v)) * detour
                    graph.add_edge(
                        u,
                        v,
                        length_m=length,
                        base_time_s=max(length / (speed / 3.6), 1.0),
                        name=road["name"],
                        road_class=road["class"],
                    )
        return cls(
            graph,
            name=str(data.get("name", "network")),
            depots=[Place(d["id"], d.get("name", d["id"]), str(d["node"]), d) for d in data.get("depots", [])],
            disposal_sites=[
                Place(d["id"], d.get("name", d["id"]), str(d["node"]), d) for d in data.get("disposal_sites", [])
            ],
            streets=[
                Street(s["street"], str(s.get("postcode", "")), tuple(map(str, s["nodes"])), s.get("max_number", 0))
                for s in data.get("streets", [])
            ],
            demo="_demo" in data,
        )

    # -- nodes and places -------------------------------------------------------------------

    def _require_node(self, node: str, what: str = "node") -> None:
        if node not in self.graph:
            raise NetworkError(f"{what}: unknown node {node!r}")

    def has_node(self, node: str) -> bool:
        return node in self.graph

    def position(self, node: str) -> tuple[float, float]:
        self._require_node(node)
        return _pos(self.graph, node)

    def district(self, node: str) -> str:
        self._require_node(node)
        return str(self.graph.nodes[node].get("district", ""))

    def nearest_node(self, lat: float, lon: float) -> tuple[str, float]:
        """The node closest to a position and its straight-line distance in metres."""
        best, best_d = "", math.inf
        for node, data in self.graph.nodes(data=True):
            d = haversine_m(lat, lon, data["lat"], data["lon"])
            if d < best_d:
                best, best_d = node, d
        if not best:
            raise NetworkError("the network has no nodes")
        return best, best_d

    def geocode(self, address: str) -> GeocodedAddress:
        """Resolve "Street 12, 44623 Herne" with the address table; raises AddressNotFound."""
        match = _ADDRESS.match(address or "")
        if not match or not match.group("street").strip():
            raise AddressNotFound(f"cannot read the address {address!r}; expected e.g. 'Bahnhofstraße 12, 44623 Herne'")
        street_key = normalise_street(match.group("street"))
        candidates = self._by_street.get(street_key, [])
        if not candidates:
            raise AddressNotFound(f"street {match.group('street').strip()!r} is not in the address table")
        postcode = match.group("postcode")
        if postcode:
            candidates = [s for s in candidates if s.postcode == postcode]
            if not candidates:
                raise AddressNotFound(f"street {match.group('street').strip()!r} is not known in postcode {postcode}")
        number = int(match.group("number")) if match.group("number") else None
        if number is not None:
            fitting = [s for s in candidates if not s.max_number or number <= s.max_number]
            if not fitting:
                raise AddressNotFound(f"house number {number} does not exist in {candidates[0].street}")
            candidates = fitting
        street = candidates[0]
        index = 0
        if number is not None and street.max_number and len(street.nodes) > 1:
            index = min(len(street.nodes) - 1, round((number / street.max_number) * (len(street.nodes) - 1)))
        node = street.nodes[index]
        lat, lon = _pos(self.graph, node)
        return GeocodedAddress(node, lat, lon, self.district(node), street.street, street.postcode)

    # -- travel times ---------------------------------------------------------------------

    @staticmethod
    def _weight(_u: str, _v: str, data: Mapping[str, Any]) -> float | None:
        if data["closed"]:
            return None  # networkx: hidden edge
        return float(data["base_time_s"] * data["factor"])

    def edge_time(self, from_node: str, to_node: str) -> float:
        """Current travel time of a segment (inf when closed)."""
        data = self._edge(from_node, to_node)
        weight = self._weight(from_node, to_node, data)
        return math.inf if weight is None else weight

    def _edge(self, from_node: str, to_node: str) -> dict[str, Any]:
        try:
            return self.graph.edges[from_node, to_node]  # type: ignore[no-any-return]
        except KeyError:
            raise NetworkError(f"unknown segment {segment_id(from_node, to_node)}") from None

    def set_condition(self, from_node: str, to_node: str, *, factor: float = 1.0, closed: bool = False) -> int:
        """Set a segment's condition; returns how many cached rows were dropped for it.

        ``factor`` multiplies the free-flow time (1.0 normal), bounded to [1/5, 50].
        """
        if not math.isfinite(factor) or factor <= 0:
            raise NetworkError(f"travel time factor must be finite and > 0, got {factor}")
        factor = min(max(factor, 0.2), MAX_TRAVEL_TIME_FACTOR)
        with self._lock:
            data = self._edge(from_node, to_node)
            old = self._weight(from_node, to_node, data)
            if data["closed"] == closed and (closed or math.isclose(data["factor"], factor)):
                return 0
            data["factor"] = factor
            data["closed"] = closed
            new = self._weight(from_node, to_node, data)
            old_w = math.inf if old is None else old
            new_w = math.inf if new is None else new
            dropped = [source for source, row in self._rows.items() if _affected(row, from_node, to_node, old_w, new_w)]
            for source in dropped:
                del self._rows[source]
            self.version += 1
            return len(dropped)

    def conditions(self) -> dict[str, tuple[float, bool]]:
        """Segments that are not at free flow: segment id -> (factor, closed)."""
        with self._lock:
            return {
                segment_id(u, v): (float(d["factor"]), bool(d["closed"]))
                for u, v, d in self.graph.edges(data=True)
                if d["closed"] or d["factor"] != 1.0
            }

    def _row(self, source: str) -> _Row:
        row = self._rows.get(source)
        if row is not None:
            return row
        pred, times = nx.dijkstra_predecessor_and_distance(self.graph, source, weight=self._weight)
        lengths: dict[str, float] = {source: 0.0}
        for node in sorted(times, key=times.__getitem__):
            if node == source:
                continue
            parent = pred[node][0]
            lengths[node] = lengths[parent] + float(self.graph.edges[parent, node]["length_m"])
        row = _Row(dict(times), lengths)
        self._rows[source] = row
        self.row_computations += 1
        return row

    def travel(self, from_node: str, to_node: str) -> tuple[float, float]:
        """(seconds, metres) of the fastest path; (inf, inf) when unreachable."""
        self._require_node(from_node)
        self._require_node(to_node)
        with self._lock:
            row = self._row(from_node)
            return row.times.get(to_node, math.inf), row.lengths.get(to_node, math.inf)

    def matrix(self, nodes: Sequence[str]) -> TravelMatrix:
        """Durations and distances between ``nodes`` (repeats allowed) from cached rows."""
        for node in nodes:
            self._require_node(node)
        with self._lock:
            rows = {node: self._row(node) for node in dict.fromkeys(nodes)}
        durations = tuple(tuple(rows[a].times.get(b, math.inf) for b in nodes) for a in nodes)
        distances = tuple(tuple(rows[a].lengths.get(b, math.inf) for b in nodes) for a in nodes)
        return TravelMatrix(tuple(nodes), durations, distances)

    @property
    def cached_rows(self) -> int:
        return len(self._rows)


def _pos(graph: nx.DiGraph, node: str) -> tuple[float, float]:
    data = graph.nodes[node]
    return float(data["lat"]), float(data["lon"])


def _affected(row: _Row, u: str, v: str, old_w: float, new_w: float) -> bool:
    """Can changing edge (u, v) from ``old_w`` to ``new_w`` change this source's row?"""
    du = row.times.get(u)
    if du is None:
        return False  # u unreachable: the edge is on no path from this source
    dv = row.times.get(v, math.inf)
    if new_w > old_w:
        return math.isfinite(old_w) and du + old_w <= dv + 1e-9  # the edge is on a shortest path
    return du + new_w < dv - 1e-9  # the edge opens a shorter path
