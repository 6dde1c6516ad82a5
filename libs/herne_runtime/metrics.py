"""Prometheus metrics of the service runtime (RPCs, dependencies, build info).

Names follow go-grpc-prometheus (``grpc_server_handled_total`` ...) so the
usual Grafana panels and alert rules work unchanged.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics, start_http_server

# The *_created series double every counter on the scrape and no dashboard uses them.
disable_created_metrics()

LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

RPC_STARTED = Counter(
    "grpc_server_started_total",
    "RPCs started on the server.",
    ["grpc_type", "grpc_service", "grpc_method"],
)
RPC_HANDLED = Counter(
    "grpc_server_handled_total",
    "RPCs completed on the server, by status code.",
    ["grpc_type", "grpc_service", "grpc_method", "grpc_code"],
)
RPC_SECONDS = Histogram(
    "grpc_server_handling_seconds",
    "Time from receiving an RPC to sending its status.",
    ["grpc_type", "grpc_service", "grpc_method"],
    buckets=LATENCY_BUCKETS,
)
DEPENDENCY_UP = Gauge("herne_dependency_up", "1 when the dependency answered the last check.", ["dependency"])
BUILD_INFO = Gauge("herne_build_info", "Constant 1, labelled with service and version.", ["service", "version"])
SERVING = Gauge("herne_serving", "1 when the health service reports SERVING.")


def start_metrics_server(host: str, port: int) -> int:
    """Serve /metrics over HTTP; returns the bound port (0 = disabled)."""
    if port == 0:
        return 0
    server, _thread = start_http_server(port, addr=host)
    return int(server.server_address[1])
