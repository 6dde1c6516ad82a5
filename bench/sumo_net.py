"""SUMO scenarios built from the signals service's intersection model, and plans as SUMO programs.

Every scenario node is one ``herne_signals.model.Intersection``: its vehicle groups become the
approach lanes (a group's lanes, left-turn lanes leftmost, shared lanes shared), its stages
and intergreens stay in the service's plans; pedestrians are not simulated. Arterial links take
the corridor's lengths and speeds. Demand enters at the network fringe and turns at every
intersection with the approach's turning shares, so downstream arterial flows are the sum of
what the upstream junction lets through and what turns in from the side roads; the same
propagated flows are what the service's optimiser is given (what its detectors would count).
"""

from __future__ import annotations

import math
import random
import subprocess
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from herne_signals.model import Intersection, Lane
from herne_signals.plan import SignalPlan

OPPOSITE = {"N": "S", "S": "N", "E": "W", "W": "E"}
# Driving on the right: the arm a movement from approach A leaves by.
TURN = {
    ("N", "left"): "E", ("N", "right"): "W",
    ("S", "left"): "W", ("S", "right"): "E",
    ("E", "left"): "S", ("E", "right"): "N",
    ("W", "left"): "N", ("W", "right"): "S",
}  # fmt: skip
DIRECTION = {"N": (0.0, 1.0), "S": (0.0, -1.0), "E": (1.0, 0.0), "W": (-1.0, 0.0)}
RANK = {"right": 0, "through": 1, "left": 2}
SIDE_SPEED_MS = 50 / 3.6
FRINGE_M = 250.0


def leaves_by(approach: str, movement: str) -> str:
    return OPPOSITE[approach] if movement == "through" else TURN[(approach, movement)]


@dataclass
class Node:
    """A signalised node: the intersection, its position and its neighbour per arm (None: fringe)."""

    node_id: str
    intersection: Intersection
    x: float
    y: float
    neighbours: dict[str, tuple[str, float, float]] = field(default_factory=dict)  # arm -> (node, length, speed)


@dataclass
class Scenario:
    name: str
    nodes: dict[str, Node]
    # entry flows (veh/h at demand 1.0) per (node, approach) at the fringe
    entries: dict[tuple[str, str], float]

    def approach_lanes(self, node: Node, approach: str) -> list[tuple[Lane, str]]:
        """Lanes of an approach from right (SUMO index 0) to left, with the group of each."""
        lanes = [
            (lane, g.group_id)
            for g in node.intersection.groups
            if g.kind == "vehicle" and g.approach == approach
            for lane in g.lanes
        ]
        return sorted(
            lanes, key=lambda item: (min(RANK[m] for m in item[0].movements), max(RANK[m] for m in item[0].movements))
        )

    def turning(self, node: Node, approach: str) -> dict[str, float]:
        """Movement shares of an approach, from its groups' peak historic flows and turning shares."""
        shares: dict[str, float] = defaultdict(float)
        total = 0.0
        for g in node.intersection.groups:
            if g.kind != "vehicle" or g.approach != approach:
                continue
            weight = max(g.historic_flows) if g.historic_flows else 1.0
            total += weight
            for movement, share in g.turn_shares.items():
                shares[movement] += weight * share
        return {m: s / total for m, s in shares.items() if s > 0}

    def arms(self, node: Node) -> set[str]:
        arms = set()
        for g in node.intersection.groups:
            if g.kind != "vehicle":
                continue
            arms.add(g.approach)
            for movement in g.turn_shares:
                arms.add(leaves_by(g.approach, movement))
        return arms

    def approaches(self, node: Node) -> list[str]:
        return sorted({g.approach for g in node.intersection.groups if g.kind == "vehicle"})

    def group_flows(self, scale: float) -> dict[str, dict[str, float]]:
        """Expected flow (veh/h) of every vehicle group with entries scaled by ``scale``."""
        approach_flow: dict[tuple[str, str], float] = defaultdict(float)
        for key, flow in self.entries.items():
            approach_flow[key] += flow * scale
        # Propagate along links (the scenarios are acyclic per direction: iterate to a fixed point).
        for _ in range(len(self.nodes) + 2):
            inflow: dict[tuple[str, str], float] = defaultdict(float)
            for key, flow in self.entries.items():
                inflow[key] += flow * scale
            for node in self.nodes.values():
                for approach in self.approaches(node):
                    flow = approach_flow[(node.node_id, approach)]
                    for movement, share in self.turning(node, approach).items():
                        arm = leaves_by(approach, movement)
                        if arm in node.neighbours:
                            target = node.neighbours[arm][0]
                            inflow[(target, OPPOSITE[arm])] += flow * share
            approach_flow = inflow
        result: dict[str, dict[str, float]] = {}
        for node in self.nodes.values():
            flows = {}
            for approach in self.approaches(node):
                groups = [g for g in node.intersection.groups if g.kind == "vehicle" and g.approach == approach]
                weights = [max(g.historic_flows) if g.historic_flows else 1.0 for g in groups]
                for g, w in zip(groups, weights, strict=True):
                    flows[g.group_id] = approach_flow[(node.node_id, approach)] * w / sum(weights)
            result[node.node_id] = flows
        return result


