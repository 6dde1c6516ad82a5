"""Prometheus metrics of the mobility service (the contract: herne_deploy.observability SERVICE_METRICS["mobility"])."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge

if TYPE_CHECKING:
    from herne_mobility.model import HubView

HUB_VEHICLES = Gauge(
    "herne_mobility_hub_vehicles_available", "Live vehicles available at a hub, per mode.", ["hub", "mode"]
)
HUB_DOCKS = Gauge("herne_mobility_hub_docks_available", "Free docks and bike boxes at a hub (live only).", ["hub"])
HUB_CHARGERS = Gauge(
    "herne_mobility_hub_chargers_available", "Free charge points at a hub, per power class.", ["hub", "power_kw"]
)
HUB_PARK_AND_RIDE = Gauge("herne_mobility_hub_park_and_ride_free", "Free P+R spaces at a hub (live only).", ["hub"])
# outcome: ok (a good read replaced the state) or error (the last good state stays)
FEED_READS = Counter("herne_mobility_feed_reads", "GBFS feed reads by outcome.", ["system", "outcome"])


def observe_hub(view: HubView) -> None:
    hub = view.hub.hub_id
    for mode, count in view.modes.items():
        HUB_VEHICLES.labels(hub, mode).set(count)
    HUB_DOCKS.labels(hub).set(view.docks_available)
    for power, (free, _total) in view.chargers.items():
        HUB_CHARGERS.labels(hub, f"{power:g}").set(free)
    HUB_PARK_AND_RIDE.labels(hub).set(view.park_and_ride_free)
