"""GBFS v2.3/v3.0 reading: the recorded samples import, bad feeds fail clearly, bad entries are dropped."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from herne_mobility.gbfs import FeedError, SchemaSet, build_snapshot, discovery_urls, timestamp
from herne_mobility.model import STALE_GRACE_SECONDS
from tests.fixtures.shared import shared_path


def _documents(directory: Path) -> dict[str, Any]:
    return {path.stem: json.loads(path.read_text()) for path in directory.glob("*.json")}


@pytest.fixture(scope="module")
def schemas() -> SchemaSet:
    schema_set = SchemaSet(shared_path("standards", "gbfs"))
    assert schema_set.available
    return schema_set


def test_helsinki_v1_style_recording_imports_without_its_broken_stations(schemas: SchemaSet) -> None:
    """Tests that the version-less, 0/1-flag Helsinki feed imports and drops the entries without id or position."""
    snapshot = build_snapshot("helsinki", _documents(shared_path("standards/gbfs/samples/otp-helsinki")), schemas)
    assert snapshot.version == "2.3"
    assert len(snapshot.stations) == 6  # 10 in the file: null id, empty id, null name, null position dropped
    assert set(snapshot.statuses) <= set(snapshot.stations)
    assert any("read as 2.3" in warning for warning in snapshot.warnings)
    assert any("0/1 read as booleans" in warning for warning in snapshot.warnings)
    status = snapshot.statuses["helsinki:001"]
    assert status.is_renting is True
    assert snapshot.valid_until == snapshot.last_updated + 60 + STALE_GRACE_SECONDS


def test_lillestrom_v22_recording_imports_with_a_version_warning(schemas: SchemaSet) -> None:
    """Tests that a 2.2 feed is read with the 2.3 rules and says so."""
    documents = _documents(shared_path("standards/gbfs/samples/otp-lillestrombysykkel"))
    snapshot = build_snapshot("lillestrom", documents, schemas)
    assert snapshot.warnings == ["version 2.2 read as 2.3"]
    assert len(snapshot.statuses) == 6
    assert sum(status.vehicles_available for status in snapshot.statuses.values()) > 0


def test_almere_v30_recording_imports_free_floating_mopeds(schemas: SchemaSet) -> None:
    """Tests the v3.0 recording: RFC 3339 timestamps, vehicle_status with ranges and typed mopeds."""
    snapshot = build_snapshot("almere", _documents(shared_path("standards/gbfs/samples/otp-ridecheck-almere")), schemas)
    assert snapshot.version == "3.0"
    assert snapshot.warnings == []
    assert len(snapshot.vehicles) == 4
    assert {snapshot.vehicle_types[v.vehicle_type_id].form_factor for v in snapshot.vehicles} == {"moped"}
    assert snapshot.last_updated == timestamp("2025-05-21T07:48:04.229881+00:00", "t")


def test_tier_oslo_recording_with_only_system_information_imports_empty(schemas: SchemaSet) -> None:
    """Tests that a system publishing no status feed imports with nothing available (and a warning)."""
    snapshot = build_snapshot("tier", _documents(shared_path("standards/gbfs/samples/otp-tieroslo")), schemas)
    assert not snapshot.stations and not snapshot.vehicles
    assert snapshot.name
    assert any("nothing available" in warning for warning in snapshot.warnings)


@pytest.mark.parametrize("version", ["v2.3", "v3.0"])
def test_official_examples_import(schemas: SchemaSet, version: str) -> None:
    """Tests that the schema repository's examples import (the v3.0 one names a type its vehicle_types lacks)."""
    snapshot = build_snapshot("ex", _documents(shared_path("standards/gbfs", version, "examples")), schemas)
    assert snapshot.stations and snapshot.statuses
    assert snapshot.version == version[1:]


@pytest.fixture
def v23(schemas: SchemaSet) -> dict[str, Any]:
    return _documents(shared_path("standards/gbfs/v2.3/examples"))


def test_not_json_fails_the_read() -> None:
    """Tests that a broken document is a FeedError naming the feed."""
    from herne_mobility.gbfs import parse_json

    with pytest.raises(FeedError, match="station_status: not valid JSON"):
        parse_json(b'{"data": ', "station_status")


