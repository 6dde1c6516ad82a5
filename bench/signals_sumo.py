"""Signal plans of the signals service against SUMO's own controllers, in Eclipse SUMO.

Scenarios (built from the service's demo intersections, see bench/sumo_net.py): the Bahnhofstraße
corridor (4 signals, turn lanes on the arterial, single shared side-road lanes, a T-junction with
a protected left stage), the isolated Wanne-Eickel intersection and a 2x2 grid of arterial
crossings. Demand: low / medium / near-saturated (fractions of the peak-hour profile), Poisson
arrivals per seed.

Controllers:
- ``sumo-fixed``: netconvert's default fixed-time program (90 s cycle).
- ``sumo-webster``: tools/tlsCycleAdaptation.py --unified-cycle, then tools/tlsCoordinator.py.
- ``sumo-actuated``: netconvert's default actuated program (gap-based).
- ``herne-fixed``: the service's plan (same optimiser code) as a fixed-time program with offsets.
- ``herne-actuated``: the same plan as a coordinated actuated program (frame plan: stage greens
  actuated between minimum green and the frame; arterial stages end at their time in the cycle).

Metric: mean time loss per vehicle INCLUDING insertion delay (tripinfo departDelay + timeLoss,
and for vehicles still waiting to be inserted at the end the time they have waited), over every
vehicle generated; stops per inserted vehicle (tripinfo waitingCount); backlog = vehicles not
yet inserted at the end. Vehicle and intersection clearance (3 s amber + 2 s all-red) are the
same for all controllers; the service's plans also keep the pedestrian minimum greens and
intergreens (pedestrians are not simulated).

Usage: python bench/signals_sumo.py [--quick] [--seeds 5] [--jobs 2] [--scenarios corridor,isolated,grid]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sumo  # noqa: E402
from sumo_net import Node, Scenario, link_groups, program_xml, write_network, write_routes  # noqa: E402

from herne_signals.model import Corridor, CorridorLink, Network, load_network  # noqa: E402
from herne_signals.optimise import Options, optimise_corridor, optimise_intersection  # noqa: E402
from herne_signals.settings import DEMO_SIGNALS  # noqa: E402

SUMO_HOME = Path(sumo.SUMO_HOME)
DEMANDS = {"low": 0.45, "medium": 0.75, "high": 1.0}  # fractions of the near-saturated level
# Entry scale (x the demo's peak-hour profile) at which the service's plan for the scenario has
# its critical group at a degree of saturation of about 0.9: "near-saturated".
SATURATED_SCALE = {"corridor": 1.2, "isolated": 1.1, "grid": 1.4}
CONTROLLERS = (
    "sumo-fixed", "sumo-webster", "sumo-actuated", "herne-fixed", "herne-coordinated", "herne-actuated",
    "herne-actuated-ped",
)  # fmt: skip
MODES = {
    "herne-fixed": "fixed", "herne-coordinated": "coordinated", "herne-actuated": "free", "herne-actuated-ped": "free",
}  # fmt: skip
CLEARING_S = 300


def demo_network() -> Network:
    return load_network(json.loads(DEMO_SIGNALS.read_text(encoding="utf-8")))


def _peak_entries(node: Node, scenario_nodes: dict[str, Node]) -> dict[tuple[str, str], float]:
    entries = {}
    for group in node.intersection.groups:
        if group.kind != "vehicle" or group.approach in node.neighbours:
            continue
        key = (node.node_id, group.approach)
        entries[key] = entries.get(key, 0.0) + max(group.historic_flows or (0.0,))
    return entries


@dataclass
class Setup:
    scenario: Scenario
    corridors: list[Corridor]  # corridors over node ids (empty: every node isolated)
    network: Network  # intersections keyed by node id


def build(name: str) -> Setup:
    demo = demo_network()
    nodes: dict[str, Node] = {}
    corridors: list[Corridor] = []
    if name == "corridor":
        corridor = demo.corridors["bahnhofstrasse"]
        y = 0.0
        ids = [f"c{i}" for i in range(len(corridor.intersections))]
        for i, iid in enumerate(corridor.intersections):
            nodes[ids[i]] = Node(ids[i], replace(demo.intersection(iid), intersection_id=ids[i]), 0.0, y)
            if i < len(corridor.links):
                y -= corridor.links[i].length_m
        for i, link in enumerate(corridor.links):
            speed = link.speed_kmh / 3.6
            nodes[ids[i]].neighbours["S"] = (ids[i + 1], link.length_m, speed)
            nodes[ids[i + 1]].neighbours["N"] = (ids[i], link.length_m, speed)
        corridors.append(replace(corridor, intersections=tuple(ids)))
    elif name == "isolated":
        nodes["i0"] = Node("i0", replace(demo.intersection("wanne-hauptstrasse-hbf"), intersection_id="i0"), 0.0, 0.0)
    elif name == "grid":
        base = demo.intersection("bahnhofstrasse-bahnhofsplatz")
        spacing = 400.0
        for col in range(2):
            for row in range(2):
                nid = f"g{col}{row}"
                nodes[nid] = Node(nid, replace(base, intersection_id=nid), col * spacing, -row * spacing)
        speed = 40 / 3.6
        for col in range(2):
            top, bottom = f"g{col}0", f"g{col}1"
            nodes[top].neighbours["S"] = (bottom, spacing, speed)
            nodes[bottom].neighbours["N"] = (top, spacing, speed)
            corridors.append(
                Corridor(f"col{col}", f"column {col}", (top, bottom), ("K1", "K1"), ("K2", "K2"),
                         (CorridorLink(spacing, 40),))
            )  # fmt: skip
        for row in range(2):
            west, east = f"g0{row}", f"g1{row}"
            nodes[west].neighbours["E"] = (east, spacing, speed)
            nodes[east].neighbours["W"] = (west, spacing, speed)
    else:
        raise SystemExit(f"unknown scenario {name}")
    entries: dict[tuple[str, str], float] = {}
    for node in nodes.values():
        entries.update(_peak_entries(node, nodes))
    network = Network({nid: n.intersection for nid, n in nodes.items()}, {c.corridor_id: c for c in corridors})
    return Setup(Scenario(name, nodes, entries), corridors, network)


def without_pedestrians(setup: Setup) -> Setup:
    """The setup with pedestrian groups (and their stages' memberships and intergreens) removed."""
    intersections = {}
    for nid, x in setup.network.intersections.items():
        keep = tuple(g for g in x.groups if g.kind == "vehicle")
        ids = {g.group_id for g in keep}
        stages = tuple(replace(st, groups=tuple(g for g in st.groups if g in ids)) for st in x.stages)
        intergreens = {k: v for k, v in x.intergreens.items() if k[0] in ids and k[1] in ids}
        intersections[nid] = replace(x, groups=keep, stages=stages, intergreens=intergreens)
    return replace(setup, network=Network(intersections, setup.network.corridors))


def service_plans(setup: Setup, scale: float) -> dict[str, object]:
    """The service's plans for the expected flows (what its detectors would measure)."""
    flows = setup.scenario.group_flows(scale)
    options = Options()
    plans: dict[str, object] = {}
    for corridor in setup.corridors:
        result = optimise_corridor(setup.network, corridor, {i: flows[i] for i in corridor.intersections}, options)
        for plan in result.plans:
            plans[plan.intersection_id] = plan
    for nid, intersection in setup.network.intersections.items():
        if nid not in plans:
            plans[nid] = optimise_intersection(intersection, flows[nid], options)
    return plans


def _tool(script: str, *args: str) -> None:
    env = {**os.environ, "SUMO_HOME": str(SUMO_HOME)}
    subprocess.run([sys.executable, str(SUMO_HOME / "tools" / script), *args], check=True, capture_output=True,
                   env=env)  # fmt: skip


@dataclass
class Result:
    scenario: str
    demand: str
    seed: int
    controller: str
    vehicles: int
    time_loss_s: float
    stops: float
    backlog: int
    cycle_s: int = 0


def run_one(task: tuple[str, str, int, int, str]) -> list[Result]:
    """One scenario, demand and seed under every controller."""
    name, demand, seed, duration, controllers = task
    setup = build(name)
    scale = DEMANDS[demand] * SATURATED_SCALE[name]
    results = []
    with tempfile.TemporaryDirectory(prefix=f"sumo-{name}-") as tmp:
        directory = Path(tmp)
        static_net = write_network(setup.scenario, directory, SUMO_HOME, "static")
        actuated_net = write_network(setup.scenario, directory, SUMO_HOME, "actuated")
        routes = directory / "routes.rou.xml"
        total = write_routes(setup.scenario, routes, scale, duration, seed)
        for controller in controllers.split(","):
            net, additional, cycle = static_net, [], 0
            if controller == "sumo-webster":
                webster = directory / "webster.add.xml"
                _tool("tlsCycleAdaptation.py", "-n", str(static_net), "-r", str(routes), "-u", "-o", str(webster),
                      "-y", "3", "-a", "2")  # fmt: skip
                coordinated = directory / "coordinated.add.xml"
                _tool("tlsCoordinator.py", "-n", str(static_net), "-r", str(routes), "-a", str(webster),
                      "-o", str(coordinated))  # fmt: skip
                additional = [webster, coordinated]
            elif controller == "sumo-actuated":
                net = actuated_net
            elif controller.startswith("herne"):
                # The simulated junctions have no crosswalks and no pedestrians, so (like SUMO's
                # controllers) the service plans them without pedestrian groups; -ped keeps the
                # demo's pedestrian greens and clearances to show what they cost.
                planned = setup if controller.endswith("-ped") else without_pedestrians(setup)
                plans = service_plans(planned, scale)
                links = link_groups(setup.scenario, static_net)
                root = ET.Element("additional")
                for nid, plan in plans.items():
                    root.append(program_xml(planned.network.intersections[nid], plan, links[nid], nid,
                                            mode=MODES[controller]))  # fmt: skip
                    cycle = plan.cycle_s  # type: ignore[attr-defined]
                path = directory / f"{controller}.add.xml"
                ET.ElementTree(root).write(path)
                additional = [path]
            results.append(simulate(setup, demand, seed, controller, net, routes, additional, duration, total, cycle))
    return results


def simulate(
    setup: Setup, demand: str, seed: int, controller: str, net: Path, routes: Path, additional: list[Path],
    duration: int, total: int, cycle: int,
) -> Result:  # fmt: skip
    out = routes.parent / f"trips-{controller}.xml"
    end = duration + CLEARING_S
    command = [
        str(SUMO_HOME / "bin" / "sumo"), "-n", str(net), "-r", str(routes), "--end", str(end),
        "--tripinfo-output", str(out), "--tripinfo-output.write-unfinished", "true", "--seed", str(seed),
        "--no-step-log", "true", "--no-warnings", "true", "--duration-log.disable", "true",
        "--time-to-teleport", "300",
    ]  # fmt: skip
    if additional:
        command += ["-a", ",".join(str(p) for p in additional)]
    subprocess.run(command, check=True, capture_output=True)
    loss = 0.0
    stops = 0
    inserted = 0
    for _, element in ET.iterparse(out):
        if element.tag != "tripinfo":
            continue
        depart = float(element.get("depart", "-1"))
        if depart < 0:
            continue
        inserted += 1
        loss += float(element.get("departDelay", "0")) + float(element.get("timeLoss", "0"))
        stops += int(element.get("waitingCount", "0"))
        element.clear()
    # Vehicles never inserted: they waited from their planned departure to the end.
    departs = [float(v.get("depart")) for v in ET.parse(routes).getroot().iter("vehicle")]
    departs.sort()
    backlog = total - inserted
    loss += sum(end - d for d in departs[len(departs) - backlog :]) if backlog > 0 else 0.0
    return Result(setup.scenario.name, demand, seed, controller, total, loss / max(total, 1), stops / max(inserted, 1),
                  backlog, cycle)  # fmt: skip


def table(results: list[Result]) -> str:
    lines = [
        "| scenario | demand | seeds | controller | mean time loss incl. insertion (s/veh) | stops/veh | backlog | "
        "vs best SUMO |",
        "|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted({(r.scenario, r.demand) for r in results}, key=lambda k: (k[0], list(DEMANDS).index(k[1])))
    for scenario, demand in keys:
        group = [r for r in results if (r.scenario, r.demand) == (scenario, demand)]
        means = {}
        for controller in CONTROLLERS:
            rows = [r for r in group if r.controller == controller]
            if rows:
                means[controller] = (
                    statistics.mean(r.time_loss_s for r in rows),
                    statistics.mean(r.stops for r in rows),
                    statistics.mean(r.backlog for r in rows),
                    len(rows),
                    statistics.pstdev(r.time_loss_s for r in rows),
                )
        best = min((v[0] for c, v in means.items() if c.startswith("sumo")), default=None)
        for controller, (loss, stop, backlog, seeds, sd) in means.items():
            versus = f"{100 * (loss - best) / best:+.1f} %" if best else ""
            lines.append(
                f"| {scenario} | {demand} | {seeds} | {controller} | {loss:.1f} (sd {sd:.1f}) | {stop:.2f} | "
                f"{backlog:.1f} | {versus} |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="isolated intersection, medium demand, 1 seed, 600 s")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--duration", type=int, default=1800, help="seconds of demand (then 300 s to clear)")
    parser.add_argument("--scenarios", default="corridor,isolated,grid")
    parser.add_argument("--demands", default=",".join(DEMANDS))
    parser.add_argument("--controllers", default=",".join(CONTROLLERS))
    parser.add_argument("--json", type=Path, help="also write the per-run results here")
    args = parser.parse_args()
    if args.quick:
        args.scenarios, args.demands, args.seeds, args.duration = "isolated", "medium", 1, 600
    tasks = [
        (name, demand, seed, args.duration, args.controllers)
        for name in args.scenarios.split(",")
        for demand in args.demands.split(",")
        for seed in range(1, args.seeds + 1)
    ]
    started = time.monotonic()
    results: list[Result] = []
    if args.jobs <= 1:
        for task in tasks:
            results += run_one(task)
    else:
        with ProcessPoolExecutor(args.jobs) as pool:
            for batch in pool.map(run_one, tasks):
                results += batch
    print(table(results))
    print(f"\n{len(tasks)} scenario runs x {len(args.controllers.split(','))} controllers in "
          f"{time.monotonic() - started:.0f} s (SUMO {SUMO_HOME.name}, {os.cpu_count()} cores)")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], indent=1))


if __name__ == "__main__":
    main()
