"""The forecast model: time-of-week profile with a decaying anomaly, trend fallback, clamping."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herne_parking.forecast import (
    DEFAULT_TAU_MINUTES,
    SLOTS_PER_WEEK,
    Profile,
    build_profile,
    forecast,
    slope_per_minute,
    slot_of,
)

MONDAY = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # 08:00 in Herne


def weeks_of(value_at, weeks: int = 3) -> Profile:  # type: ignore[no-untyped-def]
    moments = [MONDAY - timedelta(weeks=weeks) + timedelta(minutes=15 * i) for i in range(weeks * 7 * 96)]
    return build_profile((moment, value_at(moment)) for moment in moments)


def test_slots_follow_local_time_across_daylight_saving() -> None:
    assert slot_of(datetime(2026, 11, 29, 23, 0, tzinfo=UTC)) == 0  # Monday 00:00 CET
    assert slot_of(datetime(2026, 6, 28, 22, 0, tzinfo=UTC)) == 0  # Monday 00:00 CEST
    assert slot_of(datetime(2026, 11, 29, 22, 59, tzinfo=UTC)) == SLOTS_PER_WEEK - 1


def test_the_anomaly_decays_towards_the_profile() -> None:
    profile = weeks_of(lambda moment: 0.8 if slot_of(moment) % 96 >= 32 else 0.2)  # 08:00 local: 0.8
    points = forecast(
        now=MONDAY, occupied_now=0.5, capacity=1.0, horizons_minutes=[15, 60, 120], profile=profile, slope=0.0
    )
    for point in points:
        decay = math.exp(-point.horizon_minutes / DEFAULT_TAU_MINUTES)
        assert point.expected_occupied == pytest.approx(0.8 + (0.5 - 0.8) * decay)
        assert point.profile_weight == pytest.approx(1 - decay)
        assert point.expected_free == pytest.approx(1.0 - point.expected_occupied)


def test_without_a_profile_the_trend_is_damped_and_clamped() -> None:
    empty = build_profile([])
    [soon, late] = forecast(
        now=MONDAY, occupied_now=80.0, capacity=120.0, horizons_minutes=[15, 120], profile=empty, slope=0.5
    )
    assert soon.expected_occupied == pytest.approx(80 + 0.5 * 60 * (1 - math.exp(-0.25)))
    assert late.expected_occupied == pytest.approx(80 + 0.5 * 60 * (1 - math.exp(-2)))
    assert late.profile_weight == 0.0
    [full] = forecast(now=MONDAY, occupied_now=110.0, capacity=120.0, horizons_minutes=[120], profile=empty, slope=2)
    assert full.expected_occupied == 120.0 and full.expected_free == 0.0


def test_a_slot_with_one_sample_is_not_trusted() -> None:
    profile = build_profile([(MONDAY, 0.9)])
    assert profile.at(MONDAY) is None
    assert profile.total_samples == 1


def test_slope_is_per_minute() -> None:
    recent = [(MONDAY + timedelta(minutes=m), 10.0 + 2 * m) for m in range(6)]
    assert slope_per_minute(recent) == pytest.approx(2.0)
    assert slope_per_minute(recent[:1]) == 0.0


@given(
    occupied=st.floats(0, 500),
    capacity=st.floats(0, 500),
    slope=st.floats(-50, 50),
    horizon=st.integers(15, 120),
)
def test_forecasts_stay_within_zero_and_capacity(occupied: float, capacity: float, slope: float, horizon: int) -> None:
    [point] = forecast(
        now=MONDAY,
        occupied_now=occupied,
        capacity=capacity,
        horizons_minutes=[horizon],
        profile=build_profile([]),
        slope=slope,
    )
    assert 0.0 <= point.expected_occupied <= capacity
    assert point.expected_free == pytest.approx(capacity - point.expected_occupied)
