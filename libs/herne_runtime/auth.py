"""Bearer-token authentication and per-RPC role checks.

Each RPC declares its access rule in the proto contract
(``option (herne.common.v1.access)``); this module reads the rules from the
descriptors, maps tokens to roles from the settings, and decides per call.
Tokens are kept only as SHA-256 digests, so a lookup takes the same time
whatever the token and no secret sits in memory longer than start-up.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import grpc
from google.protobuf import descriptor_pool
from google.protobuf.descriptor import ServiceDescriptor

from herne.common.v1 import access_pb2
from herne_runtime.settings import ConfigurationError

# Infrastructure services every client (and Kubernetes probes) may use without a token.
OPEN_SERVICES = frozenset(
    {
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
        "grpc.reflection.v1.ServerReflection",
    }
)


def role_name(role: int) -> str:
    """Settings name of a Role enum value: ROLE_SENSOR_GATEWAY -> "sensor-gateway"."""
    return access_pb2.Role.Name(role).removeprefix("ROLE_").lower().replace("_", "-")


KNOWN_ROLES = frozenset(role_name(value) for value in access_pb2.Role.values() if value)


@dataclass(frozen=True)
class AccessPolicy:
    """Who may call one RPC."""

    public: bool
    roles: frozenset[str]


@dataclass(frozen=True)
class Caller:
    """The authenticated (or anonymous) caller of the current RPC."""

    roles: frozenset[str]
    token_label: str

    @property
    def anonymous(self) -> bool:
        return not self.token_label


ANONYMOUS = Caller(roles=frozenset(), token_label="")
_current_caller: contextvars.ContextVar[Caller] = contextvars.ContextVar("herne_caller", default=ANONYMOUS)


def current_caller() -> Caller:
    """The caller of the RPC being handled (set by the server interceptor)."""
    return _current_caller.get()


def set_current_caller(caller: Caller) -> None:
    _current_caller.set(caller)


class AuthError(Exception):
    """The call is refused; ``code`` is UNAUTHENTICATED or PERMISSION_DENIED."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenTable:
    """Maps bearer tokens to roles; validated at start-up."""

    def __init__(self, tokens: Mapping[str, Sequence[str]]) -> None:
        problems = []
        self._callers: dict[str, Caller] = {}
        for token, roles in tokens.items():
            label = _digest(token)[:8]
            if len(token) < 8:
                problems.append(f"token {label}: shorter than 8 characters")
            unknown = sorted(set(roles) - KNOWN_ROLES)
            if unknown:
                problems.append(f"token {label}: unknown roles {unknown}; known: {sorted(KNOWN_ROLES)}")
            self._callers[_digest(token)] = Caller(roles=frozenset(roles), token_label=label)
        if problems:
            raise ConfigurationError("invalid configuration:\n  HERNE_AUTH_TOKENS: " + "; ".join(problems))

    def lookup(self, token: str) -> Caller | None:
        return self._callers.get(_digest(token))


@lru_cache(maxsize=1024)
def access_policy(full_method: str) -> AccessPolicy | None:
    """Access rule of "/package.Service/Method" from the contract, None when it has none."""
    service, _, method = full_method.lstrip("/").partition("/")
    try:
        descriptor = descriptor_pool.Default().FindMethodByName(f"{service}.{method}")
    except KeyError:
        return None
    options = descriptor.GetOptions()
    if not options.HasExtension(access_pb2.access):
        return None
    rule = options.Extensions[access_pb2.access]
    return AccessPolicy(public=rule.public, roles=frozenset(role_name(role) for role in rule.roles))


def check_access_rules(services: Iterable[ServiceDescriptor]) -> None:
    """Refuse to start when an RPC lacks an access rule (it would be unreachable or, worse, open)."""
    missing = [
        f"{service.full_name}/{method.name}"
        for service in services
        for method in service.methods
        if access_policy(f"/{service.full_name}/{method.name}") is None
    ]
    if missing:
        raise ConfigurationError(f"RPCs without an access rule (option (herne.common.v1.access)): {missing}")


class Authorizer:
    """Decides for each call whether it may proceed, and who the caller is."""

    def __init__(self, tokens: TokenTable, *, public_reads: bool) -> None:
        self._tokens = tokens
        self._public_reads = public_reads

    def authorize(self, full_method: str, metadata: Sequence[tuple[str, str | bytes]] | None) -> Caller:
        service = full_method.lstrip("/").partition("/")[0]
        if service in OPEN_SERVICES:
            return ANONYMOUS
        policy = access_policy(full_method)
        if policy is None:
            raise AuthError(grpc.StatusCode.PERMISSION_DENIED, f"{full_method} has no access rule")
        caller = self._caller(metadata)
        if policy.public and (self._public_reads or not caller.anonymous):
            return caller
        if caller.anonymous:
            needed = ", ".join(sorted(policy.roles)) or "any valid token"
            raise AuthError(
                grpc.StatusCode.UNAUTHENTICATED,
                f"this RPC needs a bearer token (metadata 'authorization: Bearer <token>') with role: {needed}",
            )
        if policy.public or caller.roles & policy.roles:
            return caller
        raise AuthError(
            grpc.StatusCode.PERMISSION_DENIED,
            f"this RPC needs one of the roles [{', '.join(sorted(policy.roles))}]; "
            f"the token has [{', '.join(sorted(caller.roles))}]",
        )

    def _caller(self, metadata: Sequence[tuple[str, str | bytes]] | None) -> Caller:
        header = next((value for key, value in metadata or () if key == "authorization"), None)
        if header is None:
            return ANONYMOUS
        text = header.decode(errors="replace") if isinstance(header, bytes) else header
        scheme, _, token = text.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError(grpc.StatusCode.UNAUTHENTICATED, "authorization metadata must be 'Bearer <token>'")
        caller = self._tokens.lookup(token.strip())
        if caller is None:
            raise AuthError(grpc.StatusCode.UNAUTHENTICATED, "the bearer token is not valid")
        return caller
