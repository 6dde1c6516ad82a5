"""Link travel-time factors from detector counts (BPR volume-delay function).

A corridor link is measured by the detectors of the arterial group that the link feeds: the
outbound segment from intersection ``i`` to ``i+1`` by the outbound group of ``i+1``, the
inbound segment from ``i+1`` to ``i`` by the inbound group of ``i``. The link's capacity is
that group's capacity at the stop line (saturation flow times its green share), the bottleneck
of an urban link. The factor is the US Bureau of Public Roads function
``1 + alpha * (v / c) ** beta`` with the classic alpha 0.15 and beta 4, capped at 20 (the upper
bound of ``travel_time_factor``).
"""

from __future__ import annotations

from dataclasses import dataclass

from herne_signals.model import Network

BPR_ALPHA = 0.15
BPR_BETA = 4.0
MAX_FACTOR = 20.0
# Green share assumed for capacity when the intersection has no approved plan yet.
DEFAULT_GREEN_SHARE = 0.45


@dataclass(frozen=True)
class MeasuredSegment:
    """A road segment of the shared network and the signal group whose detectors measure it."""

    segment_id: str
    from_node: str
    to_node: str
    intersection_id: str
    group_id: str


def measured_segments(network: Network, road_segments: frozenset[str]) -> list[MeasuredSegment]:
    """Segments of corridor links that exist in the shared road network, with their measuring group."""
    result = []
    for corridor in network.corridors.values():
        for i, link in enumerate(corridor.links):
            pairs = (
                (link.outbound_segment, corridor.intersections[i + 1], corridor.outbound_groups[i + 1]),
                (link.inbound_segment, corridor.intersections[i], corridor.inbound_groups[i]),
            )
            for segment, intersection_id, group_id in pairs:
                if not segment or segment not in road_segments:
                    continue
                if not network.intersection(intersection_id).group(group_id).detectors:
                    continue
                from_node, to_node = segment.split(">", 1)
                result.append(MeasuredSegment(segment, from_node, to_node, intersection_id, group_id))
    return result


def bpr_factor(flow_veh_h: float, capacity_veh_h: float) -> float:
    """Travel time relative to free flow at ``flow_veh_h`` on a link of ``capacity_veh_h``."""
    if flow_veh_h <= 0:
        return 1.0
    if capacity_veh_h <= 0:
        return MAX_FACTOR
    return min(MAX_FACTOR, 1.0 + BPR_ALPHA * (flow_veh_h / capacity_veh_h) ** BPR_BETA)


def material_change(previous: float, current: float, threshold: float) -> bool:
    """Whether ``current`` differs from ``previous`` by at least ``threshold`` (relative)."""
    return abs(current - previous) / max(previous, 1.0) >= threshold
