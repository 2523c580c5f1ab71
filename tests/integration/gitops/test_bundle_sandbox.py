"""A bundle applied to the sandbox with the real `kubectl apply -k --server-side`, and the health checks on
the CRs the sandbox produced, run by a real Lua 5.1 (Argo CD runs gopher-lua: Lua 5.1 semantics)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.core import gitops_health
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition, chain_definition
from tests.adversarial.conftest import cli

LUA = shutil.which("lua5.1")
REGIONS = ("us-east-1", "us-west-2")
needs_lua = pytest.mark.skipif(LUA is None, reason="needs lua5.1 (scripts/test.sh installs it)")


def kubectl(env, *args, timeout=120, check=True):
    done = subprocess.run(["kubectl", *args], capture_output=True, text=True, env=env, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)}: {done.stderr}")
    return done


def get(env, kind, name, namespace):
    return json.loads(kubectl(env, "get", kind, name, "-n", namespace, "-o", "json").stdout)


def lua_literal(value) -> str:
    """A JSON value as a Lua table constructor: what Argo CD hands a health script as ``obj``."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "{" + ", ".join(lua_literal(v) for v in value) + "}"
    return "{" + ", ".join(f"[{json.dumps(k)}] = {lua_literal(v)}" for k, v in value.items()) + "}"


def argocd_health(obj: dict, kind: str) -> tuple[str, str]:
    """Run the check from the printed argocd-cm patch on ``obj`` with lua5.1, as Argo CD runs it."""
    import yaml

    patch = yaml.safe_load(cli("gitops", "health", "--tool", "argocd").stdout)
    script = patch["data"][gitops_health.health_key(kind)]
    assert "]==]" not in script
    harness = (
        f"obj = {lua_literal(obj)}\n"
        f"local hs = assert(loadstring([==[{script}]==]))()\n"
        'io.write(hs.status, "\\n", hs.message or "", "\\n")\n'
    )
    done = subprocess.run([LUA, "-"], input=harness, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    status, message = done.stdout.split("\n", 1)
    return status, message.strip()


def envs_yaml(name: str, role: str = ROLE, parameters: str | None = None, namespaces=("gitops-a",)) -> str:
    lines = ["environments:"]
    for i, ns in enumerate(namespaces):
        lines += [
            f"  env{i}:",
            f"    namespace: {ns}",
            f"    region: {REGIONS[i]}",  # one SageMaker account here: each environment its own region
            f"    roleARN: {role}",
            "    deletionPolicy: retain",
            '    keep: ["123456789012", "sagemaker-ack-demo"]',
        ]
        if parameters:
            lines.append(f"    parameters: {parameters}")
    return "\n".join(lines) + "\n"


def make_bundle(tmp_path: Path, definition: dict, name: str, envs: str) -> tuple[Path, str]:
    (tmp_path / "def.json").write_text(json.dumps(definition))
    (tmp_path / "envs.yaml").write_text(envs)
    out = tmp_path / "out"
    outcome = cli(
        "bundle",
        str(tmp_path / "def.json"),
        "-o",
        str(out),
        "--environments",
        str(tmp_path / "envs.yaml"),
        "--pipeline-name",
        name,
    )
    assert outcome.exit_code == 0, outcome.output
    return out, outcome.stderr


def namespace(env, name: str) -> None:
    """Namespaces belong to the platform, not to the bundle: made here as a cluster admin would."""
    done = kubectl(env, "create", "namespace", name, check=False)
    assert done.returncode == 0 or "AlreadyExists" in done.stderr, done.stderr


def wait_for(env, kind, name, namespace, jsonpath, value, timeout="90s"):
    kubectl(
        env,
        "wait",
        f"--for=jsonpath={jsonpath}={value}",
        f"--timeout={timeout}",
        f"{kind}/{name}",
        "-n",
        namespace,
    )


def test_every_overlay_applies_server_side_and_a_resync_starts_no_second_run(sandbox, sandbox_env, tmp_path):
    namespaces = ("gitops-a", "gitops-b")
    out, _ = make_bundle(
        tmp_path,
        abalone_definition(),
        "gitops-abalone",
        envs_yaml("gitops-abalone", parameters="{ProcessingInstanceCount: 2}", namespaces=namespaces),
    )
    runs = {}
    for i, ns in enumerate(namespaces):
        namespace(sandbox_env, ns)
        kubectl(sandbox_env, "apply", "-k", str(out / "overlays" / f"env{i}"), "--server-side")
        kubectl(
            sandbox_env,
            "wait",
            "--for=condition=ACK.ResourceSynced",
            "--timeout=60s",
            "pipeline/gitops-abalone",
            "-n",
            ns,
        )
        items = json.loads(kubectl(sandbox_env, "get", "pipelineexecution", "-n", ns, "-o", "json").stdout)[
            "items"
        ]
        assert len(items) == 1
        name = items[0]["metadata"]["name"]
        wait_for(sandbox_env, "pipelineexecution", name, ns, "{.status.pipelineExecutionStatus}", "Succeeded")
        runs[ns] = (
            name,
            get(sandbox_env, "pipelineexecution", name, ns)["status"]["ackResourceMetadata"]["arn"],
        )
    # A GitOps re-sync applies the same files again: the same CR names, so no new SageMaker run.
    for i in range(len(namespaces)):
        kubectl(sandbox_env, "apply", "-k", str(out / "overlays" / f"env{i}"), "--server-side")
    import boto3

    time.sleep(2.0)
    arns = set()
    for region in REGIONS:
        listed = boto3.client("sagemaker", region_name=region).list_pipeline_executions(
            PipelineName="gitops-abalone"
        )
        arns |= {s["PipelineExecutionArn"] for s in listed["PipelineExecutionSummaries"]}
    assert arns == {arn for _, arn in runs.values()}
    if LUA:
        for ns, (name, _) in runs.items():
            assert argocd_health(get(sandbox_env, "pipelineexecution", name, ns), "PipelineExecution") == (
                "Healthy",
                "The run succeeded",
            )
            assert (
                argocd_health(get(sandbox_env, "pipeline", "gitops-abalone", ns), "Pipeline")[0] == "Healthy"
            )


def test_a_definition_over_256_kib_goes_through_bundle_and_server_side_apply(sandbox, sandbox_env, tmp_path):
    out, said = make_bundle(
        tmp_path,
        chain_definition(150),
        "gitops-large",
        envs_yaml("gitops-large", namespaces=("gitops-large",)),
    )
    assert "--server-side" in said
    built = kubectl(sandbox_env, "kustomize", str(out / "overlays" / "env0")).stdout
    assert "argocd.argoproj.io/sync-options: ServerSideApply=true" in built
    assert len(built.encode()) > 262_144
    namespace(sandbox_env, "gitops-large")
    kubectl(sandbox_env, "apply", "-k", str(out / "overlays" / "env0"), "--server-side")
    kubectl(
        sandbox_env,
        "wait",
        "--for=condition=ACK.ResourceSynced",
        "--timeout=90s",
        "pipeline/gitops-large",
        "-n",
        "gitops-large",
    )
    obj = get(sandbox_env, "pipeline", "gitops-large", "gitops-large")
    assert obj["status"]["pipelineStatus"] == "Active"
    if LUA:
        assert argocd_health(obj, "Pipeline")[0] == "Healthy"
