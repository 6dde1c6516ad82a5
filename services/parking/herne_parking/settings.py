"""Settings of the parking service (environment variables, see `herne-mobility config --service parking`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from herne_runtime.settings import RuntimeSettings

DEMO_PARKING = Path(__file__).resolve().parent / "data" / "herne_demo_parking.json"


class ParkingSettings(RuntimeSettings):
    """Runtime settings plus what only the parking service needs."""

    grpc_port: int = Field(50051, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(9101, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables).")
    http_port: int = Field(
        8081, ge=0, le=65535, description="HTTP port of the open-data feeds under /opendata (0 picks a free one)."
    )
    parking_data_file: Path | None = Field(
        None, description="Facilities and sensor spaces (JSON, as the demo file); empty: the Herne demo data."
    )
    parking_sensor_stale_seconds: float = Field(
        1800.0, gt=0, description="A sensor silent for this long is UNKNOWN: excluded from free counts, reported stale."
    )
    parking_counter_silent_seconds: float = Field(
        7200.0, gt=0, description="Counted spaces are UNKNOWN when a facility's counters are silent for this long."
    )
    parking_refresh_seconds: float = Field(
        1.0, gt=0, le=60, description="How often availability is recomputed for streams, events and metrics."
    )
    parking_history_sample_seconds: int = Field(
        300, ge=1, le=3600, description="Occupancy history resolution: one sample per facility per this interval."
    )
    parking_history_retention_days: int = Field(
        35, ge=1, le=400, description="History kept per facility (the forecast's time-of-week profile needs weeks)."
    )
    parking_trend_window_seconds: float = Field(
        900.0, gt=0, description="Window over which the trend (filling/emptying/stable) is judged."
    )
    parking_max_batch: int = Field(5000, ge=1, le=100_000, description="Most readings or counter events per RPC.")
    parking_max_clock_skew_seconds: float = Field(
        300.0, ge=0, description="Readings observed further in the future than this are rejected."
    )
    parking_opendata_stale_after_seconds: float = Field(
        7200.0,
        gt=0,
        description="Open data publishes no live numbers for a facility whose newest observation is older than "
        "this (keep it at least the counter-silent limit, or quiet counted garages look offline at night).",
    )
