"""The topic registry: every Kafka topic of herne-mobility, in one place.

Names follow ``<domain>.<event>.v<major>``; each topic carries exactly one
payload type, is keyed by one payload field (the envelope subject), and has a
dead-letter topic ``<name>.dlq``. The Kubernetes KafkaTopic resources are
checked against this registry by a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from google.protobuf.message import Message

from herne.mobility.v1 import events_pb2 as mobility_events
from herne.parking.v1 import events_pb2 as parking_events
from herne.signals.v1 import events_pb2 as signals_events
from herne.waste.v1 import events_pb2 as waste_events

M = TypeVar("M", bound=Message)

DEAD_LETTER_SUFFIX = ".dlq"
DEAD_LETTER_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class Topic(Generic[M]):
    """One Kafka topic and the contract of its records."""

    name: str
    message: type[M]
    key_field: str
    partitions: int
    compacted: bool
    retention: timedelta | None
    description: str

    @property
    def dead_letter(self) -> str:
        """Name of the dead-letter topic for records this topic's consumers reject."""
        return f"{self.name}{DEAD_LETTER_SUFFIX}"

    @property
    def event_type(self) -> str:
        """Envelope ``type``: the full protobuf name of the payload."""
        return str(self.message.DESCRIPTOR.full_name)

    @property
    def schema_version(self) -> int:
        """Major version from the ``.v<N>`` suffix of the name."""
        return int(self.name.rsplit(".v", 1)[1])

    def key_of(self, payload: M) -> str:
        """The subject (and Kafka key) of a payload."""
        return str(getattr(payload, self.key_field))

    def config(self) -> dict[str, str]:
        """Kafka topic configuration expressing the retention/compaction intent."""
        config = {"cleanup.policy": "compact" if self.compacted else "delete"}
        if self.retention is not None:
            config["retention.ms"] = str(int(self.retention.total_seconds() * 1000))
        return config


PARKING_SENSOR_READINGS = Topic(
    "parking.sensor-readings.v1",
    parking_events.SensorReading,
    key_field="sensor_id",
    partitions=2,
    compacted=False,
    retention=timedelta(days=7),
    description="Per-space sensor uplinks from the LoRaWAN network-server adapter.",
)
PARKING_COUNTER_EVENTS = Topic(
    "parking.counter-events.v1",
    parking_events.CounterEvent,
    key_field="facility_id",
    partitions=2,
    compacted=False,
    retention=timedelta(days=7),
    description="Entry/exit passages and recalibrations of counted facilities.",
)
PARKING_OCCUPANCY_CHANGED = Topic(
    "parking.occupancy-changed.v1",
    parking_events.OccupancyChanged,
    key_field="facility_id",
    partitions=2,
    compacted=True,
    retention=None,
    description="Facility availability after each change (latest state per facility).",
)
MOBILITY_STATION_STATUS_CHANGED = Topic(
    "mobility.station-status-changed.v1",
    mobility_events.StationStatusChanged,
    key_field="station_id",
    partitions=2,
    compacted=True,
    retention=None,
    description="Station availability after each change (latest state per station).",
)
TRAFFIC_DETECTOR_COUNTS = Topic(
    "traffic.detector-counts.v1",
    signals_events.DetectorCount,
    key_field="detector_id",
    partitions=2,
    compacted=False,
    retention=timedelta(days=14),
    description="Interval counts of traffic detectors.",
)
TRAFFIC_SIGNAL_PLANS = Topic(
    "traffic.signal-plans.v1",
    signals_events.SignalPlanActivated,
    key_field="intersection_id",
    partitions=1,
    compacted=True,
    retention=None,
    description="Approved signal plans that became active (latest per intersection).",
)
TRAFFIC_ROAD_CONDITIONS = Topic(
    "traffic.road-conditions.v1",
    signals_events.RoadConditionChanged,
    key_field="segment_id",
    partitions=1,
    compacted=True,
    retention=None,
    description="Closures and estimated travel-time factors of road segments (latest per segment).",
)
WASTE_PICKUP_BOOKED = Topic(
    "waste.pickup-booked.v1",
    waste_events.PickupBooked,
    key_field="pickup_id",
    partitions=2,
    compacted=False,
    retention=timedelta(days=90),
    description="Bulky-waste pickups booked (no personal data).",
)
WASTE_PICKUP_CANCELLED = Topic(
    "waste.pickup-cancelled.v1",
    waste_events.PickupCancelled,
    key_field="pickup_id",
    partitions=2,
    compacted=False,
    retention=timedelta(days=90),
    description="Bulky-waste pickups cancelled.",
)
WASTE_TOURS_PLANNED = Topic(
    "waste.tours-planned.v1",
    waste_events.ToursPlanned,
    key_field="date",
    partitions=1,
    compacted=True,
    retention=None,
    description="Tour plans per day (latest plan per day).",
)

REGISTRY: tuple[Topic[Message], ...] = (
    PARKING_SENSOR_READINGS,
    PARKING_COUNTER_EVENTS,
    PARKING_OCCUPANCY_CHANGED,
    MOBILITY_STATION_STATUS_CHANGED,
    TRAFFIC_DETECTOR_COUNTS,
    TRAFFIC_SIGNAL_PLANS,
    TRAFFIC_ROAD_CONDITIONS,
    WASTE_PICKUP_BOOKED,
    WASTE_PICKUP_CANCELLED,
    WASTE_TOURS_PLANNED,
)

_BY_NAME = {topic.name: topic for topic in REGISTRY}


def topic_named(name: str) -> Topic[Message]:
    """The registered topic called ``name``; KeyError names the known ones."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown topic {name!r}; registered: {sorted(_BY_NAME)}") from None
