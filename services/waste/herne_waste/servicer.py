"""gRPC servicer of herne.waste.v1.WasteService: converts proto to domain calls and back."""

from __future__ import annotations

from herne.waste.v1 import waste_service_pb2_grpc


class WasteServicer(waste_service_pb2_grpc.WasteServiceServicer):
    """Implements herne.waste.v1.WasteService."""
