"""GBFS feed configuration and reading a system from a directory of files or a discovery URL."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from herne_mobility.gbfs import FeedError, SchemaSet, build_snapshot, discovery_urls, parse_json
from herne_mobility.model import FeedSnapshot

DEFAULT_FEEDS = Path(__file__).resolve().parent / "data" / "feeds.json"
# Files read from a system directory (v2.3 free_bike_status or v3.0 vehicle_status).
FEED_FILES = (
    "system_information",
    "vehicle_types",
    "station_information",
    "station_status",
    "vehicle_status",
    "free_bike_status",
)
MAX_DOCUMENT_BYTES = 32 * 1024 * 1024  # a nextbike region is a few MB; more is refused, not buffered


@dataclass(frozen=True)
class FeedConfig:
    """One GBFS system to read: from a discovery URL (gbfs.json) or a directory of recorded files."""

    system_id: str
    name: str = ""
    url: str = ""
    directory: Path | None = None
    enabled: bool = False
    demo: bool = False

    @property
    def source(self) -> str:
        return self.url or str(self.directory or "")


def load_feed_configs(document: Any, enabled: Iterable[str] = ()) -> list[FeedConfig]:
    """Feeds of a feeds file ({"feeds": [...]}); ids in ``enabled`` are switched on whatever the file says."""
    if not isinstance(document, dict) or not isinstance(document.get("feeds"), list):
        raise ValueError("the feeds file must be an object with a 'feeds' list")
    switched_on = set(enabled)
    configs: list[FeedConfig] = []
    for index, entry in enumerate(document["feeds"]):
        system_id = entry.get("system_id") if isinstance(entry, dict) else None
        if not isinstance(system_id, str) or not system_id or ":" in system_id:
            raise ValueError(f"feeds[{index}].system_id must be a non-empty string without ':'")
        url, directory = str(entry.get("url", "")), entry.get("directory")
        if bool(url) == bool(directory):
            raise ValueError(f"feeds[{index}] ({system_id}): give exactly one of 'url' and 'directory'")
        if url and not url.startswith(("http://", "https://")):
            raise ValueError(f"feeds[{index}] ({system_id}): url must be http(s)")
        configs.append(
            FeedConfig(
                system_id=system_id,
                name=str(entry.get("name", system_id)),
                url=url,
                directory=Path(directory) if directory else None,
                enabled=entry.get("enabled") is True or system_id in switched_on,
                demo=entry.get("demo") is True,
            )
        )
    unknown = switched_on - {config.system_id for config in configs}
    if unknown:
        raise ValueError(f"feeds to switch on are not configured: {sorted(unknown)}")
    return configs


def demo_feed_configs(directory: Path) -> list[FeedConfig]:
    """One demo feed per subdirectory (the simulator writes a GBFS system into each)."""
    if not directory.is_dir():
        return []
    return [
        FeedConfig(system_id=path.name, name=path.name, directory=path, enabled=True, demo=True)
        for path in sorted(directory.iterdir())
        if path.is_dir() and ":" not in path.name and not path.name.startswith(".")
    ]


def directory_version(directory: Path) -> tuple[tuple[str, int], ...]:
    """Change marker of a system directory (names and modification times of its feed files)."""
    marker = []
    for name in FEED_FILES:
        path = directory / f"{name}.json"
        try:
            marker.append((name, path.stat().st_mtime_ns))
        except FileNotFoundError:
            continue
    return tuple(marker)


def _read_files(directory: Path) -> dict[str, Any]:
    if not directory.is_dir():
        raise FeedError(f"{directory}: no such directory")
    documents: dict[str, Any] = {}
    for name in FEED_FILES:
        path = directory / f"{name}.json"
        if not path.exists():
            continue
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise FeedError(f"{name}: larger than {MAX_DOCUMENT_BYTES} bytes")
        documents[name] = parse_json(path.read_bytes(), name)
    return documents


async def read_directory(config: FeedConfig, schemas: SchemaSet) -> FeedSnapshot:
    """Read a system from recorded files (``<feed>.json``; gbfs.json's URLs are not followed)."""
    assert config.directory is not None
    documents = await asyncio.to_thread(_read_files, config.directory)
    return build_snapshot(config.system_id, documents, schemas)


async def fetch_json(session: aiohttp.ClientSession, url: str, feed: str, timeout_s: float) -> Any:
    try:
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=timeout_s)) as response:
            if response.status != 200:
                raise FeedError(f"{feed}: HTTP {response.status} from {url}")
            body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
    except TimeoutError:
        raise FeedError(f"{feed}: no answer from {url} within {timeout_s:.0f} s") from None
    except aiohttp.ClientError as error:
        raise FeedError(f"{feed}: {url}: {type(error).__name__}: {error}") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise FeedError(f"{feed}: larger than {MAX_DOCUMENT_BYTES} bytes")
    return parse_json(body, feed)


async def read_url(
    config: FeedConfig, schemas: SchemaSet, session: aiohttp.ClientSession, timeout_s: float
) -> FeedSnapshot:
    """Read a system from its discovery URL: gbfs.json, then the feeds it lists, concurrently."""
    discovery = await fetch_json(session, config.url, "gbfs.json", timeout_s)
    urls = {
        name: url
        for name, url in discovery_urls(discovery).items()
        if name in FEED_FILES and url.startswith(("http://", "https://"))
    }
    names = sorted(urls)
    documents = await asyncio.gather(*(fetch_json(session, urls[name], name, timeout_s) for name in names))
    return build_snapshot(config.system_id, dict(zip(names, documents, strict=True)), schemas)


@dataclass
class Backoff:
    """Exponential backoff with jitter between failed polls (first, then doubling up to maximum)."""

    first_s: float
    maximum_s: float
    failures: int = 0

    def next_delay(self, rng: random.Random) -> float:
        self.failures += 1
        delay = min(self.maximum_s, self.first_s * 2 ** (self.failures - 1))
        return delay * (0.8 + 0.4 * rng.random())

    def reset(self) -> None:
        self.failures = 0


def poll_delay(snapshot: FeedSnapshot, minimum_s: float, maximum_s: float) -> float:
    """Seconds until the next poll: the feed's ttl, kept between the configured bounds."""
    return max(minimum_s, min(maximum_s, snapshot.ttl or minimum_s))


async def poll_forever(
    read: Callable[[], Awaitable[FeedSnapshot | None]],
    on_success: Callable[[FeedSnapshot], Awaitable[None]],
    on_failure: Callable[[str], Awaitable[None]],
    *,
    minimum_s: float,
    maximum_s: float,
    backoff: Backoff,
    rng: random.Random | None = None,
) -> None:
    """Poll one feed until cancelled; ``read`` returning None means "unchanged, ask again soon"."""
    rng = rng or random.Random()  # noqa: S311 - jitter, not security
    while True:
        try:
            snapshot = await read()
        except FeedError as error:
            await on_failure(str(error))
            await asyncio.sleep(backoff.next_delay(rng))
            continue
        except (OSError, json.JSONDecodeError) as error:
            await on_failure(f"{type(error).__name__}: {error}")
            await asyncio.sleep(backoff.next_delay(rng))
            continue
        backoff.reset()
        if snapshot is None:
            await asyncio.sleep(minimum_s)
            continue
        await on_success(snapshot)
        await asyncio.sleep(poll_delay(snapshot, minimum_s, maximum_s))
