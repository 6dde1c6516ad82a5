"""Prometheus metrics of the parking service (the contract: herne_deploy.observability SERVICE_METRICS["parking"])."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from herne_parking.domain import Availability, Facility

CAPACITY = Gauge("herne_parking_facility_capacity_spaces", "Spaces of the facility.", ["facility"])
OCCUPIED = Gauge("herne_parking_facility_occupied_spaces", "Spaces known to be occupied.", ["facility"])
FREE = Gauge("herne_parking_facility_free_spaces", "Spaces known to be free (never includes unknown).", ["facility"])
OCCUPANCY = Gauge(
    "herne_parking_facility_occupancy_ratio", "Occupied share of the spaces with a known state.", ["facility"]
)
STALE_SENSORS = Gauge(
    "herne_parking_facility_stale_sensors", "Sensors silent longer than the stale limit or never heard.", ["facility"]
)
STALE_SENSOR_RATIO = Gauge(
    "herne_parking_facility_stale_sensor_ratio", "Stale or silent share of the facility's sensors.", ["facility"]
)
# outcome: applied, ignored_older, rejected
READINGS = Counter("herne_parking_sensor_readings", "Sensor readings by outcome.", ["outcome"])
# outcome: applied, duplicate, ignored_older, rejected
COUNTER_EVENTS = Counter("herne_parking_counter_events", "Entry/exit counter events by outcome.", ["outcome"])
COUNTER_CLAMPED = Counter(
    "herne_parking_counter_clamped", "Counter events whose count had to be clamped to 0..capacity.", ["facility"]
)


def observe(facility: Facility, item: Availability) -> None:
    label = facility.facility_id
    CAPACITY.labels(label).set(item.capacity)
    OCCUPIED.labels(label).set(item.occupied)
    FREE.labels(label).set(item.free)
    known = item.free + item.occupied
    OCCUPANCY.labels(label).set(item.occupied / known if known else 0.0)
    STALE_SENSORS.labels(label).set(item.stale_sensors)
    STALE_SENSOR_RATIO.labels(label).set(item.stale_sensors / len(facility.spaces) if facility.spaces else 0.0)
