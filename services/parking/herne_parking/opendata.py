"""Open-data exports of the parking catalog and its availability (EU Delegated Regulation 2024/490).

Pure functions, no I/O: each takes the catalog, the current ``Availability`` per facility and the
clock, and returns one document in a public format:

- DATEX II v2.3 ``ParkingTablePublication`` (static) and ``ParkingStatusPublication`` (dynamic), the
  format of the German national access point (Mobilithek). Element names, nesting and namespaces
  mirror the real Mobilithek payloads of Aachen and Friedrichshafen (DE-MDM profile); no element is
  used that those payloads do not use, because no XSD is available to check anything else.
- FIWARE NGSI-LD entities (key-values form with ``@context``): OffStreetParking, OnStreetParking and
  ParkingSpot smart data models.
- ParkAPI v3 parking-site list (``{"items": [...]}``) with the v3 push-API field names.

Stale data is never published as live. A facility is *live* when it has an Availability, not every
space of it is unknown (``Availability.stale``), it has an observation time and that time is at most
``stale_after_s`` old. A facility that is not live keeps its static facts but carries no free/occupied
numbers in any format (DATEX II: ``parkingSiteStatus`` ``unknown`` and no ``parkingOccupancy``;
NGSI-LD: no ``availableSpotNumber``/``occupiedSpotNumber``/``occupancy``, spots ``unknown``; ParkAPI:
``has_realtime_data`` false and no ``realtime_*`` field).

A live facility may still have some unknown spaces (silent sensors, a silent counter). Only observed
spaces are counted then: the "currently counted" capacity (DATEX II ``parkingNumberOfSpacesOverride``,
ParkAPI ``realtime_capacity``) is free + occupied, and the occupancy rate is occupied over that, so a
free count is never inflated by spaces nobody observes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from herne_parking.domain import Availability, Facility, FacilityKind, ParkingCatalog, SpaceType, Trend

D2_NS = "http://datex2.eu/schema/2/2_0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
# xsi:type values name this prefix, so it has to be the one ElementTree writes (it reserves "ns<n>").
D2_PREFIX = "d2"
ET.register_namespace(D2_PREFIX, D2_NS)
ET.register_namespace("xsi", XSI_NS)

LOCAL_TZ = ZoneInfo("Europe/Berlin")

NGSI_LD_CONTEXT = (
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Parking/master/context.jsonld",
)
URN_PREFIX = "urn:ngsi-ld"
URN_NAMESPACE = "herne"

# DATEX II v2.3 ParkingOccupancyTrendEnum: occupancy increasing while the facility fills.
DATEX_TREND = {Trend.STABLE: "stable", Trend.FILLING: "increasing", Trend.EMPTYING: "decreasing"}
# Category names of the DE-MDM parkingSiteStatusExtension; "Behinderte" is the one Friedrichshafen uses.
DATEX_CATEGORY = {
    SpaceType.STANDARD: "Standard",
    SpaceType.DISABLED: "Behinderte",
    SpaceType.EV_CHARGING: "Elektrofahrzeuge",
    SpaceType.FAMILY: "Familien",
    SpaceType.SHORT_STAY: "Kurzparker",
}
# ParkAPI v3 has per-audience capacity fields for these types; short-stay spaces have none.
PARKAPI_SUFFIX = {SpaceType.DISABLED: "disabled", SpaceType.EV_CHARGING: "charging", SpaceType.FAMILY: "family"}
PARKAPI_TYPE = {
    FacilityKind.GARAGE: "CAR_PARK",
    FacilityKind.PARK_AND_RIDE: "OFF_STREET_PARKING_GROUND",
    FacilityKind.SURFACE_LOT: "OFF_STREET_PARKING_GROUND",
    FacilityKind.ON_STREET_ZONE: "ON_STREET",
}
SPOT_STATES = frozenset({"free", "occupied", "unknown"})


# --- opening hours ---------------------------------------------------------------------------

_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_RULE = re.compile(
    r"^(?P<days>[A-Za-z,\- ]+?)\s+(?P<spans>\d{2}:\d{2}-\d{2}:\d{2}(?:\s*,\s*\d{2}:\d{2}-\d{2}:\d{2})*)$"
)


@dataclass(frozen=True)
class OpeningRule:
    """One ``<days> <spans>`` rule of an OSM opening_hours string; an end <= start runs past midnight."""

    weekdays: frozenset[int]
    spans: tuple[tuple[time, time], ...]


def parse_opening_hours(text: str) -> tuple[OpeningRule, ...] | None:
    """The subset of OSM opening_hours the catalog uses ("24/7", "Mo-Fr 06:30-20:00; Sa 08:00-16:00").

    None when the text has anything else (holidays, months, "off"), so callers say "unknown"
    instead of guessing.
    """
    text = text.strip()
    if text == "24/7":
        return (OpeningRule(frozenset(range(7)), ((time(0), time(0)),)),)
    rules = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        match = _RULE.match(part)
        if match is None:
            return None
        weekdays: set[int] = set()
        for item in match["days"].replace(" ", "").split(","):
            first, _, last = item.partition("-")
            if first not in _DAYS or (last and last not in _DAYS):
                return None
            start, end = _DAYS.index(first), _DAYS.index(last or first)
            weekdays.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(end + 1)])
        spans = []
        for span in match["spans"].split(","):
            begin, _, finish = span.strip().partition("-")
            try:
                spans.append((time.fromisoformat(begin), time.fromisoformat("00:00" if finish == "24:00" else finish)))
            except ValueError:
                return None
        rules.append(OpeningRule(frozenset(weekdays), tuple(spans)))
    return tuple(rules) or None


def is_open(opening_hours: str, at: datetime) -> bool | None:
    """Whether the facility is open at ``at`` (local time Europe/Berlin); None when the hours are not understood."""
    rules = parse_opening_hours(opening_hours)
    if rules is None:
        return None
    local = _aware(at).astimezone(LOCAL_TZ)

    def spans_of(weekday: int) -> tuple[tuple[time, time], ...]:
        # A later rule naming the same day replaces an earlier one, as in OSM opening_hours.
        found: tuple[tuple[time, time], ...] = ()
        for rule in rules:
            if weekday in rule.weekdays:
                found = rule.spans
        return found

    now = local.time()
    for begin, end in spans_of(local.weekday()):
        if (begin <= now < end) if begin < end else now >= begin:
            return True
    return any(end <= begin and now < end for begin, end in spans_of((local.weekday() - 1) % 7))


def _daily_span(opening_hours: str) -> tuple[time, time] | None:
    """The one time span that applies every day, when the hours are that simple (DATEX II can say only that)."""
    rules = parse_opening_hours(opening_hours)
    if rules is None or len(rules) != 1 or rules[0].weekdays != frozenset(range(7)) or len(rules[0].spans) != 1:
        return None
    return rules[0].spans[0]


# --- shared helpers ------------------------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {moment!r}")
    return moment


def _utc_ms(moment: datetime) -> str:
    return _aware(moment).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _utc_s(moment: datetime) -> str:
    return _aware(moment).astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def live_availability(availability: Availability | None, *, now: datetime, stale_after_s: float) -> Availability | None:
    """The availability when it may be published as live, else None (missing, all unknown, or too old)."""
    if availability is None or availability.stale or availability.observed_at is None:
        return None
    if (_aware(now) - _aware(availability.observed_at)).total_seconds() > stale_after_s:
        return None
    return availability


def record_version(facility: Facility) -> int:
    """A version number of the facility's static facts: it changes exactly when a published fact changes."""
    facts = [
        facility.facility_id,
        facility.name,
        facility.kind.value,
        facility.address,
        facility.latitude,
        facility.longitude,
        facility.capacity,
        {t.value: c for t, c in facility.capacity_by_type.items()},
        facility.opening_hours,
        facility.tariff_note,
        facility.operator,
        facility.demo,
    ]
    return zlib.crc32(json.dumps(facts, ensure_ascii=False).encode())


