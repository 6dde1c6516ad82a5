"""The parking demo simulator: its day shapes, the space chain and what it publishes."""

from __future__ import annotations

import argparse
import random
from collections import Counter
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from herne.parking.v1 import events_pb2
from herne_parking.domain import FacilityKind
from herne_parking.server import catalog_from_settings
from herne_parking.settings import ParkingSettings
from herne_parking.simulator import SensorState, Simulation, step_spaces, target_share

CATALOG = catalog_from_settings(ParkingSettings())
PR = CATALOG.facilities["herne-bf-pr"]
GARAGE = CATALOG.facilities["herne-bf-parkhaus"]


def _args(**overrides: float) -> argparse.Namespace:
    defaults = {"start_hour": 5.0, "heartbeat": 300.0, "recount": 600.0, "dead_share": 0.03}
    return argparse.Namespace(**(defaults | overrides))


def test_park_and_ride_fills_on_workday_mornings_and_empties_in_the_evening() -> None:
    assert PR.kind is FacilityKind.PARK_AND_RIDE
    assert target_share(PR, 4.0, 1) < 0.15
    assert target_share(PR, 10.0, 1) > 0.85
    assert target_share(PR, 21.0, 1) < 0.15
    assert target_share(PR, 10.0, 6) < 0.4  # Sunday: no commuters


@given(hour=st.floats(0, 24), weekday=st.integers(0, 6), facility=st.sampled_from(list(CATALOG.facilities.values())))
def test_target_share_is_a_share(hour: float, weekday: int, facility) -> None:  # type: ignore[no-untyped-def]
    assert 0.0 <= target_share(facility, hour, weekday) <= 1.0


def test_the_space_chain_settles_at_the_target_share() -> None:
    rng = random.Random(4)
    spaces = [SensorState(f"s{i}", False, 0.0, False) for i in range(2000)]
    for _ in range(200):  # 10 simulated hours in 3-minute steps, well past the 40-minute time constant
        step_spaces(spaces, 0.7, 0.05, rng)
    assert abs(sum(s.occupied for s in spaces) / len(spaces) - 0.7) < 0.03


def test_dead_sensors_stay_silent_and_some_uplinks_arrive_twice() -> None:
    simulation = Simulation(CATALOG, _args(dead_share=0.1), random.Random(9), weekday=1)
    dead = {s.sensor_id for states in simulation.sensors.values() for s in states if s.dead}
    observed = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    readings = simulation.readings(now=0.0, hour=7.0, day=1, dt_hours=0.05, observed=observed)
    sent = Counter(r.sensor_id for r in readings)
    assert dead and not dead & set(sent)
    # First round: every live sensor sends its heartbeat, about 2 % of them twice.
    assert set(sent) == set(CATALOG.spaces_by_sensor) - dead
    assert 0 < sum(1 for n in sent.values() if n == 2) < 0.06 * len(sent)


def test_counted_facilities_recount_first_then_follow_the_day_within_capacity() -> None:
    simulation = Simulation(CATALOG, _args(), random.Random(2), weekday=5)
    observed = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    first = simulation.counter_events(now=0.0, hour=5.0, day=5, observed=observed)
    recounted = {e.facility_id for e in first if e.HasField("recalibration")}
    assert recounted == {f.facility_id for f in CATALOG.facilities.values() if f.has_counters}
    for step in range(1, 60):
        events = simulation.counter_events(now=step * 10.0, hour=5 + step * 0.15, day=5, observed=observed)
        assert not any(e.HasField("recalibration") for e in events)  # next recount only after 600 s
        for event in events:
            assert event.passage.direction in (events_pb2.COUNTER_DIRECTION_ENTRY, events_pb2.COUNTER_DIRECTION_EXIT)
    for facility_id, occupied in simulation.counted.items():
        assert 0 <= occupied <= CATALOG.facilities[facility_id].counted_capacity
    assert simulation.counted[GARAGE.facility_id] > 0.6 * GARAGE.counted_capacity  # Saturday, about 14:00
