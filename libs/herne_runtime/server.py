"""Service bootstrap: one way to run every herne service.

A service describes itself with a ``ServiceSpec`` (name, settings class and a
``setup`` coroutine that registers servicers, consumers and background tasks
on the ``ServiceContext``). ``ServiceRuntime`` does the rest, in this order:
Redis client, event publisher, gRPC server with the shared interceptor,
health (NOT_SERVING until Redis and Kafka answer and the topics exist),
reflection, metrics endpoint, consumers; and on SIGTERM/SIGINT the reverse:
health goes NOT_SERVING first, in-flight RPCs drain, consumers finish their
batch and commit, the producer flushes, connections close.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import grpc
import redis.asyncio as aioredis
from aiohttp import web
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc
from herne_events.admin import ensure_topics
from herne_events.connection import KafkaConnection
from herne_events.consumer import EventConsumer, Subscription
from herne_events.publisher import EventPublisher
from herne_runtime import metrics
from herne_runtime.auth import Authorizer, TokenTable, check_access_rules
from herne_runtime.health import DependencyMonitor
from herne_runtime.interceptor import ServerInterceptor
from herne_runtime.logging import configure_logging, get_logger
from herne_runtime.ops import OpsServicer
from herne_runtime.settings import ConfigurationError, RuntimeSettings, load_settings
from herne_runtime.version import package_version

S = TypeVar("S", bound=RuntimeSettings)
# Health "service" that is SERVING while the process and its event loop answer, whatever
# Redis and Kafka do: for liveness probes, so an outage of a dependency makes pods unready
# (readiness checks "") instead of restarting them all.
LIVENESS_SERVICE = "liveness"
log = get_logger(__name__)


@dataclass(frozen=True)
class ServiceSpec(Generic[S]):
    """What a service is: its name, settings and how to wire it."""

    name: str
    settings: type[S]
    setup: Callable[[ServiceContext[S]], Awaitable[None]]


class ServiceContext(Generic[S]):
    """Handed to ``ServiceSpec.setup``: the shared clients and the registration calls."""

    def __init__(
        self,
        name: str,
        settings: S,
        redis_client: aioredis.Redis,
        publisher: EventPublisher,
        kafka: KafkaConnection,
        server: grpc.aio.Server,
        stack: contextlib.AsyncExitStack,
    ) -> None:
        self.name = name
        self.settings = settings
        self.redis = redis_client
        self.publisher = publisher
        self.kafka = kafka
        self.server = server
        self.stack = stack
        self.services: list[ServiceDescriptor] = []
        self.consumers: list[EventConsumer] = []
        self.tasks: list[tuple[str, Callable[[], Awaitable[None]]]] = []
        self.http_routes: list[web.RouteDef] = []

    def add_service(
        self, descriptor: ServiceDescriptor, register: Callable[[Any, grpc.aio.Server], None], servicer: Any
    ) -> None:
        """Serve a gRPC service; it is added to health and reflection."""
        register(servicer, self.server)
        self.services.append(descriptor)

    def add_consumer(
        self, subscriptions: Sequence[Subscription], *, group_suffix: str = "", **options: Any
    ) -> EventConsumer:
        """Consume topics in the consumer group ``herne-<service>[-suffix]``."""
        group_id = f"herne-{self.name}" + (f"-{group_suffix}" if group_suffix else "")
        consumer = EventConsumer(
            self.kafka,
            group_id=group_id,
            subscriptions=subscriptions,
            redis_client=self.redis,
            publisher=self.publisher,
            dedup_ttl_seconds=self.settings.event_dedup_ttl_seconds,
            session_timeout_ms=self.settings.kafka_session_timeout_ms,
            heartbeat_interval_ms=self.settings.kafka_heartbeat_interval_ms,
            **options,
        )
        self.consumers.append(consumer)
        return consumer

    def add_task(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        """Run a background coroutine (poller, simulator, sweeper) for the life of the process."""
        self.tasks.append((name, factory))

    def add_http_routes(self, routes: Sequence[web.RouteDef]) -> None:
        """Serve plain HTTP routes (open-data feeds) on HERNE_HTTP_PORT next to gRPC."""
        self.http_routes.extend(routes)

    def on_shutdown(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` at shutdown, after RPCs drained and consumers stopped."""
        self.stack.push_async_callback(callback)


