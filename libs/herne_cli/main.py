"""Entry point of the `herne-mobility` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from herne_stack.catalog import SERVICES, load_function, service


def _serve(args: argparse.Namespace) -> int:
    from herne_runtime.server import run

    return run(service(args.service).load_spec())


def _simulate(args: argparse.Namespace) -> int:
    entry = service(args.service)
    if entry.simulator is None:
        print(f"{entry.name} has no simulator", file=sys.stderr)
        return 2
    return int(load_function(entry.simulator)(args.simulator_args))


def _up(args: argparse.Namespace) -> int:
    from herne_stack.up import run_up

    return run_up(Path(args.run_dir), simulators=not args.no_simulators, duration=args.duration)


def _topics(args: argparse.Namespace) -> int:
    from herne_events.admin import ensure_topics
    from herne_events.connection import KafkaConnection
    from herne_events.topics import REGISTRY

    if args.action == "list":
        print(f"{'topic':<40} {'partitions':>10}  {'key':<16} {'policy':<8} payload")
        for topic in REGISTRY:
            policy = "compact" if topic.compacted else "delete"
            print(f"{topic.name:<40} {topic.partitions:>10}  {topic.key_field:<16} {policy:<8} {topic.event_type}")
        return 0
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    created = asyncio.run(ensure_topics(KafkaConnection(bootstrap, client_id="herne-cli")))
    print(f"created {len(created)} topics: {', '.join(created) or '-'}")
    return 0


def _call(args: argparse.Namespace) -> int:
    from herne_cli.call import run_call

    return run_call(
        args.method,
        args.body,
        target=args.target,
        token=args.token,
        timeout=args.timeout,
        tls_ca=args.tls_ca,
        list_only=args.list,
        max_messages=args.max_messages,
    )


def _config(args: argparse.Namespace) -> int:
    from herne_runtime.settings import settings_table

    entry = service(args.service) if args.service else None
    settings_cls = entry.load_spec().settings if entry else None
    if settings_cls is None:
        from herne_runtime.settings import RuntimeSettings

        settings_cls = RuntimeSettings
    print("| Variable | Default | Meaning |")
    print("|---|---|---|")
    for name, default, description in settings_table(settings_cls):
        print(f"| `{name}` | `{default}` | {description} |" if default else f"| `{name}` | | {description} |")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="herne-mobility", description="Herne mobility and parking services.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="start Redis, the broker, every service and the demo simulators")
    up.add_argument("--run-dir", default=".run", help="state and logs (default: .run)")
    up.add_argument("--no-simulators", action="store_true", help="start without demo data simulators")
    up.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    up.set_defaults(handler=_up)

    names = [entry.name for entry in SERVICES]
    serve = commands.add_parser("serve", help="run one service (settings from the environment)")
    serve.add_argument("service", choices=names)
    serve.set_defaults(handler=_serve)

    simulate = commands.add_parser("simulate", help="run the demo data simulator of a service")
    simulate.add_argument("service", choices=names)
    simulate.add_argument("simulator_args", nargs=argparse.REMAINDER, help="options of the simulator")
    simulate.set_defaults(handler=_simulate)

    topics = commands.add_parser("topics", help="list the topic registry or create the topics")
    topics.add_argument("action", choices=["list", "create"])
    topics.set_defaults(handler=_topics)

    call = commands.add_parser("call", help="call an RPC with a JSON request, print JSON")
    call.add_argument("method", nargs="?", help="e.g. OpsService.GetServiceStatus or ParkingService.GetFacility")
    call.add_argument("body", nargs="?", default="{}", help="request as JSON (default {})")
    call.add_argument("--target", help="host:port (default: the service's default port on 127.0.0.1)")
    call.add_argument("--token", default=os.environ.get("HERNE_TOKEN"), help="bearer token (or HERNE_TOKEN)")
    call.add_argument("--timeout", type=float, default=30.0, help="deadline in seconds")
    call.add_argument("--tls-ca", help="CA certificate to call a TLS endpoint")
    call.add_argument("--max-messages", type=int, help="stop a stream after this many messages")
    call.add_argument("--list", action="store_true", help="list every RPC")
    call.set_defaults(handler=_call)

    config = commands.add_parser("config", help="print the settings table (Markdown)")
    config.add_argument("--service", choices=names)
    config.set_defaults(handler=_config)

    for entry in SERVICES:
        if entry.cli is not None:
            group = commands.add_parser(entry.name, help=f"{entry.description} tools")
            load_function(entry.cli)(group.add_subparsers(dest="action", required=True, metavar="ACTION"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
