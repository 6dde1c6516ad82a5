"""Wiring of the mobility service: servicers, consumers and background tasks."""

from __future__ import annotations

from herne.mobility.v1 import mobility_service_pb2, mobility_service_pb2_grpc
from herne_mobility.servicer import MobilityServicer
from herne_mobility.settings import MobilitySettings
from herne_runtime.server import ServiceContext, ServiceSpec


async def setup(context: ServiceContext[MobilitySettings]) -> None:
    context.add_service(
        mobility_service_pb2.DESCRIPTOR.services_by_name["MobilityService"],
        mobility_service_pb2_grpc.add_MobilityServiceServicer_to_server,
        MobilityServicer(),
    )


SERVICE = ServiceSpec(name="mobility", settings=MobilitySettings, setup=setup)
