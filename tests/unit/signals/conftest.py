from __future__ import annotations

import json
from pathlib import Path

import pytest

from herne_signals.model import Network, load_network

DEMO = Path(__file__).resolve().parents[3] / "services/signals/herne_signals/data/herne_demo_signals.json"


def demo_data() -> dict:
    return json.loads(DEMO.read_text())


@pytest.fixture(scope="session")
def network() -> Network:
    return load_network(demo_data())
