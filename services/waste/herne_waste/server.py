"""Wiring of the waste service: servicers, consumers and background tasks."""

from __future__ import annotations

from herne.waste.v1 import waste_service_pb2, waste_service_pb2_grpc
from herne_runtime.server import ServiceContext, ServiceSpec
from herne_waste.servicer import WasteServicer
from herne_waste.settings import WasteSettings


async def setup(context: ServiceContext[WasteSettings]) -> None:
    context.add_service(
        waste_service_pb2.DESCRIPTOR.services_by_name["WasteService"],
        waste_service_pb2_grpc.add_WasteServiceServicer_to_server,
        WasteServicer(),
    )


SERVICE = ServiceSpec(name="waste", settings=WasteSettings, setup=setup)
