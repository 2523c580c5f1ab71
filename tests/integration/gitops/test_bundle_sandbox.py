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
from tests.fixtures.sandbox import _sagemaker_config, slow_steps

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


def _run_cr(name: str, run_id: str, namespace: str, pipeline: str = "gitops-health") -> dict:
    from jupyter_sagemaker_ack.core import manifests

    return manifests.render_execution(manifests.ExecutionOptions(pipeline, run_id, namespace=namespace))


def _apply_doc(env, tmp_path: Path, doc: dict) -> None:
    from jupyter_sagemaker_ack.core import manifests

    path = tmp_path / f"{doc['metadata']['name']}.yaml"
    path.write_text(manifests.dump_yaml([doc]))
    kubectl(env, "apply", "--server-side", "-f", str(path))


@needs_lua
def test_argocd_health_on_the_sandbox_crs_of_each_outcome(sandbox, sandbox_env, tmp_path):
    ns = "gitops-health"
    namespace(sandbox_env, ns)
    out, _ = make_bundle(tmp_path, abalone_definition(), "gitops-health", envs_yaml("x", namespaces=(ns,)))
    kubectl(sandbox_env, "apply", "-k", str(out / "overlays" / "env0"), "--server-side")
    kubectl(
        sandbox_env,
        "wait",
        "--for=condition=ACK.ResourceSynced",
        "--timeout=60s",
        "pipeline/gitops-health",
        "-n",
        ns,
    )
    assert argocd_health(get(sandbox_env, "pipeline", "gitops-health", ns), "Pipeline") == (
        "Healthy",
        "The pipeline is active and in sync",
    )

    # Failed: the emulator fails the training step; ACK still says Ready=True, the check says Degraded.
    _sagemaker_config(sandbox, {"failures": {"TrainAbaloneModel": "AlgorithmError: out of memory"}})
    try:
        failed = _run_cr("gitops-health", "fails", ns)
        _apply_doc(sandbox_env, tmp_path, failed)
        wait_for(
            sandbox_env,
            "pipelineexecution",
            failed["metadata"]["name"],
            ns,
            "{.status.pipelineExecutionStatus}",
            "Failed",
        )
    finally:
        _sagemaker_config(sandbox, {"failures": {"TrainAbaloneModel": None}})
    obj = get(sandbox_env, "pipelineexecution", failed["metadata"]["name"], ns)
    ready = [c for c in obj["status"].get("conditions", []) if c["type"] == "Ready"]
    assert [c["status"] for c in ready] in ([], ["True"])  # what the generic check reads as Healthy
    status, message = argocd_health(obj, "PipelineExecution")
    assert status == "Degraded"
    assert obj["status"]["failureReason"]
    assert message == "The run failed: " + obj["status"]["failureReason"]

    # Executing, then Stopped (stopped through SageMaker, as a person in the console would).
    with slow_steps(sandbox, 30.0, "PreprocessAbaloneData"):
        running = _run_cr("gitops-health", "stopped", ns)
        _apply_doc(sandbox_env, tmp_path, running)
        name = running["metadata"]["name"]
        wait_for(sandbox_env, "pipelineexecution", name, ns, "{.status.pipelineExecutionStatus}", "Executing")
        assert argocd_health(get(sandbox_env, "pipelineexecution", name, ns), "PipelineExecution") == (
            "Progressing",
            "The run is executing",
        )
        import boto3

        arn = get(sandbox_env, "pipelineexecution", name, ns)["status"]["ackResourceMetadata"]["arn"]
        boto3.client("sagemaker").stop_pipeline_execution(PipelineExecutionArn=arn)
        wait_for(
            sandbox_env, "pipelineexecution", name, ns, "{.status.pipelineExecutionStatus}", "Stopped", "120s"
        )
    assert (
        argocd_health(get(sandbox_env, "pipelineexecution", name, ns), "PipelineExecution")[0] == "Suspended"
    )

    # ACK.Terminal: a run of a pipeline that does not exist.
    orphan = _run_cr("gitops-health", "orphan", ns, pipeline="gitops-no-such-pipeline")
    _apply_doc(sandbox_env, tmp_path, orphan)
    kubectl(
        sandbox_env,
        "wait",
        "--for=condition=ACK.Terminal",
        "--timeout=60s",
        f"pipelineexecution/{orphan['metadata']['name']}",
        "-n",
        ns,
    )
    status, message = argocd_health(
        get(sandbox_env, "pipelineexecution", orphan["metadata"]["name"], ns), "PipelineExecution"
    )
    assert status == "Degraded"
    assert message


RECOVERABLE = {
    "status": {
        "conditions": [
            {"type": "ACK.Recoverable", "status": "True", "message": "ThrottlingException: Rate exceeded"},
            {"type": "ACK.ResourceSynced", "status": "False"},
        ]
    }
}


@needs_lua
@pytest.mark.parametrize(
    ("kind", "obj", "expected"),
    [
        ("PipelineExecution", RECOVERABLE, ("Progressing", "ThrottlingException: Rate exceeded")),
        ("Pipeline", RECOVERABLE, ("Progressing", "ThrottlingException: Rate exceeded")),
        (
            "PipelineExecution",
            {"status": {"pipelineExecutionStatus": "Stopping"}},
            ("Progressing", "The run is stopping"),
        ),
        (
            "PipelineExecution",
            {"metadata": {"name": "new"}},
            ("Progressing", "Waiting for the controller to start the run"),
        ),
        (
            "PipelineExecution",
            {"status": {"pipelineExecutionStatus": "Failed"}},
            ("Degraded", "The run failed: no reason given"),
        ),
        (
            "Pipeline",
            {
                "status": {
                    "conditions": [{"type": "ACK.Terminal", "status": "True", "message": "InvalidParameter"}]
                }
            },
            ("Degraded", "InvalidParameter"),
        ),
        (
            "Pipeline",
            {
                "status": {
                    "pipelineStatus": "Active",
                    "conditions": [{"type": "ACK.ResourceSynced", "status": "False"}],
                }
            },
            ("Progressing", "The pipeline is Active, waiting until it is active and in sync"),
        ),
    ],
)
def test_argocd_health_on_states_the_sandbox_does_not_hold_still(kind, obj, expected):
    """States that pass too fast (Stopping) or that the sandbox's ACK reaches only under injected throttling."""
    assert argocd_health(obj, kind) == expected
