"""The Herne hub data, the feed configuration and reading feeds from files and over HTTP."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from herne_mobility.feeds import (
    DEFAULT_FEEDS,
    Backoff,
    FeedConfig,
    load_feed_configs,
    poll_forever,
    read_directory,
    read_url,
)
from herne_mobility.gbfs import FeedError, SchemaSet
from herne_mobility.hubs import DEMO_HUBS, HubDataError, load_hubs
from herne_mobility.model import FeedSnapshot, Kind
from tests.fixtures.shared import shared_path


def test_demo_hubs_are_herne_and_marked_demo() -> None:
    """Tests that the demo file has the named Mobilstationen, every kind of station and the parking links."""
    data = load_hubs(json.loads(DEMO_HUBS.read_text()))
    assert data.demo and "DEMO" in data.notice
    for hub_id in (
        "herne-bahnhof",
        "wanne-eickel-hbf",
        "akademie-mont-cenis",
        "hoelkeskampring",
        "schloss-struenkede",
        "auf-der-wenge",
    ):
        assert hub_id in data.hubs
    assert {station.kind for station in data.stations.values()} == set(Kind)
    assert data.by_facility == {
        "herne-bf-pr": "parking:herne-bf-pr",
        "wanne-eickel-hbf-pr": "parking:wanne-eickel-hbf-pr",
    }
    chargers = data.stations["ladenetz-herne:herne-bahnhof"].chargers_total
    assert chargers == {150.0: 2, 22.0: 4}
    assert data.stations["parking:herne-bf-pr"].capacity == 120


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["hubs"][0].update(lat=95), "out of range"),
        (lambda d: d["hubs"].append(dict(d["hubs"][0])), "defined twice"),
        (lambda d: d["hubs"][0]["stations"][0].update(kind="ROCKET"), "kind must be one of"),
        (lambda d: d["hubs"][0]["stations"][0].update(source="parking"), "cannot have source"),
        (lambda d: d["hubs"][0]["stations"][0].update(station_id="nocolon"), "<system>:<id>"),
    ],
)
def test_bad_hub_data_is_refused_with_the_place(change, message: str) -> None:
    """Tests that a malformed hub file names what is wrong."""
    document = json.loads(DEMO_HUBS.read_text())
    change(document)
    with pytest.raises(HubDataError, match=message):
        load_hubs(document)


def test_default_feeds_are_herne_systems_switched_off() -> None:
    """Tests the built-in feed list: nextbike_mr, dott-herne, zeus_herne, off until switched on."""
    configs = load_feed_configs(json.loads(DEFAULT_FEEDS.read_text()))
    assert {c.system_id for c in configs} == {"nextbike_mr", "dott-herne", "zeus_herne"}
    assert not any(c.enabled for c in configs)
    switched = load_feed_configs(json.loads(DEFAULT_FEEDS.read_text()), enabled=["nextbike_mr"])
    assert [c.system_id for c in switched if c.enabled] == ["nextbike_mr"]
    with pytest.raises(ValueError, match="not configured"):
        load_feed_configs(json.loads(DEFAULT_FEEDS.read_text()), enabled=["lime"])


def test_feed_urls_match_the_systems_csv() -> None:
    """Tests that the configured discovery URLs are the ones MobilityData lists for Herne's systems."""
    rows = shared_path("standards/gbfs/samples/systems-DE.csv").read_text().splitlines()
    configs = load_feed_configs(json.loads(DEFAULT_FEEDS.read_text()))
    for config in configs:
        assert any(f",{config.system_id},".lower() in row.lower() and config.url in row for row in rows), config


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    return SchemaSet(shared_path("standards", "gbfs"))


async def test_directory_feed_reads_a_recording(schemas: SchemaSet) -> None:
    """Tests reading a system from recorded files."""
    config = FeedConfig("lillestrom", directory=shared_path("standards/gbfs/samples/otp-lillestrombysykkel"))
    snapshot = await read_directory(config, schemas)
    assert snapshot.statuses and snapshot.system_id == "lillestrom"


async def _serve(routes: list[web.RouteDef]) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.add_routes(routes)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def test_url_feed_follows_discovery_over_http(schemas: SchemaSet) -> None:
    """Tests reading a v2.x system over real HTTP: gbfs.json, then the listed feeds."""
    sample = shared_path("standards/gbfs/samples/otp-lillestrombysykkel")
    base = ""

    async def discovery(_request: web.Request) -> web.Response:
        feeds = [
            {"name": name, "url": f"{base}/{name}.json"}
            for name in ("station_information", "station_status", "system_information", "vehicle_types")
        ]
        return web.json_response({"last_updated": 1, "ttl": 60, "version": "2.2", "data": {"nb": {"feeds": feeds}}})

    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=(sample / request.match_info["name"]).read_bytes(), content_type="application/json")

    runner, base = await _serve([web.get("/gbfs.json", discovery), web.get("/{name}", feed)])
    try:
        async with aiohttp.ClientSession() as session:
            snapshot = await read_url(FeedConfig("lb", url=f"{base}/gbfs.json"), schemas, session, 5)
            assert len(snapshot.statuses) == 6
            with pytest.raises(FeedError, match="HTTP 404"):
                await read_url(FeedConfig("lb", url=f"{base}/nope/x"), schemas, session, 5)
    finally:
        await runner.cleanup()


async def test_url_feed_times_out(schemas: SchemaSet) -> None:
    """Tests that a server that does not answer is a FeedError after the timeout, not a hang."""

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(1.5)
        return web.Response(text="{}")

    runner, base = await _serve([web.get("/gbfs.json", slow)])
    try:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(FeedError, match="no answer"):
                await read_url(FeedConfig("slow", url=f"{base}/gbfs.json"), schemas, session, 0.3)
    finally:
        await runner.cleanup()


def test_backoff_doubles_up_to_the_maximum() -> None:
    """Tests the backoff sequence (with its +-20 % jitter)."""
    backoff = Backoff(first_s=1, maximum_s=8)
    rng = random.Random(1)
    delays = [backoff.next_delay(rng) for _ in range(6)]
    for delay, nominal in zip(delays, [1, 2, 4, 8, 8, 8], strict=True):
        assert nominal * 0.8 <= delay <= nominal * 1.2
    backoff.reset()
    assert backoff.next_delay(rng) <= 1.2


async def test_poller_reports_failures_and_keeps_polling(tmp_path: Path, schemas: SchemaSet) -> None:
    """Tests the poll loop: a failed read is reported and retried after backoff, a good one applied."""
    outcomes: list[str] = []
    calls = 0

    async def read() -> FeedSnapshot | None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise FeedError("station_status: not valid JSON")
        return await read_directory(
            FeedConfig("lb", directory=shared_path("standards/gbfs/samples/otp-lillestrombysykkel")), schemas
        )

    async def success(snapshot: FeedSnapshot) -> None:
        outcomes.append(f"ok {len(snapshot.statuses)}")

    async def failure(error: str) -> None:
        outcomes.append(f"error {error}")

    task = asyncio.create_task(
        poll_forever(read, success, failure, minimum_s=0.01, maximum_s=0.02, backoff=Backoff(0.01, 0.02))
    )
    try:
        while len(outcomes) < 3:
            await asyncio.sleep(0.01)
    finally:
        task.cancel()
    assert outcomes[0] == "error station_status: not valid JSON"
    assert outcomes[1:3] == ["ok 6", "ok 6"]
