"""Fixtures of the reliability suite: its own Redis and broker, and the catalog services as processes.

Package-scoped, so the processes start once for the access, fuzzing and
hostile-event tests and are gone before other packages run; the fault tests
start (and kill) their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from herne_stack.catalog import SERVICES
from tests.helpers.stack import Infra, ServiceProcess, start_services

# Small limits so that the limit tests are cheap; large enough for any sane batch.
MAX_REQUEST_BYTES = 256 * 1024
MAX_STREAMS_PER_CLIENT = 3
LIMITS = {
    "HERNE_MAX_REQUEST_BYTES": str(MAX_REQUEST_BYTES),
    "HERNE_MAX_STREAMS_PER_CLIENT": str(MAX_STREAMS_PER_CLIENT),
}


@pytest.fixture(scope="package")
def reliability_infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    """Redis and Tansu for this package only (fault tests restart them)."""
    infra = Infra(tmp_path_factory.mktemp("reliability-infra")).start()
    yield infra
    infra.stop()


@pytest.fixture(scope="package")
def catalog_services(
    reliability_infra: Infra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    """Every catalog service running as `herne-mobility serve <name>`, public reads on."""
    log_dir: Path = tmp_path_factory.mktemp("reliability-logs")
    services = start_services(list(SERVICES), reliability_infra, log_dir, **LIMITS)
    yield {service.name: service for service in services}
    for service in services:
        service.stop()
