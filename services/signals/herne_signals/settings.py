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
    signals_detector_silent_seconds: float = Field(
        600.0, gt=0, description="A detector without a count for this long is faulty (historic flows are used)."
    )
    signals_detector_stuck_intervals: int = Field(
        10, ge=2, description="Identical non-zero counts in a row after which a detector counts as stuck."
    )
    signals_drift_threshold: float = Field(
        0.25, gt=0, le=5, description="Relative change of a group's measured flow that triggers a new proposal."
    )
    signals_drift_check_seconds: float = Field(
        60.0, gt=0, description="How often measured demand is compared with the active plans."
    )
    signals_travel_time_seconds: float = Field(
        60.0, gt=0, description="How often link travel times are estimated from detector counts."
    )
    signals_travel_time_change: float = Field(
        0.1, gt=0, le=5, description="Relative change of a link's travel-time factor that is published."
    )
    signals_travel_time_valid_seconds: float = Field(
        900.0, ge=60, description="Validity of a published estimate; unchanged ones are re-published at half of it."
    )
