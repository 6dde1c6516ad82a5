"""Corridor re-optimisation on demand drift and link travel times from detector counts (real gRPC, Redis, broker)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer

from herne.signals.v1 import events_pb2
from herne.signals.v1 import signals_service_pb2 as pb
from herne.signals.v1.signals_service_pb2_grpc import SignalsServiceStub
from herne_events.envelope import Event, decode
from herne_events.topics import TRAFFIC_DETECTOR_COUNTS, TRAFFIC_ROAD_CONDITIONS
from herne_signals.server import SERVICE
from tests.fixtures.services import RunningService, auth, wait_until

ENGINEER = auth("traffic-engineer")
CORRIDOR = "bahnhofstrasse"
# Measured by the southbound group K1 of Kreuzkirche (the link it feeds); the reverse direction
# is measured by K2 of Bahnhofsplatz, which gets no counts here.
OUTBOUND = "mitte-bahnhof>mitte-kreuzkirche"
INBOUND = "mitte-kreuzkirche>mitte-bahnhof"


async def _joined(service: RunningService) -> None:
    consumer = service.runtime.context.consumers[0]
    await wait_until(lambda: consumer._consumer is not None and consumer._consumer.assignment(), timeout=30)


async def _publish_counts(service: RunningService, detector_ids: list[str], vehicles: int, start: datetime) -> None:
    payloads = []
    for minute in range(3):
        for detector_id in detector_ids:
            # +-1 vehicle keeps the stuck-detector check quiet; the mean stays at ``vehicles``.
            count = events_pb2.DetectorCount(
                detector_id=detector_id, interval_seconds=60, vehicles=vehicles + (minute % 3) - 1
            )
            count.interval_start_time.FromDatetime(start + timedelta(minutes=minute))
            payloads.append(count)
    await service.runtime.context.publisher.publish_many(
        TRAFFIC_DETECTOR_COUNTS, payloads, subjects=[p.detector_id for p in payloads]
    )
    consumer = service.runtime.context.consumers[0]
    before = consumer.counters.applied
    await wait_until(lambda: consumer.counters.applied >= before + len(payloads), timeout=30)


async def _conditions(bootstrap: str, since: datetime, seconds: float) -> list[Event[events_pb2.RoadConditionChanged]]:
    """Every road condition published since ``since``, reading for ``seconds``."""
    consumer = AIOKafkaConsumer(
        TRAFFIC_ROAD_CONDITIONS.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None
    )
    await consumer.start()
    found = []
    try:
        deadline = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            for messages in batch.values():
                for message in messages:
                    event = decode(TRAFFIC_ROAD_CONDITIONS, message.value)
                    if event.time >= since:
                        found.append(event)
    finally:
        await consumer.stop()
    return found


async def test_corridor_drift_proposes_a_new_corridor_set(
    start_service, redis_client: aioredis.Redis, kafka_broker
) -> None:
    """Tests that measured demand drifting from an active corridor plan proposes new plans for the whole corridor."""
    async with start_service(SERVICE, signals_drift_check_seconds=0.3) as service:
        await _joined(service)
        stub = SignalsServiceStub(service.channel)
        corridor = await stub.OptimizeCorridor(
            pb.OptimizeCorridorRequest(
                corridor_id=CORRIDOR,
                flows=[
                    pb.IntersectionFlows(
                        intersection_id=iid,
                        flows=[pb.GroupFlow(signal_group_id=g, flow_veh_per_hour=150) for g in groups],
                    )
                    for iid, groups in await _vehicle_groups(stub)
                ],
            ),
            metadata=ENGINEER,
        )
        approved = {plan.intersection_id: plan.plan_id for plan in corridor.plans}
        detector_ids = []
        for iid in approved:
            detail = await stub.GetIntersection(pb.GetIntersectionRequest(intersection_id=iid))
            detector_ids += [d for g in detail.signal_groups for d in g.detector_ids]
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=3)
        # Every count is applied before the plans become active: the drift watcher never sees a
        # corridor half measured (detectors missing still fall back to the historic profile).
        await _publish_counts(service, detector_ids, 6, start)  # 360 veh/h against a basis of 150
        for plan in corridor.plans:
            await stub.ApprovePlan(pb.ApprovePlanRequest(plan_id=plan.plan_id), metadata=ENGINEER)

        async def drift_plans() -> dict[str, pb.SignalPlan]:
            found = {}
            for iid in approved:
                plans = (await stub.ListPlans(pb.ListPlansRequest(intersection_id=iid))).plans
                for plan in plans:
                    if plan.proposal_reason == "demand drift" and plan.status == pb.PLAN_STATUS_PROPOSED:
                        found[iid] = plan
            return found

        proposals: dict[str, pb.SignalPlan] = {}

        async def all_proposed() -> bool:
            proposals.update(await drift_plans())
            return len(proposals) == len(approved)

        deadline = asyncio.get_running_loop().time() + 30
        while not await all_proposed():
            assert asyncio.get_running_loop().time() < deadline, f"drift proposals only for {sorted(proposals)}"
            await asyncio.sleep(0.2)
        assert {p.corridor_id for p in proposals.values()} == {CORRIDOR}
        assert len({p.cycle_seconds for p in proposals.values()}) == 1  # a common cycle again
        assert all(p.demand_source == "detectors" for p in proposals.values())
        assert all(p.plan_id != approved[iid] for iid, p in proposals.items())
        # One pending drift set is enough: further rounds propose nothing new.
        await asyncio.sleep(1.0)
        for iid in approved:
            plans = (await stub.ListPlans(pb.ListPlansRequest(intersection_id=iid))).plans
            assert sum(1 for p in plans if p.proposal_reason == "demand drift") == 1
        active = await stub.GetActivePlan(pb.GetActivePlanRequest(intersection_id=corridor.plans[0].intersection_id))
        assert active.plan.plan_id == approved[corridor.plans[0].intersection_id]  # nothing changes unapproved


async def _vehicle_groups(stub: SignalsServiceStub) -> list[tuple[str, list[str]]]:
    listed = await stub.ListIntersections(pb.ListIntersectionsRequest())
    result = []
    for summary in listed.intersections:
        if summary.corridor_id != CORRIDOR:
            continue
        detail = await stub.GetIntersection(pb.GetIntersectionRequest(intersection_id=summary.intersection_id))
        result.append(
            (summary.intersection_id, [g.signal_group_id for g in detail.signal_groups if g.kind == "vehicle"])
        )
    return result


async def test_detector_counts_publish_link_travel_times_on_material_change(
    start_service, redis_client: aioredis.Redis, kafka_broker
) -> None:
    """Tests that counts near capacity publish a factor once, unchanged counts nothing, and a closure wins."""
    since = datetime.now(UTC).replace(microsecond=0)
    async with start_service(SERVICE, signals_travel_time_seconds=0.3) as service:
        await _joined(service)
        stub = SignalsServiceStub(service.channel)
        detail = await stub.GetIntersection(pb.GetIntersectionRequest(intersection_id="bahnhofstrasse-kreuzkirche"))
        k1 = next(g for g in detail.signal_groups if g.signal_group_id == "K1")
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=9)
        await _publish_counts(service, list(k1.detector_ids), 15, start)  # 900 veh/h on one through lane
        first = []
        deadline = asyncio.get_running_loop().time() + 20
        while not first:
            assert asyncio.get_running_loop().time() < deadline, "no travel-time estimate published"
            first = [e for e in await _conditions(kafka_broker.bootstrap, since, 1.0) if e.subject == OUTBOUND]
        estimate = first[0].payload
        assert estimate.kind == events_pb2.ROAD_CONDITION_KIND_CONGESTED
        # BPR at about 900 veh/h over a capacity of 1900 * 0.97 * 0.45 (no plan approved yet).
        assert 1.1 < estimate.travel_time_factor < 1.5
        assert estimate.HasField("valid_until_time")

        # The same demand again: several estimation rounds, no new event.
        await _publish_counts(service, list(k1.detector_ids), 15, start + timedelta(minutes=3))
        await asyncio.sleep(1.5)
        events = await _conditions(kafka_broker.bootstrap, since, 1.0)
        assert len([e for e in events if e.subject == OUTBOUND]) == 1
        assert not [e for e in events if e.subject == INBOUND]  # no counts, no estimate

        # A closure entered by the traffic centre is never overwritten by an estimate.
        from_node, to_node = OUTBOUND.split(">")
        closed_at = datetime.now(UTC).replace(microsecond=0)
        await stub.ReportRoadCondition(
            pb.ReportRoadConditionRequest(
                from_node_id=from_node,
                to_node_id=to_node,
                kind=events_pb2.ROAD_CONDITION_KIND_CLOSED,
                reason="Baustelle",
            ),
            metadata=ENGINEER,
        )
        await _publish_counts(
            service, list(k1.detector_ids), 28, start + timedelta(minutes=6)
        )  # would be a large change
        await asyncio.sleep(1.5)
        after = [e for e in await _conditions(kafka_broker.bootstrap, closed_at, 1.0) if e.subject == OUTBOUND]
        assert [e.payload.kind for e in after] == [events_pb2.ROAD_CONDITION_KIND_CLOSED]