def _description(facility: Facility, notice: str, *, with_hours: bool = True) -> str:
    parts = [f"Betreiber: {facility.operator}"]
    if facility.tariff_note:
        parts.append(f"Tarif: {facility.tariff_note}")
    if with_hours:
        parts.append(f"Öffnungszeiten: {facility.opening_hours}")
    parts.append(f"Adresse: {facility.address}")
    if facility.demo and notice:
        parts.append(notice)
    return ". ".join(parts)


def _known(availability: Availability) -> int:
    return availability.free + availability.occupied


def _occupancy_rate(occupied: int, known: int) -> float:
    return occupied / known if known else 0.0


def space_states_of(catalog: ParkingCatalog, sensor_states: Mapping[str, bool | None]) -> dict[str, str]:
    """Per-space state ("free"/"occupied"/"unknown") keyed by space id, from occupied-flags keyed by sensor id.

    A sensor missing from ``sensor_states`` or mapped to None (silent, never seen) is "unknown".
    """
    states: dict[str, str] = {}
    for facility in catalog.facilities.values():
        for space in facility.spaces:
            occupied = sensor_states.get(space.sensor_id)
            states[space.space_id] = "unknown" if occupied is None else ("occupied" if occupied else "free")
    return states


# --- DATEX II v2.3 --------------------------------------------------------------------------------


