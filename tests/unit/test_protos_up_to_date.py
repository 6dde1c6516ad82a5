"""The committed generated code equals what the protos generate today."""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path


def _files(root: Path) -> set[str]:
    return {
        str(path.relative_to(root)) for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    }


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    """Tests that regenerating libs/herne from protos/ changes no byte (run `make protos` after a .proto edit)."""
    # In a subprocess: grpc_tools' bundled protobuf/abseil aborts the interpreter when loaded after
    # OR-Tools' own copy, which the optimisation tests import into this process.
    subprocess.run([sys.executable, "-m", "herne_codegen", "--out", str(tmp_path)], check=True, capture_output=True)
    fresh = tmp_path / "herne"
    committed = Path(__file__).resolve().parents[2] / "libs" / "herne"
    assert _files(fresh) == _files(committed), "generated file set differs: run `make protos`"
    stale = [name for name in sorted(_files(fresh)) if not filecmp.cmp(fresh / name, committed / name, shallow=False)]
    assert not stale, f"stale generated files (run `make protos`): {stale}"
