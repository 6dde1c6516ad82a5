"""Wiring of the waste service: servicers, consumers and background tasks."""

from __future__ import annotations

from datetime import UTC, datetime

from herne.waste.v1 import waste_service_pb2, waste_service_pb2_grpc
from herne_events.consumer import Subscription, per_event
from herne_events.envelope import Event
from herne_events.topics import TRAFFIC_ROAD_CONDITIONS
from herne_optim.network import RoadNetwork
from herne_optim.osm import load_osm
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_waste.catalog import DEMO_FLEET, DEMO_ITEMS, load_fleet, load_items
from herne_waste.domain import Planner
from herne_waste.planning import register as register_planning
from herne_waste.service import WasteApp
from herne_waste.servicer import WasteServicer
from herne_waste.settings import WasteSettings
from herne_waste.store import WasteStore


def load_network(settings: WasteSettings) -> RoadNetwork:
    """The planning network: the demo network, a network JSON file, or an OSM extract."""
    base = RoadNetwork.from_json(settings.waste_network_file) if settings.waste_network_file else RoadNetwork.demo()
    if settings.waste_osm_file is None:
        return base
    places = [(p.id, p.name, *base.position(p.node)) for p in base.depots.values()]
    sites = [(p.id, p.name, *base.position(p.node)) for p in base.disposal_sites.values()]
    network = load_osm(settings.waste_osm_file, depots=places, disposal_sites=sites)
    for site in network.disposal_sites.values():  # keep the opening hours of the network file
        site.attributes.update(base.disposal_sites[site.id].attributes)  # type: ignore[attr-defined]
    return network


def build_app(settings: WasteSettings, context: ServiceContext[WasteSettings] | None = None) -> WasteApp:
    planner = Planner(
        load_network(settings),
        load_fleet(settings.waste_fleet_file or DEMO_FLEET),
        load_items(settings.waste_items_file or DEMO_ITEMS),
        day_penalty_km=settings.waste_day_penalty_km,
        dispatch_lead_s=settings.waste_dispatch_lead_minutes * 60.0,
    )
    if context is None:
        raise ValueError("build_app needs the service context")
    return WasteApp(
        planner,
        WasteStore(context.redis),
        context.publisher,
        plan_time_limit_s=settings.waste_plan_time_limit_seconds,
        replan_time_limit_s=settings.waste_replan_time_limit_seconds,
        default_horizon_days=settings.waste_default_horizon_days,
    )


async def setup(context: ServiceContext[WasteSettings]) -> None:
    app = build_app(context.settings, context)
    await app.restore_conditions(datetime.now(UTC))
    context.add_service(
        waste_service_pb2.DESCRIPTOR.services_by_name["WasteService"],
        waste_service_pb2_grpc.add_WasteServiceServicer_to_server,
        WasteServicer(app),
    )
    register_planning(context, app.planner.network)  # PlanningService: what-if plans, no bookings touched

    async def road_condition(event: Event[object]) -> None:
        await app.apply_road_condition(event.payload, datetime.now(UTC))  # type: ignore[arg-type]

    context.add_consumer([Subscription(TRAFFIC_ROAD_CONDITIONS, per_event(road_condition))])
    context.add_task("waste-outbox", app.relay_outbox)
    context.add_task("waste-road-conditions-expiry", app.sweep_conditions)


SERVICE = ServiceSpec(name="waste", settings=WasteSettings, setup=setup)