def test_document_level_schema_violation_fails_the_read(schemas: SchemaSet, v23: dict[str, Any]) -> None:
    """Tests that a ttl of the wrong type fails the whole read with the place named."""
    v23["station_status"]["ttl"] = "soon"
    with pytest.raises(FeedError, match="ttl"):
        build_snapshot("ex", v23, schemas)


def test_missing_data_fails_the_read(schemas: SchemaSet, v23: dict[str, Any]) -> None:
    """Tests that a document without data is refused."""
    del v23["station_information"]["data"]
    with pytest.raises(FeedError, match="'data' is missing"):
        build_snapshot("ex", v23, schemas)


def test_negative_count_drops_only_that_station(schemas: SchemaSet, v23: dict[str, Any]) -> None:
    """Tests that a station with a negative count is dropped with a warning, the others stay."""
    stations = v23["station_status"]["data"]["stations"]
    bad_id = stations[0]["station_id"]
    stations[0]["num_bikes_available"] = -3
    snapshot = build_snapshot("ex", v23, schemas)
    assert f"ex:{bad_id}" not in snapshot.statuses
    assert len(snapshot.statuses) == len(stations) - 1
    assert any("violating the schema dropped" in warning for warning in snapshot.warnings)


def test_negative_count_is_refused_without_schemas(v23: dict[str, Any]) -> None:
    """Tests the structural checks alone (no schema directory) still refuse negative counts."""
    v23["station_status"]["data"]["stations"][0]["num_bikes_available"] = -3
    snapshot = build_snapshot("ex", v23, SchemaSet(None))
    assert any("non-negative" in warning for warning in snapshot.warnings)
    assert len(snapshot.statuses) == 1


def test_vehicle_of_unknown_type_is_dropped(schemas: SchemaSet, v23: dict[str, Any]) -> None:
    """Tests that a free-floating vehicle of a type not in vehicle_types is dropped with a warning."""
    bikes = v23["free_bike_status"]["data"]["bikes"]
    good = copy.deepcopy(bikes[0]) | {"bike_id": "good", "is_disabled": False}
    bad = copy.deepcopy(bikes[0]) | {"bike_id": "bad", "is_disabled": False, "vehicle_type_id": "nope"}
    v23["free_bike_status"]["data"]["bikes"] = [good, bad]
    snapshot = build_snapshot("ex", v23, schemas)
    assert [vehicle.vehicle_id for vehicle in snapshot.vehicles] == ["ex:good"]
    assert any("'nope' not in vehicle_types" in warning for warning in snapshot.warnings)


def test_only_vehicles_of_unknown_types_fail_the_read(schemas: SchemaSet, v23: dict[str, Any]) -> None:
    """Tests that a vehicle feed where no vehicle is usable is a FeedError (keeps the last good state)."""
    bike = v23["free_bike_status"]["data"]["bikes"][0] | {"is_disabled": False, "vehicle_type_id": "nope"}
    v23["free_bike_status"]["data"]["bikes"] = [bike]
    with pytest.raises(FeedError, match="no usable vehicle"):
        build_snapshot("ex", v23, schemas)


def test_status_without_information_fails(schemas: SchemaSet, v23: dict[str, Any]) -> None:
    """Tests that station_status cannot be read without station_information."""
    del v23["station_information"]
    with pytest.raises(FeedError, match="without station_information"):
        build_snapshot("ex", v23, schemas)


def test_huge_lists_are_refused(v23: dict[str, Any]) -> None:
    """Tests that a document with an absurd number of entries is refused before parsing them."""
    v23["station_status"]["data"]["stations"] = [{}] * 50_001
    with pytest.raises(FeedError, match="at most 50000"):
        build_snapshot("ex", v23, SchemaSet(None))


def test_discovery_urls_of_both_versions(schemas: SchemaSet) -> None:
    """Tests that v2.x (per language) and v3.0 (flat) gbfs.json both give the feed URLs."""
    v2 = json.loads(shared_path("standards/gbfs/v2.3/examples/gbfs.json").read_text())
    v3 = json.loads(shared_path("standards/gbfs/v3.0/examples/gbfs.json").read_text())
    assert "station_status" in discovery_urls(v2)
    assert "station_status" in discovery_urls(v3)
    with pytest.raises(FeedError):
        discovery_urls({"data": {"en": {}}})
