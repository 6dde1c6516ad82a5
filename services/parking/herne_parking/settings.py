"""Settings of the parking service (environment variables, see `herne-mobility config --service parking`)."""

from __future__ import annotations

from pydantic import Field

from herne_runtime.settings import RuntimeSettings


class ParkingSettings(RuntimeSettings):
    """Runtime settings plus what only the parking service needs."""

    grpc_port: int = Field(50051, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(9101, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables).")
