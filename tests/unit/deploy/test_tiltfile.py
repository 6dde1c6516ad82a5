"""The Tiltfile runs in a Starlark interpreter with Tilt's built-ins recorded: no typo can land.

The stubs take Tilt's real parameter names (https://docs.tilt.dev/api.html), so a misspelt
keyword fails as it would in Tilt; ``kustomize`` really renders the dev overlay.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import starlark
import yaml

from herne_deploy import tools
from herne_deploy.inventory import IMAGE, deployed_services
from tests.fixtures.deploy import require

ROOT = tools.REPO_ROOT
DOCKER_BUILD_OPTIONS = {
    "dockerfile", "dockerfile_contents", "target", "only", "ignore", "build_args", "entrypoint", "live_update",
    "match_in_env_vars", "container_args", "ssh", "secret", "network", "extra_tag", "cache_from", "pull", "platform",
    "extra_hosts", "env_vars",
}  # fmt: skip


class Tilt:
    """Recorded calls of Tilt's built-ins."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def record(self, builtin: str, /, **arguments: Any) -> dict[str, Any]:
        call = {"builtin": builtin, **arguments}
        self.calls[builtin].append(call)
        return call

    def module(self) -> starlark.Module:
        module = starlark.Module()
        tilt = self

        def version_settings(check_updates=True, constraint=""):
            return tilt.record("version_settings", constraint=constraint)

        def allow_k8s_contexts(contexts):
            return tilt.record("allow_k8s_contexts", contexts=contexts)

        def local_resource(name, cmd="", deps=None, trigger_mode=None, resource_deps=None, ignore=None,
                           auto_init=True, serve_cmd="", cmd_bat="", serve_cmd_bat="", allow_parallel=False,
                           links=None, tags=None, env=None, serve_env=None, readiness_probe=None, dir="",
                           serve_dir="", labels=None):  # fmt: skip
            return tilt.record("local_resource", name=name, cmd=cmd, deps=deps or [], labels=labels or [],
                               resource_deps=resource_deps or [])  # fmt: skip

        def sync(local_path, remote_path):
            return tilt.record("sync", local_path=local_path, remote_path=remote_path)

        def run(cmd, trigger=None, echo_off=False):
            return tilt.record("run", cmd=cmd, trigger=trigger or [])

        def fall_back_on(files):
            return tilt.record("fall_back_on", files=files)

        def kustomize(pathToDir, kustomize_bin=None, flags=None):
            rendered = tools.render(ROOT / pathToDir)
            tilt.record("kustomize", path=pathToDir)
            return yaml.safe_dump_all(rendered)

        def k8s_yaml(yaml_text, allow_duplicates=False):
            return tilt.record("k8s_yaml", objects=list(yaml.safe_load_all(yaml_text)))

        def decode_yaml_stream(yaml_text):
            return [document for document in yaml.safe_load_all(yaml_text) if document]

        def k8s_kind(kind, image_json_path=None, api_version=None, image_object=None, pod_readiness=""):
            return tilt.record("k8s_kind", kind=kind, pod_readiness=pod_readiness)

        def k8s_resource(workload="", new_name="", port_forwards=None, extra_pod_selectors=None, trigger_mode=None,
                         resource_deps=None, objects=None, auto_init=True, pod_readiness="", links=None,
                         labels=None, discovery_strategy=""):  # fmt: skip
            return tilt.record("k8s_resource", workload=workload, new_name=new_name,
                               port_forwards=port_forwards or [], resource_deps=resource_deps or [],
                               objects=objects or [], labels=labels or [])  # fmt: skip

        def port_forward(local_port, container_port=None, name=None, link_path=None, host=None):
            return tilt.record("port_forward", local_port=local_port, container_port=container_port, name=name)

        for function in (version_settings, allow_k8s_contexts, local_resource, sync, run, fall_back_on, kustomize,
                         k8s_yaml, decode_yaml_stream, k8s_kind, k8s_resource, port_forward):  # fmt: skip
            module.add_callable(function.__name__, function)
        return module

    def load(self, name: str) -> starlark.FrozenModule:
        assert name == "ext://restart_process", f"unexpected load({name!r})"
        tilt = self
        module = starlark.Module()

        # https://github.com/tilt-dev/tilt-extensions/tree/master/restart_process
        def docker_build_with_restart(ref, context, entrypoint, live_update, base_suffix="", restart_file="",
                                      trigger=None, exit_policy="restart", **kwargs):  # fmt: skip
            unknown = set(kwargs) - DOCKER_BUILD_OPTIONS
            assert not unknown, f"docker_build has no option {unknown}"
            return tilt.record("docker_build", ref=ref, context=context, entrypoint=entrypoint,
                               live_update=live_update, **kwargs)  # fmt: skip

        module.add_callable("docker_build_with_restart", docker_build_with_restart)
        return module.freeze()


