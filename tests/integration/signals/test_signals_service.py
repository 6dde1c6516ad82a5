"""The signals service over real gRPC, Redis and the broker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from aiokafka import AIOKafkaConsumer

from herne.signals.v1 import events_pb2
from herne.signals.v1 import signals_service_pb2 as pb
from herne.signals.v1.signals_service_pb2_grpc import SignalsServiceStub
from herne_events.envelope import decode
from herne_events.topics import TRAFFIC_DETECTOR_COUNTS, TRAFFIC_ROAD_CONDITIONS, TRAFFIC_SIGNAL_PLANS
from herne_signals.server import SERVICE
from tests.fixtures.services import RunningService, auth, wait_until

ENGINEER = auth("traffic-engineer")
ISOLATED = "wanne-hauptstrasse-hbf"


@contextlib.asynccontextmanager
async def _signals(start_service) -> AsyncIterator[RunningService]:
    async with start_service(SERVICE) as service:
        # let the detector consumer join its group first: stopping a consumer that is still
        # joining leaves aiokafka's coordinator connection open (ResourceWarning)
        consumer = service.runtime.context.consumers[0]
        await wait_until(lambda: consumer._consumer is not None and consumer._consumer.assignment(), timeout=30)
        yield service


async def _events(bootstrap: str, topic: str, since: datetime, subject: str) -> list:
    consumer = AIOKafkaConsumer(topic.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found = []
    try:
        deadline = asyncio.get_running_loop().time() + 15
        while not found and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                for message in messages:
                    event = decode(topic, message.value)
                    if event.subject == subject and event.time >= since:
                        found.append(event)
    finally:
        await consumer.stop()
    return found


async def test_propose_approve_publishes_and_activates(start_service, kafka_broker) -> None:
    """Tests that an optimised plan is proposed, only becomes active on approval and is published."""
    since = datetime.now(UTC).replace(microsecond=0)
    async with _signals(start_service) as service:
        stub = SignalsServiceStub(service.channel)
        listed = await stub.ListIntersections(pb.ListIntersectionsRequest())
        assert ISOLATED in [i.intersection_id for i in listed.intersections]
        assert "demo" in listed.data_notice.lower()
        detail = await stub.GetIntersection(pb.GetIntersectionRequest(intersection_id=ISOLATED))
        vehicle_groups = [g.signal_group_id for g in detail.signal_groups if g.kind == "vehicle"]
        flows = [pb.GroupFlow(signal_group_id=g, flow_veh_per_hour=300.0) for g in vehicle_groups]
        proposed = (
            await stub.OptimizeIntersection(
                pb.OptimizeIntersectionRequest(intersection_id=ISOLATED, flows=flows), metadata=ENGINEER
            )
        ).plan
        assert proposed.status == pb.PLAN_STATUS_PROPOSED
        assert proposed.demand_source == "request"
        assert detail.cycle_min_seconds <= proposed.cycle_seconds <= detail.cycle_max_seconds
        assert all(e.degree_of_saturation <= 0.9 + 1e-9 for e in proposed.expectations)
        with pytest.raises(grpc.aio.AioRpcError) as none_yet:
            await stub.GetActivePlan(pb.GetActivePlanRequest(intersection_id="bahnhofstrasse-herne-sued"))
        assert none_yet.value.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.OK)

        approved = (await stub.ApprovePlan(pb.ApprovePlanRequest(plan_id=proposed.plan_id), metadata=ENGINEER)).plan
        assert approved.status == pb.PLAN_STATUS_ACTIVE
        assert approved.decided_by == "traffic-engineer"
        active = (await stub.GetActivePlan(pb.GetActivePlanRequest(intersection_id=ISOLATED))).plan
        assert active.plan_id == proposed.plan_id
        with pytest.raises(grpc.aio.AioRpcError) as twice:
            await stub.ApprovePlan(pb.ApprovePlanRequest(plan_id=proposed.plan_id), metadata=ENGINEER)
        assert twice.value.code() == grpc.StatusCode.FAILED_PRECONDITION

        second = (
            await stub.OptimizeIntersection(pb.OptimizeIntersectionRequest(intersection_id=ISOLATED), metadata=ENGINEER)
        ).plan
        assert second.demand_source == "historic"
        await stub.ApprovePlan(pb.ApprovePlanRequest(plan_id=second.plan_id), metadata=ENGINEER)
        plans = (await stub.ListPlans(pb.ListPlansRequest(intersection_id=ISOLATED))).plans
        status = {p.plan_id: p.status for p in plans}
        assert status[proposed.plan_id] == pb.PLAN_STATUS_SUPERSEDED
        assert status[second.plan_id] == pb.PLAN_STATUS_ACTIVE

    events = await _events(kafka_broker.bootstrap, TRAFFIC_SIGNAL_PLANS, since, ISOLATED)
    published = {event.payload.plan_id for event in events}
    assert {proposed.plan_id, second.plan_id} <= published
    first = next(e.payload for e in events if e.payload.plan_id == proposed.plan_id)
    assert first.cycle_seconds == proposed.cycle_seconds
    assert len(first.groups) == len(proposed.groups)
    # The controller gets each group's actuation with its window, the same as the approved plan.
    assert {
        g.signal_group_id: (g.min_green_seconds, g.max_green_seconds, g.extension_seconds, g.coordinated)
        for g in first.groups
    } == {
        g.signal_group_id: (g.min_green_seconds, g.max_green_seconds, g.extension_seconds, g.coordinated)
        for g in proposed.groups
    }
    assert all(5 <= g.min_green_seconds <= g.max_green_seconds <= g.free_max_green_seconds for g in first.groups)


async def test_rejected_plan_never_becomes_active(start_service) -> None:
    """Tests that a rejected plan cannot be approved afterwards and needs a reason."""
    async with _signals(start_service) as service:
        stub = SignalsServiceStub(service.channel)
        plan = (
            await stub.OptimizeIntersection(pb.OptimizeIntersectionRequest(intersection_id=ISOLATED), metadata=ENGINEER)
        ).plan
        with pytest.raises(grpc.aio.AioRpcError) as no_reason:
            await stub.RejectPlan(pb.RejectPlanRequest(plan_id=plan.plan_id), metadata=ENGINEER)
        assert no_reason.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        rejected = await stub.RejectPlan(
            pb.RejectPlanRequest(plan_id=plan.plan_id, reason="Schulweg: Fußgängergrün zu kurz"), metadata=ENGINEER
        )
        assert rejected.plan.status == pb.PLAN_STATUS_REJECTED
        with pytest.raises(grpc.aio.AioRpcError) as late:
            await stub.ApprovePlan(pb.ApprovePlanRequest(plan_id=plan.plan_id), metadata=ENGINEER)
        assert late.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_corridor_plans_share_a_cycle_and_report_bands(start_service) -> None:
    """Tests that a corridor optimisation proposes one plan per intersection with a common cycle and bands."""
    async with _signals(start_service) as service:
        stub = SignalsServiceStub(service.channel)
        listed = await stub.ListIntersections(pb.ListIntersectionsRequest())
        corridor = next(i.corridor_id for i in listed.intersections if i.corridor_id)
        members = [i.intersection_id for i in listed.intersections if i.corridor_id == corridor]
        result = await stub.OptimizeCorridor(pb.OptimizeCorridorRequest(corridor_id=corridor), metadata=ENGINEER)
        assert sorted(p.intersection_id for p in result.plans) == sorted(members)
        assert {p.cycle_seconds for p in result.plans} == {result.cycle_seconds}
        assert result.outbound_band_seconds >= 0 and result.inbound_band_seconds >= 0
        assert all(p.corridor_id == corridor for p in result.plans)


@pytest.mark.parametrize(
    ("request_message", "code", "fragment"),
    [
        (pb.OptimizeIntersectionRequest(), grpc.StatusCode.INVALID_ARGUMENT, "intersection_id"),
        (pb.OptimizeIntersectionRequest(intersection_id="nope"), grpc.StatusCode.NOT_FOUND, "nope"),
        (
            pb.OptimizeIntersectionRequest(
                intersection_id=ISOLATED, flows=[pb.GroupFlow(signal_group_id="XX", flow_veh_per_hour=100)]
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "XX",
        ),
        (
            pb.OptimizeIntersectionRequest(
                intersection_id=ISOLATED, flows=[pb.GroupFlow(signal_group_id="K1", flow_veh_per_hour=float("nan"))]
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
            "K1",
        ),
        (
            pb.OptimizeIntersectionRequest(intersection_id=ISOLATED, max_degree_of_saturation=3.0),
            grpc.StatusCode.INVALID_ARGUMENT,
            "max_degree_of_saturation",
        ),
    ],
)
async def test_bad_optimisation_requests_are_refused_precisely(start_service, request_message, code, fragment) -> None:
    """Tests that unknown ids, unknown groups, NaN flows and bad limits give a precise status."""
    async with _signals(start_service) as service:
        stub = SignalsServiceStub(service.channel)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.OptimizeIntersection(request_message, metadata=ENGINEER)
        assert refused.value.code() == code
        assert fragment in refused.value.details()


async def test_closure_is_published_for_the_waste_planner(start_service, kafka_broker) -> None:
    """Tests that a closure of a shared-network segment is published on traffic.road-conditions.v1."""
    from herne_optim.network import RoadNetwork

    u, v = next(iter(RoadNetwork.demo().graph.edges))
    since = datetime.now(UTC).replace(microsecond=0)
    async with _signals(start_service) as service:
        stub = SignalsServiceStub(service.channel)
        answer = await stub.ReportRoadCondition(
            pb.ReportRoadConditionRequest(
                from_node_id=u, to_node_id=v, kind=events_pb2.ROAD_CONDITION_KIND_CLOSED, reason="Baustelle"
            ),
            metadata=ENGINEER,
        )
        assert answer.condition.segment_id == f"{u}>{v}"
        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            await stub.ReportRoadCondition(
                pb.ReportRoadConditionRequest(
                    from_node_id="nowhere", to_node_id=v, kind=events_pb2.ROAD_CONDITION_KIND_CLOSED
                ),
                metadata=ENGINEER,
            )
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    events = await _events(kafka_broker.bootstrap, TRAFFIC_ROAD_CONDITIONS, since, f"{u}>{v}")
    assert events and events[0].payload.kind == events_pb2.ROAD_CONDITION_KIND_CLOSED


async def test_detector_counts_become_demand_and_unknown_detectors_are_dead_lettered(
    start_service,
) -> None:
    """Tests that counts of healthy detectors drive the proposal and an unknown detector goes to the DLQ."""
    async with _signals(start_service) as service:
        stub = SignalsServiceStub(service.channel)
        detail = await stub.GetIntersection(pb.GetIntersectionRequest(intersection_id="bahnhofstrasse-bahnhofsplatz"))
        group = next(g for g in detail.signal_groups if g.detector_ids)
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=3)
        payloads = []
        for minute in range(3):
            for detector_id in [*group.detector_ids, "no-such-detector"]:
                count = events_pb2.DetectorCount(detector_id=detector_id, interval_seconds=60, vehicles=10 + minute)
                count.interval_start_time.FromDatetime(start + timedelta(minutes=minute))
                payloads.append(count)
        publisher = service.runtime.context.publisher  # a real producer on the session broker
        await publisher.publish_many(TRAFFIC_DETECTOR_COUNTS, payloads, subjects=[p.detector_id for p in payloads])
        consumer = service.runtime.context.consumers[0]
        await wait_until(
            lambda: consumer.counters.dead_lettered >= 3 and consumer.counters.applied >= 3 * len(group.detector_ids),
            timeout=30,
        )
        plan = (
            await stub.OptimizeIntersection(
                pb.OptimizeIntersectionRequest(intersection_id="bahnhofstrasse-bahnhofsplatz"), metadata=ENGINEER
            )
        ).plan
        assert plan.demand_source in ("detectors", "mixed")
        flow = next(e.flow_veh_per_hour for e in plan.expectations if e.signal_group_id == group.signal_group_id)
        assert 600 * len(group.detector_ids) <= flow <= 720 * len(group.detector_ids)
