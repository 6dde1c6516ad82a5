"""Settings of the signals service (environment variables, see `herne-mobility config --service signals`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from herne_runtime.settings import RuntimeSettings

DEMO_SIGNALS = Path(__file__).resolve().parent / "data" / "herne_demo_signals.json"


class SignalsSettings(RuntimeSettings):
    """Runtime settings plus what only the signals service needs."""

    grpc_port: int = Field(50053, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(9103, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables).")
    signals_data_file: Path | None = Field(
        None, description="Intersections and corridors (JSON, as the demo file); empty: the Herne demo data."
    )
