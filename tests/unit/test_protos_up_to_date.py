"""The committed generated code equals what the protos generate today."""

from __future__ import annotations

import filecmp
from pathlib import Path

from herne_codegen.__main__ import DEFAULT_OUT, generate


def _files(root: Path) -> set[str]:
    return {
        str(path.relative_to(root)) for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    }


def test_generated_code_is_fresh(tmp_path: Path) -> None:
    """Tests that regenerating libs/herne from protos/ changes no byte (run `make protos` after a .proto edit)."""
    fresh = generate(tmp_path)
    committed = DEFAULT_OUT / "herne"
    assert _files(fresh) == _files(committed), "generated file set differs: run `make protos`"
    stale = [name for name in sorted(_files(fresh)) if not filecmp.cmp(fresh / name, committed / name, shallow=False)]
    assert not stale, f"stale generated files (run `make protos`): {stale}"
