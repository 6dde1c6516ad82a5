"""Settings of the mobility service (environment variables, see `herne-mobility config --service mobility`)."""

from __future__ import annotations

from pydantic import Field

from herne_runtime.settings import RuntimeSettings


class MobilitySettings(RuntimeSettings):
    """Runtime settings plus what only the mobility service needs."""

    grpc_port: int = Field(50052, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(9102, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables).")
