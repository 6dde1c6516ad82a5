"""What the cluster runs: every catalog service with its ports, settings and needs.

The catalog (`herne_stack.catalog`) names the services and their gRPC/metrics ports; the
tables below add only what the catalog does not know (HTTP feeds, external egress, sizing).
Tests check that each table names catalog services only, that ``HTTP_FEEDS`` agrees with the
catalog's ``http_port``, and (end to end) that those services really answer HTTP.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from herne_runtime.settings import RuntimeSettings, env_name
from herne_stack.catalog import SERVICES, ServiceEntry

NAMESPACE = "herne"
PART_OF = "herne-mobility"
IMAGE = "herne-mobility"
CONTAINER = "service"
RUN_AS_USER = 10001  # the `herne` user of the Dockerfile; above 10000 so it matches no host user

# Kubelet gRPC probes speak plaintext only; every pod serves grpc.health.v1 on this port too
# (HERNE_HEALTH_PORT), so the gRPC port itself may use TLS. Pods have their own network
# namespace, so one number for all services is fine.
HEALTH_PORT = 8090
# Without an http_port in the catalog, HTTP feeds listen on 8080 + (gRPC port - 50050): unique, so
# Tilt forwards 1:1 (parking 8081, mobility 8082, as the service branches chose too).
HTTP_PORT_BASE = 8080
GRPC_PORT_BASE = 50050

REDIS_NAME = "herne-redis"
REDIS_PORT = 6379
KAFKA_CLUSTER = "herne-kafka"
KAFKA_BOOTSTRAP_SERVICE = f"{KAFKA_CLUSTER}-kafka-bootstrap"
KAFKA_PLAIN_PORT = 9092
KAFKA_TLS_PORT = 9093
KAFKA_CLUSTER_CA_SECRET = f"{KAFKA_CLUSTER}-cluster-ca-cert"  # created by Strimzi, key ca.crt
AUTH_TOKENS_SECRET = "herne-auth-tokens"  # noqa: S105 - a Secret name; key tokens.json (HERNE_AUTH_TOKENS JSON)
REDIS_SECRET = "herne-redis"  # noqa: S105 - a Secret name; key password

INGRESS_NAMESPACE = "ingress-nginx"
MONITORING_NAMESPACE = "monitoring"

# Services that serve HTTP feeds next to gRPC (HERNE_HTTP_PORT), and what they publish.
HTTP_FEEDS: dict[str, str] = {
    "parking": "open data: DATEX II, NGSI-LD and ParkAPI availability",
    "mobility": "aggregated GBFS v3.0 feed",
}

# Services that must reach hosts outside the cluster (HTTPS), and why.
EXTERNAL_EGRESS: dict[str, str] = {
    "mobility": "polls the providers' GBFS feeds (metropolradruhr/nextbike, dott, zeus) when switched on",
}

# Requests/limits; optimisation services (OR-Tools) get more CPU and memory.
DEFAULT_RESOURCES: dict[str, dict[str, str]] = {
    "requests": {"cpu": "100m", "memory": "256Mi"},
    "limits": {"cpu": "1", "memory": "512Mi"},
}
RESOURCES: dict[str, dict[str, dict[str, str]]] = {
    "signals": {"requests": {"cpu": "250m", "memory": "384Mi"}, "limits": {"cpu": "2", "memory": "1Gi"}},
    "waste": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "2", "memory": "1536Mi"}},
}
MAX_REPLICAS = 4


@dataclass(frozen=True)
class DeployedService:
    """One catalog service as Kubernetes runs it."""

    entry: ServiceEntry
    settings: type[RuntimeSettings]

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def app(self) -> str:
        """Kubernetes name of its Deployment, Service, ... (``herne-<service>``)."""
        return f"herne-{self.entry.name}"

    @property
    def grpc_port(self) -> int:
        return self.entry.grpc_port

    @property
    def metrics_port(self) -> int:
        return self.entry.metrics_port

    @property
    def http_port(self) -> int | None:
        """The HTTP feed port (the catalog's ``http_port`` where it has one), or None without HTTP feeds."""
        declared = getattr(self.entry, "http_port", 0)  # in the catalog once parking/mobility are merged
        if declared:
            return int(declared)
        if self.entry.name not in HTTP_FEEDS:
            return None
        return HTTP_PORT_BASE + self.entry.grpc_port - GRPC_PORT_BASE

    @property
    def resources(self) -> dict[str, dict[str, str]]:
        return RESOURCES.get(self.entry.name, DEFAULT_RESOURCES)

    def labels(self) -> dict[str, str]:
        """Recommended labels; ``component`` is the domain (Tilt groups by it)."""
        return {
            "app.kubernetes.io/name": self.app,
            "app.kubernetes.io/component": self.entry.name,
            "app.kubernetes.io/part-of": PART_OF,
        }

    def selector(self) -> dict[str, str]:
        return {"app.kubernetes.io/name": self.app}

    def service_settings(self) -> dict[str, str]:
        """Service-specific settings (not in RuntimeSettings) at their defaults, as env variables.

        Listing them in the ConfigMap shows operators what they can tune; a default that
        changes in code shows up as a diff of the generated manifests. File paths are left out.
        """
        values: dict[str, str] = {}
        for field, info in self.settings.model_fields.items():
            if field in RuntimeSettings.model_fields:
                continue
            default = info.get_default(call_default_factory=True)
            # Paths default to files inside the installed package (demo data): right wherever the
            # code runs, so they are left to the code rather than pinned to this checkout.
            if default is None or isinstance(default, PurePath):
                continue
            values[env_name(self.settings, field)] = _env_value(default)
        return values

    def port_settings(self) -> dict[str, str]:
        ports = {
            "HERNE_GRPC_PORT": str(self.grpc_port),
            "HERNE_METRICS_PORT": str(self.metrics_port),
            "HERNE_HEALTH_PORT": str(HEALTH_PORT),
        }
        if self.http_port is not None:
            ports["HERNE_HTTP_PORT"] = str(self.http_port)
        return ports


def _env_value(value: Any) -> str:
    """A default as pydantic-settings reads it back from the environment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple | set | frozenset):
        return json.dumps(sorted(value) if isinstance(value, set | frozenset) else value, sort_keys=True)
    if hasattr(value, "total_seconds"):
        return str(value.total_seconds())
    if hasattr(value, "value") and not isinstance(value, int | float | str):  # enums
        return str(value.value)
    return str(value)


def deployed_services() -> tuple[DeployedService, ...]:
    """Every catalog service, in catalog order."""
    return tuple(DeployedService(entry, entry.load_spec().settings) for entry in SERVICES)
