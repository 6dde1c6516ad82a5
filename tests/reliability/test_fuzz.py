"""Property-based fuzzing of every served RPC with hostile request messages.

Requests come from the descriptors (tests/helpers/fuzz.py), sent with a token
holding the RPC's role, to the real service processes. The answer must be a
proper status with a helpful message, never UNKNOWN/INTERNAL/UNAVAILABLE, and
the process must stay alive and SERVING. Shrinking is off: each example is a
real RPC, and the unshrunk request is reported (truncated) instead.
"""

from __future__ import annotations

import contextlib
import os

import grpc
import pytest
from google.protobuf import text_format
from google.protobuf.message import Message
from hypothesis import HealthCheck, Phase, given, settings

from herne_stack.catalog import SERVICES
from tests.fixtures.services import TEST_TOKENS, auth
from tests.helpers.fuzz import requests
from tests.helpers.rpc import PROPER_CODES, Rpc, call, leaks, served_methods
from tests.helpers.stack import ServiceProcess, health
from tests.reliability.conftest import MAX_REQUEST_BYTES

# Deterministic by default, so a red run is reproducible and CI is not flaky; set
# HERNE_FUZZ_EXPLORE=1 (and HERNE_FUZZ_EXAMPLES=200) to hunt with fresh random examples.
EXPLORE = os.environ.get("HERNE_FUZZ_EXPLORE") == "1"
UNARY_EXAMPLES = int(os.environ.get("HERNE_FUZZ_EXAMPLES", "15"))
STREAM_EXAMPLES = max(1, UNARY_EXAMPLES // 3)


def caller_role(rpc: Rpc) -> str:
    """A role that passes the RPC's access rule, so the request reaches the handler."""
    policy = rpc.policy
    assert policy is not None, f"{rpc.name} has no access rule"
    return sorted(policy.roles)[0] if policy.roles else "reader"


def _shown(request: Message) -> str:
    text = text_format.MessageToString(request, as_one_line=True)
    return text if len(text) < 400 else text[:400] + f"... ({request.ByteSize()} bytes)"


def fuzz_rpc(service: ServiceProcess, channel: grpc.Channel, rpc: Rpc) -> list[str]:
    """Run the property for one RPC; returns the problems found."""
    metadata = auth(caller_role(rpc))
    problems: list[str] = []
    examples = STREAM_EXAMPLES if rpc.server_streaming else UNARY_EXAMPLES

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=not EXPLORE,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(requests(rpc.descriptor.input_type, oversize=MAX_REQUEST_BYTES + 1))
    def property_(request: Message) -> None:
        outcome = call(channel, rpc, request, metadata=metadata, timeout=20, stream_timeout=0.3)
        where = f"{rpc.name} <{_shown(request)}>"
        if outcome.code not in PROPER_CODES:
            problems.append(f"{where}: {outcome.code.name} {outcome.details[:300]!r}")
        elif outcome.code != grpc.StatusCode.OK and len(outcome.details.strip()) < 8:
            problems.append(f"{where}: {outcome.code.name} with an unhelpful message {outcome.details!r}")
        found = leaks(outcome.details, list(TEST_TOKENS))
        if found:
            problems.append(f"{where}: message leaks {found}: {outcome.details[:300]!r}")
        if not service.running:
            problems.append(f"{where}: the process died")
            raise AssertionError("process died")

    with contextlib.suppress(AssertionError):  # the problems list says what failed
        property_()
    if service.running and health(service.target, timeout=3) != "SERVING":
        problems.append(f"{rpc.name}: {service.name} not SERVING after fuzzing")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("name", [entry.name for entry in SERVICES])
def test_fuzzed_requests_get_proper_statuses(catalog_services: dict[str, ServiceProcess], name: str) -> None:
    """Tests that hostile requests to every RPC of a service get a proper status and leave it SERVING."""
    service = catalog_services[name]
    problems: list[str] = []
    with service.channel() as channel:
        rpcs = served_methods(channel)
        for rpc in rpcs:
            if not service.running:
                problems.append(f"{rpc.name}: not fuzzed, the process is dead")
                continue
            problems.extend(fuzz_rpc(service, channel, rpc))
    # One line per RPC and kind of problem is enough to act on; the first example shows how.
    distinct: dict[str, tuple[int, str]] = {}
    for problem in problems:
        rpc_name, _, rest = problem.partition(" <")
        kind = rest.rsplit(">: ", 1)[-1].split(" ", 1)[0]
        count, first = distinct.get(rpc_name + kind, (0, problem))
        distinct[rpc_name + kind] = (count + 1, first)
    report = [f"{count}x {first}" for count, first in distinct.values()]
    assert not report, f"{len(problems)} problems in {len(rpcs)} RPCs of {name}:\n" + "\n".join(report)
