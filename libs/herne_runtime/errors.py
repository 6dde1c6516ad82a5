"""Domain errors and their gRPC status codes, in one place.

Domain code raises these plain exceptions; each names its gRPC status code as
a string, and only ``status_for`` touches grpc. The server interceptor turns
them into a status with the message as details. Anything
else that escapes a handler becomes INTERNAL with a reference id and no
internals in the message.
"""

from __future__ import annotations

import grpc  # only for status_for; the exception classes are plain Python


class DomainError(Exception):
    """Base of errors that are the caller's to fix; the message is shown to the caller."""

    code: str = "UNKNOWN"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    """The request is malformed or out of range (names the field)."""

    code = "INVALID_ARGUMENT"


class NotFound(DomainError):
    """An id in the request does not exist."""

    code = "NOT_FOUND"


class AlreadyExists(DomainError):
    """The entity to create exists already."""

    code = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    """The system is not in a state that allows the operation (e.g. slot taken meanwhile)."""

    code = "FAILED_PRECONDITION"


class ResourceExhausted(DomainError):
    """A limit was hit (batch length, streams per client, queue size)."""

    code = "RESOURCE_EXHAUSTED"


class Unavailable(DomainError):
    """A dependency (Redis, Kafka) is down; the caller may retry."""

    code = "UNAVAILABLE"


class DeadlineExceeded(DomainError):
    """The operation did not finish within its time limit."""

    code = "DEADLINE_EXCEEDED"


def status_for(error: DomainError) -> grpc.StatusCode:
    """The gRPC status code of a domain error."""
    return grpc.StatusCode[error.code]
