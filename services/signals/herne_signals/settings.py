"""Settings of the signals service (environment variables, see `herne-mobility config --service signals`)."""

from __future__ import annotations

from pydantic import Field

from herne_runtime.settings import RuntimeSettings


class SignalsSettings(RuntimeSettings):
    """Runtime settings plus what only the signals service needs."""

    grpc_port: int = Field(50053, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(9103, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables).")
