"""The one server interceptor: auth, error-to-status mapping, metrics and access logs.

A single layer (rather than a stack of interceptors) keeps the per-call
overhead small; each concern is a few lines below.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
import redis.exceptions
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError
from google.protobuf.message import Message

from herne_runtime import metrics
from herne_runtime.auth import AuthError, Authorizer, set_current_caller
from herne_runtime.errors import DomainError, InvalidArgument, status_for
from herne_runtime.logging import get_logger
from herne_runtime.wellknown import well_known_problem

log = get_logger(__name__)

INTERNAL_MESSAGE = "internal error (reference {ref}); the operators can look it up in the logs"
UNAVAILABLE_MESSAGE = "a dependency of this service is unavailable (reference {ref}); retry shortly"

# A dependency (Redis, the broker, a socket) went away under a handler: the caller may retry, so the
# answer is UNAVAILABLE, not INTERNAL. The exception text names hosts and ports: logged only.
DEPENDENCY_ERRORS: tuple[type[BaseException], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    redis.exceptions.BusyLoadingError,
    KafkaConnectionError,
    KafkaTimeoutError,
    ConnectionError,
)


def _check_request(request: Any) -> None:
    """Refuse out-of-range Timestamps/Durations before a handler converts them (client streams: per handler)."""
    if isinstance(request, Message):
        problem = well_known_problem(request)
        if problem is not None:
            raise InvalidArgument(problem)


class _Outcome:
    """Status code of one call, filled in by whichever path ends it."""

    __slots__ = ("code",)

    def __init__(self) -> None:
        self.code = grpc.StatusCode.OK


class ServerInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    """Authorises each call, maps domain errors to statuses and records metrics."""

    def __init__(self, authorizer: Authorizer) -> None:
        self._authorizer = authorizer

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        if handler is None:
            return None
        method: str = details.method
        service, _, name = method.lstrip("/").partition("/")
        if handler.unary_unary:
            wrapped = self._wrap_unary(handler.unary_unary, method, service, name, "unary")
            return grpc.unary_unary_rpc_method_handler(
                wrapped, handler.request_deserializer, handler.response_serializer
            )
        if handler.unary_stream:
            wrapped = self._wrap_stream(handler.unary_stream, method, service, name, "server_stream")
            return grpc.unary_stream_rpc_method_handler(
                wrapped, handler.request_deserializer, handler.response_serializer
            )
        if handler.stream_unary:
            wrapped = self._wrap_unary(handler.stream_unary, method, service, name, "client_stream")
            return grpc.stream_unary_rpc_method_handler(
                wrapped, handler.request_deserializer, handler.response_serializer
            )
        wrapped = self._wrap_stream(handler.stream_stream, method, service, name, "bidi_stream")
        return grpc.stream_stream_rpc_method_handler(wrapped, handler.request_deserializer, handler.response_serializer)

    def _wrap_unary(self, behavior: Any, method: str, service: str, name: str, kind: str) -> Any:
        started = metrics.RPC_STARTED.labels(kind, service, name)
        seconds = metrics.RPC_SECONDS.labels(kind, service, name)

        async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started.inc()
            begin = time.perf_counter()
            outcome = _Outcome()
            try:
                self._authorize(method, context)
                _check_request(request)
                return await behavior(request, context)
            except BaseException as error:
                await self._fail(error, context, method, outcome)
                raise
            finally:
                self._record(kind, service, name, context, outcome, seconds, begin)

        return call

    def _wrap_stream(self, behavior: Any, method: str, service: str, name: str, kind: str) -> Any:
        started = metrics.RPC_STARTED.labels(kind, service, name)
        seconds = metrics.RPC_SECONDS.labels(kind, service, name)

        async def call(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            started.inc()
            begin = time.perf_counter()
            outcome = _Outcome()
            try:
                self._authorize(method, context)
                _check_request(request)
                async for response in behavior(request, context):
                    yield response
            except BaseException as error:
                await self._fail(error, context, method, outcome)
                raise
            finally:
                self._record(kind, service, name, context, outcome, seconds, begin)

        return call

    def _authorize(self, method: str, context: grpc.aio.ServicerContext) -> None:
        set_current_caller(self._authorizer.authorize(method, context.invocation_metadata()))

    async def _fail(
        self, error: BaseException, context: grpc.aio.ServicerContext, method: str, outcome: _Outcome
    ) -> None:
        """Turn an exception into a status; re-raised by the caller unless abort raises first."""
        if isinstance(error, AuthError):
            outcome.code = error.code
            await context.abort(error.code, error.message)
        elif isinstance(error, DomainError):
            outcome.code = status_for(error)
            await context.abort(outcome.code, error.message)
        elif isinstance(error, grpc.aio.AbortError):
            outcome.code = context.code() or grpc.StatusCode.UNKNOWN
        elif isinstance(error, (asyncio.CancelledError, GeneratorExit, KeyboardInterrupt, SystemExit)):
            outcome.code = grpc.StatusCode.CANCELLED
        elif isinstance(error, DEPENDENCY_ERRORS):
            ref = uuid.uuid4().hex[:12]
            outcome.code = grpc.StatusCode.UNAVAILABLE
            log.warning("rpc_dependency_unavailable", method=method, reference=ref, error=str(error)[:300])
            await context.abort(grpc.StatusCode.UNAVAILABLE, UNAVAILABLE_MESSAGE.format(ref=ref))
        elif isinstance(error, NotImplementedError):
            # The generated servicer base raises this for RPCs the service does not implement (yet).
            outcome.code = grpc.StatusCode.UNIMPLEMENTED
            log.warning("rpc_not_implemented", method=method)
            await context.abort(grpc.StatusCode.UNIMPLEMENTED, f"{method} is not implemented by this server")
        else:
            ref = uuid.uuid4().hex[:12]
            outcome.code = grpc.StatusCode.INTERNAL
            log.error("rpc_failed", method=method, reference=ref, exc_info=error)
            await context.abort(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE.format(ref=ref))

    @staticmethod
    def _record(
        kind: str,
        service: str,
        name: str,
        context: grpc.aio.ServicerContext,
        outcome: _Outcome,
        seconds: Any,
        begin: float,
    ) -> None:
        code = outcome.code
        if code == grpc.StatusCode.OK:
            code = context.code() or grpc.StatusCode.OK
        metrics.RPC_HANDLED.labels(kind, service, name, code.name).inc()
        seconds.observe(time.perf_counter() - begin)
