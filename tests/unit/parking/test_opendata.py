"""Open-data exports against the real DATEX II examples, the FIWARE schemas and the ParkAPI v3 examples.

The reference material is read from ../shared/standards (skipped locally when absent, failing in CI).
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

import herne_parking
from herne_parking import opendata
from herne_parking.domain import (
    Availability,
    Facility,
    FacilityKind,
    ParkingCatalog,
    SpaceType,
    Trend,
    TypeAvailability,
    load_catalog,
)
from tests.fixtures.shared import shared_path

D2 = "http://datex2.eu/schema/2/2_0"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
COMMON_SCHEMA_URI = "https://smart-data-models.github.io/data-models/common-schema.json"
# Tuesday 1 Dec 2026, 09:00 in Herne: everything in the demo catalog is open.
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
STALE_AFTER_S = 900.0
DEMO_FILE = Path(herne_parking.__file__).parent / "data" / "herne_demo_parking.json"

# ParkAPI v3 fields beyond those in the stored examples, from the v3 model: parkapi
# StaticParkingSiteInput/RealtimeParkingSiteInput and park-api-v3
# webapp/shared/parking_site/parking_sites_schema.py (per-audience capacities, purpose, texts).
PARKAPI_DOCUMENTED_FIELDS = frozenset(
    {
        "purpose",
        "description",
        "fee_description",
        "park_and_ride_type",
        "capacity_charging",
        "capacity_family",
        "realtime_capacity_charging",
        "realtime_capacity_family",
        "realtime_free_capacity_charging",
        "realtime_free_capacity_family",
    }
)
PARKAPI_REALTIME_REQUIRED = frozenset(
    {"realtime_opening_status", "realtime_capacity", "realtime_free_capacity", "realtime_data_updated_at"}
)


# --- fixtures and builders ------------------------------------------------------------------------


@cache
def demo_catalog() -> ParkingCatalog:
    return load_catalog(json.loads(DEMO_FILE.read_text(encoding="utf-8")), demo=True)


def availability_of(
    facility: Facility,
    *,
    free_share: float = 0.4,
    unknown: int = 0,
    age_s: float = 30.0,
    trend: Trend = Trend.FILLING,
) -> Availability:
    """``unknown`` spaces of the first type are unobserved; of the rest, ``free_share`` are free."""
    by_type = []
    for index, (space_type, capacity) in enumerate(facility.capacity_by_type.items()):
        blind = min(unknown, capacity) if index == 0 else 0
        free = int((capacity - blind) * free_share)
        by_type.append(TypeAvailability(space_type, capacity, free, capacity - blind - free))
    return Availability(
        facility_id=facility.facility_id,
        by_type=tuple(by_type),
        trend=trend,
        observed_at=NOW - timedelta(seconds=age_s),
        stale_sensors=0,
        counters_live=facility.has_counters,
        version=1,
    )


def all_unknown(facility: Facility) -> Availability:
    return Availability(
        facility.facility_id,
        tuple(TypeAvailability(t, c, 0, 0) for t, c in facility.capacity_by_type.items()),
        Trend.STABLE,
        NOW - timedelta(seconds=10),
        len(facility.spaces),
        False,
        1,
    )


def mixed_availability(catalog: ParkingCatalog) -> dict[str, Availability]:
    """Every other facility live (some with unknown spaces, one full); the rest too old, all-unknown or missing."""
    result: dict[str, Availability] = {}
    for index, facility in enumerate(catalog.facilities.values()):
        match index % 6:
            case 0:
                result[facility.facility_id] = availability_of(facility)
            case 1:
                result[facility.facility_id] = availability_of(facility, age_s=STALE_AFTER_S + 1)
            case 2:
                result[facility.facility_id] = availability_of(facility, unknown=3, trend=Trend.EMPTYING)
            case 3:
                result[facility.facility_id] = all_unknown(facility)
            case 4:
                result[facility.facility_id] = availability_of(facility, free_share=0.0, trend=Trend.STABLE)
            case _:
                pass  # no availability at all
    return result


def is_live(item: Availability | None) -> bool:
    return (
        item is not None
        and item.unknown < item.capacity
        and item.observed_at is not None
        and (NOW - item.observed_at).total_seconds() <= STALE_AFTER_S
    )


# --- DATEX II: element paths of the real examples ------------------------------------------------


def element_paths(document: bytes) -> set[str]:
    """Every element path (namespace-qualified, with its xsi:type resolved) and attribute name in a document."""
    prefixes: dict[str, str] = {}
    paths: set[str] = set()
    stack: list[str] = []
    for event, item in ET.iterparse(io.BytesIO(document), events=("start-ns", "start", "end")):
        if event == "start-ns":
            prefix, uri = item  # type: ignore[misc]
            prefixes[prefix] = uri
            continue
        element: ET.Element = item  # type: ignore[assignment]
        if event == "end":
            stack.pop()
            continue
        step = element.tag
        declared = element.get(XSI_TYPE)
        if declared is not None:
            prefix, _, local = declared.rpartition(":")
            assert prefix in prefixes, f"xsi:type {declared!r} names an undeclared prefix"
            step += f"[{{{prefixes[prefix]}}}{local}]"
        stack.append(step)
        path = "/" + "/".join(stack)
        paths.add(path)
        paths.update(f"{path}@{name}" for name in element.attrib if name != XSI_TYPE)
    return paths


@cache
def reference_paths(kind: str) -> frozenset[str]:
    """Union of the DE-MDM Mobilithek examples of one publication type (``static`` or ``realtime``)."""
    folder = shared_path("standards", "datex2", "v2.3-parking")
    paths: set[str] = set()
    for name in ("aachen", "friedrichshafen-sensors"):
        paths |= element_paths((folder / f"{name}-{kind}.xml").read_bytes())
    return frozenset(paths)


def status_records(document: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(document)
    return {
        record.find(f"{{{D2}}}parkingRecordReference").get("id"): record  # type: ignore[union-attr]
        for record in root.iter(f"{{{D2}}}parkingRecordStatus")
    }


def number(element: ET.Element, path: str) -> float:
    found = element.find(path.replace("d2:", f"{{{D2}}}"))
    assert found is not None and found.text is not None, path
    return float(found.text)


def test_datex_reference_paths_catch_an_invented_element() -> None:
    document = opendata.datex2_parking_table(demo_catalog(), publication_time=NOW)
    root = ET.fromstring(document)
    record = next(root.iter(f"{{{D2}}}parkingRecord"))
    ET.SubElement(record, f"{{{D2}}}parkingTariff").text = "1 EUR"
    invented = element_paths(ET.tostring(root)) - reference_paths("static")
    assert invented and all(path.endswith("parkingTariff") for path in invented)


def test_datex_table_uses_only_elements_of_the_real_table_examples() -> None:
    document = opendata.datex2_parking_table(demo_catalog(), publication_time=NOW)
    paths = element_paths(document)
    assert paths - reference_paths("static") == set()
    root = ET.fromstring(document)
    assert root.tag == f"{{{D2}}}d2LogicalModel"
    assert root.findtext(f".//{{{D2}}}genericPublicationName") == "ParkingTablePublication"
    # The facts that matter are there, not only allowed.
    for required in ("parkingName", "parkingNumberOfSpaces", "latitude", "openingTimes", "urbanParkingSiteType"):
        assert any(path.split("/")[-1].endswith(required) for path in paths), required


def test_datex_table_carries_each_facility() -> None:
    catalog = demo_catalog()
    root = ET.fromstring(opendata.datex2_parking_table(catalog, publication_time=NOW))
    records = {record.get("id"): record for record in root.iter(f"{{{D2}}}parkingRecord")}
    assert set(records) == set(catalog.facilities)
    for facility_id, facility in catalog.facilities.items():
        record = records[facility_id]
        assert record.findtext(f"{{{D2}}}parkingName/{{{D2}}}values/{{{D2}}}value") == facility.name
        assert number(record, "d2:parkingNumberOfSpaces") == facility.capacity
        point = "d2:parkingLocation/d2:pointByCoordinates/d2:pointCoordinates/"
        assert number(record, point + "d2:latitude") == pytest.approx(facility.latitude)
        assert number(record, point + "d2:longitude") == pytest.approx(facility.longitude)
        description = record.findtext(f"{{{D2}}}parkingDescription/{{{D2}}}values/{{{D2}}}value") or ""
        assert facility.operator in description and facility.tariff_note in description
        assert "DEMO DATA" in description
        site_type = record.findtext(f"{{{D2}}}urbanParkingSiteType")
        assert site_type == ("offStreetParking" if facility.kind.off_street else "onStreetParking")
        start = record.findtext(f".//{{{D2}}}startTimeOfPeriod")
        if facility.always_open:
            assert (start, record.findtext(f".//{{{D2}}}endTimeOfPeriod")) == ("00:00:00", "00:00:00")
        elif facility.opening_hours == "Mo-Su 05:00-01:00":
            assert start == "05:00:00"
        else:
            # Day-of-week rules have no element in this profile: said in the description only.
            assert start is None and facility.opening_hours in description


def test_datex_status_uses_only_elements_of_the_real_status_examples() -> None:
    catalog = demo_catalog()
    document = opendata.datex2_parking_status(
        catalog, mixed_availability(catalog), now=NOW, stale_after_s=STALE_AFTER_S
    )
    assert element_paths(document) - reference_paths("realtime") == set()
    root = ET.fromstring(document)
    assert root.findtext(f".//{{{D2}}}genericPublicationName") == "ParkingStatusPublication"


def test_datex_status_numbers_agree_with_availability() -> None:
    catalog = demo_catalog()
    availability = mixed_availability(catalog)
    document = opendata.datex2_parking_status(catalog, availability, now=NOW, stale_after_s=STALE_AFTER_S)
    table = ET.fromstring(opendata.datex2_parking_table(catalog, publication_time=NOW))
    versions = {record.get("id"): record.get("version") for record in table.iter(f"{{{D2}}}parkingRecord")}
    records = status_records(document)
    assert set(records) == set(catalog.facilities)
    seen_live = seen_stale = 0
    for facility_id, record in records.items():
        reference = record.find(f"{{{D2}}}parkingRecordReference")
        assert reference is not None and reference.get("version") == versions[facility_id]
        item = availability.get(facility_id)
        site_status = record.findtext(f"{{{D2}}}parkingSiteStatus")
        if not is_live(item):
            seen_stale += 1
            assert record.find(f"{{{D2}}}parkingOccupancy") is None
            assert record.find(f"{{{D2}}}parkingSiteStatusExtension") is None
            assert site_status == "unknown"
            continue
        assert item is not None
        seen_live += 1
        occupancy = "d2:parkingOccupancy/d2:"
        assert number(record, occupancy + "parkingNumberOfVacantSpaces") == item.free
        assert number(record, occupancy + "parkingNumberOfOccupiedSpaces") == item.occupied
        assert number(record, occupancy + "parkingNumberOfSpacesOverride") == item.free + item.occupied
        assert number(record, occupancy + "parkingOccupancy") == pytest.approx(
            100 * item.occupied / (item.free + item.occupied), abs=0.006
        )
        trend = record.findtext(f"{{{D2}}}parkingOccupancy/{{{D2}}}parkingOccupancyTrend")
        assert trend == {Trend.FILLING: "increasing", Trend.EMPTYING: "decreasing", Trend.STABLE: "stable"}[item.trend]
        assert site_status == ("full" if item.free == 0 else "spacesAvailable")
        assert record.findtext(f"{{{D2}}}parkingStatusOriginTime") == item.observed_at.isoformat(  # type: ignore[union-attr]
            timespec="milliseconds"
        ).replace("+00:00", "Z")
        categories = record.findall(f"{{{D2}}}parkingSiteStatusExtension/category")
        if len(item.by_type) > 1:
            assert sum(number(c, "parkingOccupancy/d2:parkingNumberOfVacantSpaces") for c in categories) == item.free
            names = {c.findtext("name") for c in categories}
            if any(t.space_type is SpaceType.DISABLED for t in item.by_type):
                assert "Behinderte" in names
    assert seen_live and seen_stale


# --- FIWARE NGSI-LD ---------------------------------------------------------------------------------

NGSI_MODELS = ("OffStreetParking", "OnStreetParking", "ParkingSpot")


@cache
def fiware_registry() -> Registry:
    common = json.loads(shared_path("standards", "fiware", "common", "common-schema.json").read_text())
    return Registry().with_resource(COMMON_SCHEMA_URI, Resource.from_contents(common))


def _format_checker() -> FormatChecker:
    # jsonschema checks date-time and uri only with optional packages not installed here.
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def date_time(value: object) -> bool:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return "T" in value and parsed.tzinfo is not None
        return True

    @checker.checks("uri")
    def uri(value: object) -> bool:
        return not isinstance(value, str) or bool(urlparse(value).scheme)

    return checker


@cache
def fiware_schema(model: str) -> dict[str, Any]:
    return json.loads(shared_path("standards", "fiware", "Parking", model, "schema.json").read_text())


@cache
def fiware_validator(model: str) -> Draft202012Validator:
    return Draft202012Validator(fiware_schema(model), registry=fiware_registry(), format_checker=_format_checker())


@cache
def declared_properties(model: str) -> frozenset[str]:
    """Attribute names the model declares, including those of the common definitions it $refs."""
    names: set[str] = set()
    resolver = fiware_registry().resolver()
    for part in fiware_schema(model)["allOf"]:
        contents = resolver.lookup(part["$ref"]).contents if "$ref" in part else part
        names.update(contents.get("properties", {}))
    return frozenset(names)


def fiware_example(model: str, name: str = "example.json") -> dict[str, Any]:
    return json.loads(shared_path("standards", "fiware", "Parking", model, "examples", name).read_text())


def errors_of(model: str, entity: Mapping[str, Any]) -> list[str]:
    body = {key: value for key, value in entity.items() if key != "@context"}
    return [error.message for error in fiware_validator(model).iter_errors(body)]


@pytest.mark.parametrize("model", NGSI_MODELS)
def test_fiware_examples_validate_and_the_validator_rejects_broken_ones(model: str) -> None:
    example = fiware_example(model)
    assert errors_of(model, example) == []
    # A bad location is checked through the $ref into common-schema.json, so the registry is in use.
    assert errors_of(model, {**example, "location": {"type": "Pointy", "coordinates": [7.2, 51.5]}})
    assert errors_of(model, {**example, "type": "Parking"})
    assert errors_of(model, {**example, "dateModified": "yesterday"})


@pytest.fixture(scope="module")
def ngsi_entities() -> list[dict[str, Any]]:
    catalog = demo_catalog()
    states = {
        space.space_id: ("occupied" if i % 3 else "free") for i, space in enumerate(catalog.spaces_by_sensor.values())
    }
    return opendata.ngsi_ld_entities(
        catalog, mixed_availability(catalog), now=NOW, stale_after_s=STALE_AFTER_S, space_states=states
    )


def test_every_ngsi_entity_validates_against_its_model(ngsi_entities: list[dict[str, Any]]) -> None:
    catalog = demo_catalog()
    assert {entity["type"] for entity in ngsi_entities} == set(NGSI_MODELS)
    assert sum(entity["type"] == "ParkingSpot" for entity in ngsi_entities) == len(catalog.spaces_by_sensor)
    context = set(fiware_example("ParkingSpot", "example.jsonld")["@context"])
    for entity in ngsi_entities:
        model = entity["type"]
        assert errors_of(model, entity) == [], entity["id"]
        assert set(entity) - {"@context"} <= declared_properties(model), entity["id"]
        assert set(entity["@context"]) == context
        assert entity["id"].startswith(f"urn:ngsi-ld:{model}:herne:")


def test_ngsi_facilities_carry_numbers_only_when_live(ngsi_entities: list[dict[str, Any]]) -> None:
    catalog = demo_catalog()
    availability = mixed_availability(catalog)
    by_id = {entity["id"]: entity for entity in ngsi_entities}
    for facility_id, facility in catalog.facilities.items():
        model = "OffStreetParking" if facility.kind.off_street else "OnStreetParking"
        entity = by_id[f"urn:ngsi-ld:{model}:herne:{facility_id}"]
        assert entity["totalSpotNumber"] == facility.capacity
        assert entity["location"]["coordinates"] == [facility.longitude, facility.latitude]
        item = availability.get(facility_id)
        spots = [e for e in ngsi_entities if e["type"] == "ParkingSpot" and e["refParkingSite"] == entity["id"]]
        assert len(spots) == len(facility.spaces)
        if is_live(item):
            assert item is not None
            assert (entity["availableSpotNumber"], entity["occupiedSpotNumber"]) == (item.free, item.occupied)
            assert {spot["status"] for spot in spots} <= {"free", "occupied"}
        else:
            assert not {"availableSpotNumber", "occupiedSpotNumber", "occupancy", "observationDateTime"} & set(entity)
            assert {spot["status"] for spot in spots} <= {"unknown"}
            assert not {"full", "spacesAvailable"} & set(entity.get("status", []))


def test_ngsi_spots_only_with_space_states_and_unknown_when_missing() -> None:
    catalog = demo_catalog()
    availability = {f: availability_of(facility) for f, facility in catalog.facilities.items()}
    without = opendata.ngsi_ld_entities(catalog, availability, now=NOW, stale_after_s=STALE_AFTER_S)
    assert {entity["type"] for entity in without} == {"OffStreetParking", "OnStreetParking"}
    sensors = list(catalog.spaces_by_sensor.values())
    states = opendata.space_states_of(catalog, {sensors[0].sensor_id: True, sensors[1].sensor_id: False})
    spots = {
        e["name"]: e["status"]
        for e in opendata.ngsi_ld_entities(
            catalog, availability, now=NOW, stale_after_s=STALE_AFTER_S, space_states=states
        )
        if e["type"] == "ParkingSpot"
    }
    assert spots[sensors[0].space_id] == "occupied" and spots[sensors[1].space_id] == "free"
    assert {spots[space.space_id] for space in sensors[2:]} == {"unknown"}


# --- ParkAPI v3 -------------------------------------------------------------------------------------


def parkapi_example_sites() -> Iterator[dict[str, Any]]:
    folder = shared_path("standards", "parkapi", "v3", "request_input")
    for path in sorted(folder.glob("parking-site-*.json")):
        document = json.loads(path.read_text())
        for item in document.get("items", [document]):
            if "uid" in item:  # the list examples hold one deliberately broken item ("uidx")
                yield item


@cache
def parkapi_fields() -> tuple[frozenset[str], frozenset[str]]:
    """(allowed field names, names every example site has)."""
    sites = list(parkapi_example_sites())
    assert sites
    allowed = set().union(*(set(site) for site in sites)) - {"restrictions", "restricted_to", "external_identifiers"}
    required = set.intersection(*(set(site) for site in sites))
    return frozenset(allowed | PARKAPI_DOCUMENTED_FIELDS), frozenset(required)


def test_parkapi_items_use_v3_names_and_agree_with_availability() -> None:
    catalog = demo_catalog()
    availability = mixed_availability(catalog)
    allowed, required = parkapi_fields()
    document = opendata.parkapi_v3_parking_sites(catalog, availability, now=NOW, stale_after_s=STALE_AFTER_S)
    items = {item["uid"]: item for item in document["items"]}
    assert set(document) == {"items"} and set(items) == set(catalog.facilities)
    for uid, item in items.items():
        facility = catalog.facilities[uid]
        assert set(item) <= allowed, set(item) - allowed
        assert required - PARKAPI_REALTIME_REQUIRED <= set(item)
        assert item["type"] in {"ON_STREET", "OFF_STREET_PARKING_GROUND", "UNDERGROUND", "CAR_PARK", "OTHER"}
        assert Decimal(item["lat"]) == Decimal(f"{facility.latitude:.7f}")
        assert item["capacity"] == facility.capacity
        assert item.get("capacity_disabled", 0) == facility.capacity_by_type.get(SpaceType.DISABLED, 0)
        datetime.fromisoformat(item["static_data_updated_at"].replace("Z", "+00:00"))
        current = availability.get(uid)
        if is_live(current):
            assert current is not None
            assert item["has_realtime_data"] is True
            assert set(item) >= PARKAPI_REALTIME_REQUIRED
            assert item["realtime_free_capacity"] == current.free
            assert item["realtime_capacity"] == current.free + current.occupied
            assert item["realtime_opening_status"] in {"OPEN", "CLOSED", "UNKNOWN"}
        else:
            assert item["has_realtime_data"] is False
            assert not [key for key in item if key.startswith("realtime_")]


def test_parkapi_park_and_ride_and_demo_notice() -> None:
    catalog = demo_catalog()
    items = opendata.parkapi_v3_parking_sites(catalog, {}, now=NOW, stale_after_s=STALE_AFTER_S)["items"]
    for item in items:
        facility = catalog.facilities[item["uid"]]
        assert ("park_and_ride_type" in item) == (facility.kind is FacilityKind.PARK_AND_RIDE)
        assert item["description"] == catalog.notice


# --- staleness over every facility and any availability (property) ----------------------------------


@st.composite
def facility_availability(draw: st.DrawFn, facility: Facility) -> Availability | None:
    if draw(st.booleans().map(lambda missing: missing and draw(st.integers(0, 9)) == 0)):
        return None
    by_type = []
    for space_type, capacity in facility.capacity_by_type.items():
        known = draw(st.integers(0, capacity))
        free = draw(st.integers(0, known))
        by_type.append(TypeAvailability(space_type, capacity, free, known - free))
    age = draw(st.one_of(st.floats(0, STALE_AFTER_S), st.floats(STALE_AFTER_S + 0.001, 10 * STALE_AFTER_S)))
    return Availability(
        facility.facility_id,
        tuple(by_type),
        draw(st.sampled_from(Trend)),
        None if draw(st.integers(0, 19)) == 0 else NOW - timedelta(seconds=age),
        0,
        facility.has_counters,
        1,
    )


@st.composite
def catalog_availability(draw: st.DrawFn) -> dict[str, Availability]:
    result = {}
    for facility_id, facility in demo_catalog().facilities.items():
        item = draw(facility_availability(facility))
        if item is not None:
            result[facility_id] = item
    return result


@settings(max_examples=40, deadline=None)
@given(catalog_availability())
def test_no_format_shows_stale_data_as_live(availability: dict[str, Availability]) -> None:
    catalog = demo_catalog()
    records = status_records(
        opendata.datex2_parking_status(catalog, availability, now=NOW, stale_after_s=STALE_AFTER_S)
    )
    parkapi = {
        item["uid"]: item
        for item in opendata.parkapi_v3_parking_sites(catalog, availability, now=NOW, stale_after_s=STALE_AFTER_S)[
            "items"
        ]
    }
    ngsi = {
        entity["id"].rsplit(":", 1)[1]: entity
        for entity in opendata.ngsi_ld_entities(catalog, availability, now=NOW, stale_after_s=STALE_AFTER_S)
    }
    for facility_id in catalog.facilities:
        item = availability.get(facility_id)
        record, site, entity = records[facility_id], parkapi[facility_id], ngsi[facility_id]
        if is_live(item):
            assert item is not None
            assert number(record, "d2:parkingOccupancy/d2:parkingNumberOfVacantSpaces") == item.free
            assert site["realtime_free_capacity"] == item.free
            assert entity["availableSpotNumber"] == item.free
            assert item.free <= site["realtime_capacity"] <= site["capacity"]
        else:
            assert record.find(f"{{{D2}}}parkingOccupancy") is None
            assert record.findtext(f"{{{D2}}}parkingSiteStatus") == "unknown"
            assert site["has_realtime_data"] is False and not any(k.startswith("realtime_") for k in site)
            assert "availableSpotNumber" not in entity and "occupiedSpotNumber" not in entity


# --- opening hours and inputs -----------------------------------------------------------------------


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=opendata.LOCAL_TZ)


@pytest.mark.parametrize(
    ("hours", "at", "expected"),
    [
        ("24/7", "2026-12-06T03:00", True),
        ("Mo-Su 05:00-01:00", "2026-12-01T00:30", True),  # Monday's span runs into Tuesday
        ("Mo-Su 05:00-01:00", "2026-12-01T02:00", False),
        ("Mo-Su 05:00-01:00", "2026-12-01T05:00", True),
        ("Mo-Fr 06:30-20:00; Sa 08:00-16:00", "2026-12-05T10:00", True),
        ("Mo-Fr 06:30-20:00; Sa 08:00-16:00", "2026-12-05T16:00", False),
        ("Mo-Fr 06:30-20:00; Sa 08:00-16:00", "2026-12-06T10:00", False),  # Sunday
        ("Mo-Sa 08:00-20:00", "2026-12-01T20:30", False),
        ("Mo-Fr 08:00-18:00; PH off", "2026-12-01T10:00", None),
        ("sunrise-sunset", "2026-12-01T10:00", None),
    ],
)
def test_opening_hours(hours: str, at: str, expected: bool | None) -> None:
    assert opendata.is_open(hours, berlin(at)) is expected


def test_opening_hours_follow_local_time_across_dst() -> None:
    # 06:45 local on a Monday in summer is 04:45 UTC; in winter 05:45 UTC.
    assert opendata.is_open("Mo-Fr 06:30-20:00", datetime(2026, 7, 6, 4, 45, tzinfo=UTC)) is True
    assert opendata.is_open("Mo-Fr 06:30-20:00", datetime(2026, 12, 7, 5, 15, tzinfo=UTC)) is False


def test_naive_times_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        opendata.datex2_parking_status(demo_catalog(), {}, now=datetime(2026, 12, 1, 8), stale_after_s=60)


def test_every_demo_opening_hours_is_understood() -> None:
    for facility in demo_catalog().facilities.values():
        assert opendata.parse_opening_hours(facility.opening_hours) is not None, facility.opening_hours
