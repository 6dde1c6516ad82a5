"""Intersections, signal groups, stages, intergreens and corridors; loaded from plain dicts.

Loading checks the engineering data itself (every conflicting pair has intergreens both ways,
stages never hold conflicting groups, each group is green in one contiguous run of stages,
minimum greens fit the maximum cycle) and raises ``InvalidArgument`` naming the bad field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from herne_optim.signal_timing.isolated import GroupSpec, StageProblem, minimum_cycle
from herne_runtime.errors import InvalidArgument

MOVEMENTS = ("left", "through", "right")
GROUP_KINDS = ("vehicle", "pedestrian", "bicycle")
# Base saturation flow per lane (HBS 2015 / HCM: about 2000 pcu/h on a wide straight lane).
BASE_SATURATION_PCU_H = 1900.0
HEAVY_VEHICLE_PCU = 2.0
PROTECTED_LEFT_FACTOR = 0.95  # HCM f_LT for an exclusive protected left lane
RIGHT_TURN_FACTOR = 0.85  # HCM f_RT for an exclusive right lane (pedestrian conflicts included roughly)
CRITICAL_GAP_S = 4.5  # permissive left turns through opposing traffic (gap acceptance)
FOLLOW_UP_S = 2.5


@dataclass(frozen=True)
class Lane:
    """One approach lane and the movements allowed from it."""

    movements: tuple[str, ...]
    width_m: float = 3.25


@dataclass(frozen=True)
class SignalGroup:
    """A signal group (Signalgruppe): the movements of one approach released together."""

    group_id: str
    kind: str
    approach: str
    lanes: tuple[Lane, ...]
    min_green_s: int
    turn_shares: Mapping[str, float]  # share of the group's flow per movement
    detectors: tuple[str, ...] = ()
    permissive_left: bool = False
    opposing_group: str | None = None  # the group whose flow a permissive left must cross
    heavy_share: float = 0.03
    amber_s: int = 3
    # Historic flows (veh/h) per hour of day, 24 values; fallback when detectors fail.
    historic_flows: tuple[float, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Stage:
    """A stage (Phase): groups green together."""

    stage_id: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Intersection:
    """A signalised intersection (Knotenpunkt) with its fixed stage sequence."""

    intersection_id: str
    name: str
    lat: float
    lon: float
    groups: tuple[SignalGroup, ...]
    stages: tuple[Stage, ...]
    intergreens: Mapping[tuple[str, str], int]  # (ending group, starting group) -> seconds
    cycle_min_s: int = 40
    cycle_max_s: int = 120
    network_node: str = ""

    def group(self, group_id: str) -> SignalGroup:
        for group in self.groups:
            if group.group_id == group_id:
                return group
        raise InvalidArgument(f"intersection {self.intersection_id} has no signal group {group_id!r}")

    @property
    def group_ids(self) -> list[str]:
        return [group.group_id for group in self.groups]

    def conflicts(self, a: str, b: str) -> bool:
        return (a, b) in self.intergreens

    def stage_runs(self) -> dict[str, tuple[int, ...]]:
        """Stage indices where each group is green, rotated so the run is contiguous."""
        count = len(self.stages)
        runs: dict[str, tuple[int, ...]] = {}
        for group in self.groups:
            member = [group.group_id in stage.groups for stage in self.stages]
            starts = [k for k in range(count) if member[k] and not member[k - 1]]
            if all(member):
                runs[group.group_id] = tuple(range(count))
                continue
            if len(starts) != 1:
                raise InvalidArgument(
                    f"intersection {self.intersection_id}: signal group {group.group_id} must be green in "
                    f"exactly one contiguous run of stages (found {len(starts)})"
                )
            run = []
            k = starts[0]
            while member[k % count] and len(run) < count:
                run.append(k % count)
                k += 1
            runs[group.group_id] = tuple(run)
        return runs

    def transitions(self) -> list[int]:
        """Seconds from stage k to k+1: the largest intergreen of a stopping to a starting group."""
        result = []
        for k, stage in enumerate(self.stages):
            following = self.stages[(k + 1) % len(self.stages)]
            ending = [g for g in stage.groups if g not in following.groups]
            starting = [g for g in following.groups if g not in stage.groups]
            needed = [self.intergreens[(e, s)] for e in ending for s in starting if (e, s) in self.intergreens]
            # A group that stops still shows amber before anything else changes.
            amber = [self.group(e).amber_s for e in ending if self.group(e).kind == "vehicle"]
            result.append(max(needed + amber + [0]))
        return result


@dataclass(frozen=True)
class CorridorLink:
    """The road between two consecutive corridor intersections."""

    length_m: float
    speed_kmh: float
    outbound_segment: str = ""  # shared network segment id "<from>><to>"
    inbound_segment: str = ""

    @property
    def travel_s(self) -> float:
        return self.length_m / (self.speed_kmh / 3.6)


@dataclass(frozen=True)
class Corridor:
    """Ordered intersections of an arterial with the groups carrying through traffic each way."""

    corridor_id: str
    name: str
    intersections: tuple[str, ...]
    outbound_groups: tuple[str, ...]
    inbound_groups: tuple[str, ...]
    links: tuple[CorridorLink, ...]


@dataclass
class Network:
    """All intersections and corridors the service manages."""

    intersections: dict[str, Intersection] = field(default_factory=dict)
    corridors: dict[str, Corridor] = field(default_factory=dict)
    demo_notice: str = ""

    def intersection(self, intersection_id: str) -> Intersection:
        if not intersection_id:
            raise InvalidArgument("intersection_id is required")
        try:
            return self.intersections[intersection_id]
        except KeyError:
            from herne_runtime.errors import NotFound

            raise NotFound(f"unknown intersection_id {intersection_id!r}") from None

    def corridor(self, corridor_id: str) -> Corridor:
        if not corridor_id:
            raise InvalidArgument("corridor_id is required")
        try:
            return self.corridors[corridor_id]
        except KeyError:
            from herne_runtime.errors import NotFound

            raise NotFound(f"unknown corridor_id {corridor_id!r}") from None

    def corridor_of(self, intersection_id: str) -> Corridor | None:
        for corridor in self.corridors.values():
            if intersection_id in corridor.intersections:
                return corridor
        return None


# --- saturation flows ---------------------------------------------------------------------


def permissive_left_capacity(opposing_flow: float, green_ratio: float = 0.5) -> float:
    """Left turns per hour of green that filter through ``opposing_flow`` (gap acceptance, Harders).

    Uses opposing flow during its green (flow / green ratio) and adds the two "sneakers" per
    cycle who leave at the end of green, expressed per hour of green at a 90 s cycle.
    """
    q = max(0.0, opposing_flow) / max(green_ratio, 0.1) / 3600.0
    if q <= 1e-9:
        return 3600.0 / FOLLOW_UP_S
    filtering = 3600.0 * q * math.exp(-q * CRITICAL_GAP_S) / (1 - math.exp(-q * FOLLOW_UP_S))
    sneakers = 2 * 3600.0 / (90 * green_ratio) if green_ratio > 0 else 0.0
    return filtering + sneakers


def saturation_flow(
    group: SignalGroup, *, opposing_flow: float = 0.0, opposing_green_ratio: float = 0.5, grade: float = 0.0
) -> float:
    """Saturation flow of a group (veh/h of green) from its lanes, turning shares and conflicts.

    Exclusive lanes get their movement's factor. A shared lane's rate follows the harmonic mean of
    its movements' rates weighted by their shares on that lane (HCM's shared-lane model), so a
    single side-road lane with many (permissive) left turners is not credited 1800 veh/h.
    """
    if group.kind != "vehicle":
        return 0.0
    heavy = 1.0 / (1.0 + group.heavy_share * (HEAVY_VEHICLE_PCU - 1.0))
    left_rate = (
        min(
            BASE_SATURATION_PCU_H * PROTECTED_LEFT_FACTOR, permissive_left_capacity(opposing_flow, opposing_green_ratio)
        )
        if group.permissive_left
        else BASE_SATURATION_PCU_H * PROTECTED_LEFT_FACTOR
    )
    rates = {"left": left_rate, "through": BASE_SATURATION_PCU_H, "right": BASE_SATURATION_PCU_H * RIGHT_TURN_FACTOR}
    # Movement shares are split over the lanes allowing them; a lane's rate is the harmonic mean.
    lanes_per_movement = {m: sum(1 for lane in group.lanes if m in lane.movements) for m in MOVEMENTS}
    total = 0.0
    critical = math.inf
    for lane in group.lanes:
        shares = {m: group.turn_shares.get(m, 0.0) / lanes_per_movement[m] for m in lane.movements}
        lane_share = sum(shares.values())
        width = 1.0 + (lane.width_m - 3.6) / 9.0  # HCM lane width factor
        factors = width * (1.0 - grade / 200.0) * heavy
        if lane_share <= 0:
            total += BASE_SATURATION_PCU_H * factors
            continue
        rate = lane_share / sum(share / rates[m] for m, share in shares.items()) * factors
        total += rate
        # The group's flow ratio is set by its most loaded lane: q * share / rate.
        critical = min(critical, rate / lane_share)
    return min(total, critical)


# --- loading ------------------------------------------------------------------------------


def _require(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise InvalidArgument(f"{where}: {key} is required")
    return mapping[key]


def load_intersection(data: Mapping[str, Any]) -> Intersection:  # noqa: PLR0912, PLR0915 - one check per field
    """An intersection from its data file entry, with every engineering check applied."""
    iid = str(_require(data, "id", "intersection"))
    where = f"intersection {iid}"
    groups: list[SignalGroup] = []
    for raw in _require(data, "signal_groups", where):
        gid = str(_require(raw, "id", f"{where} signal group"))
        kind = str(raw.get("kind", "vehicle"))
        if kind not in GROUP_KINDS:
            raise InvalidArgument(f"{where}: signal group {gid} kind must be one of {GROUP_KINDS}, not {kind!r}")
        lanes = tuple(Lane(tuple(lane["movements"]), float(lane.get("width_m", 3.25))) for lane in raw.get("lanes", []))
        for lane in lanes:
            bad = [m for m in lane.movements if m not in MOVEMENTS]
            if bad or not lane.movements:
                raise InvalidArgument(f"{where}: signal group {gid} lane movements must be from {MOVEMENTS}")
        if kind == "vehicle" and not lanes:
            raise InvalidArgument(f"{where}: vehicle signal group {gid} needs at least one lane")
        min_green = int(raw.get("min_green_s", 5 if kind == "vehicle" else 8))
        if min_green < 5:
            raise InvalidArgument(f"{where}: signal group {gid} min_green_s must be at least 5 s (RiLSA)")
        default_shares = {"through": 1.0} if kind == "vehicle" else {}
        shares = {m: float(v) for m, v in raw.get("turn_shares", default_shares).items()}
        if kind == "vehicle" and abs(sum(shares.values()) - 1.0) > 1e-6:
            raise InvalidArgument(f"{where}: signal group {gid} turn_shares must sum to 1")
        for movement, share in shares.items():
            allowed = any(movement in lane.movements for lane in lanes)
            if share < 0 or (share > 0 and not allowed):
                raise InvalidArgument(f"{where}: signal group {gid} has share for {movement} but no lane allows it")
        historic = tuple(float(v) for v in raw.get("historic_flows", []))
        if historic and (len(historic) != 24 or min(historic) < 0):
            raise InvalidArgument(f"{where}: signal group {gid} historic_flows needs 24 non-negative values")
        groups.append(
            SignalGroup(
                group_id=gid,
                kind=kind,
                approach=str(raw.get("approach", "")),
                lanes=lanes,
                min_green_s=min_green,
                turn_shares=shares,
                detectors=tuple(raw.get("detectors", [])),
                permissive_left=bool(raw.get("permissive_left", False)),
                opposing_group=raw.get("opposing_group"),
                heavy_share=float(raw.get("heavy_share", 0.03)),
                amber_s=int(raw.get("amber_s", 3 if kind == "vehicle" else 0)),
                historic_flows=historic,
                name=str(raw.get("name", "")),
            )
        )
    ids = [g.group_id for g in groups]
    if len(set(ids)) != len(ids):
        raise InvalidArgument(f"{where}: signal group ids must be unique")
    intergreens: dict[tuple[str, str], int] = {}
    for raw in data.get("intergreens", []):
        a, b, seconds = str(raw["from"]), str(raw["to"]), int(raw["seconds"])
        for g in (a, b):
            if g not in ids:
                raise InvalidArgument(f"{where}: intergreen refers to unknown signal group {g!r}")
        if seconds < 0:
            raise InvalidArgument(f"{where}: intergreen {a}->{b} must not be negative")
        intergreens[(a, b)] = seconds
    for a, b in [(str(p[0]), str(p[1])) for p in data.get("conflicts", [])]:
        for x, y in ((a, b), (b, a)):
            if (x, y) not in intergreens:
                raise InvalidArgument(f"{where}: conflicting groups {x} and {y} have no intergreen {x}->{y}")
    for a, b in list(intergreens):
        if (b, a) not in intergreens:
            raise InvalidArgument(f"{where}: intergreen {a}->{b} given but {b}->{a} missing")
    stages = tuple(
        Stage(str(_require(raw, "id", f"{where} stage")), tuple(str(g) for g in raw["groups"]))
        for raw in _require(data, "stages", where)
    )
    if not stages:
        raise InvalidArgument(f"{where}: at least one stage is required")
    for stage in stages:
        for g in stage.groups:
            if g not in ids:
                raise InvalidArgument(f"{where}: stage {stage.stage_id} refers to unknown signal group {g!r}")
        for a in stage.groups:
            for b in stage.groups:
                if (a, b) in intergreens:
                    raise InvalidArgument(f"{where}: stage {stage.stage_id} holds conflicting groups {a} and {b}")
    for g in groups:
        if not any(g.group_id in s.groups for s in stages):
            raise InvalidArgument(f"{where}: signal group {g.group_id} is in no stage")
        if g.opposing_group is not None and g.opposing_group not in ids:
            raise InvalidArgument(f"{where}: signal group {g.group_id} opposing_group {g.opposing_group!r} unknown")
    intersection = Intersection(
        intersection_id=iid,
        name=str(data.get("name", iid)),
        lat=float(data.get("lat", 0.0)),
        lon=float(data.get("lon", 0.0)),
        groups=tuple(groups),
        stages=stages,
        intergreens=intergreens,
        cycle_min_s=int(data.get("cycle_min_s", 40)),
        cycle_max_s=int(data.get("cycle_max_s", 120)),
        network_node=str(data.get("network_node", "")),
    )
    if not 20 <= intersection.cycle_min_s <= intersection.cycle_max_s <= 240:
        raise InvalidArgument(f"{where}: need 20 <= cycle_min_s <= cycle_max_s <= 240")
    intersection.stage_runs()
    needed = minimum_cycle(stage_problem(intersection, {}))
    if needed > intersection.cycle_max_s:
        raise InvalidArgument(
            f"{where}: minimum greens and intergreens need a cycle of {needed} s, "
            f"more than cycle_max_s {intersection.cycle_max_s} s"
        )
    return intersection


def load_network(data: Mapping[str, Any]) -> Network:
    network = Network(demo_notice=str(data.get("_demo", "")))
    for raw in data.get("intersections", []):
        intersection = load_intersection(raw)
        if intersection.intersection_id in network.intersections:
            raise InvalidArgument(f"duplicate intersection id {intersection.intersection_id}")
        network.intersections[intersection.intersection_id] = intersection
    for raw in data.get("corridors", []):
        cid = str(raw["id"])
        ids = tuple(raw["intersections"])
        links = tuple(
            CorridorLink(
                float(link["length_m"]),
                float(link["speed_kmh"]),
                str(link.get("outbound_segment", "")),
                str(link.get("inbound_segment", "")),
            )
            for link in raw["links"]
        )
        if len(links) != len(ids) - 1:
            raise InvalidArgument(f"corridor {cid}: needs one link between each pair of intersections")
        if any(link.length_m <= 0 or link.speed_kmh <= 0 for link in links):
            raise InvalidArgument(f"corridor {cid}: link length and speed must be positive")
        for iid, out_group, in_group in zip(ids, raw["outbound_groups"], raw["inbound_groups"], strict=True):
            network.intersection(iid).group(out_group)
            network.intersection(iid).group(in_group)
        network.corridors[cid] = Corridor(
            cid, str(raw.get("name", cid)), ids, tuple(raw["outbound_groups"]), tuple(raw["inbound_groups"]), links
        )
    return network


# --- optimiser input ---------------------------------------------------------------------


def group_saturation_flows(intersection: Intersection, flows: Mapping[str, float]) -> dict[str, float]:
    """Saturation flow of every vehicle group under the given flows (permissive lefts need them)."""
    result: dict[str, float] = {}
    for group in intersection.groups:
        opposing = flows.get(group.opposing_group, 0.0) if group.opposing_group else 0.0
        result[group.group_id] = saturation_flow(group, opposing_flow=opposing)
    return result


def stage_problem(
    intersection: Intersection,
    flows: Mapping[str, float],
    *,
    max_degree_of_saturation: float = 0.9,
    cycle_bounds: tuple[int, int] | None = None,
    fixed_cycle_s: int | None = None,
) -> StageProblem:
    runs = intersection.stage_runs()
    saturation = group_saturation_flows(intersection, flows)
    low, high = cycle_bounds or (intersection.cycle_min_s, intersection.cycle_max_s)
    specs = tuple(
        GroupSpec(
            group.group_id,
            runs[group.group_id],
            group.min_green_s,
            float(flows.get(group.group_id, 0.0)) if group.kind == "vehicle" else 0.0,
            saturation[group.group_id],
        )
        for group in intersection.groups
    )
    return StageProblem(
        tuple(stage.stage_id for stage in intersection.stages),
        tuple(intersection.transitions()),
        specs,
        low,
        high,
        max_degree_of_saturation,
        fixed_cycle_s,
    )


def historic_flow(group: SignalGroup, hour: int) -> float:
    return group.historic_flows[hour % 24] if group.historic_flows else 0.0


def validate_flows(intersection: Intersection, flows: Mapping[str, float]) -> None:
    for gid, value in flows.items():
        group = intersection.group(gid)
        if not math.isfinite(value) or value < 0:
            raise InvalidArgument(f"flow of signal group {gid} must be a non-negative number, got {value}")
        if value > 5000:
            raise InvalidArgument(f"flow of signal group {gid} ({value} veh/h) exceeds 5000 veh/h")
        if group.kind != "vehicle" and value > 0:
            raise InvalidArgument(f"signal group {gid} is a {group.kind} group; give flows for vehicle groups only")


def detectors(intersection: Intersection) -> Sequence[tuple[str, str]]:
    """(detector id, group id) pairs."""
    return [(d, g.group_id) for g in intersection.groups for d in g.detectors]