def edge_id(a: str, b: str) -> str:
    return f"{a}__{b}"


def fringe_id(node: str, arm: str) -> str:
    return f"{node}_{arm}"


def write_network(scenario: Scenario, directory: Path, sumo_home: Path, tls_type: str) -> Path:
    """nodes/edges/connections -> .net.xml via netconvert with a default program of ``tls_type``."""
    nodes = ET.Element("nodes")
    edges = ET.Element("edges")
    connections = ET.Element("connections")
    done_edges: set[str] = set()
    for node in scenario.nodes.values():
        ET.SubElement(nodes, "node", id=node.node_id, x=f"{node.x:.1f}", y=f"{node.y:.1f}", type="traffic_light")
        for arm in scenario.arms(node):
            if arm in node.neighbours:
                continue
            dx, dy = DIRECTION[arm]
            ET.SubElement(
                nodes, "node", id=fringe_id(node.node_id, arm), x=f"{node.x + dx * FRINGE_M:.1f}",
                y=f"{node.y + dy * FRINGE_M:.1f}", type="priority",
            )  # fmt: skip

    def lanes_into(node: Node, approach: str) -> int:
        return max(1, len(scenario.approach_lanes(node, approach)))

    def lanes_out(node: Node, arm: str) -> int:
        if arm in node.neighbours:
            return lanes_into(scenario.nodes[node.neighbours[arm][0]], OPPOSITE[arm])
        through = [lane for lane, _ in scenario.approach_lanes(node, OPPOSITE[arm]) if "through" in lane.movements]
        return max(1, len(through))

    for node in scenario.nodes.values():
        for arm in scenario.arms(node):
            if arm in node.neighbours:
                other, length, speed = node.neighbours[arm]
                eid = edge_id(node.node_id, other)
                if eid not in done_edges:
                    done_edges.add(eid)
                    ET.SubElement(
                        edges, "edge", id=eid, attrib={"from": node.node_id, "to": other},
                        numLanes=str(lanes_out(node, arm)), speed=f"{speed:.2f}", length=f"{length:.1f}",
                    )  # fmt: skip
                continue
            fringe = fringe_id(node.node_id, arm)
            if arm in scenario.approaches(node):
                ET.SubElement(
                    edges, "edge", id=edge_id(fringe, node.node_id), attrib={"from": fringe, "to": node.node_id},
                    numLanes=str(lanes_into(node, arm)), speed=f"{SIDE_SPEED_MS:.2f}",
                )  # fmt: skip
            ET.SubElement(
                edges, "edge", id=edge_id(node.node_id, fringe), attrib={"from": node.node_id, "to": fringe},
                numLanes=str(lanes_out(node, arm)), speed=f"{SIDE_SPEED_MS:.2f}",
            )  # fmt: skip
    for node in scenario.nodes.values():
        for approach in scenario.approaches(node):
            into = incoming_edge(node, approach)
            lanes = scenario.approach_lanes(node, approach)
            through_lanes = [i for i, (lane, _) in enumerate(lanes) if "through" in lane.movements]
            for index, (lane, _group) in enumerate(lanes):
                for movement in lane.movements:
                    arm = leaves_by(approach, movement)
                    out = outgoing_edge(node, arm)
                    width = lanes_out(node, arm)
                    if movement == "through":
                        to_lane = min(through_lanes.index(index), width - 1)
                    elif movement == "left":
                        to_lane = width - 1
                    else:
                        to_lane = 0
                    ET.SubElement(
                        connections, "connection", attrib={"from": into, "to": out},
                        fromLane=str(index), toLane=str(to_lane),
                    )  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    for name, root in (("nodes.nod.xml", nodes), ("edges.edg.xml", edges), ("conns.con.xml", connections)):
        ET.ElementTree(root).write(directory / name)
    net = directory / f"{tls_type}.net.xml"
    subprocess.run(
        [
            str(sumo_home / "bin" / "netconvert"), "-n", str(directory / "nodes.nod.xml"),
            "-e", str(directory / "edges.edg.xml"), "-x", str(directory / "conns.con.xml"), "-o", str(net),
            "--no-turnarounds", "true", "--tls.default-type", tls_type, "--tls.yellow.time", "3",
            "--tls.allred.time", "2", "--junctions.corner-detail", "0", "--no-warnings", "true",
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    return net


def incoming_edge(node: Node, approach: str) -> str:
    if approach in node.neighbours:
        return edge_id(node.neighbours[approach][0], node.node_id)
    return edge_id(fringe_id(node.node_id, approach), node.node_id)


def outgoing_edge(node: Node, arm: str) -> str:
    if arm in node.neighbours:
        return edge_id(node.node_id, node.neighbours[arm][0])
    return edge_id(node.node_id, fringe_id(node.node_id, arm))


def write_routes(scenario: Scenario, path: Path, scale: float, duration_s: int, seed: int) -> int:
    """Poisson arrivals at every fringe approach; each vehicle turns by the approaches' shares.

    Vehicles carry explicit routes (SUMO's tlsCycleAdaptation/tlsCoordinator need them). Returns
    the number of vehicles.
    """
    rng = random.Random(seed)
    vehicles: list[tuple[float, list[str]]] = []
    for (node_id, approach), flow in sorted(scenario.entries.items()):
        rate = flow * scale / 3600.0
        t = rng.expovariate(rate) if rate > 0 else math.inf
        while t < duration_s:
            vehicles.append((t, _route(scenario, scenario.nodes[node_id], approach, rng)))
            t += rng.expovariate(rate)
    vehicles.sort(key=lambda item: item[0])
    root = ET.Element("routes")
    ET.SubElement(root, "vType", id="car", sigma="0.5", tau="1.0", length="5", minGap="2.5", accel="2.6", decel="4.5")
    for k, (depart, edges) in enumerate(vehicles):
        vehicle = ET.SubElement(root, "vehicle", id=f"v{k}", type="car", depart=f"{depart:.2f}", departLane="best",
                                departSpeed="max")  # fmt: skip
        ET.SubElement(vehicle, "route", edges=" ".join(edges))
    ET.ElementTree(root).write(path)
    return len(vehicles)


def _route(scenario: Scenario, node: Node, approach: str, rng: random.Random) -> list[str]:
    edges = [incoming_edge(node, approach)]
    while True:
        shares = scenario.turning(node, approach)
        movement = rng.choices(list(shares), weights=list(shares.values()))[0]
        arm = leaves_by(approach, movement)
        edges.append(outgoing_edge(node, arm))
        if arm not in node.neighbours:
            return edges
        node = scenario.nodes[node.neighbours[arm][0]]
        approach = OPPOSITE[arm]


# --- plans as SUMO programs ---------------------------------------------------------------


@dataclass(frozen=True)
class LinkInfo:
    group_id: str
    movement: str


def link_groups(scenario: Scenario, net_path: Path) -> dict[str, list[LinkInfo]]:
    """Per traffic light: the signal group and movement of every link index."""
    import sumolib

    net = sumolib.net.readNet(str(net_path), withPrograms=False)
    result: dict[str, list[LinkInfo]] = {}
    for node in scenario.nodes.values():
        tls = net.getTLS(node.node_id)
        size = max(index for _, _, index in tls.getConnections()) + 1
        infos: list[LinkInfo | None] = [None] * size
        for in_lane, out_lane, index in tls.getConnections():
            approach = next(a for a in scenario.approaches(node) if incoming_edge(node, a) == in_lane.getEdge().getID())
            arm = next(a for a in scenario.arms(node) if outgoing_edge(node, a) == out_lane.getEdge().getID())
            movement = next(m for m in RANK if leaves_by(approach, m) == arm)
            _lane, group = scenario.approach_lanes(node, approach)[in_lane.getIndex()]
            infos[index] = LinkInfo(group, movement)
        assert all(info is not None for info in infos), f"{node.node_id}: unmapped link"
        result[node.node_id] = [info for info in infos if info is not None]
    return result


def _state_at(intersection: Intersection, plan: SignalPlan, links: list[LinkInfo], t: int) -> str:
    chars = []
    for link in links:
        window = plan.window(link.group_id)
        group = intersection.group(link.group_id)
        start, end, cycle = window.green_start_s, window.green_end_s, plan.cycle_s
        full = (start, end) == (0, cycle)
        green = full or ((t - start) % cycle) < ((end - start) % cycle)
        amber = not green and ((t - end) % cycle) < group.amber_s
        if green:
            yields = link.movement == "left" and group.permissive_left
            chars.append("g" if yields else "G")
        else:
            chars.append("y" if amber else "r")
    return "".join(chars)


def program_xml(
    intersection: Intersection, plan: SignalPlan, links: list[LinkInfo], tls_id: str, *, mode: str,
    detector_gap_s: float = 2.0,
) -> ET.Element:  # fmt: skip
    """The plan as a SUMO tlLogic; ``mode`` is "fixed", "free" or "coordinated".

    fixed: the plan's second-by-second signal states with its offset. free: the same phase
    sequence, each green phase actuated (gap = the plan's extension time) between the minimum
    greens of the groups it starts and the groups' free maximum greens, no fixed cycle.
    coordinated: the plan as a frame: the phases where the plan's coordinated (arterial) groups
    end are fixed points in the cycle (SUMO's coordinated mode, earliestEnd = latestEnd), other
    phases may gap out but not run past their frame, so time they leave goes to the arterial and
    the offsets keep the progression.
    """
    actuated = mode != "fixed"
    coordinated_groups = tuple(g.group_id for g in plan.groups if g.coordinated) if mode == "coordinated" else ()
    gaps = [g.extension_s for g in plan.groups if g.extension_s > 0]
    max_gap_s = max(gaps) if gaps else 3.0
    cycle = plan.cycle_s
    # Cycle time 0 is the plan's cycle start; SUMO's offset shifts that start.
    states = [_state_at(intersection, plan, links, t) for t in range(cycle)]
    phases: list[tuple[str, int, int]] = []  # (state, start, duration)
    for t, state in enumerate(states):
        if phases and phases[-1][0] == state:
            s, start, dur = phases[-1]
            phases[-1] = (s, start, dur + 1)
        else:
            phases.append((state, t, 1))
    if len(phases) > 1 and phases[0][0] == phases[-1][0]:
        s, start, dur = phases.pop()
        first = phases[0]
        phases[0] = (s, start - cycle, dur + first[2])
    if actuated and coordinated_groups:
        phases = _rotate_to_side_stage(phases, links, set(coordinated_groups))
    first = phases[0][1] % cycle  # plan time at which the SUMO program (phase 0) starts
    logic = ET.Element(
        "tlLogic", id=tls_id, programID="herne", offset=str(sumo_offset(plan.offset_s + first, cycle)),
        type="actuated" if actuated else "static",
    )  # fmt: skip
    if actuated:
        ET.SubElement(logic, "param", key="max-gap", value=f"{max_gap_s}")
        ET.SubElement(logic, "param", key="detector-gap", value=f"{detector_gap_s}")
        if coordinated_groups:
            ET.SubElement(logic, "param", key="coordinated", value="true")
            ET.SubElement(logic, "param", key="cycleTime", value=str(cycle))

    def greens(state: str) -> set[str]:
        return {links[i].group_id for i, c in enumerate(state) if c in "Gg"}

    for k, (state, start, duration) in enumerate(phases):
        attrs = {"duration": str(duration), "state": state}
        green_groups = greens(state)
        starting = green_groups - greens(phases[k - 1][0])
        ending = green_groups - greens(phases[(k + 1) % len(phases)][0])
        if actuated and green_groups and "y" not in state and starting | ending:
            end = (start + duration - first) % cycle
            minimum = min(duration, max([intersection.group(g).min_green_s for g in starting] + [5]))
            if set(coordinated_groups) & ending:
                # The band's end is a fixed point of the frame; unused side time flows into this phase.
                attrs.update(minDur=str(minimum), maxDur=str(cycle), earliestEnd=str(end), latestEnd=str(end))
            elif coordinated_groups:
                attrs.update(minDur=str(minimum), maxDur=str(duration), latestEnd=str(end))
            else:
                timings = [plan.window(g) for g in green_groups]
                stretch = min((t.free_max_green_s or t.max_green_s) / t.max_green_s for t in timings)
                extra = min((t.free_max_green_s or t.max_green_s) - t.max_green_s for t in timings)
                maximum = max(minimum, min(duration + extra, math.floor(duration * max(stretch, 1.0))))
                attrs.update(minDur=str(minimum), maxDur=str(maximum))
        ET.SubElement(logic, "phase", attrs)
    return logic


def _rotate_to_side_stage(
    phases: list[tuple[str, int, int]], links: list[LinkInfo], coordinated: set[str]
) -> list[tuple[str, int, int]]:
    """Start the program at the first side-road stage after the arterial band ends.

    SUMO's coordinated mode compares a phase's earliestEnd with the time in the cycle; when the
    arterial phase starts early (side stages gapped out) before a cycle wrap it takes its
    earliestEnd as passed and ends at once. Starting the cycle at the side stage keeps the
    arterial phase, its early start and its fixed end inside one cycle.
    """

    def greens(state: str) -> set[str]:
        return {links[i].group_id for i, c in enumerate(state) if c in "Gg"}

    count = len(phases)
    for k in range(count):
        state = phases[k][0]
        previous_green = next(
            (phases[(k - j) % count][0] for j in range(1, count) if "y" not in phases[(k - j) % count][0]
             and greens(phases[(k - j) % count][0])),
            "",
        )  # fmt: skip
        if (
            greens(state)
            and "y" not in state
            and not greens(state) & coordinated
            and greens(previous_green) & coordinated
        ):
            return phases[k:] + phases[:k]
    return phases


def sumo_offset(start_s: int, cycle_s: int) -> int:
    """SUMO ``offset`` that puts the program's phase 0 at absolute time ``start_s`` (mod cycle).

    Checked with SUMO 1.28 (SaveTLSStates): a static program with offset 10 enters phase 0 at t = 10.
    """
    return start_s % cycle_s
