"""Broken and wrongly-typed Kafka records for any registered topic, and a DLQ reader.

Each record is something real producers do get wrong: bytes that are no
envelope, tombstones, another topic's event type, a future schema version, an
id that is not a UUID, no time, and payload bytes that are not the topic's
message (or parse as it with every field of the wrong wire type, leaving a
message a handler must reject on its own validation).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from google.protobuf.message import Message

from herne.events.v1.envelope_pb2 import Envelope
from herne_events.envelope import HEADER_EVENT_ID, HEADER_EVENT_TYPE
from herne_events.topics import REGISTRY, Topic


@dataclass(frozen=True)
class HostileRecord:
    """One bad record and whether the envelope check alone must catch it."""

    label: str
    value: bytes | None
    undecodable: bool  # True: refused before any handler runs (decode error)


def envelope(topic: Topic[Message], payload: bytes, **overrides: object) -> bytes:
    """An envelope for ``topic`` around raw payload bytes, with fields overridden."""
    event = Envelope(
        id=str(uuid.uuid4()),
        type=topic.event_type,
        source="/tests/hostile",
        subject="hostile",
        schema_version=topic.schema_version,
        payload=payload,
    )
    event.time.FromDatetime(datetime.now(UTC))
    for name, value in overrides.items():
        if name == "time" and value is None:
            event.ClearField("time")
        else:
            setattr(event, name, value)
    return event.SerializeToString()


def wrong_wire_types(topic: Topic[Message]) -> bytes:
    """Payload bytes putting a varint into every field number of the message (types all wrong for strings)."""
    out = bytearray()
    for field in topic.message.DESCRIPTOR.fields:
        if field.number < 16:
            out += bytes([(field.number << 3) | 5]) + b"\xff\xff\xff\x7f"  # fixed32 where few fields are fixed32
    return bytes(out)


def hostile_records(topic: Topic[Message]) -> list[HostileRecord]:
    """The bad records for ``topic``."""
    other = next(t for t in REGISTRY if t.event_type != topic.event_type)
    good_payload = topic.message().SerializeToString()
    return [
        HostileRecord("garbage bytes", b"\x00\xffnot an envelope at all\x13\x37", True),
        HostileRecord("tombstone", None, True),
        HostileRecord("json instead of protobuf", b'{"sensor_id": "P1", "occupied": true}', True),
        HostileRecord("another topic's event type", envelope(topic, b"", type=other.event_type), True),
        HostileRecord("future schema version", envelope(topic, good_payload, schema_version=99), True),
        HostileRecord("id not a UUID", envelope(topic, good_payload, id="42; DROP"), True),
        HostileRecord("no event time", envelope(topic, good_payload, time=None), True),
        HostileRecord("payload not protobuf", envelope(topic, b"\xff\xff\xff\xff\x0f"), True),
        HostileRecord("payload with wrong wire types", envelope(topic, wrong_wire_types(topic)), False),
    ]


async def produce(bootstrap: str, topic_name: str, values: list[bytes | None], key: bytes = b"hostile") -> list[int]:
    """Produce raw values to partition 0; returns their offsets."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        offsets = []
        for value in values:
            headers = [(HEADER_EVENT_ID, b"hostile"), (HEADER_EVENT_TYPE, b"hostile")]
            metadata = await producer.send_and_wait(topic_name, key=key, value=value, headers=headers, partition=0)
            offsets.append(metadata.offset)
        return offsets
    finally:
        await producer.stop()


async def dead_letters(
    bootstrap: str, topic: Topic[Message], original_offsets: set[int], timeout: float = 20.0, group: str = ""
) -> dict[int, ConsumerRecord[bytes, bytes]]:
    """Dead letters of ``topic`` whose original offset (partition 0) is in ``original_offsets``."""
    consumer = AIOKafkaConsumer(
        topic.dead_letter, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    found: dict[int, ConsumerRecord[bytes, bytes]] = {}
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while set(found) != original_offsets and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for records in batch.values():
                for record in records:
                    headers = {key: value.decode() for key, value in record.headers}
                    if headers.get("dlq-original-partition") != "0":
                        continue
                    if group and headers.get("dlq-consumer-group") != group:
                        continue
                    offset = int(headers.get("dlq-original-offset", "-1"))
                    if offset in original_offsets:
                        found[offset] = record
    finally:
        await consumer.stop()
    return found
