"""gRPC servicer of herne.parking.v1.ParkingService: converts proto to domain calls and back."""

from __future__ import annotations

from herne.parking.v1 import parking_service_pb2_grpc


class ParkingServicer(parking_service_pb2_grpc.ParkingServiceServicer):
    """Implements herne.parking.v1.ParkingService."""
