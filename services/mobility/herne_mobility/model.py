"""Domain types of the mobility service: hubs, stations, vehicle types, statuses, vehicles."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# GBFS: data older than last_updated + ttl + this grace is stale, never live.
STALE_GRACE_SECONDS = 300.0


class Kind(StrEnum):
    BIKE_SHARING = "BIKE_SHARING"
    FREE_FLOATING_ZONE = "FREE_FLOATING_ZONE"
    BIKE_BOX = "BIKE_BOX"
    CAR_SHARING = "CAR_SHARING"
    EV_CHARGER = "EV_CHARGER"
    PARK_AND_RIDE = "PARK_AND_RIDE"


class Source(StrEnum):
    GBFS = "gbfs"  # status from a GBFS feed (station_status)
    ZONE = "zone"  # free-floating vehicles of GBFS vehicle_status inside the zone's radius
    REPORT = "report"  # status from ReportStationStatus (operators without GBFS)
    PARKING = "parking"  # free spaces from parking.occupancy-changed.v1


FORM_FACTORS = ("bicycle", "cargo_bicycle", "car", "moped", "scooter_standing", "scooter_seated", "other")
PROPULSIONS = ("human", "electric_assist", "electric", "combustion", "other")
MODES = ("bicycle", "e-bike", "cargo-bicycle", "scooter", "car", "other")


@dataclass(frozen=True)
class VehicleType:
    type_id: str  # namespaced "<system>:<gbfs id>"
    form_factor: str  # one of FORM_FACTORS
    propulsion: str  # one of PROPULSIONS
    max_range_m: float = 0.0
    name: str = ""

    @property
    def mode(self) -> str:
        return mode_of(self)


def mode_of(vehicle_type: VehicleType) -> str:
    """Mode bucket of the hub view ("bicycle", "e-bike", "cargo-bicycle", "scooter", "car", "other")."""
    if vehicle_type.form_factor == "cargo_bicycle":
        return "cargo-bicycle"
    if vehicle_type.form_factor == "bicycle":
        return "bicycle" if vehicle_type.propulsion == "human" else "e-bike"
    if vehicle_type.form_factor in ("scooter_standing", "scooter_seated", "moped"):
        return "scooter"
    if vehicle_type.form_factor == "car":
        return "car"
    return "other"


@dataclass(frozen=True)
class Hub:
    hub_id: str
    name: str
    lat: float
    lon: float
    radius_m: float  # GBFS stations without an explicit hub within this distance belong to the hub
    demo: bool = False


@dataclass
class StationInfo:
    station_id: str  # namespaced "<system>:<id>"
    system_id: str
    name: str
    lat: float
    lon: float
    kind: Kind
    source: Source
    capacity: int = 0
    hub_id: str = ""
    parking_facility_id: str = ""
    chargers_total: dict[float, int] = field(default_factory=dict)  # power kW -> charge points
    vehicle_type_ids: tuple[str, ...] = ()  # types a reporting operator may report
    zone_radius_m: float = 0.0  # free-floating zones: vehicles within this distance count
    zone_systems: tuple[str, ...] = ()  # free-floating zones: GBFS systems whose vehicles count (empty: all)


@dataclass
class StationStatus:
    vehicles_by_type: dict[str, int]
    docks_available: int
    chargers_free: dict[float, int]
    is_renting: bool
    is_returning: bool
    last_reported: float  # epoch seconds of the operator's report
    # When the figures stop being live (epoch seconds): GBFS last_updated + ttl + 5 min.
    valid_until: float

    @property
    def vehicles_available(self) -> int:
        return sum(self.vehicles_by_type.values())


@dataclass(frozen=True)
class Vehicle:
    vehicle_id: str
    system_id: str
    vehicle_type_id: str
    lat: float
    lon: float
    current_range_m: float = 0.0
    station_id: str = ""  # docked vehicles (counted by station_status, not free-floating)


@dataclass
class FeedSnapshot:
    """Everything one good read of a GBFS system yields."""

    system_id: str
    version: str
    last_updated: float
    ttl: float
    vehicle_types: dict[str, VehicleType]
    stations: dict[str, StationInfo]
    statuses: dict[str, StationStatus]
    vehicles: list[Vehicle]
    warnings: list[str] = field(default_factory=list)
    has_station_feeds: bool = False
    has_vehicle_feed: bool = False
    name: str = ""
    operator: str = ""
    timezone: str = "Europe/Berlin"

    @property
    def valid_until(self) -> float:
        return self.last_updated + self.ttl + STALE_GRACE_SECONDS


@dataclass(frozen=True)
class ParkingState:
    """Free spaces of a parking facility from parking.occupancy-changed.v1."""

    facility_id: str
    capacity: int
    free: int
    observed: float  # epoch seconds
    stale: bool
    version: int


@dataclass(frozen=True)
class SourceAge:
    source: str
    last_updated: float  # epoch seconds, 0 when never
    age_s: float
    stale: bool


@dataclass(frozen=True)
class StationView:
    """A station and its status as shown to callers at one moment (stale figures are zeroed)."""

    info: StationInfo
    vehicles_by_type: dict[str, int]
    docks_available: int
    chargers_free: dict[float, int]
    is_renting: bool
    is_returning: bool
    age: SourceAge
    no_status: bool

    @property
    def vehicles_available(self) -> int:
        return sum(self.vehicles_by_type.values())

    def fingerprint(self) -> tuple[object, ...]:
        """The figures whose change is published (not the age, which changes every poll)."""
        return (
            tuple(sorted(self.vehicles_by_type.items())),
            self.docks_available,
            tuple(sorted(self.chargers_free.items())),
            self.is_renting,
            self.is_returning,
            self.age.stale,
            self.no_status,
        )


@dataclass(frozen=True)
class HubView:
    hub: Hub
    stations: tuple[StationView, ...]
    modes: dict[str, int]  # MODES -> live vehicles
    docks_available: int
    chargers: dict[float, tuple[int, int]]  # power kW -> (free, total)
    park_and_ride_free: int
    park_and_ride_capacity: int
    sources: tuple[SourceAge, ...]

    def fingerprint(self) -> tuple[object, ...]:
        return (
            tuple(sorted(self.modes.items())),
            self.docks_available,
            tuple(sorted(self.chargers.items())),
            self.park_and_ride_free,
            self.park_and_ride_capacity,
            tuple((source.source, source.stale) for source in self.sources),
            tuple(station.fingerprint() for station in self.stations),
        )
