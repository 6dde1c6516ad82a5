"""Settings of the mobility service (environment variables, see `herne-mobility config --service mobility`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import Field, model_validator

from herne_runtime.settings import RuntimeSettings

# Where the demo simulator writes GBFS files and the service polls them (the same default in both
# processes, so `herne-mobility up` needs no extra wiring).
DEFAULT_DEMO_GBFS_DIRECTORY = Path(tempfile.gettempdir()) / "herne-mobility-demo-gbfs"
# The official GBFS schemas beside the checkout (../shared); absent in an image: structural checks only.
DEFAULT_SCHEMA_DIRECTORY = Path(__file__).resolve().parents[3].parent / "shared" / "standards" / "gbfs"


class MobilitySettings(RuntimeSettings):
    """Runtime settings plus what only the mobility service needs."""

    grpc_port: int = Field(50052, ge=0, le=65535, description="gRPC port (0 picks a free one).")
    metrics_port: int = Field(9102, ge=0, le=65535, description="Prometheus /metrics HTTP port (0 disables).")
    http_port: int = Field(
        8082, ge=0, le=65535, description="HTTP port of the aggregated GBFS v3.0 feed (0 picks a free one)."
    )
    mobility_gbfs_contact_email: str = Field(
        "opendata@herne.de",
        min_length=3,
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="feed_contact_email of the aggregated GBFS feed (the city's open-data contact).",
    )
    mobility_gbfs_license_id: str = Field(
        "DL-DE-BY-2.0",
        min_length=1,
        description="SPDX id of the aggregated GBFS feed's licence (Datenlizenz Deutschland by default).",
    )
    mobility_hubs_file: Path | None = Field(
        None, description="Hubs and their stations (JSON, as the demo file); empty: the Herne demo hubs."
    )
    mobility_feeds_file: Path | None = Field(
        None,
        description="GBFS systems to read (JSON list of system_id, url or directory, enabled); empty: "
        "the built-in list of Herne's systems (nextbike_mr, dott-herne, zeus_herne), all switched off.",
    )
    mobility_enabled_feeds: str = Field(
        "", description="Comma-separated system ids of the feeds file to switch on (e.g. 'nextbike_mr,dott-herne')."
    )
    mobility_demo_gbfs_directory: Path | None = Field(
        DEFAULT_DEMO_GBFS_DIRECTORY,
        description="Directory polled for demo GBFS systems, one subdirectory per system, written by the "
        "simulator; empty: no demo feeds.",
    )
    mobility_gbfs_schema_directory: Path | None = Field(
        DEFAULT_SCHEMA_DIRECTORY if DEFAULT_SCHEMA_DIRECTORY.is_dir() else None,
        description="Directory with the official GBFS JSON schemas (v2.3/, v3.0/); empty: structural checks only.",
    )
    mobility_poll_min_seconds: float = Field(
        10.0, gt=0, description="Shortest interval between two polls of a feed, whatever its ttl says."
    )
    mobility_poll_max_seconds: float = Field(
        300.0, gt=0, description="Longest interval between two polls of a feed (feeds with a long ttl)."
    )
    mobility_directory_poll_seconds: float = Field(
        2.0, gt=0, description="How often file-based feeds (demo, recordings) are checked for new files."
    )
    mobility_http_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="Timeout of one GBFS HTTP request (discovery or feed)."
    )
    mobility_backoff_first_seconds: float = Field(
        5.0, gt=0, description="Wait after the first failed poll; doubles with every further failure."
    )
    mobility_backoff_max_seconds: float = Field(300.0, gt=0, description="Longest wait between failed polls of a feed.")
    mobility_report_valid_seconds: float = Field(
        1800.0, gt=0, description="Operator reports (ReportStationStatus) count as live for this long."
    )
    mobility_parking_valid_seconds: float = Field(
        900.0, gt=0, description="P+R figures from parking.occupancy-changed.v1 count as live for this long."
    )
    mobility_sync_seconds: float = Field(
        2.0,
        gt=0,
        le=60,
        description="How often a replica takes over reports, P+R figures and feed reads other replicas stored.",
    )
    mobility_stale_check_seconds: float = Field(
        15.0, gt=0, description="How often stations are checked for data turning stale (published as a change)."
    )

    @model_validator(mode="after")
    def _check_bounds(self) -> MobilitySettings:
        if self.mobility_poll_min_seconds > self.mobility_poll_max_seconds:
            raise ValueError("HERNE_MOBILITY_POLL_MIN_SECONDS must not exceed HERNE_MOBILITY_POLL_MAX_SECONDS")
        return self

    def enabled_feeds(self) -> list[str]:
        return [part.strip() for part in self.mobility_enabled_feeds.split(",") if part.strip()]
