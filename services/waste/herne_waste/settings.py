"""Settings of the waste service (environment variables, see `herne-mobility config --service waste`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from herne_runtime.settings import RuntimeSettings


class WasteSettings(RuntimeSettings):
    """Runtime settings plus what only the waste service needs."""

    grpc_port: int = Field(50054, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(9104, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables).")
    waste_network_file: Path | None = Field(
        None, description="Road network JSON (format of the built-in demo network); empty: the Herne demo network."
    )
    waste_osm_file: Path | None = Field(
        None,
        description="OpenStreetMap .osm extract to plan on instead (depot and disposal sites from the network file).",
    )
    waste_fleet_file: Path | None = Field(
        None, description="Fleet JSON (trucks, shifts, crews, slot windows, calendar); empty: the demo fleet."
    )
    waste_items_file: Path | None = Field(
        None, description="Item catalogue JSON (volumes, handling times, skills); empty: the demo catalogue."
    )
    waste_plan_time_limit_seconds: float = Field(
        10.0, gt=0, le=120, description="Default solver time limit of PlanTours."
    )
    waste_replan_time_limit_seconds: float = Field(
        2.0, gt=0, le=60, description="Solver time limit when re-planning after a stop result."
    )
    waste_default_horizon_days: int = Field(14, ge=1, le=28, description="OfferSlots horizon when none is given.")
    waste_day_penalty_km: float = Field(
        0.5, ge=0, le=100, description="Slot ranking: each day later counts like this many km of added driving."
    )
    waste_dispatch_lead_minutes: float = Field(
        30.0, ge=0, le=600, description="On the day itself, stops starting within this stay on their vehicle."
    )
