"""Load a `RoadNetwork` from an OpenStreetMap XML extract (.osm), for real use.

Drivable ways (``highway`` in `DRIVABLE`) become directed edges between consecutive way
nodes, respecting ``oneway`` (yes/true/1, -1, roundabouts) and ``maxspeed`` (numbers,
"NN mph", DE:urban/rural/zone30...), capped at the truck speed of the road class. Node ids
are the OSM node ids as strings, so a segment id is "<osm from id>><osm to id>". Named
ways fill the street table for geocoding; nodes with ``addr:street`` + ``addr:housenumber``
are not needed. Only the largest strongly connected part is kept by default, so every
pair of nodes is mutually reachable (dead-end fragments at the border of an extract would
otherwise make stops unreachable).

Depots and disposal sites are not OSM concepts: pass them as (id, name, lat, lon); each is
snapped to the nearest kept node.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from herne_optim.network import DEFAULT_SPEEDS_KMH, NetworkError, Place, RoadNetwork, Street, haversine_m

DRIVABLE = {
    "motorway": "motorway",
    "motorway_link": "motorway",
    "trunk": "trunk",
    "trunk_link": "trunk",
    "primary": "primary",
    "primary_link": "primary",
    "secondary": "secondary",
    "secondary_link": "secondary",
    "tertiary": "tertiary",
    "tertiary_link": "tertiary",
    "unclassified": "unclassified",
    "residential": "residential",
    "living_street": "living_street",
    "service": "service",
}
ZONE_SPEEDS = {"urban": 50.0, "rural": 100.0, "motorway": 130.0, "living_street": 7.0, "walk": 7.0}
PlaceSpec = tuple[str, str, float, float]


def parse_maxspeed(value: str | None) -> float | None:
    """km/h from an OSM maxspeed tag, None when absent or not understood."""
    if not value:
        return None
    text = value.strip().lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?", text)
    if match:
        speed = float(match.group(1))
        return speed * 1.609344 if match.group(2) == "mph" else speed
    zone = re.fullmatch(r"[a-z]{2}:(?:zone:?)?(\w+)", text)
    if zone:
        key = zone.group(1)
        if key.isdigit():
            return float(key)
        return ZONE_SPEEDS.get(key)
    return None


def _read(path: Path | str) -> tuple[dict[str, tuple[float, float]], list[tuple[list[str], dict[str, str]]]]:
    positions: dict[str, tuple[float, float]] = {}
    ways: list[tuple[list[str], dict[str, str]]] = []
    try:
        # The extract is the operator's own file, not user input, and the stdlib parser does not
        # expand external entities; defusedxml would be one more dependency for no gain here.
        for _event, element in ET.iterparse(str(path), events=("end",)):  # noqa: S314
            if element.tag == "node":
                positions[element.attrib["id"]] = (float(element.attrib["lat"]), float(element.attrib["lon"]))
                element.clear()
            elif element.tag == "way":
                refs = [nd.attrib["ref"] for nd in element.findall("nd")]
                tags = {tag.attrib["k"]: tag.attrib["v"] for tag in element.findall("tag")}
                if tags.get("highway") in DRIVABLE and tags.get("access") not in {"no", "private"}:
                    ways.append(([ref for ref in refs if ref in positions], tags))
                element.clear()
    except (OSError, ET.ParseError, KeyError, ValueError) as error:
        raise NetworkError(f"cannot read OSM file {path}: {error}") from error
    return positions, ways


def _directions(tags: dict[str, str], road_class: str) -> tuple[bool, bool]:
    oneway = tags.get("oneway", "").lower()
    if oneway == "-1":
        return False, True
    if oneway in {"no", "false", "0"}:
        return True, True
    implied = tags.get("junction") == "roundabout" or road_class == "motorway"
    return True, not (oneway in {"yes", "true", "1"} or implied)


def _add_way(
    graph: nx.DiGraph, positions: dict[str, tuple[float, float]], refs: list[str], tags: dict[str, str]
) -> None:
    road_class = DRIVABLE[tags["highway"]]
    cap = DEFAULT_SPEEDS_KMH[road_class]
    signed = parse_maxspeed(tags.get("maxspeed"))
    speed = min(signed, cap) if signed else cap
    forward, backward = _directions(tags, road_class)
    for ref in refs:
        graph.add_node(ref, lat=positions[ref][0], lon=positions[ref][1], name="", district=tags.get("is_in", ""))
    for a, b in itertools.pairwise(refs):
        if a == b:
            continue
        length = haversine_m(*positions[a], *positions[b])
        attrs = {
            "length_m": length,
            "base_time_s": max(length / (speed / 3.6), 0.1),
            "name": tags.get("name", ""),
            "road_class": road_class,
        }
        if forward:
            graph.add_edge(a, b, **attrs)
        if backward:
            graph.add_edge(b, a, **attrs)


def load_osm(
    path: Path | str,
    *,
    name: str | None = None,
    depots: Iterable[PlaceSpec] = (),
    disposal_sites: Iterable[PlaceSpec] = (),
    postcode: str = "",
    largest_component: bool = True,
) -> RoadNetwork:
    """Read ``path`` (.osm XML) into a RoadNetwork; raises NetworkError on unusable input."""
    positions, ways = _read(path)
    graph = nx.DiGraph()
    street_nodes: dict[str, dict[str, None]] = {}
    for refs, tags in ways:
        _add_way(graph, positions, refs, tags)
        if tags.get("name"):
            street_nodes.setdefault(tags["name"], {}).update(dict.fromkeys(refs))
    if graph.number_of_nodes() == 0:
        raise NetworkError(f"{path}: no drivable ways found")
    if largest_component:
        keep = max(nx.strongly_connected_components(graph), key=len)
        graph = graph.subgraph(keep).copy()
    streets = [
        Street(street, postcode, tuple(n for n in nodes if n in graph))
        for street, nodes in sorted(street_nodes.items())
        if any(n in graph for n in nodes)
    ]
    network = RoadNetwork(graph, name=name or Path(path).stem, streets=streets)

    def places(specs: Iterable[PlaceSpec]) -> list[Place]:
        return [Place(pid, pname, network.nearest_node(lat, lon)[0]) for pid, pname, lat, lon in specs]

    return RoadNetwork(
        graph,
        name=network.name,
        depots=places(depots),
        disposal_sites=places(disposal_sites),
        streets=streets,
    )
