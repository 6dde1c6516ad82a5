"""Road network: demo data, OSM loading, matrices, incremental updates, geocoding."""

from __future__ import annotations

import math
import random
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herne_optim.network import (
    AddressNotFound,
    NetworkError,
    RoadNetwork,
    normalise_street,
    parse_segment_id,
    segment_id,
)
from herne_optim.osm import load_osm, parse_maxspeed

OSM_FIXTURE = Path(__file__).with_name("test_network_small.osm")


@pytest.fixture
def demo() -> RoadNetwork:
    return RoadNetwork.demo()


def test_demo_network_is_marked_connected_and_has_places(demo: RoadNetwork) -> None:
    assert demo.demo
    assert nx.is_strongly_connected(demo.graph)
    assert "depot-entsorgung-herne" in demo.depots
    assert len(demo.disposal_sites) >= 2
    districts = {demo.district(n) for n in demo.graph}
    assert {"Herne-Mitte", "Wanne", "Eickel", "Sodingen"} <= districts


def test_matrix_matches_networkx_shortest_paths(demo: RoadNetwork) -> None:
    nodes = sorted(demo.graph)[:12]
    matrix = demo.matrix(nodes)
    for i, a in enumerate(nodes):
        for j, b in enumerate(nodes):
            expected = nx.shortest_path_length(demo.graph, a, b, weight="base_time_s")
            assert matrix.durations[i][j] == pytest.approx(expected)
            assert (matrix.distances[i][j] > 0) == (a != b)


def test_rows_are_cached(demo: RoadNetwork) -> None:
    nodes = ["mitte-bahnhof", "wanne-hbf", "eickel-markt"]
    demo.matrix(nodes)
    computed = demo.row_computations
    demo.matrix(list(reversed(nodes)))
    assert demo.row_computations == computed


def test_closure_recomputes_only_affected_rows_and_matches_full_recompute(demo: RoadNetwork) -> None:
    nodes = sorted(demo.graph)
    demo.matrix(nodes)
    dropped = demo.set_condition("mitte-bahnhof", "mitte-baukau", closed=True)
    assert 0 < dropped < len(nodes)
    assert demo.edge_time("mitte-bahnhof", "mitte-baukau") == math.inf
    after = demo.matrix(nodes)
    fresh = RoadNetwork.demo()
    fresh.set_condition("mitte-bahnhof", "mitte-baukau", closed=True)
    assert after.durations == fresh.matrix(nodes).durations
    # re-opening restores the original times
    demo.set_condition("mitte-bahnhof", "mitte-baukau", factor=1.0)
    assert demo.matrix(nodes).durations == RoadNetwork.demo().matrix(nodes).durations


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from([0.3, 1.0, 2.5, 8.0, -1.0])), max_size=6))
def test_incremental_updates_equal_recomputation(changes: list[tuple[int, float]]) -> None:
    network = RoadNetwork.demo()
    edges = sorted(network.graph.edges)
    nodes = sorted(network.graph)
    network.matrix(nodes)
    reference = RoadNetwork.demo()
    for pick, factor in changes:
        u, v = edges[pick % len(edges)]
        closed = factor < 0
        network.set_condition(u, v, factor=1.0 if closed else factor, closed=closed)
        reference.set_condition(u, v, factor=1.0 if closed else factor, closed=closed)
        reference._rows.clear()
        assert network.matrix(nodes).durations == reference.matrix(nodes).durations


def test_unreachable_is_infinite() -> None:
    network = RoadNetwork.demo()
    for pred in list(network.graph.predecessors("rzr-herten")):
        network.set_condition(pred, "rzr-herten", closed=True)
    matrix = network.matrix(["mitte-bahnhof", "rzr-herten"])
    assert matrix.durations[0][1] == math.inf
    assert ("mitte-bahnhof", "rzr-herten") in matrix.unreachable_pairs
    assert matrix.durations[1][0] < math.inf


