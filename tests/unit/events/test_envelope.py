"""Envelope encoding and the reasons a record cannot be decoded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from herne.events.v1.envelope_pb2 import Envelope
from herne.parking.v1.events_pb2 import OccupancyChanged, SensorReading
from herne_events.envelope import UndecodableEvent, decode, encode
from herne_events.topics import PARKING_OCCUPANCY_CHANGED, PARKING_SENSOR_READINGS


def _reading() -> SensorReading:
    reading = SensorReading(sensor_id="s-1", occupied=True, battery_percent=80)
    reading.observed_time.FromDatetime(datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
    return reading


def test_round_trip_keeps_payload_and_key() -> None:
    """Tests that encode/decode preserve the payload and key by the topic's key field."""
    encoded = encode(PARKING_SENSOR_READINGS, _reading(), source="/test")
    assert encoded.key == b"s-1"
    event = decode(PARKING_SENSOR_READINGS, encoded.value)
    assert event.payload == _reading()
    assert event.subject == "s-1"
    assert event.type == "herne.parking.v1.SensorReading"
    assert event.schema_version == 1
    assert uuid.UUID(event.id)


def test_wrong_payload_type_is_refused_on_encode() -> None:
    """Tests that a payload of another type cannot be published on a topic."""
    with pytest.raises(TypeError):
        encode(PARKING_SENSOR_READINGS, OccupancyChanged(facility_id="f"), source="/test")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"", "empty"),
        (b"\xff\xff\xff", "not a herne.events.v1.Envelope"),
        (Envelope(id="nope").SerializeToString(), "not a UUID"),
    ],
)
def test_undecodable_values(value: bytes, reason: str) -> None:
    """Tests that garbage is reported with a precise reason."""
    with pytest.raises(UndecodableEvent, match=reason):
        decode(PARKING_SENSOR_READINGS, value)


def test_event_on_the_wrong_topic_is_refused() -> None:
    """Tests that a valid event of another topic's type is not accepted."""
    encoded = encode(PARKING_SENSOR_READINGS, _reading(), source="/test")
    with pytest.raises(UndecodableEvent, match=r"does not belong on parking\.occupancy-changed\.v1"):
        decode(PARKING_OCCUPANCY_CHANGED, encoded.value)


def test_wrong_schema_version_is_refused() -> None:
    """Tests that a v2 envelope on a v1 topic is refused."""
    envelope = Envelope()
    envelope.ParseFromString(encode(PARKING_SENSOR_READINGS, _reading(), source="/t").value)
    envelope.schema_version = 2
    with pytest.raises(UndecodableEvent, match="schema version 2"):
        decode(PARKING_SENSOR_READINGS, envelope.SerializeToString())