def kafka_connection(settings: RuntimeSettings, client_id: str) -> KafkaConnection:
    return KafkaConnection(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        security_protocol=settings.kafka_security_protocol,
        ssl_cafile=settings.kafka_ssl_cafile,
        ssl_certfile=settings.kafka_ssl_certfile,
        ssl_keyfile=settings.kafka_ssl_keyfile,
        client_id=client_id,
    )


def redis_client(url: str) -> aioredis.Redis:
    """A Redis client that fails fast when Redis is away instead of hanging."""
    return aioredis.Redis.from_url(
        url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=15, decode_responses=False
    )


_CANCEL_ATTEMPTS = 20  # x 0.5 s: how long stop() waits for background tasks to end


class ServiceRuntime(Generic[S]):
    """Runs one service; ``start``/``stop`` for tests, ``serve_forever`` for processes."""

    def __init__(self, spec: ServiceSpec[S], settings: S) -> None:
        self.spec = spec
        self.settings = settings
        self.port = 0
        self.metrics_port = 0
        self.http_port = 0
        self._http_runner: web.AppRunner | None = None
        self.context: ServiceContext[S] | None = None
        self.monitor: DependencyMonitor | None = None
        self._stack = contextlib.AsyncExitStack()
        self._server: grpc.aio.Server | None = None
        self._health_server: grpc.aio.Server | None = None
        self._health = health.aio.HealthServicer()
        self._kafka_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._consumer_tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        settings = self.settings
        name = self.spec.name
        authorizer = Authorizer(TokenTable(settings.token_roles()), public_reads=settings.public_reads)
        kafka = kafka_connection(settings, client_id=f"herne-{name}")
        client = redis_client(settings.redis_url)
        self._stack.push_async_callback(client.aclose)
        publisher = EventPublisher(kafka, source=f"/herne/{name}", enable_idempotence=settings.kafka_enable_idempotence)
        self._stack.push_async_callback(publisher.stop)
        server = grpc.aio.server(
            interceptors=[ServerInterceptor(authorizer)],
            options=[
                ("grpc.max_receive_message_length", settings.max_request_bytes),
                ("grpc.max_send_message_length", 64 * 1024 * 1024),
                ("grpc.so_reuseport", 0),
            ],
        )
        self._server = server
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        context = ServiceContext(name, settings, client, publisher, kafka, server, self._stack)
        self.context = context
        context.add_service(
            ops_service_pb2.DESCRIPTOR.services_by_name["OpsService"],
            ops_service_pb2_grpc.add_OpsServiceServicer_to_server,
            OpsServicer(self),
        )
        await self.spec.setup(context)
        check_access_rules(context.services)
        names = [descriptor.full_name for descriptor in context.services]
        reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
        address = f"{settings.grpc_host}:{settings.grpc_port}"
        if settings.tls_cert_file and settings.tls_key_file:
            credentials = grpc.ssl_server_credentials(
                [(settings.tls_key_file.read_bytes(), settings.tls_cert_file.read_bytes())]
            )
            self.port = server.add_secure_port(address, credentials)
        else:
            self.port = server.add_insecure_port(address)
        if self.port == 0:
            raise ConfigurationError(f"cannot bind gRPC to {address} (port in use?)")
        for service_name in ["", *names]:
            await self._health.set(service_name, health_pb2.HealthCheckResponse.NOT_SERVING)
        await self._health.set(LIVENESS_SERVICE, health_pb2.HealthCheckResponse.SERVING)
        await server.start()
        if settings.health_port:
            await self._start_health_server(f"{settings.grpc_host}:{settings.health_port}")
        self.metrics_port = metrics.start_metrics_server(settings.grpc_host, settings.metrics_port)
        if context.http_routes:
            await self._start_http(context.http_routes)
        metrics.BUILD_INFO.labels(name, package_version()).set(1)
        await publisher.start()

        async def topics_ready() -> None:
            await ensure_topics(
                kafka,
                partitions=settings.kafka_topic_partitions,
                replication_factor=settings.kafka_replication_factor,
            )
            self._kafka_ready.set()

        self.monitor = DependencyMonitor(
            {"redis": client.ping, "kafka": publisher.check},
            self._health,
            names,
            interval_seconds=settings.health_check_interval_seconds,
        )
        self.monitor.on_recovered("kafka", topics_ready)
        self._spawn("dependency-monitor", self.monitor.run)
        for consumer in context.consumers:
            self._consumer_tasks.append(asyncio.create_task(self._run_consumer(consumer), name=consumer.group_id))
        for task_name, factory in context.tasks:
            self._spawn(task_name, factory)
        log.info(
            "service_started",
            grpc_port=self.port,
            metrics_port=self.metrics_port,
            http_port=self.http_port,
            tls=bool(settings.tls_cert_file),
        )

    async def _start_health_server(self, address: str) -> None:
        # Kubelet gRPC probes connect without TLS, so a TLS-only gRPC port cannot be probed:
        # the same health servicer is also served in plaintext here, and nothing else is.
        self._health_server = grpc.aio.server(options=[("grpc.so_reuseport", 0)])
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._health_server)
        if self._health_server.add_insecure_port(address) == 0:
            raise ConfigurationError(f"cannot bind the health port to {address} (port in use?)")
        await self._health_server.start()

    async def _start_http(self, routes: Sequence[web.RouteDef]) -> None:
        app = web.Application(client_max_size=self.settings.max_request_bytes)
        app.add_routes(routes)
        self._http_runner = web.AppRunner(app, access_log=None)
        await self._http_runner.setup()
        site = web.TCPSite(self._http_runner, self.settings.grpc_host, self.settings.http_port)
        await site.start()
        addresses = self._http_runner.addresses
        self.http_port = int(addresses[0][1]) if addresses else self.settings.http_port

    async def _run_consumer(self, consumer: EventConsumer) -> None:
        await self._kafka_ready.wait()
        await consumer.run()

    def _spawn(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        async def guarded() -> None:
            try:
                await factory()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.error("background_task_failed", task=name, exc_info=error)

        self._tasks.append(asyncio.create_task(guarded(), name=name))

    async def stop(self) -> None:
        """Graceful shutdown: health first, then RPCs drain, consumers commit, clients close."""
        grace = self.settings.shutdown_grace_seconds
        await self._health.enter_graceful_shutdown()
        metrics.SERVING.set(0)
        if self._server is not None:
            await self._server.stop(grace)
        if self._health_server is not None:
            await self._health_server.stop(0)
        if self._http_runner is not None:
            await self._http_runner.cleanup()
        for consumer in self.context.consumers if self.context else []:
            consumer.stop()
        if self._consumer_tasks:
            _done, pending = await asyncio.wait(self._consumer_tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*self._consumer_tasks, return_exceptions=True)
        # A background loop may lose one cancellation: a client library can turn CancelledError
        # into its own error inside a loop that logs errors and goes on. Cancel until all ended.
        pending: set[asyncio.Task[None]] = set(self._tasks)
        for _attempt in range(_CANCEL_ATTEMPTS):
            for task in pending:
                task.cancel()
            _done, pending = await asyncio.wait(pending, timeout=0.5) if pending else (set(), set())
            if not pending:
                break
        if pending:
            log.warning("background_tasks_still_running", tasks=sorted(task.get_name() for task in pending))
        await self._stack.aclose()
        log.info("service_stopped")

    async def serve_forever(self) -> None:
        """Run until SIGTERM or SIGINT, then shut down gracefully."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await self.start()
        # Modules, protobuf descriptors and the loaded catalogs live as long as the process: kept
        # out of the cyclic collector, full collections stop re-scanning them during ingest.
        gc.collect()
        gc.freeze()
        try:
            await stop.wait()
        finally:
            log.info("service_stopping")
            await self.stop()


def run(spec: ServiceSpec[Any], settings: RuntimeSettings | None = None) -> int:
    """Process entry point of a service; returns the exit code (2 on bad configuration)."""
    try:
        settings = settings or load_settings(spec.settings)
    except ConfigurationError as error:
        print(f"herne-mobility {spec.name}: {error}", file=sys.stderr)
        return 2
    configure_logging(spec.name, settings.log_level, settings.log_format)
    try:
        asyncio.run(ServiceRuntime(spec, settings).serve_forever())
    except ConfigurationError as error:
        print(f"herne-mobility {spec.name}: {error}", file=sys.stderr)
        return 2
    return 0
