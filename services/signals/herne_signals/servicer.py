"""gRPC servicer of herne.signals.v1.SignalsService: converts proto to domain calls and back."""

from __future__ import annotations

from herne.signals.v1 import signals_service_pb2_grpc


class SignalsServicer(signals_service_pb2_grpc.SignalsServiceServicer):
    """Implements herne.signals.v1.SignalsService."""
