"""gRPC servicer of herne.mobility.v1.MobilityService: converts proto to domain calls and back."""

from __future__ import annotations

from herne.mobility.v1 import mobility_service_pb2_grpc


class MobilityServicer(mobility_service_pb2_grpc.MobilityServiceServicer):
    """Implements herne.mobility.v1.MobilityService."""
