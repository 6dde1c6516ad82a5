"""Fleet, shifts, slot windows, calendar and the item catalogue (from data files, demo by default)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data")
DEMO_FLEET = DATA / "fleet.json"
DEMO_ITEMS = DATA / "items.json"


class CatalogError(ValueError):
    """A fleet or item file that cannot be used."""


def _clock(text: str) -> float:
    """Seconds after midnight of "HH:MM"."""
    try:
        parsed = time.fromisoformat(text)
    except ValueError as error:
        raise CatalogError(f"bad time of day {text!r}") from error
    return parsed.hour * 3600.0 + parsed.minute * 60.0


@dataclass(frozen=True)
class Truck:
    id: str
    name: str
    capacity_m3: float
    skills: frozenset[str]
    co2_kg_per_km: float


@dataclass(frozen=True)
class Shift:
    id: str
    name: str
    start_s: float
    end_s: float
    break_window_s: tuple[float, float] | None
    break_minutes: float


@dataclass(frozen=True)
class Crew:
    """One crew on one truck in one shift: a vehicle of the routing problem."""

    id: str
    name: str
    truck: Truck
    shift: Shift
    skills: frozenset[str]

    @property
    def effective_skills(self) -> frozenset[str]:
        # A skill counts only when the truck is equipped for it and the crew trained for it.
        return self.truck.skills & self.skills


@dataclass(frozen=True)
class Fleet:
    depot: str
    crews: tuple[Crew, ...]
    slot_windows_s: tuple[tuple[float, float], ...]
    working_days: frozenset[int]  # Monday = 0
    holidays: frozenset[date]
    demo: bool = False

    def crew(self, crew_id: str) -> Crew:
        for crew in self.crews:
            if crew.id == crew_id:
                return crew
        raise KeyError(crew_id)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    @property
    def max_capacity_m3(self) -> float:
        return max((crew.truck.capacity_m3 for crew in self.crews), default=0.0)

    @property
    def skills(self) -> frozenset[str]:
        out: frozenset[str] = frozenset()
        for crew in self.crews:
            out |= crew.effective_skills
        return out


@dataclass(frozen=True)
class ItemKindInfo:
    volume_m3: float
    minutes: float
    skills: frozenset[str]


@dataclass(frozen=True)
class ItemCatalog:
    kinds: Mapping[str, ItemKindInfo]
    stop_minutes: float  # walking, securing the truck: per stop, on top of the items
    max_volume_per_pickup_m3: float


def load_fleet(path: Path = DEMO_FLEET) -> Fleet:
    data = _read(path)
    try:
        trucks = {
            t["id"]: Truck(
                t["id"],
                t.get("name", t["id"]),
                float(t["capacity_m3"]),
                frozenset(t.get("skills", [])),
                float(t.get("co2_kg_per_km", 1.4)),
            )
            for t in data.get("trucks", [])
        }
        shifts = {}
        for s in data.get("shifts", []):
            window = s.get("break_window")
            shifts[s["id"]] = Shift(
                s["id"],
                s.get("name", s["id"]),
                _clock(s["start"]),
                _clock(s["end"]),
                (_clock(window[0]), _clock(window[1])) if window else None,
                float(s.get("break_minutes", 0)),
            )
        crews = tuple(
            Crew(
                c["id"], c.get("name", c["id"]), trucks[c["truck"]], shifts[c["shift"]], frozenset(c.get("skills", []))
            )
            for c in data.get("crews", [])
        )
        windows = tuple((_clock(a), _clock(b)) for a, b in data["slot_windows"])
        fleet = Fleet(
            depot=str(data["depot"]),
            crews=crews,
            slot_windows_s=windows,
            working_days=frozenset(int(d) for d in data.get("working_days", [0, 1, 2, 3, 4])),
            holidays=frozenset(date.fromisoformat(d) for d in data.get("holidays", [])),
            demo="_demo" in data,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise CatalogError(f"fleet file {path}: {error!r}") from error
    if any(b <= a for a, b in fleet.slot_windows_s):
        raise CatalogError(f"fleet file {path}: every slot window must end after it starts")
    return fleet


def load_items(path: Path = DEMO_ITEMS) -> ItemCatalog:
    data = _read(path)
    try:
        kinds = {
            name: ItemKindInfo(float(v["volume_m3"]), float(v["minutes"]), frozenset(v.get("skills", [])))
            for name, v in data["items"].items()
        }
        return ItemCatalog(kinds, float(data.get("stop_minutes", 3)), float(data.get("max_volume_per_pickup_m3", 10)))
    except (KeyError, TypeError, ValueError) as error:
        raise CatalogError(f"item file {path}: {error!r}") from error


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CatalogError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a JSON object")
    return data


def names(values: Sequence[str]) -> str:
    return ", ".join(sorted(values))
