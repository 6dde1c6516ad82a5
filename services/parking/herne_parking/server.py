"""Wiring of the parking service: servicers, consumers and background tasks."""

from __future__ import annotations

from herne.parking.v1 import parking_service_pb2, parking_service_pb2_grpc
from herne_parking.servicer import ParkingServicer
from herne_parking.settings import ParkingSettings
from herne_runtime.server import ServiceContext, ServiceSpec


async def setup(context: ServiceContext[ParkingSettings]) -> None:
    context.add_service(
        parking_service_pb2.DESCRIPTOR.services_by_name["ParkingService"],
        parking_service_pb2_grpc.add_ParkingServiceServicer_to_server,
        ParkingServicer(),
    )


SERVICE = ServiceSpec(name="parking", settings=ParkingSettings, setup=setup)
