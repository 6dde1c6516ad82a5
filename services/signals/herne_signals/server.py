"""Wiring of the signals service: servicers, consumers and background tasks."""

from __future__ import annotations

import json

from herne.signals.v1 import signals_service_pb2, signals_service_pb2_grpc
from herne_optim.network import RoadNetwork, segment_id
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_signals.model import Network, load_network
from herne_signals.service import SignalsApp
from herne_signals.servicer import SignalsServicer
from herne_signals.settings import DEMO_SIGNALS, SignalsSettings
from herne_signals.store import SignalsStore


def network_from_settings(settings: SignalsSettings) -> Network:
    path = settings.signals_data_file or DEMO_SIGNALS
    return load_network(json.loads(path.read_text(encoding="utf-8")))


async def setup(context: ServiceContext[SignalsSettings]) -> None:
    roads = RoadNetwork.demo()
    segments = frozenset(segment_id(u, v) for u, v in roads.graph.edges)
    app = SignalsApp(network_from_settings(context.settings), SignalsStore(context.redis), context.publisher, segments)
    context.add_service(
        signals_service_pb2.DESCRIPTOR.services_by_name["SignalsService"],
        signals_service_pb2_grpc.add_SignalsServiceServicer_to_server,
        SignalsServicer(app),
    )


SERVICE = ServiceSpec(name="signals", settings=SignalsSettings, setup=setup)
