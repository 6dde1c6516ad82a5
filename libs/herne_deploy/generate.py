"""Writes (or checks) the generated files of ``k8s/``."""

from __future__ import annotations

import json
from pathlib import Path

from herne_deploy.inventory import deployed_services
from herne_deploy.manifests import (
    PROMETHEUS_SELECTOR_LABELS,
    config_env,
    grpc_tls_patch,
    kafka_topics,
    service_documents,
)
from herne_deploy.observability import dashboard, prometheus_rule
from herne_deploy.yamlfile import dump_documents
from herne_stack.demo import DEMO_TOKENS

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S = Path("k8s")
DASHBOARD = K8S / "base/monitoring/dashboards/herne-mobility.json"

_CATALOG = "libs/herne_stack/catalog.py and the services' settings"


def _kustomization(resources: list[str], *, component: bool = False, patches: list[str] | None = None) -> dict:
    document: dict = {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1" if component else "kustomize.config.k8s.io/v1beta1",
        "kind": "Component" if component else "Kustomization",
    }
    if resources:
        document["resources"] = resources
    if patches:
        document["patches"] = [{"path": path} for path in patches]
    return document


def generated_files() -> dict[Path, str]:
    """Relative path -> content of every generated file."""
    services = deployed_services()
    files: dict[Path, str] = {}
    for service in services:
        files[K8S / f"base/services/{service.name}.yaml"] = dump_documents(service_documents(service), source=_CATALOG)
        files[K8S / f"components/grpc-tls/{service.name}.yaml"] = dump_documents(
            [grpc_tls_patch(service)], source=_CATALOG
        )
        files[K8S / f"base/services/{service.name}.env"] = config_env(service)
    services_kustomization = _kustomization([f"{service.name}.yaml" for service in services])
    services_kustomization["configMapGenerator"] = [
        {"name": service.app, "envs": [f"{service.name}.env"], "options": {"labels": service.labels()}}
        for service in services
    ]
    files[K8S / "base/services/kustomization.yaml"] = dump_documents([services_kustomization], source=_CATALOG)
    files[K8S / "components/grpc-tls/kustomization.yaml"] = dump_documents(
        [_kustomization([], component=True, patches=[f"{service.name}.yaml" for service in services])],
        source=_CATALOG,
    )
    files[K8S / "base/kafka/topics.yaml"] = dump_documents(kafka_topics(), source="libs/herne_events/topics.py")
    files[K8S / "base/monitoring/prometheus-rules.yaml"] = dump_documents(
        [prometheus_rule(PROMETHEUS_SELECTOR_LABELS)], source="libs/herne_deploy/observability.py"
    )
    files[DASHBOARD] = json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n"
    files[K8S / "overlays/dev/secrets/auth-tokens.json"] = json.dumps(DEMO_TOKENS, indent=2, sort_keys=True) + "\n"
    return files


def write(root: Path = REPO_ROOT) -> list[Path]:
    """Write every generated file that differs; returns the paths written."""
    written = []
    for path, content in generated_files().items():
        target = root / path
        if target.exists() and target.read_text() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        written.append(path)
    return written


def stale(root: Path = REPO_ROOT) -> list[Path]:
    """Generated files that are missing or differ from what the sources give now."""
    return [
        path
        for path, content in generated_files().items()
        if not (root / path).exists() or (root / path).read_text() != content
    ]
