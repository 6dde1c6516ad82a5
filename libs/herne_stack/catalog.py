"""The services of herne-mobility: where their code lives and their default ports."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from herne_runtime.server import ServiceSpec


@dataclass(frozen=True)
class ServiceEntry:
    """One service as the CLI and the embedded stack know it."""

    name: str
    spec: str  # "module:attribute" of its ServiceSpec
    grpc_port: int
    metrics_port: int
    description: str
    simulator: str | None = None  # "module:function(argv) -> int" run by `herne-mobility simulate <name>`
    cli: str | None = None  # "module:function(subparsers)" adding `herne-mobility <name> ...` commands
    http_port: int = 0  # HTTP feeds (open data, GBFS) next to gRPC; 0: the service serves no HTTP

    def load_spec(self) -> ServiceSpec[Any]:
        return _load(self.spec)  # type: ignore[no-any-return]


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


SERVICES: tuple[ServiceEntry, ...] = (
    ServiceEntry(
        "parking",
        "herne_parking.server:SERVICE",
        50051,
        9101,
        "parking occupancy, guidance, open data",
        simulator="herne_parking.simulator:main",
        http_port=8081,
    ),
    ServiceEntry(
        "mobility",
        "herne_mobility.server:SERVICE",
        50052,
        9102,
        "mobility stations and hubs",
        simulator="herne_mobility.simulator:main",
        http_port=8082,
    ),
    ServiceEntry(
        "signals",
        "herne_signals.server:SERVICE",
        50053,
        9103,
        "traffic-responsive signal timing",
        simulator="herne_signals.simulator:main",
    ),
    ServiceEntry(
        "waste",
        "herne_waste.server:SERVICE",
        50054,
        9104,
        "bulky-waste booking and tours",
        cli="herne_waste.cli:add_commands",
        simulator="herne_waste.simulator:main",
    ),
)


def service(name: str) -> ServiceEntry:
    for entry in SERVICES:
        if entry.name == name:
            return entry
    raise KeyError(f"unknown service {name!r}; known: {[entry.name for entry in SERVICES]}")


def load_function(path: str) -> Any:
    """Import "module:function"."""
    return _load(path)
