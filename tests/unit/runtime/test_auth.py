"""Authorisation decisions from the access rules in the contracts."""

from __future__ import annotations

import grpc
import pytest

from herne.ops.v1 import ops_service_pb2
from herne_runtime.auth import (
    KNOWN_ROLES,
    AuthError,
    Authorizer,
    TokenTable,
    access_policy,
    check_access_rules,
    role_name,
)
from herne_runtime.settings import ConfigurationError

STATUS = "/herne.ops.v1.OpsService/GetServiceStatus"
REPLAY = "/herne.ops.v1.OpsService/ReplayDeadLetters"
TOKENS = TokenTable({"operator-token-1": ["operator"], "reader-token-1": ["reader"]})


def _bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def test_role_names_follow_the_enum() -> None:
    """Tests that ROLE_SENSOR_GATEWAY is configured as "sensor-gateway"."""
    assert role_name(2) == "sensor-gateway"
    assert {"sensor-gateway", "traffic-engineer", "dispatcher", "booking", "operator"} <= KNOWN_ROLES


def test_policies_come_from_the_proto_options() -> None:
    """Tests that the access rule is read from the method options."""
    assert access_policy(STATUS).public is True
    assert access_policy(REPLAY).roles == frozenset({"operator"})
    assert access_policy("/herne.ops.v1.OpsService/NoSuchMethod") is None


def test_every_rpc_in_the_contracts_has_a_rule() -> None:
    """Tests that no RPC of any herne service lacks an access rule."""
    from herne_cli.call import all_services

    check_access_rules(all_services())


@pytest.mark.parametrize(
    ("method", "metadata", "public_reads", "expected"),
    [
        (STATUS, None, True, None),
        (STATUS, None, False, grpc.StatusCode.UNAUTHENTICATED),
        (STATUS, _bearer("reader-token-1"), False, None),
        (REPLAY, None, True, grpc.StatusCode.UNAUTHENTICATED),
        (REPLAY, _bearer("wrong-token"), True, grpc.StatusCode.UNAUTHENTICATED),
        (REPLAY, _bearer("reader-token-1"), True, grpc.StatusCode.PERMISSION_DENIED),
        (REPLAY, _bearer("operator-token-1"), True, None),
        (REPLAY, [("authorization", "Basic abc")], True, grpc.StatusCode.UNAUTHENTICATED),
        (STATUS, _bearer("wrong-token"), True, grpc.StatusCode.UNAUTHENTICATED),
        ("/herne.ops.v1.OpsService/Unknown", _bearer("operator-token-1"), True, grpc.StatusCode.PERMISSION_DENIED),
        ("/grpc.health.v1.Health/Check", None, False, None),
    ],
)
def test_authorize(method: str, metadata: list[tuple[str, str]] | None, public_reads: bool, expected: object) -> None:
    """Tests each combination of rule, token and public-read setting."""
    authorizer = Authorizer(TOKENS, public_reads=public_reads)
    if expected is None:
        authorizer.authorize(method, metadata)
        return
    with pytest.raises(AuthError) as error:
        authorizer.authorize(method, metadata)
    assert error.value.code == expected
    assert "token-1" not in error.value.message


def test_caller_is_labelled_without_the_secret() -> None:
    """Tests that the caller label is a digest prefix, never the token."""
    caller = Authorizer(TOKENS, public_reads=True).authorize(REPLAY, _bearer("operator-token-1"))
    assert caller.roles == {"operator"}
    assert caller.token_label and "operator-token-1" not in caller.token_label


def test_unknown_roles_and_short_tokens_are_refused() -> None:
    """Tests that a typo in a role name or a weak token stops the start-up."""
    with pytest.raises(ConfigurationError, match="unknown roles"):
        TokenTable({"long-enough-token": ["dispatchr"]})
    with pytest.raises(ConfigurationError, match="shorter than 8"):
        TokenTable({"short": ["dispatcher"]})


def test_ops_service_is_in_the_generated_descriptors() -> None:
    """Tests the generated module exposes the service used above."""
    assert "OpsService" in ops_service_pb2.DESCRIPTOR.services_by_name
