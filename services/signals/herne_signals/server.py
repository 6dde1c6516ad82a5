"""Wiring of the signals service: servicers, consumers and background tasks."""

from __future__ import annotations

from herne.signals.v1 import signals_service_pb2, signals_service_pb2_grpc
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_signals.servicer import SignalsServicer
from herne_signals.settings import SignalsSettings


async def setup(context: ServiceContext[SignalsSettings]) -> None:
    context.add_service(
        signals_service_pb2.DESCRIPTOR.services_by_name["SignalsService"],
        signals_service_pb2_grpc.add_SignalsServiceServicer_to_server,
        SignalsServicer(),
    )


SERVICE = ServiceSpec(name="signals", settings=SignalsSettings, setup=setup)
