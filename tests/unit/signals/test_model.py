"""Loading intersection data: precise errors for bad engineering data; saturation flows."""

from __future__ import annotations

import copy

import pytest

from herne_optim.network import RoadNetwork
from herne_runtime.errors import InvalidArgument
from herne_signals.model import load_intersection, load_network, saturation_flow
from tests.unit.signals.conftest import demo_data


def _first() -> dict:
    return copy.deepcopy(demo_data()["intersections"][0])


def test_demo_network_loads_and_is_marked_demo() -> None:
    network = load_network(demo_data())
    assert "DEMO" in network.demo_notice
    assert len(network.corridors["bahnhofstrasse"].intersections) == 4
    assert "wanne-hauptstrasse-hbf" in network.intersections


def test_corridor_segments_exist_in_the_shared_road_network() -> None:
    roads = RoadNetwork.demo()
    corridor = load_network(demo_data()).corridors["bahnhofstrasse"]
    for link in corridor.links:
        for segment in (link.outbound_segment, link.inbound_segment):
            a, b = segment.split(">")
            assert roads.edge_time(a, b) > 0


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["intergreens"].pop(0), "have no intergreen K1->K3"),
        (lambda d: d["stages"][0]["groups"].append("K3"), "stage S1 holds conflicting groups"),
        (lambda d: d.update(cycle_min_s=25, cycle_max_s=30), "need a cycle of"),
        (lambda d: d["stages"][0]["groups"].append("X9"), "unknown signal group 'X9'"),
        (lambda d: d["signal_groups"][0].update(min_green_s=2), "min_green_s must be at least 5 s"),
        (lambda d: d["intergreens"][0].update(seconds=-1), "must not be negative"),
        (
            lambda d: d["stages"].extend([{"id": "S3", "groups": ["K1"]}, {"id": "S4", "groups": ["K4"]}]),
            "one contiguous run",
        ),
    ],
)
def test_bad_data_is_rejected_precisely(mutate, message: str) -> None:
    data = _first()
    mutate(data)
    with pytest.raises(InvalidArgument, match=message):
        load_intersection(data)


def test_saturation_flow_accounts_for_shared_lanes_and_permissive_lefts() -> None:
    intersection = load_intersection(_first())
    side = intersection.group("K3")  # one shared lane, permissive left
    free = saturation_flow(side, opposing_flow=0.0)
    busy = saturation_flow(side, opposing_flow=600.0)
    assert busy < free < 1800
    assert busy < 1400  # a flat 1800 veh/h per lane would overstate this single shared lane
    main = intersection.group("K1")
    assert saturation_flow(main, opposing_flow=300) > free
