"""What the client does about ACK's silent behaviours (issue 15 item 2), through the CLI in a subprocess.

`apply` compares an existing PipelineExecution with the live CR and refuses an edit ACK would ignore
(parameters, pipeline name), saying a new run needs a new PipelineExecution and how to make one; `lint`
cannot see the cluster, so it flags what documents show: maxParallelExecutionSteps outside int32 (SMA205),
and a PipelineExecution exported with `kubectl get -o yaml`, edited (SMA217) or not (SMA218).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import chain_definition

from .conftest import Cluster, execution_status
from .manifests import ROLE, definition


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_sagemaker_ack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def cli_env(cluster: Cluster, sagemaker_emulator: Any, sagemaker_client: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAGEMAKER_ACK_"))}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_SAGEMAKER": sagemaker_emulator.url,
            "KUBECONFIG": str(cluster.kubeconfig),
            "SAGEMAKER_ACK_NAMESPACE": cluster.namespace,
            "SAGEMAKER_ACK_POLL_POLICY": "sandbox",
        }
    )
    sagemaker_emulator.configure(durations={"default": 120.0})
    return env


def _write_run(folder: Path, parameters: dict[str, str], pipeline: str = "demo") -> None:
    """A lint-clean Pipeline (and the run's pipeline, when another) and the PipelineExecution run-1."""
    parsed = parse_definition(chain_definition(2))
    folder.mkdir(exist_ok=True)
    docs = [
        manifests.render_pipeline(parsed, manifests.PipelineOptions(name, ROLE))
        for name in {"demo", pipeline}
    ]
    run = manifests.render_execution(
        manifests.ExecutionOptions(pipeline, "first", resource_name="run-1", parameters=parameters)
    )
    (folder / "pipeline.yaml").write_text(
        yaml.safe_dump_all(sorted(docs, key=lambda d: d["metadata"]["name"]))
    )
    (folder / "execution.yaml").write_text(yaml.safe_dump(run))


def _one_error(result: subprocess.CompletedProcess[str]) -> tuple[str, str]:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    fixes = [line for line in result.stderr.splitlines() if line.startswith("fix: ")]
    assert len(errors) == 1, result.stderr
    assert len(fixes) == 1, result.stderr
    return errors[0], fixes[0]


@pytest.mark.parametrize(
    ("edit", "shown"),
    [
        (
            {"parameters": {"ProcessingInstanceCount": "2"}},
            "pipelineParameters (ProcessingInstanceCount 1 -> 2)",
        ),
        ({"pipeline": "other"}, "pipelineName (demo -> other)"),
    ],
    ids=["pipelineParameters", "pipelineName"],
)
def test_apply_refuses_an_execution_edit_ack_would_ignore(
    cluster: Cluster, cli_env: dict[str, str], tmp_path: Path, edit: dict[str, Any], shown: str
) -> None:
    """Notes: "Edits: pipelineParameters and pipelineName are compared but never read back, so an edit is
    silently ignored"; the apply says so before writing anything, with the command for a new run."""
    _write_run(tmp_path / "out", {"ProcessingInstanceCount": "1"})
    first = _cli(cli_env, "apply", str(tmp_path / "out"))
    assert first.returncode == 0, first.stdout + first.stderr
    before = cluster.wait("PipelineExecution", "run-1", lambda cr: execution_status(cr) == "Executing")

    _write_run(
        tmp_path / "out",
        edit.get("parameters", {"ProcessingInstanceCount": "1"}),
        edit.get("pipeline", "demo"),
    )
    error, fix = _one_error(_cli(cli_env, "apply", str(tmp_path / "out")))
    assert f"PipelineExecution run-1 already exists in namespace {cluster.namespace}" in error
    assert shown in error
    assert "a new run needs a new PipelineExecution" in error
    assert "nothing was written" in error
    assert "sagemaker-ack render" in fix
    assert "--execution" in fix
    if "parameters" in edit:
        assert "--param ProcessingInstanceCount=2" in fix
    after = cluster.get("PipelineExecution", "run-1")
    assert (after or {})["spec"]["pipelineParameters"] == (before or {})["spec"]["pipelineParameters"]
    assert (after or {})["spec"]["pipelineName"] == "demo"


def test_applying_the_same_execution_again_keeps_the_plain_refusal(
    cluster: Cluster, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _write_run(tmp_path / "out", {"ProcessingInstanceCount": "1"})
    assert _cli(cli_env, "apply", str(tmp_path / "out")).returncode == 0
    cluster.wait("PipelineExecution", "run-1", lambda cr: execution_status(cr) is not None)
    error, _ = _one_error(_cli(cli_env, "apply", str(tmp_path / "out")))
    assert "already exists" in error
    assert "ignores" not in error


@pytest.mark.parametrize("kind", ["Pipeline", "PipelineExecution"])
def test_lint_reports_parallelism_outside_int32_as_an_error(tmp_path: Path, kind: str) -> None:
    """Notes: "maxParallelExecutionSteps above the int32 range fails as a Recoverable error": lint stops it."""
    parsed = parse_definition(definition("A"))
    if kind == "Pipeline":
        doc = manifests.render_pipeline(parsed, manifests.PipelineOptions("demo", ROLE))
    else:
        doc = manifests.render_execution(manifests.ExecutionOptions("demo", "r1"))
    doc["spec"]["parallelismConfiguration"] = {"maxParallelExecutionSteps": 2**31}
    path = tmp_path / "doc.yaml"
    path.write_text(yaml.safe_dump(doc))
    result = _cli(dict(os.environ), "lint", "--offline", "--format", "json", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    (found,) = [f for f in findings if f["code"] == "SMA205"]
    assert found["severity"] == "error"
    assert "2147483647" in found["message"]


def test_lint_flags_an_exported_run_and_its_ignored_edits(
    cluster: Cluster, cli_env: dict[str, str], tmp_path: Path, sagemaker_client: Any
) -> None:
    """SMA218 for a PipelineExecution exported from the cluster; SMA217 (an error) once its parameters differ
    from the ones it was applied with (kubectl's last-applied-configuration)."""
    sagemaker_client.create_pipeline(PipelineName="demo", PipelineDefinition=definition("A"), RoleArn=ROLE)
    run = manifests.render_execution(
        manifests.ExecutionOptions(
            "demo", "r1", resource_name="run-1", parameters={"AccuracyMseThreshold": "1.0"}
        )
    )
    cluster.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(run))  # client-side: last-applied annotation
    cluster.wait("PipelineExecution", "run-1", lambda cr: execution_status(cr) == "Executing")
    exported = yaml.safe_load(cluster.kubectl("get", "pipelineexecution/run-1", "-o", "yaml"))
    path = tmp_path / "exported.yaml"

    path.write_text(yaml.safe_dump(exported))
    result = _cli(cli_env, "lint", "--offline", "--format", "json", str(path))
    codes = {f["code"]: f for f in json.loads(result.stdout)["findings"]}
    assert codes["SMA218"]["severity"] == "warning"
    assert "SMA217" not in codes

    exported["spec"]["pipelineParameters"] = [{"name": "AccuracyMseThreshold", "value": "3.0"}]
    path.write_text(yaml.safe_dump(exported))
    result = _cli(cli_env, "lint", "--offline", "--format", "json", str(path))
    assert result.returncode == 1, result.stdout + result.stderr
    codes = {f["code"]: f for f in json.loads(result.stdout)["findings"]}
    assert codes["SMA217"]["severity"] == "error"
    assert "pipelineParameters" in codes["SMA217"]["message"]
    assert "A new run needs a new PipelineExecution" in codes["SMA217"]["hint"]