@pytest.fixture(scope="module")
def tilt() -> Tilt:
    """The Tiltfile, evaluated once with the recording stubs."""
    require(tools.kustomize_command(), "a kustomize renderer (kustomize or kubectl)")
    recorder = Tilt()
    source = (ROOT / "Tiltfile").read_text()
    ast = starlark.parse("Tiltfile", source, starlark.Dialect.extended())
    starlark.eval(recorder.module(), ast, starlark.Globals.standard(), starlark.FileLoader(recorder.load))
    return recorder


def test_a_typo_fails_to_load() -> None:
    """Tests that the interpreter rejects an unknown built-in and a misspelt keyword, as Tilt would."""
    for source in ('k8s_resorce("x")', 'k8s_resource("x", port_forward=[])'):
        with pytest.raises(starlark.StarlarkError):
            starlark.eval(Tilt().module(), starlark.parse("Tiltfile", source, starlark.Dialect.extended()),
                          starlark.Globals.standard())  # fmt: skip


def test_every_catalog_service_gets_a_resource_with_its_ports(tilt: Tilt) -> None:
    """Tests that each service has a k8s_resource forwarding its gRPC, metrics and HTTP ports, labelled by domain."""
    resources = {call["workload"]: call for call in tilt.calls["k8s_resource"]}
    for service in deployed_services():
        resource = resources.get(service.app)
        assert resource is not None, f"no k8s_resource for {service.app}"
        assert resource["new_name"] == service.name
        assert resource["labels"] == [service.name]
        forwards = {forward["local_port"]: forward["container_port"] for forward in resource["port_forwards"]}
        expected = {service.grpc_port, service.metrics_port} | ({service.http_port} if service.http_port else set())
        assert forwards == {port: port for port in expected}
        assert {"redis", "kafka"} <= set(resource["resource_deps"])
    local_ports = [forward["local_port"] for call in tilt.calls["k8s_resource"] for forward in call["port_forwards"]]
    assert len(local_ports) == len(set(local_ports)), "two resources forward the same local port"


def test_resources_refer_to_existing_workloads_and_resources(tilt: Tilt) -> None:
    """Tests that every workload is rendered by the dev overlay and every resource_dep names a resource."""
    [k8s_yaml] = tilt.calls["k8s_yaml"]
    workloads = {obj["metadata"]["name"] for obj in k8s_yaml["objects"]
                 if obj["kind"] in {"Deployment", "StatefulSet", "Kafka"}}  # fmt: skip
    names = {call["name"] for call in tilt.calls["local_resource"]}
    for call in tilt.calls["k8s_resource"]:
        assert call["workload"] in workloads, call["workload"]
        names.add(call["new_name"] or call["workload"])
    kinds = {call["kind"] for call in tilt.calls["k8s_kind"]}
    rendered_selectors = {f"{obj['metadata']['name']}:{obj['kind'].lower()}" for obj in k8s_yaml["objects"]}
    for call in tilt.calls["k8s_resource"]:
        assert set(call["resource_deps"]) <= names
        assert set(call["objects"]) <= rendered_selectors
    assert "Kafka" in kinds
    assert [call["path"] for call in tilt.calls["kustomize"]] == ["k8s/overlays/dev"]


def test_image_build_with_live_update(tilt: Tilt) -> None:
    """Tests the image name used by the manifests, the Dockerfile's dev stage, synced paths and the lock trigger."""
    [build] = tilt.calls["docker_build"]
    assert build["ref"] == IMAGE
    assert build["entrypoint"] == ["herne-mobility"]
    dockerfile = (ROOT / build["dockerfile"]).read_text()
    assert re.search(rf"^FROM \S+ AS {build['target']}$", dockerfile, re.MULTILINE), "no such Dockerfile stage"
    workdir = re.findall(r"^WORKDIR (\S+)$", dockerfile, re.MULTILINE)[-1]
    syncs = [step for step in build["live_update"] if step["builtin"] == "sync"]
    assert {step["local_path"] for step in syncs} >= {"libs", "services"}
    for step in syncs:
        assert (ROOT / step["local_path"]).exists()
        assert step["remote_path"] == f"{workdir}/{step['local_path']}"
    [run] = [step for step in build["live_update"] if step["builtin"] == "run"]
    assert "uv sync --frozen" in run["cmd"] and run["trigger"] == ["uv.lock"]
    assert build["live_update"][0]["builtin"] == "fall_back_on", "fall_back_on must come first"
    for path in build["only"]:
        assert (ROOT / path).exists(), path


def test_proto_generation_resource(tilt: Tilt) -> None:
    """Tests the local resource that regenerates the protobuf code, watching protos/."""
    resources = {call["name"]: call for call in tilt.calls["local_resource"]}
    assert "herne_codegen" in resources["protos"]["cmd"]
    for resource in resources.values():
        for dep in resource["deps"]:
            assert (ROOT / dep).exists(), dep
        module = re.search(r"-m (\w+)", resource["cmd"])
        assert module and (Path(ROOT / "libs" / module.group(1))).is_dir()
