"""Independent safety check of a signal plan against the intersection's engineering data.

Deliberately does not reuse the optimiser's stage or transition logic: it looks only at the
green windows a controller would run, the intergreen matrix and the minimum greens, so a bug in
plan construction cannot hide itself. Every plan passes here before it is stored or published.
"""

from __future__ import annotations

import itertools

from herne_signals.model import Intersection
from herne_signals.plan import SignalPlan, window_length

MAX_EXTENSION_S = 10.0


class UnsafePlan(ValueError):
    """The plan violates a safety rule; ``problems`` lists every violation."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def check_plan(intersection: Intersection, plan: SignalPlan) -> list[str]:  # noqa: PLR0912, PLR0915 - one rule each
    """Every safety violation of ``plan`` (empty when safe)."""
    problems: list[str] = []
    cycle = plan.cycle_s
    if plan.intersection_id != intersection.intersection_id:
        problems.append(f"plan is for {plan.intersection_id}, not {intersection.intersection_id}")
    if not intersection.cycle_min_s <= cycle <= intersection.cycle_max_s:
        problems.append(f"cycle {cycle} s outside {intersection.cycle_min_s}..{intersection.cycle_max_s} s")
        if cycle <= 0:
            return problems
    if not 0 <= plan.offset_s < cycle:
        problems.append(f"offset {plan.offset_s} s outside 0..{cycle - 1}")
    timings = {}
    for timing in plan.groups:
        if timing.group_id in timings:
            problems.append(f"signal group {timing.group_id} timed twice")
        timings[timing.group_id] = timing
    known = {group.group_id: group for group in intersection.groups}
    for gid in timings:
        if gid not in known:
            problems.append(f"plan times unknown signal group {gid}")
    windows: dict[str, tuple[int, int, int]] = {}
    for gid, group in known.items():
        timing = timings.get(gid)
        if timing is None:
            problems.append(f"signal group {gid} is not served")
            continue
        start, end = timing.green_start_s, timing.green_end_s
        if not (0 <= start < cycle and 0 <= end <= cycle) or start == end:
            problems.append(f"signal group {gid} green {start}..{end} s is not a window in the {cycle} s cycle")
            continue
        length = window_length(start, end, cycle)
        windows[gid] = (start, end % cycle, length)
        if length < group.min_green_s:
            problems.append(f"signal group {gid} green {length} s below its minimum of {group.min_green_s} s")
        if timing.min_green_s < group.min_green_s:
            problems.append(f"signal group {gid} actuated minimum {timing.min_green_s} s below {group.min_green_s} s")
        if not timing.min_green_s <= timing.max_green_s <= length:
            problems.append(
                f"signal group {gid} actuated greens must satisfy min {timing.min_green_s} <= "
                f"max {timing.max_green_s} <= frame {length} s"
            )
        free_max = timing.free_max_green_s or timing.max_green_s
        # Free actuation stretches greens by at most max cycle / cycle, so no cycle exceeds the maximum.
        if free_max < timing.max_green_s or free_max * cycle > length * intersection.cycle_max_s:
            problems.append(
                f"signal group {gid} free maximum green {free_max} s must lie between its maximum "
                f"{timing.max_green_s} s and {length * intersection.cycle_max_s // cycle} s "
                f"(frame x maximum cycle / cycle)"
            )
        if not 0 <= timing.extension_s <= MAX_EXTENSION_S:
            problems.append(f"signal group {gid} extension {timing.extension_s} s outside 0..{MAX_EXTENSION_S}")
    for (a, b), intergreen in intersection.intergreens.items():
        if a not in windows or b not in windows or a > b:
            continue
        start_a, end_a, length_a = windows[a]
        start_b, end_b, length_b = windows[b]
        gap_ab = (start_b - end_a) % cycle
        gap_ba = (start_a - end_b) % cycle
        reverse = intersection.intergreens.get((b, a), 0)
        # Two disjoint windows and the two gaps between them make up exactly one cycle.
        if length_a + length_b + gap_ab + gap_ba != cycle or length_a + length_b > cycle:
            problems.append(f"conflicting signal groups {a} and {b} are green at the same time")
            continue
        if gap_ab < intergreen:
            problems.append(f"intergreen {a}->{b} is {gap_ab} s, needs {intergreen} s")
        if gap_ba < reverse:
            problems.append(f"intergreen {b}->{a} is {gap_ba} s, needs {reverse} s")
    problems.extend(_check_stages(plan, cycle))
    return problems


def _check_stages(plan: SignalPlan, cycle: int) -> list[str]:
    problems: list[str] = []
    if not plan.stages:
        return ["plan has no stage times"]
    starts = [stage.start_s for stage in plan.stages]
    if starts[0] != 0 or any(b <= a for a, b in itertools.pairwise(starts)) or starts[-1] >= cycle:
        problems.append("stage starts must begin at 0 and increase within the cycle")
        return problems
    ends = [*starts[1:], cycle]
    total = sum(end - start for start, end in zip(starts, ends, strict=True))
    if total != cycle:
        problems.append(f"stage times sum to {total} s, not the cycle of {cycle} s")
    for stage, end in zip(plan.stages, ends, strict=True):
        if stage.green_s <= 0 or stage.start_s + stage.green_s > end:
            problems.append(f"stage {stage.stage_id} green {stage.green_s} s does not fit before the next stage")
    return problems


def ensure_safe(intersection: Intersection, plan: SignalPlan) -> None:
    problems = check_plan(intersection, plan)
    if problems:
        raise UnsafePlan(problems)
