"""Retry on the sandbox, with the real kubectl: a run failed at a middle step, retried, Succeeded, its upstream
steps reused (not rerun) as ListPipelineExecutionSteps shows; and a failure upstream of a condition."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import boto3

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition, chain_definition
from tests.adversarial.conftest import cli
from tests.fixtures.sandbox import _sagemaker_config

RETRY_OF = "sagemaker-ack.io/retry-of"


def kubectl(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(["kubectl", *args], capture_output=True, text=True, env=env, timeout=timeout)
    assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
    return done.stdout


def _apply(env: dict[str, str], tmp_path: Any, docs: list[dict[str, Any]], name: str) -> None:
    path = tmp_path / f"{name}.yaml"
    path.write_text(manifests.dump_yaml(docs))
    kubectl(env, "apply", "-f", str(path))


def _start_failing_run(
    env: dict[str, str], tmp_path: Any, definition: dict[str, Any], pipeline: str, parameters: dict[str, Any]
) -> str:
    defn = parse_definition(definition)
    pipe = manifests.render_pipeline(defn, manifests.PipelineOptions(pipeline, ROLE))
    _apply(env, tmp_path, [pipe], "pipeline")
    kubectl(
        env,
        "wait",
        "--for=condition=ACK.ResourceSynced",
        "--timeout=60s",
        f"pipeline/{pipe['metadata']['name']}",
    )
    run = manifests.render_execution(
        manifests.ExecutionOptions(pipeline, "first", parameters=parameters), defn
    )
    _apply(env, tmp_path, [run], "run")
    name = str(run["metadata"]["name"])
    kubectl(env, "wait", "--for=jsonpath={.status.pipelineExecutionStatus}=Failed", "--timeout=90s",
            f"pipelineexecution/{name}")  # fmt: skip
    return name


def _executions(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    items = json.loads(kubectl(env, "get", "pipelineexecutions", "-o", "json"))["items"]
    return {item["metadata"]["name"]: item for item in items}


def _steps(env: dict[str, str], arn: str) -> dict[str, dict[str, Any]]:
    client = boto3.client(
        "sagemaker",
        endpoint_url=env["AWS_ENDPOINT_URL_SAGEMAKER"],
        region_name=env.get("AWS_DEFAULT_REGION", "us-east-1"),
    )
    found: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("list_pipeline_execution_steps").paginate(PipelineExecutionArn=arn):
        for item in page["PipelineExecutionSteps"]:
            found[item["StepName"]] = item
    return found


def _wait_succeeded(env: dict[str, str], run: dict[str, Any]) -> None:
    kubectl(env, "wait", "--for=jsonpath={.status.pipelineExecutionStatus}=Succeeded", "--timeout=90s",
            f"pipelineexecution/{run['metadata']['name']}")  # fmt: skip


def _retry(env: dict[str, str], name: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    before = _executions(env)
    outcome = cli("retry", name, "--yes", "--wait")
    after = _executions(env)
    new = [item for key, item in after.items() if key not in before]
    assert len(new) == 1, outcome.output
    assert after[name]["spec"] == before[name]["spec"]  # the old run is never edited
    return outcome, before[name], new[0]


def test_a_run_failed_at_a_middle_step_is_retried_and_its_upstream_steps_are_reused(
    sandbox: Any, sandbox_env: dict[str, str], tmp_path: Any
) -> None:
    text = json.dumps(chain_definition(4, fan_out=1)).replace("Step-0000", "RetryMid-")
    failing = "RetryMid-2"
    _sagemaker_config(sandbox, {"failures": {failing: "AlgorithmError: out of memory"}})
    try:
        name = _start_failing_run(sandbox_env, tmp_path, json.loads(text), "RetryMiddle", {})
    finally:
        _sagemaker_config(sandbox, {"failures": {failing: None}})
    old_arn = _executions(sandbox_env)[name]["status"]["ackResourceMetadata"]["arn"]
    old_steps = _steps(sandbox_env, old_arn)
    assert old_steps[failing]["StepStatus"] == "Failed"

    outcome, _, new = _retry(sandbox_env, name)

    assert outcome.exit_code == 0, outcome.output
    assert "run again (2): RetryMid-2, RetryMid-3" in outcome.stdout
    assert "(2): RetryMid-0, RetryMid-1" in outcome.stdout
    assert new["metadata"]["annotations"][RETRY_OF] == name
    assert new["spec"]["selectiveExecutionConfig"] == {
        "sourcePipelineExecutionARN": old_arn,
        "selectedSteps": [{"stepName": "RetryMid-2"}, {"stepName": "RetryMid-3"}],
    }
    assert f"{new['metadata']['name']}: Succeeded" in outcome.stdout  # --wait followed it to the end
    _wait_succeeded(sandbox_env, new)
    steps = _steps(sandbox_env, new["status"]["ackResourceMetadata"]["arn"])
    assert {n: s["StepStatus"] for n, s in steps.items()} == dict.fromkeys(
        ("RetryMid-0", "RetryMid-1", "RetryMid-2", "RetryMid-3"), "Succeeded"
    )
    for reused in ("RetryMid-0", "RetryMid-1"):
        assert steps[reused]["SelectiveExecutionResult"] == {"SourcePipelineExecutionArn": old_arn}
        assert steps[reused]["Metadata"] == old_steps[reused]["Metadata"]  # the same job: not rerun
    assert "SelectiveExecutionResult" not in steps["RetryMid-2"]

    conditions = {
        c["type"]: c["status"]
        for c in _executions(sandbox_env)[new["metadata"]["name"]]["status"]["conditions"]
    }
    assert conditions.get("ACK.Recoverable") != "True"  # SageMaker echoes the selection: no endless update

    status = cli("status", new["metadata"]["name"])
    assert "reused from" in next(line for line in status.stdout.splitlines() if "RetryMid-0" in line)
    listed = cli("runs", "RetryMiddle")
    assert f"retry of {name}" in listed.stdout

    before = set(_executions(sandbox_env))
    dry = cli("retry", name, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "validated by the server (dry run); nothing was created" in dry.stdout
    assert set(_executions(sandbox_env)) == before


def test_a_failure_upstream_of_a_condition_is_retried_through_the_condition(
    sandbox: Any, sandbox_env: dict[str, str], tmp_path: Any
) -> None:
    text = json.dumps(abalone_definition()).replace("AbaloneModel", "AbaloneRetry")
    definition = json.loads(text)
    failing = "TrainAbaloneRetry"
    _sagemaker_config(sandbox, {"failures": {failing: "AlgorithmError: diverged"}})
    try:
        name = _start_failing_run(sandbox_env, tmp_path, definition, "RetryCondition", {"MseThreshold": 9.5})
    finally:
        _sagemaker_config(sandbox, {"failures": {failing: None}})

    outcome, old, new = _retry(sandbox_env, name)

    assert outcome.exit_code == 0, outcome.output
    selected = [s["stepName"] for s in new["spec"]["selectiveExecutionConfig"]["selectedSteps"]]
    assert selected[:3] == ["TrainAbaloneRetry", "EvaluateAbaloneRetry", "CheckMSEAbaloneEvaluation"]
    assert set(selected[3:]) == {"RegisterAbaloneRetry-RegisterModel", "AbaloneMSEFail"}
    assert new["spec"]["pipelineParameters"] == old["spec"]["pipelineParameters"]
    _wait_succeeded(sandbox_env, new)
    steps = _steps(sandbox_env, new["status"]["ackResourceMetadata"]["arn"])
    assert "SelectiveExecutionResult" in steps["PreprocessAbaloneData"]
    assert steps["CheckMSEAbaloneEvaluation"]["StepStatus"] == "Succeeded"
    assert "SelectiveExecutionResult" not in steps["CheckMSEAbaloneEvaluation"]
