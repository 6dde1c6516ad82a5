"""Access table: every RPC of every catalog service x every caller, over real gRPC.

The table is not written by hand: the RPCs come from the running servers
(reflection) and their rules from the contract (``option (herne.common.v1.access)``),
so a new RPC is covered the moment it is served. The decision happens in the
interceptor before the handler runs, so an empty request is enough; for
allowed callers the handler does run and must not fail with an auth code.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from herne_cli.call import all_services
from herne_runtime.auth import KNOWN_ROLES, AccessPolicy
from herne_stack.catalog import SERVICES
from tests.fixtures.services import TEST_TOKENS, auth
from tests.helpers.rpc import Rpc, call, leaks, served_methods
from tests.helpers.stack import Infra, ServiceProcess, start_services
from tests.reliability.conftest import LIMITS

INVALID_TOKEN = "not-a-token-but-long-enough-0042"
CALLERS: dict[str, list[tuple[str, str]] | None] = {
    "no token": None,
    "invalid token": [("authorization", f"Bearer {INVALID_TOKEN}")],
    "basic scheme": [("authorization", "Basic dXNlcjpwYXNzd29yZA==")],
    "empty bearer": [("authorization", "Bearer ")],
    **{role: auth(role) for role in sorted(KNOWN_ROLES)},
}
SECRETS = [*TEST_TOKENS, INVALID_TOKEN, "dXNlcjpwYXNzd29yZA=="]
AUTH_CODES = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}
ALLOWED = "allowed"

# Verbs of RPCs that only read; anything else changes state and must never be public.
READ_VERBS = ("Get", "List", "Search", "Stream", "Watch", "Find", "Export", "Forecast", "Describe", "Query", "Lookup")


def expected(policy: AccessPolicy, caller: str, *, public_reads: bool) -> str | grpc.StatusCode:
    """What the contract says ``caller`` gets."""
    if caller in ("invalid token", "basic scheme", "empty bearer"):
        return grpc.StatusCode.UNAUTHENTICATED
    if caller == "no token":
        return ALLOWED if policy.public and public_reads else grpc.StatusCode.UNAUTHENTICATED
    if policy.public or caller in policy.roles:
        return ALLOWED
    return grpc.StatusCode.PERMISSION_DENIED


def check_table(service: ServiceProcess, *, public_reads: bool, infra: Infra) -> tuple[list[str], int]:
    """Run the table against one service process; returns (problems, cells checked)."""
    problems: list[str] = []
    cells = 0
    infra_addresses = [f"127.0.0.1:{infra.redis_port}", f"127.0.0.1:{infra.broker_port}", infra.directory.name]
    with service.channel() as channel:
        rpcs = served_methods(channel)
        assert rpcs, f"{service.name} serves no RPCs"
        for rpc in rpcs:
            policy = rpc.policy
            if policy is None:
                problems.append(f"{rpc.name}: no access rule in the contract")
                continue
            for caller, metadata in CALLERS.items():
                cells += 1
                outcome = call(channel, rpc, metadata=metadata, timeout=10)
                want = expected(policy, caller, public_reads=public_reads)
                got_auth = outcome.code in AUTH_CODES
                if want == ALLOWED and got_auth:
                    problems.append(f"{rpc.name} as {caller}: refused with {outcome.code.name} ({outcome.details})")
                elif want != ALLOWED and outcome.code != want:
                    problems.append(f"{rpc.name} as {caller}: {outcome.code.name}, contract says {want.name}")
                if outcome.code != grpc.StatusCode.OK and not outcome.details.strip():
                    problems.append(f"{rpc.name} as {caller}: {outcome.code.name} without a message")
                found = leaks(outcome.details, [*SECRETS, *infra_addresses])
                if found:
                    problems.append(f"{rpc.name} as {caller}: message leaks {found}: {outcome.details[:200]}")
    if not service.running:
        problems.append(f"{service.name} died during the access table")
    return problems, cells


@pytest.mark.slow
@pytest.mark.parametrize("name", [entry.name for entry in SERVICES])
def test_access_table_public_reads_on(catalog_services: dict[str, ServiceProcess], reliability_infra, name) -> None:
    """Tests every RPC x caller of one service with HERNE_PUBLIC_READS=true against the contract."""
    problems, cells = check_table(catalog_services[name], public_reads=True, infra=reliability_infra)
    assert not problems, f"{len(problems)} of {cells} cells wrong:\n" + "\n".join(problems)
    print(f"{name}: {cells} cells")


@pytest.fixture(scope="module")
def closed_services(
    reliability_infra: Infra, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    """The catalog services again, with public reads switched off."""
    log_dir: Path = tmp_path_factory.mktemp("closed-logs")
    services = start_services(list(SERVICES), reliability_infra, log_dir, HERNE_PUBLIC_READS="false", **LIMITS)
    yield {service.name: service for service in services}
    for service in services:
        service.stop()


@pytest.mark.slow
@pytest.mark.parametrize("name", [entry.name for entry in SERVICES])
def test_access_table_public_reads_off(closed_services: dict[str, ServiceProcess], reliability_infra, name) -> None:
    """Tests every RPC x caller with HERNE_PUBLIC_READS=false: public reads need a valid token."""
    problems, cells = check_table(closed_services[name], public_reads=False, infra=reliability_infra)
    assert not problems, f"{len(problems)} of {cells} cells wrong:\n" + "\n".join(problems)
    print(f"{name}: {cells} cells")


def _contract_rpcs() -> list[Rpc]:
    return [Rpc(method) for service in all_services() for method in service.methods]


def test_every_rpc_of_the_contracts_has_a_sound_rule() -> None:
    """Tests that each RPC has a rule, protected ones name a role, and only reads are public."""
    problems = []
    for rpc in _contract_rpcs():
        policy = rpc.policy
        if policy is None:
            problems.append(f"{rpc.name}: no (herne.common.v1.access) option")
        elif not policy.public and not policy.roles:
            problems.append(f"{rpc.name}: neither public nor any role: nobody can call it")
        elif policy.public and not rpc.descriptor.name.startswith(READ_VERBS):
            problems.append(f"{rpc.name}: public but its name is not a read ({', '.join(READ_VERBS)})")
    assert not problems, "\n".join(problems)
