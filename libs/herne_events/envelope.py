"""Encoding and decoding of the event envelope (herne.events.v1.Envelope)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from google.protobuf.message import DecodeError, Message

from herne.events.v1.envelope_pb2 import Envelope
from herne_events.topics import Topic

M = TypeVar("M", bound=Message)

HEADER_EVENT_ID = "event-id"
HEADER_EVENT_TYPE = "event-type"


class UndecodableEvent(Exception):
    """A record that can never be processed as an event of its topic; goes to the DLQ."""


@dataclass(frozen=True)
class Event(Generic[M]):
    """A decoded event together with where it was read from."""

    id: str
    type: str
    source: str
    subject: str
    time: datetime
    schema_version: int
    payload: M
    topic: str = ""
    partition: int = -1
    offset: int = -1


@dataclass(frozen=True)
class EncodedEvent:
    """Bytes ready for a Kafka record."""

    event_id: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def encode(
    topic: Topic[M],
    payload: M,
    *,
    source: str,
    subject: str | None = None,
    event_id: str | None = None,
    time: datetime | None = None,
) -> EncodedEvent:
    """Wrap a payload into an envelope for ``topic``; the subject defaults to the topic's key field."""
    if not isinstance(payload, topic.message):
        raise TypeError(f"{topic.name} carries {topic.event_type}, not {type(payload).__name__}")
    event_id = event_id or str(uuid.uuid4())
    subject = subject if subject is not None else topic.key_of(payload)
    envelope = Envelope(
        id=event_id,
        type=topic.event_type,
        source=source,
        subject=subject,
        schema_version=topic.schema_version,
        payload=payload.SerializeToString(),
    )
    envelope.time.FromDatetime(time or datetime.now(UTC))
    return EncodedEvent(
        event_id=event_id,
        key=subject.encode(),
        value=envelope.SerializeToString(),
        headers=[(HEADER_EVENT_ID, event_id.encode()), (HEADER_EVENT_TYPE, topic.event_type.encode())],
    )


def decode(topic: Topic[M], value: bytes | None, *, partition: int = -1, offset: int = -1) -> Event[M]:
    """Decode a record value of ``topic``; UndecodableEvent says precisely what is wrong."""
    if not value:
        raise UndecodableEvent("empty record value")
    envelope = Envelope()
    try:
        envelope.ParseFromString(value)
    except DecodeError as error:
        raise UndecodableEvent(f"not a herne.events.v1.Envelope: {error}") from None
    try:
        uuid.UUID(envelope.id)
    except ValueError:
        raise UndecodableEvent(f"envelope id {envelope.id[:64]!r} is not a UUID") from None
    if envelope.type != topic.event_type:
        raise UndecodableEvent(
            f"event type {envelope.type[:128]!r} does not belong on {topic.name} ({topic.event_type})"
        )
    if envelope.schema_version != topic.schema_version:
        raise UndecodableEvent(
            f"schema version {envelope.schema_version} does not match {topic.name} (v{topic.schema_version})"
        )
    if not envelope.HasField("time"):
        raise UndecodableEvent("envelope has no time")
    payload = topic.message()
    try:
        payload.ParseFromString(envelope.payload)
    except DecodeError as error:
        raise UndecodableEvent(f"payload is not a valid {topic.event_type}: {error}") from None
    return Event(
        id=envelope.id,
        type=envelope.type,
        source=envelope.source,
        subject=envelope.subject,
        time=envelope.time.ToDatetime(tzinfo=UTC),
        schema_version=envelope.schema_version,
        payload=payload,
        topic=topic.name,
        partition=partition,
        offset=offset,
    )
