"""The topic registry follows the naming and keying rules."""

from __future__ import annotations

import re

from herne_events.topics import REGISTRY, topic_named


def test_names_follow_the_convention() -> None:
    """Tests that every topic is named <domain>.<event>.v<N> and is unique."""
    names = [topic.name for topic in REGISTRY]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z]+\.[a-z-]+\.v\d+", name), name


def test_key_field_exists_on_the_payload() -> None:
    """Tests that each topic's key field is a string field of its payload."""
    for topic in REGISTRY:
        field = topic.message.DESCRIPTOR.fields_by_name.get(topic.key_field)
        assert field is not None, f"{topic.name}: {topic.key_field} missing"
        assert field.type == field.TYPE_STRING


def test_dead_letter_and_config() -> None:
    """Tests the DLQ name and that compaction and retention are expressed as Kafka config."""
    topic = topic_named("parking.occupancy-changed.v1")
    assert topic.dead_letter == "parking.occupancy-changed.v1.dlq"
    assert topic.config() == {"cleanup.policy": "compact"}
    readings = topic_named("parking.sensor-readings.v1")
    assert readings.config()["cleanup.policy"] == "delete"
    assert int(readings.config()["retention.ms"]) == 7 * 24 * 3600 * 1000
