"""The rendered overlays: schema-valid, complete for every catalog service, and consistent with the code."""

from __future__ import annotations

import json
import re
import subprocess
import typing
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

from herne_deploy import tools
from herne_deploy.inventory import (
    HEALTH_PORT,
    HTTP_FEEDS,
    IMAGE,
    INGRESS_NAMESPACE,
    KAFKA_BOOTSTRAP_SERVICE,
    KAFKA_CLUSTER,
    MONITORING_NAMESPACE,
    PART_OF,
    REDIS_NAME,
    DeployedService,
    deployed_services,
)
from herne_runtime.server import LIVENESS_SERVICE
from herne_runtime.settings import RuntimeSettings, env_name, load_settings
from tests.fixtures.deploy import OVERLAYS, objects_of, require

SERVICES = deployed_services()
# Oldest Kubernetes the manifests target (native gRPC probes are GA since 1.27) and the newest
# schema kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version())
# Kinds whose schemas come from their operators' CRDs (validated by k8s/tools/validate-crds.mjs).
CRD_KINDS = {"Kafka", "KafkaNodePool", "KafkaTopic", "ServiceMonitor", "PrometheusRule"}


def _deployment(objects: list[dict[str, Any]], service: DeployedService) -> dict[str, Any]:
    deployments = objects_of(objects, "Deployment")
    assert service.app in deployments, f"no Deployment {service.app} for catalog service {service.name}"
    return deployments[service.app]


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def _env(objects: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    """The container's environment as the kubelet builds it (secrets as placeholders)."""
    config_maps = objects_of(objects, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        name = source["configMapRef"]["name"]
        assert name in config_maps, f"envFrom references missing ConfigMap {name}"
        env.update(config_maps[name]["data"])
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = re.sub(r"\$\((\w+)\)", lambda match: env[match.group(1)], variable["value"])
        else:
            env[variable["name"]] = "0123456789abcdef"  # a Secret's value: hex, as the README asks
    return env


def _accepted_variables(settings_cls: type[RuntimeSettings]) -> set[str]:
    names = set()
    for field, info in settings_cls.model_fields.items():
        names.add(env_name(settings_cls, field))
        alias = info.validation_alias
        names.update(str(choice) for choice in getattr(alias, "choices", []))
    return names


def _mounted_file(deployment: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    """(volume, key) that provides the file ``path`` in the service container."""
    container = _container(deployment)
    volumes = {volume["name"]: volume for volume in deployment["spec"]["template"]["spec"]["volumes"]}
    for mount in container.get("volumeMounts", []):
        prefix = mount["mountPath"].rstrip("/") + "/"
        if path.startswith(prefix):
            return volumes[mount["name"]], path.removeprefix(prefix)
    raise AssertionError(f"{path} is not inside any volume mount of {deployment['metadata']['name']}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_objects_pass_the_kubernetes_schemas(rendered, overlay: str) -> None:
    """Tests that every built-in object validates strictly (no unknown fields) against the Kubernetes schemas."""
    validated = set()
    for obj in rendered[overlay]:
        if obj["kind"] in CRD_KINDS:
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except ValidationError as error:
                pytest.fail(f"{overlay}: {obj['kind']}/{obj['metadata']['name']} invalid for {version}: {error}")
            except SchemaNotFoundError:
                pytest.fail(f"{overlay}: no schema for {obj['apiVersion']} {obj['kind']}: add it to CRD_KINDS?")
        validated.add(obj["kind"])
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "NetworkPolicy", "StatefulSet"} <= validated


def test_schema_validation_rejects_a_broken_object() -> None:
    """Tests that the schema check fails on a wrong type and on an unknown field (so it is not a no-op)."""
    broken = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, "spec": {"replicas": "two"}}
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)
    typo = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"prots": []}}
    with pytest.raises(ValidationError):
        kubernetes_validate.validate(typo, KUBERNETES_VERSIONS[0], strict=True)


