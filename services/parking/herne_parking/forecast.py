"""Short-term occupancy forecast: a time-of-week profile with a decaying anomaly.

Parking follows the week: the P+R at Herne Bahnhof fills on weekday mornings,
city-centre garages on Saturdays. The profile is the mean occupancy per
15-minute slot of the week (local time, Europe/Berlin) over the stored history.
The service works in shares of the observed spaces (occupied / (occupied + free)),
so silent sensors neither distort the profile nor count as free, and scales the
result back to the spaces observed now.
Today is rarely exactly average, and the difference between now and the
profile persists for a while and then fades, so the forecast for ``h`` minutes
ahead is::

    profile(t + h) + (occupied_now - profile(t)) * exp(-h / tau)

With no profile for the slots involved (a new facility, a gap) it falls back
to the current trend, damped the same way: ``occupied_now + slope * tau * (1 -
exp(-h / tau))``. Results are clamped to 0..capacity. ``profile_weight`` (1 -
exp(-h / tau)) says how much of the answer comes from the profile.
BENCHMARKS.md reports the error against a naive "no change" forecast.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Europe/Berlin")
SLOT_MINUTES = 15
SLOTS_PER_WEEK = 7 * 24 * 60 // SLOT_MINUTES
DEFAULT_TAU_MINUTES = 60.0
# A slot needs this many samples before its mean is trusted as the profile.
MIN_SLOT_SAMPLES = 2


def slot_of(moment: datetime) -> int:
    """15-minute slot of the week in local time, Monday 00:00 = 0."""
    local = moment.astimezone(LOCAL_TIME)
    return (local.weekday() * 24 * 60 + local.hour * 60 + local.minute) // SLOT_MINUTES


@dataclass(frozen=True)
class Profile:
    """Mean occupancy (spaces or shares, as given) per slot of the week, with the sample count behind each."""

    means: dict[int, float]
    samples: dict[int, int]

    @property
    def total_samples(self) -> int:
        return sum(self.samples.values())

    def at(self, moment: datetime) -> float | None:
        slot = slot_of(moment)
        if self.samples.get(slot, 0) < MIN_SLOT_SAMPLES:
            return None
        return self.means[slot]


def build_profile(history: Iterable[tuple[datetime, float]]) -> Profile:
    sums: dict[int, float] = {}
    counts: dict[int, int] = {}
    for moment, occupied in history:
        slot = slot_of(moment)
        sums[slot] = sums.get(slot, 0.0) + occupied
        counts[slot] = counts.get(slot, 0) + 1
    return Profile({slot: sums[slot] / counts[slot] for slot in sums}, counts)


def slope_per_minute(recent: Sequence[tuple[datetime, float]]) -> float:
    """Least-squares slope of occupied spaces per minute over recent samples (0 with fewer than 2)."""
    if len(recent) < 2:
        return 0.0
    origin = recent[0][0]
    xs = [(moment - origin).total_seconds() / 60 for moment, _ in recent]
    ys = [occupied for _, occupied in recent]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


@dataclass(frozen=True)
class ForecastPoint:
    horizon_minutes: int
    target: datetime
    expected_occupied: float
    expected_free: float
    profile_weight: float


def forecast(
    *,
    now: datetime,
    occupied_now: float,
    capacity: float,
    horizons_minutes: Sequence[int],
    profile: Profile,
    slope: float,
    tau_minutes: float = DEFAULT_TAU_MINUTES,
) -> list[ForecastPoint]:
    """Expected occupancy ``h`` minutes ahead for each horizon (see the module docstring)."""
    points = []
    base = profile.at(now)
    for horizon in horizons_minutes:
        target = now + timedelta(minutes=horizon)
        decay = math.exp(-horizon / tau_minutes)
        expected_at_target = profile.at(target)
        if base is not None and expected_at_target is not None:
            expected = expected_at_target + (occupied_now - base) * decay
            weight = 1.0 - decay
        else:
            expected = occupied_now + slope * tau_minutes * (1.0 - decay)
            weight = 0.0
        expected = min(max(expected, 0.0), capacity)
        points.append(ForecastPoint(horizon, target, expected, capacity - expected, weight))
    return points
