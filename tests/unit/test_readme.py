"""The README stays true: it documents every setting and every topic."""

from __future__ import annotations

from pathlib import Path

import pytest

from herne_events.topics import REGISTRY
from herne_runtime.settings import env_name
from herne_stack.catalog import SERVICES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.mark.parametrize("entry", SERVICES, ids=lambda entry: entry.name)
def test_every_setting_is_documented(entry) -> None:
    """Tests that each environment variable of each service appears in the README."""
    settings_cls = entry.load_spec().settings
    missing = [env_name(settings_cls, field) for field in settings_cls.model_fields]
    missing = [name for name in missing if f"`{name}`" not in README]
    assert not missing, f"README lacks settings {missing} (see `herne-mobility config --service {entry.name}`)"


def test_every_topic_is_documented() -> None:
    """Tests that each registered topic and its payload type appear in the README's event table."""
    for topic in REGISTRY:
        assert f"`{topic.name}`" in README, topic.name
        assert f"`{topic.event_type}`" in README, topic.event_type


def test_both_commands_are_documented() -> None:
    """Tests that the README names the two commands."""
    assert "make run" in README
    assert "make test" in README