def _validate_crds(objects: list[dict[str, Any]]) -> list[dict[str, str]]:
    command = require(tools.crd_validator(), "the CRD schemas (node + k8s/tools npm packages)")
    result = subprocess.run(command, input=json.dumps(objects), capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_pass_their_crd_schemas(rendered, overlay: str) -> None:
    """Tests that Strimzi and Prometheus Operator resources validate against the operators' CRD schemas."""
    custom = [obj for obj in rendered[overlay] if obj["kind"] in CRD_KINDS]
    results = _validate_crds(custom)
    assert len(results) == len(custom)
    problems = [result for result in results if result["status"] != "valid"]
    assert not problems, problems
    assert {result["kind"] for result in results} == CRD_KINDS


def test_crd_validation_rejects_a_broken_topic() -> None:
    """Tests that the CRD check fails on a KafkaTopic whose partitions are not a number."""
    broken = {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {"name": "x"},
        "spec": {"partitions": "two"},
    }
    [result] = _validate_crds([broken])
    assert result["status"] == "invalid", result


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_every_service_has_its_objects(rendered, overlay: str, service: DeployedService) -> None:
    """Tests that each catalog service has Deployment, Service, HPA, PDB, NetworkPolicy, ServiceMonitor, account."""
    objects = rendered[overlay]
    for kind in ("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
                 "ServiceMonitor", "ServiceAccount"):  # fmt: skip
        assert service.app in objects_of(objects, kind), f"{overlay}: {kind} {service.app} missing"
    pod_labels = _deployment(objects, service)["spec"]["template"]["metadata"]["labels"]
    for kind in ("Service", "PodDisruptionBudget", "NetworkPolicy"):
        spec = objects_of(objects, kind)[service.app]["spec"]
        selector = spec.get("selector") or spec.get("podSelector")
        selector = selector.get("matchLabels", selector)
        assert selector.items() <= pod_labels.items(), f"{kind} {service.app} selects no pod of the Deployment"
    target = objects_of(objects, "HorizontalPodAutoscaler")[service.app]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", service.app)
    assert "replicas" not in _deployment(objects, service)["spec"], "the HPA owns spec.replicas"


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_deployment_is_locked_down_and_probed_over_grpc(rendered, overlay: str, service: DeployedService) -> None:
    """Tests non-root, no privilege escalation, dropped capabilities, and gRPC probes on the health port."""
    deployment = _deployment(rendered[overlay], service)
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] > 0
    assert pod["automountServiceAccountToken"] is False
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert security["readOnlyRootFilesystem"] is (overlay != "dev")  # dev: Tilt live_update writes sources
    assert container["image"].split("@")[0].rsplit(":", 1)[0].endswith(IMAGE)
    assert container["args"] == ["serve", service.name]
    assert {"requests", "limits"} <= container["resources"].keys()
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports["grpc"] == service.grpc_port
    assert ports["metrics"] == service.metrics_port
    assert ports.get("http") == service.http_port
    assert ports["health"] == HEALTH_PORT
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["grpc"]["port"] == HEALTH_PORT, probe
    assert container["livenessProbe"]["grpc"]["service"] == LIVENESS_SERVICE
    assert container["readinessProbe"]["grpc"].get("service", "") == ""  # overall status: Redis and Kafka up
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert "/tmp" in mounts


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_environment_is_valid_settings_of_the_service(
    rendered, overlay: str, service: DeployedService, tmp_path: Path, monkeypatch
) -> None:
    """Tests that every variable set is a real setting (no silently ignored typo) and that the values validate."""
    objects = rendered[overlay]
    deployment = _deployment(objects, service)
    env = _env(objects, _container(deployment))
    accepted = _accepted_variables(service.settings)
    interpolated = {name for value in _container(deployment).get("env", []) for name in
                    re.findall(r"\$\((\w+)\)", value.get("value", ""))}  # fmt: skip
    unknown = sorted(set(env) - accepted - interpolated)
    assert not unknown, f"{overlay}/{service.name}: variables no setting reads: {unknown}"
    assert env["HERNE_GRPC_PORT"] == str(service.grpc_port)
    assert env["HERNE_METRICS_PORT"] == str(service.metrics_port)
    assert env["HERNE_HEALTH_PORT"] == str(HEALTH_PORT)
    assert env.get("HERNE_HTTP_PORT") == (None if service.http_port is None else str(service.http_port))
    assert env["REDIS_URL"].startswith(f"redis://:0123456789abcdef@{REDIS_NAME}:")
    # File settings must point into a mounted Secret that provides that key; then check with real files.
    for field, info in service.settings.model_fields.items():
        variable = env_name(service.settings, field)
        if variable not in env or Path not in typing.get_args(info.annotation):
            continue
        volume, key = _mounted_file(deployment, env[variable])
        assert "secret" in volume, f"{variable} must come from a Secret"
        keys = [item["key"] for item in volume["secret"].get("items", [])]
        assert not keys or key in keys, f"{variable}: Secret {volume['secret']['secretName']} lacks {key}"
        stand_in = tmp_path / variable
        stand_in.write_text("{}" if field == "auth_tokens_file" else "stand-in")
        env[variable] = str(stand_in)
    for name in [name for name in list(__import__("os").environ) if name.startswith("HERNE_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(service.settings)
    assert settings.auth_tokens_file is not None, "tokens must come from the mounted Secret"
    assert settings.kafka_enable_idempotence is True, "Strimzi runs real Kafka: idempotent producers on"


def _kafka(objects: list[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    kafka = objects_of(objects, "Kafka")[KAFKA_CLUSTER]
    brokers = sum(
        pool["spec"]["replicas"]
        for pool in objects_of(objects, "KafkaNodePool").values()
        if pool["metadata"]["labels"]["strimzi.io/cluster"] == KAFKA_CLUSTER and "broker" in pool["spec"]["roles"]
    )
    return kafka, brokers


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_reach_kafka_through_the_strimzi_bootstrap(rendered, overlay: str) -> None:
    """Tests bootstrap host/port against the Kafka listeners, TLS and CA in prod, replication within the brokers."""
    objects = rendered[overlay]
    kafka, brokers = _kafka(objects)
    listeners = {listener["port"]: listener for listener in kafka["spec"]["kafka"]["listeners"]}
    for service in SERVICES:
        deployment = _deployment(objects, service)
        env = _env(objects, _container(deployment))
        host, port = env["KAFKA_BOOTSTRAP_SERVERS"].split(":")
        assert host == KAFKA_BOOTSTRAP_SERVICE
        listener = listeners[int(port)]
        protocol = env.get("HERNE_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
        assert listener["tls"] is (protocol == "SSL")
        if overlay == "prod":
            assert protocol == "SSL", "prod talks TLS to Kafka"
            volume, key = _mounted_file(deployment, env["HERNE_KAFKA_SSL_CAFILE"])
            assert volume["secret"]["secretName"] == f"{KAFKA_CLUSTER}-cluster-ca-cert"
            assert key == "ca.crt"
        assert 1 <= int(env["HERNE_KAFKA_REPLICATION_FACTOR"]) <= brokers
    config = kafka["spec"]["kafka"]["config"]
    assert config["min.insync.replicas"] <= config["default.replication.factor"] <= brokers
    assert config["min.insync.replicas"] < brokers or brokers == 1, "one broker down must not stop writes"


def test_prod_serves_grpc_over_tls_from_a_secret_per_service(rendered) -> None:
    """Tests that in prod each service mounts herne-<service>-tls and points the TLS settings at it."""
    for service in SERVICES:
        deployment = _deployment(rendered["prod"], service)
        env = _env(rendered["prod"], _container(deployment))
        for variable, key in (("HERNE_TLS_CERT_FILE", "tls.crt"), ("HERNE_TLS_KEY_FILE", "tls.key")):
            volume, mounted_key = _mounted_file(deployment, env[variable])
            assert volume["secret"]["secretName"] == f"{service.app}-tls"
            assert mounted_key == key
    dev_env = _env(rendered["dev"], _container(_deployment(rendered["dev"], SERVICES[0])))
    assert "HERNE_TLS_CERT_FILE" not in dev_env


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_network_policy_allows_only_what_must_talk(rendered, overlay: str, service: DeployedService) -> None:
    """Tests ingress from the ingress and monitoring namespaces only, egress to Redis, Kafka and DNS only."""
    objects = rendered[overlay]
    spec = objects_of(objects, "NetworkPolicy")[service.app]["spec"]
    assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
    container_ports = {port["name"] for port in _container(_deployment(objects, service))["ports"]}
    sources = {}
    for rule in spec["ingress"]:
        [peer] = rule["from"]
        namespace = peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        ports = {port["port"] for port in rule["ports"]}
        assert ports <= container_ports, f"unknown port names {ports - container_ports}"
        sources[namespace] = ports
    expected_public = {"grpc"} | ({"http"} if service.name in HTTP_FEEDS else set())
    assert sources == {INGRESS_NAMESPACE: expected_public, MONITORING_NAMESPACE: {"metrics"}}
    redis_port = objects_of(objects, "Service")[REDIS_NAME]["spec"]["ports"][0]["port"]
    kafka, _ = _kafka(objects)
    listener_ports = {listener["port"] for listener in kafka["spec"]["kafka"]["listeners"]}
    egress_ports: dict[str, set[int]] = {}
    for rule in spec["egress"]:
        [peer] = rule["to"]
        labels = peer.get("podSelector", {}).get("matchLabels", {})
        target = labels.get("app.kubernetes.io/name") or labels.get("strimzi.io/cluster") or labels.get("k8s-app")
        target = target or ("internet" if "ipBlock" in peer else "?")
        egress_ports[target] = {port["port"] for port in rule["ports"]}
    assert egress_ports[REDIS_NAME] == {redis_port}
    assert listener_ports <= egress_ports[KAFKA_CLUSTER]
    assert egress_ports["kube-dns"] == {53}
    allowed = {REDIS_NAME, KAFKA_CLUSTER, "kube-dns"} | ({"internet"} if service.name == "mobility" else set())
    assert set(egress_ports) == allowed


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_ports_and_monitors_match_the_containers(rendered, overlay: str) -> None:
    """Tests that Service ports target named container ports and each ServiceMonitor scrapes a Service port."""
    objects = rendered[overlay]
    for service in SERVICES:
        container_ports = {port["name"] for port in _container(_deployment(objects, service))["ports"]}
        service_ports = {port["name"]: port for port in objects_of(objects, "Service")[service.app]["spec"]["ports"]}
        expected = {"grpc", "metrics"} | ({"http"} if service.http_port is not None else set())
        assert set(service_ports) == expected
        assert {port["targetPort"] for port in service_ports.values()} <= container_ports
        assert service_ports["grpc"]["appProtocol"] == "kubernetes.io/h2c"
        monitor = objects_of(objects, "ServiceMonitor")[service.app]["spec"]
        assert (
            monitor["selector"]["matchLabels"].items()
            <= objects_of(objects, "Service")[service.app]["metadata"]["labels"].items()
        )
        assert [endpoint["port"] for endpoint in monitor["endpoints"]] == ["metrics"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_redis_persists_with_append_only_file(rendered, overlay: str) -> None:
    """Tests that Redis is a StatefulSet with a PVC on /data, AOF on, no eviction, and a password."""
    objects = rendered[overlay]
    redis = objects_of(objects, "StatefulSet")[REDIS_NAME]
    config = objects_of(objects, "ConfigMap")
    [redis_config] = [cm for name, cm in config.items() if name.startswith(REDIS_NAME)]
    conf = dict(
        line.split(" ", 1) for line in redis_config["data"]["redis.conf"].splitlines() if line and line[0] != "#"
    )
    assert conf["appendonly"] == "yes"
    assert conf["dir"] == "/data"
    assert conf["maxmemory-policy"] == "noeviction"
    [claim] = redis["spec"]["volumeClaimTemplates"]
    [container] = redis["spec"]["template"]["spec"]["containers"]
    assert {"name": claim["metadata"]["name"], "mountPath": "/data"} in container["volumeMounts"]
    assert "--requirepass" in container["command"]
    policy = objects_of(objects, "NetworkPolicy")[REDIS_NAME]["spec"]
    assert policy["egress"] == []


def _secret_references(node: Any) -> list[str]:
    """Names of Secrets referenced by volumes (secretName) and env (secretKeyRef) anywhere below ``node``."""
    if isinstance(node, list):
        return [name for item in node for name in _secret_references(item)]
    if not isinstance(node, dict):
        return []
    found = [node["secretName"]] if isinstance(node.get("secretName"), str) else []
    if isinstance(node.get("secretKeyRef"), dict):
        found.append(node["secretKeyRef"]["name"])
    return found + [name for value in node.values() for name in _secret_references(value)]


def test_every_referenced_secret_is_generated_or_documented(rendered) -> None:
    """Tests that secrets the overlays reference but do not create are named in the README's Deploying section."""
    readme = (tools.REPO_ROOT / "README.md").read_text()
    deploying = readme.split("## Deploying", 1)[1].split("\n## ", 1)[0] if "## Deploying" in readme else ""
    for overlay, objects in rendered.items():
        created = set(objects_of(objects, "Secret"))
        referenced = set(_secret_references(objects))
        for base in ("herne-redis", "herne-auth-tokens"):  # generated Secrets carry a hash suffix
            assert any(name == base or name.startswith(f"{base}-") for name in referenced), base
        missing = sorted(name for name in referenced - created if f"`{name}`" not in deploying)
        strimzi_made = {f"{KAFKA_CLUSTER}-cluster-ca-cert"}
        assert not [name for name in missing if name not in strimzi_made], f"{overlay}: undocumented {missing}"
        if overlay == "dev":
            assert referenced <= created | strimzi_made, "dev creates its own secrets"


def test_objects_carry_the_part_of_label_and_namespace(rendered) -> None:
    """Tests that every namespaced object lands in the herne namespace and our own objects are labelled."""
    for objects in rendered.values():
        for obj in objects:
            if obj["kind"] == "Namespace":
                continue
            assert obj["metadata"].get("namespace") == "herne", obj["metadata"]["name"]
            if obj["kind"] not in {"KafkaTopic", "KafkaNodePool", "Kafka", "Secret"}:
                assert obj["metadata"]["labels"]["app.kubernetes.io/part-of"] == PART_OF, obj["metadata"]["name"]


def test_only_dev_widens_egress_for_the_package_index(rendered) -> None:
    """Tests that the extra HTTPS egress for Tilt's `uv sync` exists in dev and nowhere in prod."""
    extra = {"herne-dev-package-index"}
    assert extra <= set(objects_of(rendered["dev"], "NetworkPolicy"))
    assert not extra & set(objects_of(rendered["prod"], "NetworkPolicy"))