def test_bad_conditions_are_rejected(demo: RoadNetwork) -> None:
    with pytest.raises(NetworkError, match="unknown segment"):
        demo.set_condition("mitte-bahnhof", "rzr-herten", factor=2.0)
    with pytest.raises(NetworkError, match="factor"):
        demo.set_condition("mitte-bahnhof", "mitte-baukau", factor=float("nan"))
    with pytest.raises(NetworkError, match="segment id"):
        parse_segment_id("no-separator")
    assert parse_segment_id(segment_id("a", "b")) == ("a", "b")


@pytest.mark.parametrize(
    ("address", "node"),
    [
        ("Bahnhofstraße 1, 44623 Herne", "mitte-bahnhof"),
        ("Bahnhofstr. 170", "mitte-bebelstrasse"),
        ("bahnhofstrasse 90", "mitte-kreuzkirche"),
        ("Mont-Cenis-Str. 480, 44627 Herne", "sodingen-gysenberg"),
        ("Hauptstraße 10, 44651 Herne", "wanne-hbf"),
        ("Hauptstraße 10, 44623 Herne", "mitte-westring"),
    ],
)
def test_geocode(demo: RoadNetwork, address: str, node: str) -> None:
    assert demo.geocode(address).node == node


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("Unbekannte Gasse 3", "not in the address table"),
        ("Bahnhofstraße 9999", "house number"),
        ("Bahnhofstraße 3, 10115 Berlin", "postcode"),
        ("", "cannot read"),
        ("12345", "cannot read"),
    ],
)
def test_geocode_unknown(demo: RoadNetwork, address: str, message: str) -> None:
    with pytest.raises(AddressNotFound, match=message):
        demo.geocode(address)


def test_nearest_node(demo: RoadNetwork) -> None:
    lat, lon = demo.position("wanne-crange")
    node, distance = demo.nearest_node(lat + 0.0005, lon)
    assert node == "wanne-crange"
    assert 40 < distance < 70


def test_normalise_street() -> None:
    assert normalise_street("Mont-Cenis-Str.") == normalise_street("mont cenis strasse") == "mont cenis straße"


@pytest.mark.parametrize(
    ("tag", "kmh"),
    [("50", 50.0), ("30 mph", 30 * 1.609344), ("DE:zone30", 30.0), ("DE:urban", 50.0), ("none", None), (None, None)],
)
def test_parse_maxspeed(tag: str | None, kmh: float | None) -> None:
    assert parse_maxspeed(tag) == (pytest.approx(kmh) if kmh else None)


def test_osm_loader() -> None:
    network = load_osm(OSM_FIXTURE, depots=[("depot", "Depot", 51.5401, 7.2201)])
    # the island way 6-7 is dropped, the footway is not drivable
    assert set(network.graph) == {"1", "2", "3", "4", "5"}
    assert network.graph.has_edge("4", "5") and not network.graph.has_edge("5", "4")  # oneway
    assert network.graph.has_edge("2", "1")
    assert network.depots["depot"].node == "1"
    # zone 30 is slower than the 50 on Bahnhofstraße (capped at the truck speed)
    e12, e34 = network.graph.edges["1", "2"], network.graph.edges["3", "4"]
    assert e12["length_m"] / e12["base_time_s"] > e34["length_m"] / e34["base_time_s"]
    assert network.geocode("Ringstraße 2").node in {"4", "5", "1"}
    seconds, metres = network.travel("5", "4")  # against the oneway: around the block
    assert metres > 400 and seconds > 0


def test_osm_loader_rejects_garbage(tmp_path: Path) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text("<osm><node id='1'")
    with pytest.raises(NetworkError, match="cannot read"):
        load_osm(bad)
    empty = tmp_path / "empty.osm"
    empty.write_text("<osm></osm>")
    with pytest.raises(NetworkError, match="no drivable"):
        load_osm(empty)


def test_random_matrices_symmetric_demo_roads(demo: RoadNetwork) -> None:
    rng = random.Random(1)
    nodes = rng.sample(sorted(demo.graph), 8)
    matrix = demo.matrix(nodes)
    # demo roads are two-way with equal times each way
    for i in range(len(nodes)):
        for j in range(len(nodes)):
            assert matrix.durations[i][j] == pytest.approx(matrix.durations[j][i])
