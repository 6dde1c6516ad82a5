"""Range checks of google.protobuf.Timestamp and Duration anywhere in a request.

The wire format accepts any seconds and nanos, but converting an out-of-range
value (``ToDatetime``, ``ToTimedelta``) raises deep inside a handler. The
interceptor runs this check on every request first, so such a request gets
INVALID_ARGUMENT naming the field instead of INTERNAL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

# RFC 3339 range that Timestamp documents: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z.
TIMESTAMP_SECONDS = (-62_135_596_800, 253_402_300_799)
DURATION_SECONDS = 315_576_000_000  # +-10,000 years, as documented for Duration
NANOS = 999_999_999


def _timestamp_problem(message: Message) -> str | None:
    seconds, nanos = message.seconds, message.nanos  # type: ignore[attr-defined]
    if not TIMESTAMP_SECONDS[0] <= seconds <= TIMESTAMP_SECONDS[1]:
        return "timestamp outside 0001-01-01..9999-12-31"
    if not 0 <= nanos <= NANOS:
        return f"timestamp nanos must be 0..{NANOS}, got {nanos}"
    return None


def _duration_problem(message: Message) -> str | None:
    seconds, nanos = message.seconds, message.nanos  # type: ignore[attr-defined]
    if abs(seconds) > DURATION_SECONDS:
        return "duration beyond +-10000 years"
    if abs(nanos) > NANOS or (seconds > 0 > nanos) or (seconds < 0 < nanos):
        return f"duration nanos must be within +-{NANOS} and have the sign of the seconds"
    return None


CHECKS = {
    "google.protobuf.Timestamp": _timestamp_problem,
    "google.protobuf.Duration": _duration_problem,
}


def well_known_problem(message: Message, prefix: str = "", depth: int = 0) -> str | None:
    """ "<field path>: <what is wrong>" for the first bad Timestamp/Duration in ``message``, else None."""
    if depth > 32:
        return None
    for field, value in message.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        path = f"{prefix}{field.name}"
        if field.message_type.GetOptions().map_entry:
            values = list(value.values()) if field.message_type.fields_by_name["value"].message_type else []
        elif field.label == FieldDescriptor.LABEL_REPEATED:
            values = list(value)
        else:
            values = [value]
        check = CHECKS.get(field.message_type.full_name)
        for index, item in enumerate(values):
            where = path if len(values) == 1 and field.label != FieldDescriptor.LABEL_REPEATED else f"{path}[{index}]"
            if check is not None:
                problem = check(item)
                if problem:
                    return f"{where}: {problem}"
            elif isinstance(item, Message):
                problem = well_known_problem(item, f"{where}.", depth + 1)
                if problem:
                    return problem
    return None


def optional_time(message: Message, field: str) -> datetime | None:
    """The Timestamp field ``field`` of ``message`` as an aware UTC datetime; None when it is unset.

    proto3 gives an unset Timestamp as the epoch, which would read as an observation from 1970.
    """
    if not message.HasField(field):
        return None
    return getattr(message, field).ToDatetime(tzinfo=UTC)  # type: ignore[no-any-return]