def _el(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{D2_NS}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _plain(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    # The DE-MDM extension's own children (category/name/parkingOccupancy) are unqualified.
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _xsi_type(name: str) -> dict[str, str]:
    return {f"{{{XSI_NS}}}type": f"{D2_PREFIX}:{name}"}


def _multilingual(parent: ET.Element, tag: str, text: str) -> None:
    values = _el(_el(parent, tag), "values")
    _el(values, "value", text, lang="de")


def _d2_publication(
    name: str, *, publication_time: datetime, country: str, national_identifier: str
) -> tuple[ET.Element, ET.Element]:
    root = ET.Element(f"{{{D2_NS}}}d2LogicalModel", {"modelBaseVersion": "2"})
    supplier = _el(_el(root, "exchange"), "supplierIdentification")
    _el(supplier, "country", country)
    _el(supplier, "nationalIdentifier", national_identifier)
    payload = ET.SubElement(root, f"{{{D2_NS}}}payloadPublication", {"lang": "de", **_xsi_type("GenericPublication")})
    _el(payload, "publicationTime", _utc_ms(publication_time))
    creator = _el(payload, "publicationCreator")
    _el(creator, "country", country)
    _el(creator, "nationalIdentifier", national_identifier)
    _el(payload, "genericPublicationName", name)
    extension = _el(payload, "genericPublicationExtension")
    body = _el(extension, name[0].lower() + name[1:])
    header = _el(body, "headerInformation")
    _el(header, "confidentiality", "noRestriction")
    _el(header, "informationStatus", "real")
    return root, body


def _xml_bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def datex2_parking_table(
    catalog: ParkingCatalog,
    *,
    publication_time: datetime,
    static_updated_at: datetime | None = None,
    country: str = "de",
    national_identifier: str = "DE-HERNE",
) -> bytes:
    """DATEX II v2.3 ParkingTablePublication: one ``UrbanParkingSite`` record per facility.

    Carries name, position, total capacity (``parkingNumberOfSpaces``), layout where the kind implies
    it (surface lots and on-street zones: ``openSpace``; garages and P+R sites are left unsaid), opening
    times when one span applies every day, ``assignedParkingAmongOthers`` for a facility of disabled
    spaces only, off-/on-street type, and a German ``parkingDescription`` with operator, tariff, opening
    hours, address and the demo notice. Capacity per space type has no element in this profile's
    table; it is published per status record (``parkingSiteStatusExtension``). ``static_updated_at``
    (when the catalog was loaded) defaults to ``publication_time``.
    """
    version_time = _utc_ms(static_updated_at or publication_time)
    root, body = _d2_publication(
        "ParkingTablePublication",
        publication_time=publication_time,
        country=country,
        national_identifier=national_identifier,
    )
    facilities = list(catalog.facilities.values())
    table_version = zlib.crc32(json.dumps([record_version(f) for f in facilities]).encode())
    table = _el(body, "parkingTable", id=f"{national_identifier}-parking", version=str(table_version))
    _el(table, "parkingTableVersionTime", version_time)
    for facility in facilities:
        record = _el(
            table,
            "parkingRecord",
            id=facility.facility_id,
            version=str(record_version(facility)),
            **_xsi_type("UrbanParkingSite"),
        )
        _multilingual(record, "parkingName", facility.name)
        _multilingual(record, "parkingDescription", _description(facility, catalog.notice))
        _el(record, "parkingRecordVersionTime", version_time)
        _el(record, "parkingNumberOfSpaces", str(facility.capacity))
        location = ET.SubElement(record, f"{{{D2_NS}}}parkingLocation", _xsi_type("Point"))
        coordinates = _el(_el(location, "pointByCoordinates"), "pointCoordinates")
        _el(coordinates, "latitude", repr(facility.latitude))
        _el(coordinates, "longitude", repr(facility.longitude))
        if set(facility.capacity_by_type) == {SpaceType.DISABLED}:
            _el(_el(record, "assignedParkingAmongOthers"), "applicableForUser", "disabled")
        if facility.kind in (FacilityKind.SURFACE_LOT, FacilityKind.ON_STREET_ZONE):
            _el(record, "parkingLayout", "openSpace")
        span = _daily_span(facility.opening_hours)
        if span is not None:
            validity = _el(_el(record, "openingTimes"), "validity")
            _el(validity, "validityStatus", "definedByValidityTimeSpec")
            spec = _el(validity, "validityTimeSpecification")
            _el(
                spec,
                "overallStartTime",
                (static_updated_at or publication_time).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT00:00:00"),
            )
            period = ET.SubElement(
                _el(spec, "validPeriod"), f"{{{D2_NS}}}recurringTimePeriodOfDay", _xsi_type("TimePeriodByHour")
            )
            _el(period, "startTimeOfPeriod", span[0].strftime("%H:%M:%S"))
            _el(period, "endTimeOfPeriod", span[1].strftime("%H:%M:%S"))
        _el(
            record,
            "urbanParkingSiteType",
            "offStreetParking" if facility.kind.off_street else "onStreetParking",
        )
    return _xml_bytes(root)


def datex2_parking_status(
    catalog: ParkingCatalog,
    availability: Mapping[str, Availability],
    *,
    now: datetime,
    stale_after_s: float,
    country: str = "de",
    national_identifier: str = "DE-HERNE",
) -> bytes:
    """DATEX II v2.3 ParkingStatusPublication: one ``ParkingSiteStatus`` per catalog facility.

    Live facilities get ``parkingOccupancy`` (spaces counted now = free + occupied as
    ``parkingNumberOfSpacesOverride``, vacant, occupied, vehicles = occupied, occupancy in percent of
    the counted spaces, trend), ``parkingSiteStatus`` full/spacesAvailable and, when the facility has
    more than one space type, a ``parkingSiteStatusExtension`` category per type with observed spaces.

    A facility that is not live (see the module docstring) keeps its record, so a consumer sees "no
    data" rather than a facility that silently vanished: ``parkingSiteStatus`` ``unknown``, the last
    observation time if there is one, no ``parkingOccupancy`` at all (Aachen's habit of zeros would
    read as "0 free"). ``parkingSiteOpeningStatus`` comes from the opening hours at ``now``
    (``statusUnknown`` when they are not understood).
    """
    root, body = _d2_publication(
        "ParkingStatusPublication", publication_time=now, country=country, national_identifier=national_identifier
    )
    for facility in catalog.facilities.values():
        current = availability.get(facility.facility_id)
        live = live_availability(current, now=now, stale_after_s=stale_after_s)
        status = ET.SubElement(body, f"{{{D2_NS}}}parkingRecordStatus", _xsi_type("ParkingSiteStatus"))
        _el(
            status,
            "parkingRecordReference",
            id=facility.facility_id,
            targetClass="ParkingRecord",
            version=str(record_version(facility)),
        )
        observed_at = current.observed_at if current is not None else None
        if observed_at is not None:
            _el(status, "parkingStatusOriginTime", _utc_ms(observed_at))
        if live is not None:
            known = _known(live)
            occupancy = _el(status, "parkingOccupancy")
            _el(occupancy, "parkingNumberOfSpacesOverride", str(known))
            _el(occupancy, "parkingNumberOfVacantSpaces", str(live.free))
            _el(occupancy, "parkingNumberOfOccupiedSpaces", str(live.occupied))
            _el(occupancy, "parkingNumberOfVehicles", str(live.occupied))
            _el(occupancy, "parkingOccupancy", str(round(100 * _occupancy_rate(live.occupied, known), 2)))
            _el(occupancy, "parkingOccupancyTrend", DATEX_TREND[live.trend])
            _el(status, "parkingSiteStatus", "full" if live.free == 0 else "spacesAvailable")
        else:
            _el(status, "parkingSiteStatus", "unknown")
        opened = is_open(facility.opening_hours, now)
        _el(status, "parkingSiteOpeningStatus", "statusUnknown" if opened is None else ("open" if opened else "closed"))
        if live is not None and len(live.by_type) > 1:
            extension = _el(status, "parkingSiteStatusExtension")
            for item in live.by_type:
                if item.free + item.occupied == 0:
                    continue
                category = ET.SubElement(extension, "category", _xsi_type("_ExtensionType"))
                _plain(category, "name", DATEX_CATEGORY[item.space_type])
                per_type = _plain(category, "parkingOccupancy")
                _el(per_type, "parkingNumberOfSpacesOverride", str(item.free + item.occupied))
                _el(per_type, "parkingNumberOfVacantSpaces", str(item.free))
                _el(per_type, "parkingNumberOfOccupiedSpaces", str(item.occupied))
                _el(per_type, "parkingNumberOfVehicles", str(item.occupied))
    return _xml_bytes(root)


# --- FIWARE NGSI-LD --------------------------------------------------------------------------------

_ADDRESS = re.compile(r"^(?P<street>.+?),\s*(?P<postal>\d{5})\s+(?P<city>.+)$")


def ngsi_entity_id(entity_type: str, local_id: str) -> str:
    return f"{URN_PREFIX}:{entity_type}:{URN_NAMESPACE}:{local_id}"


def _facility_entity_type(facility: Facility) -> str:
    return "OffStreetParking" if facility.kind.off_street else "OnStreetParking"


def _ngsi_address(text: str) -> dict[str, str]:
    match = _ADDRESS.match(text.strip())
    if match is None:
        return {"streetAddress": text, "addressCountry": "DE"}
    return {
        "streetAddress": match["street"],
        "postalCode": match["postal"],
        "addressLocality": match["city"],
        "addressCountry": "DE",
    }


def _point(latitude: float, longitude: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [longitude, latitude]}


def ngsi_ld_entities(
    catalog: ParkingCatalog,
    availability: Mapping[str, Availability],
    *,
    now: datetime,
    stale_after_s: float,
    space_states: Mapping[str, str] | None = None,
    data_provider: str = "Stadt Herne",
) -> list[dict[str, Any]]:
    """NGSI-LD entities in key-values form (each with ``@context``), facilities first, then spots.

    Garages, P+R sites and surface lots are ``OffStreetParking``, zones ``OnStreetParking``: name,
    description (operator, tariff, demo notice), address, position, area, categories (public,
    garage/lot, forDisabled, forElectricalCharging), P+R usage scenario, detection type, capacity and,
    when live, free/occupied spots, occupancy (0..1 of the observed spaces) and the observation time.
    ``status`` lists the opening status at ``now`` and, when live, ``spacesAvailable``/``full``.

    ``ParkingSpot`` entities (one per sensor space) are emitted only when ``space_states`` is given
    (keyed by space id, values free/occupied/unknown, see ``space_states_of``): a spot of a facility
    that is not live, or without a known state, is ``unknown``. Zones then also list their spots in
    ``refParkingSpot`` (OffStreetParking's schema allows only one reference there, so garages don't).
    """
    entities: list[dict[str, Any]] = []
    spots: list[dict[str, Any]] = []
    for facility in catalog.facilities.values():
        live = live_availability(availability.get(facility.facility_id), now=now, stale_after_s=stale_after_s)
        entity = _ngsi_facility(facility, catalog.notice, data_provider)
        opened = is_open(facility.opening_hours, now)
        status = ["openingTimesInForce" if opened is None else ("open" if opened else "closed")]
        if live is not None:
            entity["availableSpotNumber"] = live.free
            entity["occupiedSpotNumber"] = live.occupied
            entity["observationDateTime"] = _utc_s(live.observed_at)  # type: ignore[arg-type]
            if facility.kind.off_street:
                entity["occupancy"] = round(_occupancy_rate(live.occupied, _known(live)), 4)
                status.append("full" if live.free == 0 else "spacesAvailable")
        if facility.kind.off_street:
            entity["status"] = status
        if space_states is not None:
            # A facility that is not live has no trustworthy per-space state either.
            facility_spots = _ngsi_spots(
                facility, entity["id"], space_states if live is not None else {}, data_provider
            )
            spots.extend(facility_spots)
            if not facility.kind.off_street and facility_spots:
                entity["refParkingSpot"] = [spot["id"] for spot in facility_spots]
        entity["@context"] = list(NGSI_LD_CONTEXT)
        entities.append(entity)
    return entities + spots


def _ngsi_facility(facility: Facility, notice: str, data_provider: str) -> dict[str, Any]:
    """The static attributes of a facility's OffStreetParking/OnStreetParking entity."""
    entity_type = _facility_entity_type(facility)
    capacity_types = facility.capacity_by_type
    category = ["public"]
    if facility.kind.off_street:
        category.append("parkingGarage" if facility.kind is FacilityKind.GARAGE else "parkingLot")
    if SpaceType.DISABLED in capacity_types:
        category.append("forDisabled")
    if SpaceType.EV_CHARGING in capacity_types:
        category.append("forElectricalCharging")
    detection = (["balancing"] if facility.has_counters else []) + (["singleSpaceDetection"] if facility.spaces else [])
    entity: dict[str, Any] = {
        "id": ngsi_entity_id(entity_type, facility.facility_id),
        "type": entity_type,
        "name": facility.name,
        # OnStreetParking has no openingHours attribute, so its hours go into the description.
        "description": _description(facility, notice, with_hours=not facility.kind.off_street),
        "dataProvider": data_provider,
        "address": _ngsi_address(facility.address),
        "location": _point(facility.latitude, facility.longitude),
        "areaServed": facility.area,
        "category": category,
        "allowedVehicleType": ["car"],
        "occupancyDetectionType": detection,
        "totalSpotNumber": facility.capacity,
    }
    if facility.kind.off_street:
        entity["openingHours"] = facility.opening_hours
        if facility.kind is FacilityKind.PARK_AND_RIDE:
            entity["usageScenario"] = ["parkAndRide"]
    return entity


def _ngsi_spots(
    facility: Facility, site_id: str, space_states: Mapping[str, str], data_provider: str
) -> list[dict[str, Any]]:
    spots = []
    for space in facility.spaces:
        state = space_states.get(space.space_id, "unknown")
        spots.append(
            {
                "id": ngsi_entity_id("ParkingSpot", space.space_id),
                "type": "ParkingSpot",
                "name": space.space_id,
                "location": _point(space.latitude, space.longitude),
                "status": state if state in SPOT_STATES else "unknown",
                "category": ["offStreet" if facility.kind.off_street else "onStreet"],
                "refParkingSite": site_id,
                "dataProvider": data_provider,
                "@context": list(NGSI_LD_CONTEXT),
            }
        )
    return spots


# --- ParkAPI v3 --------------------------------------------------------------------------------------

# Field names this export may use: those of the ParkAPI v3 push examples, plus the documented v3
# per-audience capacity fields and descriptive fields (parkapi StaticParkingSiteInput /
# RealtimeParkingSiteInput; park-api-v3 webapp/shared/parking_site/parking_sites_schema.py).
PARKAPI_FIELDS = frozenset(
    {
        "uid",
        "name",
        "type",
        "purpose",
        "lat",
        "lon",
        "address",
        "operator_name",
        "description",
        "fee_description",
        "opening_hours",
        "park_and_ride_type",
        "has_realtime_data",
        "static_data_updated_at",
        "realtime_data_updated_at",
        "realtime_opening_status",
        "capacity",
        "realtime_capacity",
        "realtime_free_capacity",
        *(f"capacity_{suffix}" for suffix in PARKAPI_SUFFIX.values()),
        *(f"realtime_capacity_{suffix}" for suffix in PARKAPI_SUFFIX.values()),
        *(f"realtime_free_capacity_{suffix}" for suffix in PARKAPI_SUFFIX.values()),
    }
)


def parkapi_v3_parking_sites(
    catalog: ParkingCatalog,
    availability: Mapping[str, Availability],
    *,
    now: datetime,
    stale_after_s: float,
    static_updated_at: datetime | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """ParkAPI v3 parking-site list ``{"items": [...]}``, one item per facility.

    Static: uid, name, type (CAR_PARK / OFF_STREET_PARKING_GROUND / ON_STREET), purpose CAR, lat/lon
    as decimal strings, address, operator_name, description (demo notice), fee_description (tariff
    note), opening_hours (OSM syntax, as in the catalog), park_and_ride_type for P+R, capacity and
    capacity_disabled/_charging/_family for the types present. Short-stay spaces are in ``capacity``
    only: v3 has no short-stay field. ``static_data_updated_at`` defaults to ``now``.

    Live facilities add ``has_realtime_data: true``, ``realtime_data_updated_at`` (the observation
    time), ``realtime_opening_status``, ``realtime_capacity`` (observed spaces), ``realtime_free_capacity``
    and the per-type realtime fields for types with observed spaces. Facilities that are not live say
    ``has_realtime_data: false`` and carry no ``realtime_*`` field.
    """
    items = []
    for facility in catalog.facilities.values():
        item: dict[str, Any] = {
            "uid": facility.facility_id,
            "name": facility.name,
            "type": PARKAPI_TYPE[facility.kind],
            "purpose": "CAR",
            "lat": f"{facility.latitude:.7f}",
            "lon": f"{facility.longitude:.7f}",
            "address": facility.address,
            "operator_name": facility.operator,
            "opening_hours": facility.opening_hours,
            "capacity": facility.capacity,
            "static_data_updated_at": _utc_s(static_updated_at or now),
        }
        if facility.demo and catalog.notice:
            item["description"] = catalog.notice
        if facility.tariff_note:
            item["fee_description"] = facility.tariff_note
        if facility.kind is FacilityKind.PARK_AND_RIDE:
            item["park_and_ride_type"] = ["YES"]
        for space_type, capacity in facility.capacity_by_type.items():
            if space_type in PARKAPI_SUFFIX:
                item[f"capacity_{PARKAPI_SUFFIX[space_type]}"] = capacity
        live = live_availability(availability.get(facility.facility_id), now=now, stale_after_s=stale_after_s)
        item["has_realtime_data"] = live is not None
        if live is not None:
            opened = is_open(facility.opening_hours, now)
            item["realtime_data_updated_at"] = _utc_s(live.observed_at)  # type: ignore[arg-type]
            item["realtime_opening_status"] = "UNKNOWN" if opened is None else ("OPEN" if opened else "CLOSED")
            item["realtime_capacity"] = _known(live)
            item["realtime_free_capacity"] = live.free
            for per_type in live.by_type:
                suffix = PARKAPI_SUFFIX.get(per_type.space_type)
                if suffix is None or per_type.free + per_type.occupied == 0:
                    continue
                item[f"realtime_capacity_{suffix}"] = per_type.free + per_type.occupied
                item[f"realtime_free_capacity_{suffix}"] = per_type.free
        items.append(item)
    return {"items": items}
