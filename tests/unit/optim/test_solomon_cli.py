"""`herne-mobility waste solve-vrptw` on one Solomon instance from ../shared."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from herne_cli.main import main
from herne_optim import solomon

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "benchmarks" / "vrptw" / "solomon"


@pytest.fixture
def c101() -> Path:
    path = SHARED / "c101.txt"
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{path} missing (../shared is required in CI)")
        pytest.skip(f"{path} missing (../shared not checked out beside the project)")
    return path


def test_solve_vrptw_prints_feasible_routes(c101: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["waste", "solve-vrptw", "--solomon", str(c101), "--time-limit", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    customers = sorted(c for route in result["routes"] for c in route)
    assert customers == list(range(1, 101))
    assert result["vehicles"] == len(result["routes"]) <= 25
    assert result["feasible"] is True
    instance = solomon.load(c101)
    assert result["distance_truncated"] == solomon.truncated_distance(instance, result["routes"])
    assert result["distance_truncated"] >= 827.3  # the proven optimum


def test_unreadable_instance_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("not an instance\n")
    assert main(["waste", "solve-vrptw", "--solomon", str(bad), "--time-limit", "1"]) == 2
    assert "not a Solomon instance" in capsys.readouterr().err


def test_parse_reads_fleet_and_customers() -> None:
    text = """R0\n\nVEHICLE\nNUMBER     CAPACITY\n  2         50\n\nCUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\n
    0      0          0          0          0       1000          0
    1      3          4          10         0       1000         10
"""
    instance = solomon.parse(text, "tiny")
    problem = solomon.to_problem(instance)
    assert (instance.vehicles, instance.capacity) == (2, 50.0)
    assert problem.duration(0, 1) == 5.0
    assert solomon.truncated_distance(instance, [[1]]) == 10.0
