"""Settings of the waste service (environment variables, see `herne-mobility config --service waste`)."""

from __future__ import annotations

from pydantic import Field

from herne_runtime.settings import RuntimeSettings


class WasteSettings(RuntimeSettings):
    """Runtime settings plus what only the waste service needs."""

    grpc_port: int = Field(50054, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(9104, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables).")
