"""Limits on every served RPC: request size and concurrent server streams per client."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from herne_stack.catalog import SERVICES
from tests.fixtures.services import auth, wait_until
from tests.helpers.rpc import Rpc, served_methods
from tests.helpers.stack import ServiceProcess, health
from tests.reliability.conftest import MAX_REQUEST_BYTES, MAX_STREAMS_PER_CLIENT
from tests.reliability.test_fuzz import caller_role

FD = FieldDescriptor


def oversized(rpc: Rpc) -> Message | None:
    """A request of ``rpc`` just above HERNE_MAX_REQUEST_BYTES, or None if it has no field to inflate."""
    request = rpc.request_class()()
    for field in request.DESCRIPTOR.fields:
        if field.type in (FD.TYPE_STRING, FD.TYPE_BYTES):
            blob = "x" * (MAX_REQUEST_BYTES + 1)
            value = blob.encode() if field.type == FD.TYPE_BYTES else blob
            if field.label == FD.LABEL_REPEATED:
                getattr(request, field.name).append(value)
            else:
                setattr(request, field.name, value)
            return request
    return None


@pytest.mark.parametrize("name", [entry.name for entry in SERVICES])
def test_oversized_requests_are_resource_exhausted(catalog_services: dict[str, ServiceProcess], name: str) -> None:
    """Tests that every RPC with a string/bytes field refuses a request above the size limit."""
    service = catalog_services[name]
    problems, checked = [], 0
    with service.channel() as channel:
        for rpc in served_methods(channel):
            request = oversized(rpc)
            if request is None:
                continue
            checked += 1
            serializer = type(request).SerializeToString
            factory = (channel.unary_stream if rpc.server_streaming else channel.unary_unary)(
                rpc.path, serializer, rpc.response_class().FromString
            )
            try:
                result = factory(request, metadata=auth(caller_role(rpc)), timeout=10)
                if rpc.server_streaming:
                    next(iter(result))
                problems.append(f"{rpc.name}: a {request.ByteSize()}-byte request was accepted")
            except grpc.RpcError as error:
                if error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                    problems.append(f"{rpc.name}: {error.code().name} instead of RESOURCE_EXHAUSTED")
        assert checked, "no RPC with a string field: the limit was not exercised"
    assert health(service.target) == "SERVING"
    assert not problems, "\n".join(problems)


async def _first_or_open(call: grpc.aio.UnaryStreamCall, wait: float) -> grpc.StatusCode | None:
    """The status a stream ended with within ``wait`` seconds; None while it stays open."""
    try:
        await asyncio.wait_for(call.read(), wait)
    except TimeoutError:
        return None
    except grpc.aio.AioRpcError as error:
        return error.code()
    return None if not call.done() else await call.code()


@pytest.mark.slow
@pytest.mark.parametrize("name", [entry.name for entry in SERVICES])
async def test_streams_per_client_are_limited(catalog_services: dict[str, ServiceProcess], name: str) -> None:
    """Tests that one client holds at most HERNE_MAX_STREAMS_PER_CLIENT streams and a closed one frees its slot."""
    service = catalog_services[name]
    with service.channel() as sync_channel:
        streams = [rpc for rpc in served_methods(sync_channel) if rpc.server_streaming and not rpc.client_streaming]
    if not streams:
        pytest.skip(f"{name} serves no server-streaming RPC")
    problems, checked = [], 0
    async with grpc.aio.insecure_channel(service.target) as channel:
        for rpc in streams:
            metadata = auth(caller_role(rpc))
            method = channel.unary_stream(
                rpc.path, rpc.request_class().SerializeToString, rpc.response_class().FromString
            )
            held = [method(rpc.request_class()(), metadata=metadata) for _ in range(MAX_STREAMS_PER_CLIENT)]
            codes = [await _first_or_open(call, 0.5) for call in held]
            if any(code is not None for code in codes):
                # An empty request does not open this stream (it needs ids); nothing to hold here.
                for call in held:
                    call.cancel()
                continue
            checked += 1
            extra = method(rpc.request_class()(), metadata=metadata)
            code = await _first_or_open(extra, 3)
            if code != grpc.StatusCode.RESOURCE_EXHAUSTED:
                problems.append(f"{rpc.name}: stream {MAX_STREAMS_PER_CLIENT + 1} of one client got {code}")
            held[0].cancel()
            await asyncio.sleep(0.3)
            again = method(rpc.request_class()(), metadata=metadata)
            code = await _first_or_open(again, 1)
            if code is not None:
                problems.append(f"{rpc.name}: after closing a stream a new one got {code} (slot not released)")
            for call in [*held, extra, again]:
                call.cancel()
    assert health(service.target) == "SERVING"
    if not checked:
        pytest.skip(f"no stream of {name} opens with an empty request; limit not checked generically")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("name", [entry.name for entry in SERVICES])
async def test_stalled_stream_clients_never_block_the_service(
    catalog_services: dict[str, ServiceProcess], reliability_infra, name: str
) -> None:
    """Tests that streams whose clients never read hold up neither ingest nor other RPCs nor health."""
    from herne.ops.v1 import ops_service_pb2, ops_service_pb2_grpc
    from herne_events.topics import topic_named
    from tests.helpers.hostile import hostile_records, produce

    service = catalog_services[name]
    with service.channel() as sync_channel:
        streams = [rpc for rpc in served_methods(sync_channel) if rpc.server_streaming and not rpc.client_streaming]
    stalled: list[grpc.aio.UnaryStreamCall] = []
    channels = [grpc.aio.insecure_channel(service.target) for _ in range(3)]
    try:
        for channel in channels:
            for rpc in streams:
                method = channel.unary_stream(
                    rpc.path, rpc.request_class().SerializeToString, rpc.response_class().FromString
                )
                # Three clients (channels) with the same token: the per-client limit may refuse some.
                role = caller_role(rpc)
                stalled.append(method(rpc.request_class()(), metadata=auth(role)))  # never read
        await asyncio.sleep(0.5)
        open_streams = sum(1 for call in stalled if not call.done())
        if not open_streams:
            pytest.skip(f"{name}: no stream opens with an empty request")
        async with grpc.aio.insecure_channel(service.target) as channel:
            ops = ops_service_pb2_grpc.OpsServiceStub(channel)
            status = await ops.GetServiceStatus(ops_service_pb2.GetServiceStatusRequest(), timeout=2)
            for consumer in status.consumers:
                for topic_name in consumer.topics:
                    before = consumer.applied + consumer.dead_lettered
                    records = hostile_records(topic_named(topic_name))
                    await produce(reliability_infra.bootstrap, topic_name, [r.value for r in records])

                    async def progressed(topic_name: str = topic_name, target: int = before + len(records)) -> bool:
                        now = await ops.GetServiceStatus(ops_service_pb2.GetServiceStatusRequest(), timeout=2)
                        group = next(c for c in now.consumers if topic_name in c.topics)
                        return group.applied + group.dead_lettered >= target

                    await wait_until(progressed, timeout=20)
        assert health(service.target, timeout=2) == "SERVING"
    finally:
        for call in stalled:
            call.cancel()
        for channel in channels:
            await channel.close()
