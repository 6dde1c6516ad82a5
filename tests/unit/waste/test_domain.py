"""Waste domain logic without Redis or gRPC: demand, locations, slots, booking, planning."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from herne_optim.network import RoadNetwork
from herne_runtime.errors import FailedPrecondition, InvalidArgument, NotFound
from herne_waste.catalog import Fleet, load_fleet, load_items
from herne_waste.domain import (
    DayPlan,
    ItemLine,
    Pickup,
    PickupState,
    Planner,
    UnservedReason,
    new_pickup_id,
    parse_slot_id,
    slot_id,
)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
DAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def planner() -> Planner:
    return Planner(RoadNetwork.demo(), load_fleet(), load_items())


def _book(planner: Planner, plan: DayPlan, rng: random.Random, items: list[ItemLine] | None = None) -> DayPlan | None:
    street = rng.choice(planner.network.streets)
    location = planner.locate(f"{street.street} {rng.randint(1, max(1, street.max_number))}, {street.postcode}", None)
    items = items or [ItemLine(rng.choice(["SOFA", "TABLE", "WARDROBE"]), rng.randint(1, 3))]
    demand = planner.demand(items)
    offers = planner.offer([plan], location, demand, 10, date.fromisoformat(plan.date))
    if not offers:
        return None
    pickup = Pickup(new_pickup_id(), PickupState.BOOKED, plan.date, offers[0].window_s, location, items, demand)
    return planner.insert(plan, pickup, NOW)


def test_demand_sums_items_and_skills(planner: Planner) -> None:
    demand = planner.demand([ItemLine("SOFA", 1), ItemLine("FRIDGE", 1), ItemLine("OTHER", 2, 0.5)])
    assert demand.volume_m3 == pytest.approx(1.5 + 0.8 + 1.0)
    assert demand.skills == {"electrical"}
    assert demand.service_s == pytest.approx((4 + 4 + 5 + 2 * 2) * 60)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "at least one"),
        ([ItemLine("PIANO", 1)], "unknown item kind"),
        ([ItemLine("SOFA", 0)], "count"),
        ([ItemLine("OTHER", 1)], "give the volume"),
        ([ItemLine("OTHER", 1, 25.0)], "exceeds"),
    ],
)
def test_bad_items(planner: Planner, items: list[ItemLine], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        planner.demand(items)


def test_locate(planner: Planner) -> None:
    assert planner.locate("Heerstraße 3, 44653 Herne", None).district == "Wanne"
    with pytest.raises(NotFound):
        planner.locate("Kurfürstendamm 1, 10719 Berlin", None)
    with pytest.raises(InvalidArgument, match="service area"):
        planner.locate(None, (51.45, 7.01))  # Essen
    lat, lon = planner.network.position("eickel-markt")
    assert planner.locate(None, (lat, lon)).node == "eickel-markt"


def test_slot_ids_round_trip() -> None:
    assert parse_slot_id(slot_id("2026-12-03", (25200.0, 32400.0))) == (DAY, (25200.0, 32400.0))
    with pytest.raises(InvalidArgument):
        parse_slot_id("2026-12-03")


def test_no_days_in_the_past_and_sundays_skipped(planner: Planner) -> None:
    with pytest.raises(InvalidArgument, match="after today"):
        planner.bookable_days(date(2026, 12, 2), 5, date(2026, 12, 2))
    with pytest.raises(InvalidArgument, match="ahead"):
        planner.bookable_days(date(2027, 12, 3), 7, date(2026, 12, 2))
    days = planner.bookable_days(date(2026, 12, 3), 7, date(2026, 12, 2))
    assert date(2026, 12, 6) not in days and len(days) == 6  # Sunday


def test_empty_fleet_and_missing_skills(planner: Planner) -> None:
    fleet = load_fleet()
    empty = Planner(
        planner.network, Fleet(fleet.depot, (), fleet.slot_windows_s, fleet.working_days, fleet.holidays), planner.items
    )
    with pytest.raises(InvalidArgument, match="no vehicles"):
        empty.demand([ItemLine("SOFA", 1)])
    no_electric = Planner(
        planner.network,
        Fleet(
            fleet.depot,
            tuple(c for c in fleet.crews if "electrical" not in c.effective_skills),
            fleet.slot_windows_s,
            fleet.working_days,
            fleet.holidays,
        ),
        planner.items,
    )
    with pytest.raises(FailedPrecondition, match="electrical"):
        no_electric.check_serviceable(no_electric.demand([ItemLine("FRIDGE", 1)]))


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 1000), count=st.integers(1, 40))
def test_bookings_keep_tours_feasible_and_json_round_trips(planner: Planner, seed: int, count: int) -> None:
    rng = random.Random(seed)
    plan = DayPlan(DAY.isoformat())
    for _ in range(count):
        plan = _book(planner, plan, rng) or plan
    ctx = planner.context(DAY, plan.jobs)
    for vehicle, sequence in plan.routes.items():
        assert ctx.evaluator.schedule(vehicle, sequence).feasible
    assert DayPlan.from_json(plan.to_json()) == plan
    # cancelling keeps the rest feasible
    victim = next(iter(plan.jobs))
    smaller = planner.remove(plan, victim, NOW)
    assert victim not in smaller.jobs and all(victim not in seq for seq in smaller.routes.values())
    ctx = planner.context(DAY, smaller.jobs)
    for vehicle, sequence in smaller.routes.items():
        assert ctx.evaluator.schedule(vehicle, sequence).feasible


def test_optimise_reports_what_cannot_be_served(planner: Planner) -> None:
    rng = random.Random(3)
    plan = DayPlan(DAY.isoformat())
    for _ in range(15):
        plan = _book(planner, plan, rng) or plan
    optimised, _solution, violations = planner.optimise(plan, NOW, time_limit_s=1)
    assert not violations and optimised.status == "optimised" and not optimised.unserved
    empty_fleet = Planner(
        planner.network,
        Fleet(planner.fleet.depot, (), planner.fleet.slot_windows_s, planner.fleet.working_days, frozenset()),
        planner.items,
    )
    nothing, _, _ = empty_fleet.optimise(plan, NOW, time_limit_s=1)
    assert {u.reason for u in nothing.unserved} == {UnservedReason.NO_VEHICLES}
    assert len(nothing.unserved) == len(plan.jobs)


def test_today_passed_windows_are_reported(planner: Planner) -> None:
    rng = random.Random(4)
    plan = DayPlan(DAY.isoformat())
    for _ in range(6):
        plan = _book(planner, plan, rng) or plan
    late = Planner.instant(DAY, 22 * 3600)  # the evening of the day itself
    replanned, _, violations = planner.optimise(plan, late, time_limit_s=1)
    assert not violations
    assert {u.reason for u in replanned.unserved} == {UnservedReason.TIME_WINDOW_UNREACHABLE}


def test_instant_handles_the_time_zone() -> None:
    assert Planner.instant("2026-07-01", 7 * 3600) == datetime(2026, 7, 1, 5, 0, tzinfo=UTC)
    assert Planner.instant("2026-12-01", 7 * 3600) == datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert Planner.seconds_of_day("2026-12-01", datetime(2026, 12, 1, 6, 0, tzinfo=UTC)) == 7 * 3600
    assert Planner.today(datetime(2026, 12, 1, 23, 30, tzinfo=UTC)) == date(2026, 12, 2)
