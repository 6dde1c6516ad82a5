"""Hypothesis strategies for any protobuf message, built from its descriptor.

Values are chosen to hurt: NaN and infinities, extreme and negative integers,
unknown enum numbers, empty, unicode and oversize strings, nested messages and
repeated fields far beyond any sane batch limit. Timestamps and durations get
out-of-range seconds and nanos too: a server must answer those with a status,
not with a conversion error.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

FD = FieldDescriptor
INT_RANGES = {
    FD.TYPE_INT32: (-(2**31), 2**31 - 1),
    FD.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FD.TYPE_INT64: (-(2**63), 2**63 - 1),
    FD.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FD.TYPE_UINT32: (0, 2**32 - 1),
    FD.TYPE_FIXED32: (0, 2**32 - 1),
    FD.TYPE_UINT64: (0, 2**64 - 1),
    FD.TYPE_FIXED64: (0, 2**64 - 1),
}
NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "../../etc/passwd",
    "'; DROP TABLE parking; --",
    "*",
    "${jndi:ldap://x}",
    "Herne-Börnig Straße 12 🚲",
    "\u202e\u0645\u0631\u062d\u0628\u0627",
    "P1",
    "a" * 5000,
]
# Lengths of repeated fields around and far beyond typical batch limits (1000, 10000).
HUGE_REPEATS = [1_001, 10_001]


def _interesting_ints(low: int, high: int) -> st.SearchStrategy[int]:
    specials = [v for v in (0, 1, -1, 2, 7, 60, 1_000, 10**6, low, high) if low <= v <= high]
    return st.one_of(st.sampled_from(specials), st.integers(low, high), st.integers(max(low, -100), min(high, 100)))


def scalar(field: FieldDescriptor, *, oversize: int) -> st.SearchStrategy[Any]:
    """Values for one non-repeated scalar or enum field."""
    kind = field.type
    if kind in (FD.TYPE_DOUBLE, FD.TYPE_FLOAT):
        width = 32 if kind == FD.TYPE_FLOAT else 64
        return st.one_of(
            st.sampled_from([float("nan"), float("inf"), float("-inf"), 0.0, -0.0, -1.0, 1e308, -1e308]),
            st.floats(width=width, allow_nan=True, allow_infinity=True),
            st.floats(-200, 200, width=width),
        )
    if kind in INT_RANGES:
        return _interesting_ints(*INT_RANGES[kind])
    if kind == FD.TYPE_BOOL:
        return st.booleans()
    if kind == FD.TYPE_STRING:
        return st.one_of(
            st.sampled_from([*NASTY_STRINGS, "x" * oversize]),
            st.text(max_size=40),
            st.from_regex(r"[A-Za-z0-9_.:-]{1,24}", fullmatch=True),
        )
    if kind == FD.TYPE_BYTES:
        return st.one_of(st.binary(max_size=64), st.just(b"\xff" * oversize))
    if kind == FD.TYPE_ENUM:
        known = [value.number for value in field.enum_type.values]
        return st.one_of(st.sampled_from(known), st.integers(-3, 1_000))
    raise TypeError(f"unsupported field type {kind} of {field.full_name}")


def _value(field: FieldDescriptor, depth: int, oversize: int) -> st.SearchStrategy[Any]:
    if field.type == FD.TYPE_MESSAGE:
        return message_dicts(field.message_type, depth + 1, oversize)
    return scalar(field, oversize=oversize)


def _repeated(field: FieldDescriptor, depth: int, oversize: int) -> st.SearchStrategy[list[Any]]:
    element = _value(field, depth, oversize)
    huge = st.tuples(element, st.sampled_from(HUGE_REPEATS)).map(lambda pair: [pair[0]] * pair[1])
    return st.one_of(st.lists(element, max_size=4), huge) if depth == 0 else st.lists(element, max_size=3)


def message_dicts(descriptor: Descriptor, depth: int = 0, oversize: int = 300_000) -> st.SearchStrategy[dict[str, Any]]:
    """A dict of field name -> value (nested dicts for messages), any subset of fields set."""
    if depth > 3:
        return st.just({})
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for field in descriptor.fields:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key_field = field.message_type.fields_by_name["key"]
            value_field = field.message_type.fields_by_name["value"]
            optional[field.name] = st.dictionaries(
                scalar(key_field, oversize=64), _value(value_field, depth, oversize), max_size=3
            )
        elif field.label == FD.LABEL_REPEATED:
            optional[field.name] = _repeated(field, depth, oversize)
        else:
            optional[field.name] = _value(field, depth, oversize)
    return st.fixed_dictionaries({}, optional=optional)


def fill(message: Message, values: dict[str, Any]) -> Message:
    """Set ``values`` (from ``message_dicts``) on ``message``; the last of a oneof wins."""
    descriptor = message.DESCRIPTOR
    for name, value in values.items():
        field = descriptor.fields_by_name[name]
        target = getattr(message, name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            for key, item in value.items():
                if value_field.type == FD.TYPE_MESSAGE:
                    fill(target[key], item)
                else:
                    target[key] = item
        elif field.label == FD.LABEL_REPEATED:
            if field.type == FD.TYPE_MESSAGE:
                for item in value:
                    fill(target.add(), item)
            else:
                target.extend(value)
        elif field.type == FD.TYPE_MESSAGE:
            target.SetInParent()
            fill(target, value)
        else:
            setattr(message, name, value)
    return message


def requests(descriptor: Descriptor, oversize: int = 300_000) -> st.SearchStrategy[Message]:
    """Request messages of type ``descriptor``."""
    cls = message_factory.GetMessageClass(descriptor)
    return message_dicts(descriptor, oversize=oversize).map(lambda values: fill(cls(), values))
