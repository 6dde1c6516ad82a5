"""The SUMO bench's quick mode on the isolated intersection: real SUMO runs of every controller."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

pytest.importorskip("sumo")


def test_quick_bench_prints_every_controller() -> None:
    """Tests that the quick bench simulates every controller and reports plausible time losses."""
    done = subprocess.run(
        [sys.executable, str(BENCH / "signals_sumo.py"), "--quick", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = [line for line in done.stdout.splitlines() if line.startswith("| isolated |")]
    controllers = {row.split("|")[4].strip(): float(row.split("|")[5].split()[0]) for row in rows}
    assert set(controllers) == {
        "sumo-fixed", "sumo-webster", "sumo-actuated", "herne-fixed", "herne-coordinated", "herne-actuated",
        "herne-actuated-ped",
    }  # fmt: skip
    # Some time is lost at a signal, and medium demand on one junction never costs minutes.
    assert all(2.0 < loss < 90.0 for loss in controllers.values()), controllers


def test_plan_becomes_a_program_with_the_plans_greens(tmp_path: Path) -> None:
    """Tests that a service plan turns into SUMO phases whose green seconds match the plan's windows."""
    import signals_sumo
    import sumo_net

    setup = signals_sumo.without_pedestrians(signals_sumo.build("isolated"))
    plan = signals_sumo.service_plans(setup, 0.8)["i0"]
    net = sumo_net.write_network(setup.scenario, tmp_path, signals_sumo.SUMO_HOME, "static")
    links = sumo_net.link_groups(setup.scenario, net)["i0"]
    assert {link.group_id for link in links} == {"K1", "K2", "K3", "K4"}
    fixed = sumo_net.program_xml(setup.network.intersections["i0"], plan, links, "i0", mode="fixed")
    phases = [(p.get("state"), int(p.get("duration"))) for p in fixed.iter("phase")]
    assert sum(d for _, d in phases) == plan.cycle_s
    for index, link in enumerate(links):
        green = sum(d for state, d in phases if state[index] in "Gg")
        assert green == plan.window(link.group_id).max_green_s
    free = sumo_net.program_xml(setup.network.intersections["i0"], plan, links, "i0", mode="free")
    assert free.get("type") == "actuated"
    for phase in free.iter("phase"):
        if phase.get("minDur") is not None:
            assert int(phase.get("minDur")) <= int(phase.get("duration")) <= int(phase.get("maxDur"))
