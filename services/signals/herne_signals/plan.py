"""Signal plans (Signalprogramme): green windows per group, stage times, actuation, expectations."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PROPOSED, ACTIVE, REJECTED, SUPERSEDED = "proposed", "active", "rejected", "superseded"
STATUSES = (PROPOSED, ACTIVE, REJECTED, SUPERSEDED)


@dataclass
class GroupTiming:
    """Green window of one group in the cycle and its actuation within that frame.

    ``green_end_s`` < ``green_start_s`` means the window wraps over the cycle start; a window of
    the whole cycle is 0..cycle. The controller may end the green after ``min_green_s`` when the
    detectors see a gap longer than ``extension_s``, never later than ``max_green_s`` (= the frame).
    Run uncoordinated (free actuation: each stage ends on a gap, no fixed cycle), the green may
    last up to ``free_max_green_s``; the free maxima are the frame scaled by at most the ratio
    of the maximum to the planned cycle, so the longest possible cycle stays within the maximum.
    """

    group_id: str
    green_start_s: int
    green_end_s: int
    min_green_s: int
    max_green_s: int
    extension_s: float = 0.0  # 0: fixed time
    coordinated: bool = False  # the arterial group that holds the band; never gaps out
    free_max_green_s: int = 0  # 0: plans stored before the field existed; same as max_green_s


@dataclass
class StageTime:
    stage_id: str
    start_s: int
    green_s: int


@dataclass
class GroupExpectation:
    group_id: str
    flow_veh_h: float
    saturation_flow_veh_h: float
    capacity_veh_h: float
    degree_of_saturation: float
    delay_s: float
    stops_per_vehicle: float


@dataclass
class SignalPlan:
    plan_id: str
    intersection_id: str
    cycle_s: int
    offset_s: int
    groups: list[GroupTiming]
    stages: list[StageTime]
    expectations: list[GroupExpectation] = field(default_factory=list)
    mean_delay_s: float = 0.0
    total_delay_veh_h_per_h: float = 0.0
    oversaturated_groups: list[str] = field(default_factory=list)
    status: str = PROPOSED
    created_time: datetime | None = None
    decided_time: datetime | None = None
    decided_by: str = ""
    reject_reason: str = ""
    reason: str = ""  # why it was proposed: "request", "demand drift", ...
    demand_source: str = ""  # "request", "detectors", "historic", "mixed"
    plan_set_id: str = ""  # corridor plans approved together
    corridor_id: str = ""
    outbound_band_s: int = 0
    inbound_band_s: int = 0
    outbound_stops_per_vehicle: float = 0.0
    inbound_stops_per_vehicle: float = 0.0
    flows_basis: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        for key in ("created_time", "decided_time"):
            value = getattr(self, key)
            data[key] = value.isoformat() if value else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignalPlan:
        values = dict(data)
        values["groups"] = [GroupTiming(**g) for g in data["groups"]]
        values["stages"] = [StageTime(**s) for s in data["stages"]]
        values["expectations"] = [GroupExpectation(**e) for e in data.get("expectations", [])]
        for key in ("created_time", "decided_time"):
            values[key] = datetime.fromisoformat(data[key]) if data.get(key) else None
        return cls(**values)

    def window(self, group_id: str) -> GroupTiming:
        for timing in self.groups:
            if timing.group_id == group_id:
                return timing
        raise KeyError(group_id)


def window_length(start: int, end: int, cycle: int) -> int:
    """Seconds of a window, wrapping over the cycle start; 0..cycle is the full cycle."""
    if start == 0 and end == cycle:
        return cycle
    return (end - start) % cycle
