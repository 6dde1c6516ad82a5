"""The bulky-waste domain: pickups, day plans, slot offers, booking, planning and re-planning.

Plain typed Python (no grpc, no redis). Times of a day are seconds after local midnight
(Europe/Berlin) of that day; `Planner.instant` turns them into aware datetimes. A day plan
holds, per vehicle (a crew in its shift on its truck), the sequence of pickup and disposal
site ids, the scheduled steps, and the planning data of every pickup of the day (location
node, handling time, volume, window, skills: no personal data), so slot offers need only
the plans, never the pickup records.

Booking inserts the pickup at its cheapest feasible place in the day's tentative tours
(`herne_optim.insertion`); PlanTours replaces them with a full optimisation
(`herne_optim.solve`, checked by `herne_optim.check` before it is accepted).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from herne_optim.checker import check
from herne_optim.insertion import RouteEvaluator, Schedule
from herne_optim.network import AddressNotFound, RoadNetwork
from herne_optim.problem import (
    Break,
    DisposalSite,
    Job,
    Lock,
    RoutingProblem,
    Solution,
    SolveOptions,
    Step,
    StepKind,
    TimeWindow,
    UnassignedReason,
    Vehicle,
)
from herne_optim.routing import solve
from herne_runtime.errors import FailedPrecondition, InvalidArgument, NotFound
from herne_waste.catalog import Fleet, ItemCatalog

TIME_ZONE = ZoneInfo("Europe/Berlin")
VOLUME = "volume_m3"
# Travel times stand in for "unreachable" with this (10 days): finite for the solver, far
# beyond any shift, so such stops come back unserved instead of crashing the model.
UNREACHABLE_S = 10 * 86400.0
MAX_ITEMS = 20
MAX_ITEM_COUNT = 50
MAX_SERVICE_AREA_M = 2500.0  # a position farther than this from every network node is outside Herne
MAX_DAYS_AHEAD = 120  # bookings open this many days ahead
SMALL_NETWORK_NODES = 400  # up to this, day problems span the whole network (cacheable)


class PickupState(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    DONE = "done"
    NOT_FOUND = "not_found"
    REFUSED = "refused"


VISITED = {PickupState.DONE, PickupState.NOT_FOUND, PickupState.REFUSED}


class UnservedReason(StrEnum):
    NO_SKILLED_VEHICLE = "no_skilled_vehicle"
    EXCEEDS_CAPACITY = "exceeds_capacity"
    TIME_WINDOW_UNREACHABLE = "time_window_unreachable"
    NO_ROOM = "no_room"
    UNREACHABLE = "unreachable"
    NO_VEHICLES = "no_vehicles"
    LOCK_INFEASIBLE = "lock_infeasible"


_FROM_SOLVER = {
    UnassignedReason.NO_SKILLED_VEHICLE: UnservedReason.NO_SKILLED_VEHICLE,
    UnassignedReason.EXCEEDS_CAPACITY: UnservedReason.EXCEEDS_CAPACITY,
    UnassignedReason.TIME_WINDOW_UNREACHABLE: UnservedReason.TIME_WINDOW_UNREACHABLE,
    UnassignedReason.LOCK_INFEASIBLE: UnservedReason.LOCK_INFEASIBLE,
    UnassignedReason.NO_ROOM: UnservedReason.NO_ROOM,
    UnassignedReason.NOT_WORTH_IT: UnservedReason.NO_ROOM,
}


@dataclass(frozen=True)
class ItemLine:
    kind: str
    count: int
    volume_m3: float = 0.0  # per piece; 0 = the kind's typical volume


@dataclass(frozen=True)
class Demand:
    volume_m3: float
    service_s: float
    skills: frozenset[str]


@dataclass(frozen=True)
class Location:
    node: str
    lat: float
    lon: float
    district: str
    address: str


@dataclass
class Pickup:
    """A booking (the record of business; holds the citizen's contact: personal data)."""

    id: str
    state: PickupState
    date: str
    window_s: tuple[float, float]
    location: Location
    items: list[ItemLine]
    demand: Demand
    contact: dict[str, str] = field(default_factory=dict)
    note: str = ""
    booked_at: str = ""
    reason: str = ""
    visited_at_s: float | None = None
    vehicle_id: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["state"] = self.state.value
        data["demand"]["skills"] = sorted(self.demand.skills)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Pickup:
        demand = data["demand"]
        return cls(
            id=data["id"],
            state=PickupState(data["state"]),
            date=data["date"],
            window_s=(float(data["window_s"][0]), float(data["window_s"][1])),
            location=Location(**data["location"]),
            items=[ItemLine(**item) for item in data["items"]],
            demand=Demand(float(demand["volume_m3"]), float(demand["service_s"]), frozenset(demand["skills"])),
            contact=dict(data.get("contact", {})),
            note=data.get("note", ""),
            booked_at=data.get("booked_at", ""),
            reason=data.get("reason", ""),
            visited_at_s=data.get("visited_at_s"),
            vehicle_id=data.get("vehicle_id", ""),
        )


@dataclass(frozen=True)
class PlanJob:
    """What planning needs of a pickup (no personal data)."""

    node: str
    service_s: float
    volume_m3: float
    window_s: tuple[float, float]
    skills: tuple[str, ...]
    state: str = PickupState.BOOKED.value
    visited_at_s: float | None = None

    @classmethod
    def of(cls, pickup: Pickup) -> PlanJob:
        return cls(
            pickup.location.node,
            pickup.demand.service_s,
            pickup.demand.volume_m3,
            pickup.window_s,
            tuple(sorted(pickup.demand.skills)),
            pickup.state.value,
            pickup.visited_at_s,
        )


@dataclass(frozen=True)
class PlannedStep:
    kind: str  # start, job, unload, break, end
    id: str
    node: str
    arrival_s: float
    start_s: float
    departure_s: float
    load_m3: float


@dataclass(frozen=True)
class Unserved:
    pickup_id: str
    reason: UnservedReason
    detail: str


@dataclass
class DayPlan:
    date: str
    plan_id: str = ""
    status: str = "empty"  # empty, tentative, optimised, replanned
    planned_at: str = ""
    solve_s: float = 0.0
    jobs: dict[str, PlanJob] = field(default_factory=dict)
    routes: dict[str, list[str]] = field(default_factory=dict)
    steps: dict[str, list[PlannedStep]] = field(default_factory=dict)
    unserved: list[Unserved] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "plan_id": self.plan_id,
            "status": self.status,
            "planned_at": self.planned_at,
            "solve_s": self.solve_s,
            "jobs": {k: asdict(v) for k, v in self.jobs.items()},
            "routes": self.routes,
            "steps": {k: [asdict(s) for s in v] for k, v in self.steps.items()},
            "unserved": [
                {"pickup_id": u.pickup_id, "reason": u.reason.value, "detail": u.detail} for u in self.unserved
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DayPlan:
        return cls(
            date=data["date"],
            plan_id=data.get("plan_id", ""),
            status=data.get("status", "empty"),
            planned_at=data.get("planned_at", ""),
            solve_s=float(data.get("solve_s", 0.0)),
            jobs={
                k: PlanJob(
                    v["node"],
                    v["service_s"],
                    v["volume_m3"],
                    tuple(v["window_s"]),  # type: ignore[arg-type]
                    tuple(v["skills"]),
                    v.get("state", "booked"),
                    v.get("visited_at_s"),
                )
                for k, v in data.get("jobs", {}).items()
            },
            routes={k: list(v) for k, v in data.get("routes", {}).items()},
            steps={k: [PlannedStep(**s) for s in v] for k, v in data.get("steps", {}).items()},
            unserved=[
                Unserved(u["pickup_id"], UnservedReason(u["reason"]), u["detail"]) for u in data.get("unserved", [])
            ],
        )

    def vehicle_of(self, pickup_id: str) -> str | None:
        for vehicle, sequence in self.routes.items():
            if pickup_id in sequence:
                return vehicle
        return None

    def step_of(self, pickup_id: str) -> PlannedStep | None:
        for steps in self.steps.values():
            for step in steps:
                if step.kind == "job" and step.id == pickup_id:
                    return step
        return None


@dataclass(frozen=True)
class SlotOffer:
    date: str
    window_s: tuple[float, float]
    added_km: float
    added_minutes: float
    score: float

    @property
    def slot_id(self) -> str:
        return slot_id(self.date, self.window_s)


def slot_id(day: str, window_s: tuple[float, float]) -> str:
    return f"{day}/{_hhmm(window_s[0])}-{_hhmm(window_s[1])}"


def parse_slot_id(value: str) -> tuple[date, tuple[float, float]]:
    try:
        day_text, window = value.split("/")
        start, end = window.split("-")
        return date.fromisoformat(day_text), (_seconds(start), _seconds(end))
    except ValueError:
        raise InvalidArgument(
            f"slot_id {value!r} is not a slot id from OfferSlots (e.g. '2026-12-03/07:00-09:00')"
        ) from None


def _hhmm(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _seconds(text: str) -> float:
    hours, minutes = text.split(":")
    return int(hours) * 3600.0 + int(minutes) * 60.0


def parse_date(value: str, field_name: str = "date") -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"{field_name} {value!r} is not an ISO date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class DayContext:
    """A day's problem: the routing problem, location index and the evaluator."""

    day: date
    problem: RoutingProblem
    nodes: tuple[str, ...]
    evaluator: RouteEvaluator
    unreachable: frozenset[str]  # nodes the depot cannot reach or not get back from


class Planner:
    """Slots, booking, planning for a network and a fleet. Thread-safe for planning in a worker."""

    def __init__(
        self,
        network: RoadNetwork,
        fleet: Fleet,
        items: ItemCatalog,
        *,
        day_penalty_km: float = 0.5,
        dispatch_lead_s: float = 1800.0,
    ) -> None:
        if fleet.depot not in network.depots:
            raise ValueError(f"fleet depot {fleet.depot!r} is not a depot of network {network.name}")
        self.network = network
        self.fleet = fleet
        self.items = items
        self.day_penalty_km = day_penalty_km
        self.dispatch_lead_s = dispatch_lead_s
        self.depot_node = network.depots[fleet.depot].node
        self._cache: dict[tuple[str, str, int], tuple[DayContext, dict[str, Schedule]]] = {}

    # -- time ------------------------------------------------------------------------------

    @staticmethod
    def instant(day: str | date, seconds: float) -> datetime:
        day_value = date.fromisoformat(day) if isinstance(day, str) else day
        midnight = datetime(day_value.year, day_value.month, day_value.day, tzinfo=TIME_ZONE)
        # wall-clock arithmetic in the zone, so a DST day still maps 07:00 to 07:00
        local = (midnight.replace(tzinfo=None) + timedelta(seconds=seconds)).replace(tzinfo=TIME_ZONE)
        return local.astimezone(UTC)

    @staticmethod
    def seconds_of_day(day: str | date, moment: datetime) -> float:
        day_value = date.fromisoformat(day) if isinstance(day, str) else day
        local = moment.astimezone(TIME_ZONE)
        midnight = datetime(day_value.year, day_value.month, day_value.day)
        return (local.replace(tzinfo=None) - midnight).total_seconds()

    @staticmethod
    def today(now: datetime) -> date:
        return now.astimezone(TIME_ZONE).date()

    # -- requests ----------------------------------------------------------------------------

    def demand(self, items: Sequence[ItemLine]) -> Demand:
        """Volume, handling time and skills of the items; raises InvalidArgument on bad items."""
        if not items:
            raise InvalidArgument("items: name at least one item")
        if len(items) > MAX_ITEMS:
            raise InvalidArgument(f"items: at most {MAX_ITEMS} entries")
        volume = 0.0
        minutes = self.items.stop_minutes
        skills: set[str] = set()
        for index, item in enumerate(items):
            info = self.items.kinds.get(item.kind)
            if info is None:
                raise InvalidArgument(f"items[{index}].kind: unknown item kind {item.kind!r}")
            if not 1 <= item.count <= MAX_ITEM_COUNT:
                raise InvalidArgument(f"items[{index}].count must be 1..{MAX_ITEM_COUNT}, got {item.count}")
            if not math.isfinite(item.volume_m3) or item.volume_m3 < 0:
                raise InvalidArgument(f"items[{index}].volume_m3 must be >= 0")
            per_piece = item.volume_m3 or info.volume_m3
            if per_piece <= 0:
                raise InvalidArgument(f"items[{index}].volume_m3: give the volume of {item.kind} items")
            volume += per_piece * item.count
            minutes += info.minutes * item.count
            skills |= info.skills
        volume = round(volume, 3)
        limit = self.items.max_volume_per_pickup_m3
        if volume > limit:
            raise InvalidArgument(
                f"volume {volume:g} m3 exceeds the limit of {limit:g} m3 per pickup; book two pickups"
            )
        if volume > self.fleet.max_capacity_m3:
            raise InvalidArgument(
                f"volume {volume:g} m3 exceeds the largest truck ({self.fleet.max_capacity_m3:g} m3)"
                if self.fleet.crews
                else "the fleet has no vehicles"
            )
        return Demand(volume, minutes * 60.0, frozenset(skills))

    def locate(self, address: str | None, position: tuple[float, float] | None) -> Location:
        """Resolve an address or position to a network node; NOT_FOUND for unknown addresses."""
        if address is not None:
            if not address.strip() or len(address) > 200:
                raise InvalidArgument("location.address must be 1..200 characters")
            try:
                found = self.network.geocode(address)
            except AddressNotFound as error:
                raise NotFound(f"address not found: {error}") from None
            return Location(found.node, found.lat, found.lon, found.district, address.strip())
        if position is None:
            raise InvalidArgument("location: give an address or a position")
        lat, lon = position
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
            raise InvalidArgument(f"location.position ({lat}, {lon}) is not a valid WGS84 position")
        node, distance = self.network.nearest_node(lat, lon)
        if distance > MAX_SERVICE_AREA_M:
            raise InvalidArgument(
                f"location.position is {distance / 1000:.1f} km from the nearest road of the service area (Herne)"
            )
        return Location(node, lat, lon, self.network.district(node), "")

    def check_serviceable(self, demand: Demand) -> None:
        """FAILED_PRECONDITION when no crew of the fleet can ever take it."""
        if not self.fleet.crews:
            raise FailedPrecondition("the fleet has no vehicles: no pickups can be offered")
        missing = demand.skills - self.fleet.skills
        if missing:
            raise FailedPrecondition(f"no truck and crew can handle {sorted(missing)} items")

    def bookable_days(self, earliest: date, horizon_days: int, today: date) -> list[date]:
        if earliest <= today:
            raise InvalidArgument(
                f"earliest_date {earliest.isoformat()} is not after today ({today.isoformat()}); "
                "pickups are booked from tomorrow on"
            )
        if (earliest - today).days > MAX_DAYS_AHEAD:
            raise InvalidArgument(f"earliest_date is more than {MAX_DAYS_AHEAD} days ahead; bookings open later")
        days = [earliest + timedelta(days=k) for k in range(horizon_days)]
        return [d for d in days if self.fleet.is_working_day(d)]

    # -- problems ----------------------------------------------------------------------------

    def vehicles(self, depot: int) -> tuple[Vehicle, ...]:
        out = []
        for crew in self.fleet.crews:
            shift = crew.shift
            breaks: tuple[Break, ...] = ()
            if shift.break_window_s and shift.break_minutes > 0:
                window = TimeWindow(*shift.break_window_s)
                breaks = (Break(f"{crew.id}-pause", shift.break_minutes * 60.0, (window,), optional=True),)
            out.append(
                Vehicle(
                    crew.id,
                    depot,
                    depot,
                    TimeWindow(shift.start_s, shift.end_s),
                    capacity={VOLUME: crew.truck.capacity_m3},
                    skills=crew.effective_skills,
                    breaks=breaks,
                    cost_per_km=1.0 + crew.truck.co2_kg_per_km,  # km and CO2 both count
                    must_unload_before_end=True,
                )
            )
        return tuple(out)

    def context(
        self,
        day: date,
        jobs: Mapping[str, PlanJob],
        extra_nodes: Iterable[str] = (),
        *,
        windows: Mapping[str, tuple[float, float]] | None = None,
        locks: Mapping[str, Lock] | None = None,
    ) -> DayContext:
        """The routing problem of a day (``windows`` override job windows, e.g. for today)."""
        sites = list(self.network.disposal_sites.values())
        nodes = list(
            dict.fromkeys([self.depot_node, *(s.node for s in sites), *(j.node for j in jobs.values()), *extra_nodes])
        )
        index = {node: k for k, node in enumerate(nodes)}
        matrix = self.network.matrix(nodes)
        durations = tuple(tuple(UNREACHABLE_S if math.isinf(x) else x for x in row) for row in matrix.durations)
        distances = tuple(tuple(UNREACHABLE_S * 10 if math.isinf(x) else x for x in row) for row in matrix.distances)
        depot = index[self.depot_node]
        unreachable = frozenset(
            node
            for node in nodes
            if math.isinf(matrix.durations[depot][index[node]]) or math.isinf(matrix.durations[index[node]][depot])
        )
        problem_sites = tuple(
            DisposalSite(
                site.id,
                index[site.node],
                TimeWindow(
                    _seconds(site.attributes.get("opens", "00:00")), _seconds(site.attributes.get("closes", "23:59"))
                )
                if site.attributes.get("opens")
                else None,
                float(site.attributes.get("unload_minutes", 15)) * 60.0,
            )
            for site in sites
        )
        problem_jobs = tuple(
            Job(
                job_id,
                index[job.node],
                job.service_s,
                {VOLUME: job.volume_m3},
                (TimeWindow(*(windows or {}).get(job_id, job.window_s)),),
                frozenset(job.skills),
                locked=(locks or {}).get(job_id),
            )
            for job_id, job in jobs.items()
        )
        problem = RoutingProblem(durations, problem_jobs, self.vehicles(depot), distances, problem_sites)
        return DayContext(day, problem, tuple(nodes), RouteEvaluator(problem), unreachable)

    # -- slots -------------------------------------------------------------------------------

    def offer(
        self,
        plans: Sequence[DayPlan],
        location: Location,
        demand: Demand,
        max_slots: int,
        first_day: date,
    ) -> list[SlotOffer]:
        """Feasible slots over the given day plans, best first."""
        offers: list[SlotOffer] = []
        windows = [TimeWindow(a, b) for a, b in self.fleet.slot_windows_s]
        for plan in plans:
            day = date.fromisoformat(plan.date)
            ctx, schedules = self._offer_context(day, plan, location.node)
            if location.node in ctx.unreachable:
                continue
            probe = Job(
                "__probe__",
                ctx.nodes.index(location.node),
                demand.service_s,
                {VOLUME: demand.volume_m3},
                (),
                demand.skills,
            )
            found = ctx.evaluator.best_insertions(_active_routes(plan), probe, windows, schedules=schedules)
            delay = (day - first_day).days
            for window, insertion in found.items():
                km = insertion.added_distance_m / 1000.0
                offers.append(
                    SlotOffer(
                        plan.date,
                        (window.start, window.end),
                        round(km, 3) + 0.0,  # + 0.0: a rounded -0.0004 shows as 0.0, not -0.0
                        round(insertion.added_duration_s / 60.0, 1) + 0.0,
                        km + self.day_penalty_km * delay,
                    )
                )
        offers.sort(key=lambda o: (o.score, o.date, o.window_s))
        return offers[:max_slots]

    def _offer_context(self, day: date, plan: DayPlan, node: str) -> tuple[DayContext, dict[str, Schedule]]:
        """The day's context and route schedules; cached per plan version on small networks.

        On a small network (the demo: a few dozen nodes) the matrix spans every node, so the
        context does not depend on the request and is reused until the plan or the road
        conditions change. Large (OSM) networks get a matrix over the day's nodes instead.
        """
        small = self.network.graph.number_of_nodes() <= SMALL_NETWORK_NODES
        key = (plan.date, plan.plan_id, self.network.version)
        if small and key in self._cache:
            return self._cache[key]
        extra = list(self.network.graph) if small else [node]
        ctx = self.context(day, plan.jobs, extra)
        schedules = {v: ctx.evaluator.schedule(v, seq) for v, seq in plan.routes.items() if v in ctx.evaluator.vehicles}
        if small:
            if len(self._cache) >= 256:
                self._cache.clear()
            self._cache[key] = (ctx, schedules)
        return ctx, schedules

    def insert(self, plan: DayPlan, pickup: Pickup, now: datetime) -> DayPlan | None:
        """The plan with ``pickup`` inserted into its window, or None when it no longer fits."""
        day = date.fromisoformat(plan.date)
        job = PlanJob.of(pickup)
        jobs = {**plan.jobs, pickup.id: job}
        ctx = self.context(day, jobs)
        if pickup.location.node in ctx.unreachable:
            return None
        window = TimeWindow(*pickup.window_s)
        found = ctx.evaluator.best_insertions(_active_routes(plan), ctx.problem.job(pickup.id), [window])
        insertion = found.get(window)
        if insertion is None:
            return None
        routes = insertion.apply(plan.routes, pickup.id)
        new = replace(plan, jobs=jobs, routes=routes, status="tentative", steps=dict(plan.steps))
        self._reschedule(new, ctx, [insertion.vehicle_id])
        new.plan_id = _new_plan_id()
        new.planned_at = now.isoformat()
        new.solve_s = 0.0
        return new

    def remove(self, plan: DayPlan, pickup_id: str, now: datetime) -> DayPlan:
        """The plan without ``pickup_id`` (still feasible: triangle inequality of shortest paths)."""
        jobs = {k: v for k, v in plan.jobs.items() if k != pickup_id}
        routes = {v: [s for s in seq if s != pickup_id] for v, seq in plan.routes.items()}
        routes = {v: _drop_idle_unloads(seq, jobs) for v, seq in routes.items()}
        changed = [v for v, seq in plan.routes.items() if pickup_id in seq]
        new = replace(plan, jobs=jobs, routes={v: s for v, s in routes.items() if s}, steps=dict(plan.steps))
        new.unserved = [u for u in plan.unserved if u.pickup_id != pickup_id]
        for vehicle in changed:
            new.steps.pop(vehicle, None)
        if jobs:
            ctx = self.context(date.fromisoformat(plan.date), jobs)
            self._reschedule(new, ctx, [v for v in changed if v in new.routes])
        new.plan_id = _new_plan_id()
        new.planned_at = now.isoformat()
        if not jobs:
            new.status = "empty"
        return new

    def _reschedule(self, plan: DayPlan, ctx: DayContext, vehicles: Iterable[str]) -> None:
        for vehicle in vehicles:
            schedule = ctx.evaluator.schedule(vehicle, plan.routes[vehicle])
            plan.steps[vehicle] = [_planned(step, ctx.nodes) for step in schedule.steps]

    # -- optimisation ------------------------------------------------------------------------

    def optimise(
        self, plan: DayPlan, now: datetime, *, time_limit_s: float, seed: int = 0, status: str = "optimised"
    ) -> tuple[DayPlan, Solution, list[str]]:
        """Full optimisation of a day; returns the new plan, the solution and checker violations.

        On the day itself, stops the crews already visited stay fixed (their vehicle, at the
        time they were visited), stops starting within ``dispatch_lead_s`` stay on their
        vehicle, and nothing is planned before ``now``.
        """
        day = date.fromisoformat(plan.date)
        is_today = self.today(now) == day
        now_s = self.seconds_of_day(day, now) if is_today else None
        windows: dict[str, tuple[float, float]] = {}
        locks: dict[str, Lock] = {}
        unserved: list[Unserved] = []
        jobs: dict[str, PlanJob] = {}
        for job_id, job in plan.jobs.items():
            vehicle = plan.vehicle_of(job_id)
            step = plan.step_of(job_id)
            if job.state in {s.value for s in VISITED}:
                if vehicle is None:
                    continue  # reported without being planned: nothing left to plan
                at = job.visited_at_s if job.visited_at_s is not None else (step.start_s if step else job.window_s[0])
                planned = step.start_s if step else at
                windows[job_id] = (min(at, planned), max(at, planned))
                locks[job_id] = Lock(vehicle)
                jobs[job_id] = replace(job, volume_m3=job.volume_m3 if job.state == PickupState.DONE.value else 0.0)
                continue
            if now_s is not None:
                if now_s > job.window_s[1]:
                    unserved.append(
                        Unserved(job_id, UnservedReason.TIME_WINDOW_UNREACHABLE, "its time window has already passed")
                    )
                    continue
                windows[job_id] = (max(job.window_s[0], now_s), job.window_s[1])
                if vehicle is not None and step is not None and step.start_s <= now_s + self.dispatch_lead_s:
                    locks[job_id] = Lock(vehicle)
            jobs[job_id] = job
        if not jobs and not unserved:
            empty = DayPlan(plan.date, _new_plan_id(), "empty", now.isoformat(), 0.0, dict(plan.jobs))
            return empty, Solution((), (), 0.0, 0.0, 0.0, 0, "empty"), []
        if not jobs and not unserved:
            empty = DayPlan(plan.date, _new_plan_id(), "empty", now.isoformat(), 0.0, dict(plan.jobs))
            return empty, Solution((), (), 0.0, 0.0, 0.0, 0, "empty"), []
        if not self.fleet.crews:
            plan_out = replace(
                plan, routes={}, steps={}, status="empty", plan_id=_new_plan_id(), planned_at=now.isoformat()
            )
            plan_out.unserved = [
                Unserved(j, UnservedReason.NO_VEHICLES, "the fleet has no vehicles") for j in plan.jobs
            ]
            return plan_out, Solution((), (), 0.0, 0.0, 0.0, 0, "empty"), []
        ctx = self.context(day, jobs, windows=windows, locks=locks)
        initial = {
            v: [s for s in seq if s in jobs or s in self.network.disposal_sites]
            for v, seq in plan.routes.items()
            if any(s in jobs for s in seq)
        }
        problem = replace(ctx.problem, initial_routes=initial or None)
        solution = solve(problem, SolveOptions(time_limit_s=time_limit_s, seed=seed))
        violations = [f"{v.kind} {v.subject}: {v.detail}" for v in check(problem, solution)]
        routes, steps = self._routes_from(solution, ctx, jobs)
        for item in solution.unassigned:
            reason = _FROM_SOLVER.get(item.reason, UnservedReason.NO_ROOM)
            detail = item.detail
            if plan.jobs[item.job_id].node in ctx.unreachable:
                reason, detail = (
                    UnservedReason.UNREACHABLE,
                    "the address cannot be reached on the road network (closures)",
                )
            unserved.append(Unserved(item.job_id, reason, detail))
        new = DayPlan(
            plan.date,
            _new_plan_id(),
            status if solution.routes or unserved else "empty",
            now.isoformat(),
            round(solution.solve_time_s, 3),
            dict(plan.jobs),
            routes,
            steps,
            unserved,
        )
        return new, solution, violations

    def _routes_from(
        self, solution: Solution, ctx: DayContext, jobs: Mapping[str, PlanJob]
    ) -> tuple[dict[str, list[str]], dict[str, list[PlannedStep]]]:
        routes: dict[str, list[str]] = {}
        steps: dict[str, list[PlannedStep]] = {}
        for route in solution.routes:
            sequence = [s.id for s in route.steps if s.kind in (StepKind.JOB, StepKind.UNLOAD) and s.id]
            cleaned = _drop_idle_unloads(sequence, jobs)
            if not any(stop in jobs for stop in cleaned):
                continue  # a route of unloading visits only: nothing to drive for
            route_steps = route.steps
            if cleaned != sequence:
                # the solver may visit a disposal site with nothing on board (free at the depot)
                schedule = ctx.evaluator.schedule(route.vehicle_id, cleaned)
                if schedule.feasible:
                    sequence, route_steps = cleaned, schedule.steps
            routes[route.vehicle_id] = sequence
            steps[route.vehicle_id] = [_planned(step, ctx.nodes) for step in route_steps]
        return routes, steps

    # -- views -------------------------------------------------------------------------------

    def co2_kg(self, vehicle_id: str, distance_m: float) -> float:
        try:
            factor = self.fleet.crew(vehicle_id).truck.co2_kg_per_km
        except KeyError:
            factor = 0.0
        return distance_m / 1000.0 * factor

    def route_distance_m(self, steps: Sequence[PlannedStep]) -> float:
        total = 0.0
        previous: str | None = None
        for step in steps:
            if not step.node:
                continue
            if previous is not None and previous != step.node:
                total += self.network.travel(previous, step.node)[1]
            previous = step.node
        return total if math.isfinite(total) else 0.0


def _active_routes(plan: DayPlan) -> dict[str, list[str]]:
    return {v: list(seq) for v, seq in plan.routes.items()}


def _drop_idle_unloads(sequence: list[str], jobs: Mapping[str, PlanJob]) -> list[str]:
    """Remove unloading trips that follow no pickup (after a cancellation)."""
    out: list[str] = []
    loaded = False
    for stop in sequence:
        if stop in jobs:
            out.append(stop)
            loaded = True
        elif loaded:
            out.append(stop)
            loaded = False
    return out


def _planned(step: Step, nodes: Sequence[str]) -> PlannedStep:
    return PlannedStep(
        step.kind.value,
        step.id or "",
        nodes[step.location] if step.location is not None else "",
        float(step.arrival),
        float(step.start),
        float(step.departure),
        round(float(step.load.get(VOLUME, 0.0)), 3),
    )


def _new_plan_id() -> str:
    return uuid.uuid4().hex[:12]


def new_pickup_id() -> str:
    return "p-" + uuid.uuid4().hex[:16]
