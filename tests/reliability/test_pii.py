"""Citizens' personal data never reaches logs, events or open-data feeds.

Unique canary strings go into every personal-data field of every served RPC
(found by name in the request descriptors), and through a real bulky-waste
booking; then the service logs (the processes' stdout files), every record of
every topic on the broker (including dead-letter topics) and the open-data
HTTP feeds are searched for them, as bytes.
"""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from herne_runtime.logging import PERSONAL_DATA_KEYS
from tests.fixtures.services import auth
from tests.helpers.domain import waste_book, waste_cancel
from tests.helpers.rpc import call, served_methods
from tests.helpers.stack import Infra, ServiceProcess
from tests.reliability.test_fuzz import caller_role

FD = FieldDescriptor
PERSON_MESSAGES = ("Contact", "Citizen", "Person", "Resident")
PERSONAL_FIELDS = PERSONAL_DATA_KEYS - {"name"}  # "name" alone is personal only inside a contact


def personal_fields(descriptor: Descriptor, depth: int = 0) -> list[list[FieldDescriptor]]:
    """Paths to string fields that hold personal data in a request message."""
    paths: list[list[FieldDescriptor]] = []
    if depth > 4:
        return paths
    personal_message = any(word in descriptor.name for word in PERSON_MESSAGES)
    for field in descriptor.fields:
        if field.type == FD.TYPE_MESSAGE and field.label != FD.LABEL_REPEATED:
            paths += [[field, *rest] for rest in personal_fields(field.message_type, depth + 1)]
        elif (
            field.type == FD.TYPE_STRING
            and field.label != FD.LABEL_REPEATED
            and (field.name in PERSONAL_FIELDS or (personal_message and field.name in PERSONAL_DATA_KEYS))
        ):
            paths.append([field])
    return paths


def set_path(message: Message, path: list[FieldDescriptor], value: str) -> None:
    for field in path[:-1]:
        message = getattr(message, field.name)
    setattr(message, path[-1].name, value)


def canary(kind: str) -> str:
    """A string that cannot occur by chance; phones look like phones so validation lets them pass."""
    tag = uuid.uuid4().hex[:10]
    if "phone" in kind:
        return f"+49 2323 {int(tag, 16) % 10**8:08d}"
    if kind == "email":
        return f"canary.{tag}@example.org"
    return f"Canary{tag}"


async def topic_bytes(bootstrap: str) -> bytes:
    """Every key, value and header of every record on the broker, concatenated."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    chunks: list[bytes] = []
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in await consumer.topics()
            for partition in consumer.partitions_for_topic(topic) or ()
        ]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            positions = {tp: await consumer.position(tp) for tp in partitions}
            if all(positions[tp] >= ends[tp] for tp in partitions):
                break
            batch = await consumer.getmany(timeout_ms=300, max_records=5000)
            for records in batch.values():
                for record in records:
                    chunks += [record.key or b"", record.value or b""]
                    chunks += [value for _, value in record.headers]
    finally:
        await consumer.stop()
    return b"\n".join(chunks)


async def feed_bytes(services: dict[str, ServiceProcess]) -> bytes:
    """The open-data HTTP feeds' index pages of services that serve HTTP (paths they link are not followed)."""
    chunks = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        for service in services.values():
            if not service.http_port:
                continue
            for path in ("/", "/open-data", "/gbfs.json", "/datex2", "/parkapi"):
                try:
                    async with session.get(f"http://127.0.0.1:{service.http_port}{path}") as response:
                        chunks.append(await response.read())
                except aiohttp.ClientError:
                    continue
    return b"\n".join(chunks)


def _found(canaries: list[str], haystack: bytes) -> list[str]:
    return [value for value in canaries if value.encode() in haystack]


def _waste_booking(service: ServiceProcess) -> tuple[list[str], str]:
    """Book (and cancel) a real pickup with canary contact data; returns the canaries and the pickup id."""
    name, phone, email = canary("name"), canary("phone"), canary("email")
    with service.channel() as channel:
        pickup_id, address = waste_book(channel, name=name, phone=phone, email=email)
        waste_cancel(channel, pickup_id)
    return [name, phone, email, address], pickup_id


@pytest.mark.slow
async def test_personal_data_never_in_logs_events_or_feeds(
    catalog_services: dict[str, ServiceProcess], reliability_infra: Infra
) -> None:
    """Tests that canaries in every personal-data field (and a real booking) appear in no log, event or feed."""
    canaries: list[str] = []
    sent = 0
    for service in catalog_services.values():
        with service.channel() as channel:
            for rpc in served_methods(channel):
                paths = personal_fields(rpc.descriptor.input_type)
                if not paths:
                    continue
                request = rpc.request_class()()
                for path in paths:
                    value = canary(path[-1].name)
                    set_path(request, path, value)
                    canaries.append(value)
                call(channel, rpc, request, metadata=auth(caller_role(rpc)), timeout=30)
                sent += 1
    pickup_id = ""
    if "waste" in catalog_services:
        used, pickup_id = _waste_booking(catalog_services["waste"])
        canaries += used
    assert sent or "waste" in catalog_services, "no RPC takes personal data: nothing was checked"
    await asyncio.sleep(2.5)  # outbox relays and log buffers
    problems = []
    for service in catalog_services.values():
        leaked = _found(canaries, service.log_text().encode())
        if leaked:
            problems.append(f"{service.name} log contains {leaked}")
    records = await topic_bytes(reliability_infra.bootstrap)
    if pickup_id:
        assert pickup_id.encode() in records, "the booking's events were not found: the search saw nothing"
    leaked = _found(canaries, records)
    if leaked:
        problems.append(f"Kafka records contain {leaked}")
    leaked = _found(canaries, await feed_bytes(catalog_services))
    if leaked:
        problems.append(f"open-data feeds contain {leaked}")
    assert not problems, "\n".join(problems)
