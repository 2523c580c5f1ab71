"""The DevOps path on the sandbox with the real kubectl: apply, wait, delete to stop, Terminal on a bad name."""

from __future__ import annotations

import json
import subprocess

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition, chain_definition
from tests.fixtures.sandbox import slow_steps


def kubectl(env, *args, timeout=120, check=True):
    result = subprocess.run(["kubectl", *args], capture_output=True, text=True, env=env, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)}: {result.stderr}")
    return result


def _write(tmp_path, name, docs):
    path = tmp_path / name
    path.write_text(manifests.dump_yaml(docs))
    return str(path)


def test_apply_wait_succeeded_then_delete_running_execution_stops_it(sandbox, sandbox_env, tmp_path):
    defn = parse_definition(abalone_definition())
    pipeline = manifests.render_pipeline(defn, manifests.PipelineOptions("KubectlAbalone", ROLE))
    run1 = manifests.render_execution(manifests.ExecutionOptions("KubectlAbalone", "run-1"), defn)
    kubectl(sandbox_env, "apply", "-f", _write(tmp_path, "p.yaml", [pipeline]))
    kubectl(
        sandbox_env,
        "wait",
        "--for=condition=ACK.ResourceSynced",
        "--timeout=60s",
        f"pipeline/{pipeline['metadata']['name']}",
    )
    kubectl(sandbox_env, "apply", "-f", _write(tmp_path, "e1.yaml", [run1]))
    name1 = run1["metadata"]["name"]
    kubectl(
        sandbox_env,
        "wait",
        "--for=jsonpath={.status.pipelineExecutionStatus}=Succeeded",
        "--timeout=90s",
        f"pipelineexecution/{name1}",
    )
    table = kubectl(sandbox_env, "get", "pipelineexecution", name1).stdout
    assert "Succeeded" in table

    slow_names = ["KubectlSlow-0", "KubectlSlow-1"]
    slow = json.loads(json.dumps(chain_definition(2)).replace("Step-0000", "KubectlSlow-"))
    long_pipeline = manifests.render_pipeline(
        parse_definition(slow), manifests.PipelineOptions("KubectlLong", ROLE)
    )
    kubectl(sandbox_env, "apply", "-f", _write(tmp_path, "p2.yaml", [long_pipeline]))
    kubectl(
        sandbox_env,
        "wait",
        "--for=condition=ACK.ResourceSynced",
        "--timeout=60s",
        f"pipeline/{long_pipeline['metadata']['name']}",
    )
    with slow_steps(sandbox, 30.0, *slow_names):
        run2 = manifests.render_execution(manifests.ExecutionOptions("KubectlLong", "run-2"))
        name2 = run2["metadata"]["name"]
        kubectl(sandbox_env, "apply", "-f", _write(tmp_path, "e2.yaml", [run2]))
        kubectl(
            sandbox_env,
            "wait",
            "--for=jsonpath={.status.pipelineExecutionStatus}=Executing",
            "--timeout=60s",
            f"pipelineexecution/{name2}",
        )
        arn = json.loads(kubectl(sandbox_env, "get", "pipelineexecution", name2, "-o", "json").stdout)[
            "status"
        ]["ackResourceMetadata"]["arn"]
        kubectl(sandbox_env, "delete", f"pipelineexecution/{name2}", "--timeout=90s")
        gone = kubectl(sandbox_env, "get", "pipelineexecution", name2, check=False)
        assert gone.returncode != 0
        assert "NotFound" in gone.stderr
    import boto3

    status = boto3.client("sagemaker").describe_pipeline_execution(PipelineExecutionArn=arn)
    assert status["PipelineExecutionStatus"] == "Stopped"


def test_execution_of_a_missing_pipeline_is_terminal(sandbox, sandbox_env, tmp_path):
    run = manifests.render_execution(manifests.ExecutionOptions("NoSuchPipeline", "run-x"))
    kubectl(sandbox_env, "apply", "-f", _write(tmp_path, "e.yaml", [run]))
    name = run["metadata"]["name"]
    kubectl(sandbox_env, "wait", "--for=condition=ACK.Terminal", "--timeout=60s", f"pipelineexecution/{name}")
    obj = json.loads(kubectl(sandbox_env, "get", "pipelineexecution", name, "-o", "json").stdout)
    terminal = next(c for c in obj["status"]["conditions"] if c["type"] == "ACK.Terminal")
    assert terminal["status"] == "True"
    assert "ResourceNotFound" in terminal.get("message", "") or "does not exist" in terminal.get(
        "message", ""
    )
    kubectl(sandbox_env, "delete", f"pipelineexecution/{name}", "--timeout=60s")
