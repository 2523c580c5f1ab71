"""The controller emulator reproduces the upstream controller's expected CR states (status-fixtures/).

For each fixture the same state is produced for real (Kubernetes API emulator, SageMaker emulator, controller)
and the CR must carry the fixture's conditions: same type and status, and the same message where the message
is the controller's own text. Error messages come from AWS, so there the code and form are compared (the
fixtures were written for aws-sdk-go v1; v1.9.1 runs on aws-sdk-go-v2, "<Code>: <message>").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import Cluster, conditions_of, execution_status, status_of
from .manifests import execution_spec, pipeline_spec

AWS_ERROR = re.compile(r"^(api error )?[A-Z][A-Za-z]+: \S")


def _fixture(shared_dir: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(
        (shared_dir / "ack" / "samples" / "status-fixtures" / name).read_text()
    )
    return document


def _assert_conditions_match(
    expected: dict[str, Any], actual: dict[str, Any] | None, synced: bool = True
) -> None:
    """``synced``: the state comes from a sync, which rebuilds Ready (the delete path leaves Ready alone)."""
    ours = conditions_of(actual)
    for condition in expected["status"].get("conditions") or []:
        mine = ours.get(condition["type"])
        assert mine is not None, f"missing {condition['type']} in {ours}"
        assert mine["status"] == condition["status"]
        message = condition.get("message")
        if message and message.startswith("PipelineExecution is in"):
            assert mine.get("message") == message
        elif message:
            # An AWS error as aws-sdk-go-v2 prints it: "<Code>: <message>" or "api error <Code>: <message>".
            assert AWS_ERROR.match(mine.get("message", "")), mine
    if synced:
        ready, synced_condition = ours["Ready"], ours["ACK.ResourceSynced"]
        blocked = [
            ours[k] for k in ("ACK.Terminal", "ACK.Recoverable") if ours.get(k, {}).get("status") == "True"
        ]
        assert ready["status"] == ("False" if blocked else synced_condition["status"])


def _assert_status_fields_match(expected: dict[str, Any], actual: dict[str, Any] | None) -> None:
    status = status_of(actual)
    for key, value in expected["status"].items():
        if key == "conditions":
            continue
        if key == "ackResourceMetadata":
            assert ("arn" in status[key]) == ("arn" in value)
            assert set(status[key]) >= {"ownerAccountID", "region"}
        elif key in ("pipelineStatus", "pipelineExecutionStatus"):
            assert status[key] == value
        else:
            assert isinstance(status[key], str)
            assert status[key].endswith("Z")


def test_pipeline_after_create_and_active(shared_dir: Path, cluster: Cluster) -> None:
    cluster.create("Pipeline", "test-pipeline", pipeline_spec("test-pipeline"))
    cr = cluster.wait("Pipeline", "test-pipeline", lambda cr: bool(status_of(cr).get("pipelineStatus")))
    for name in ("pipeline_after_create.yaml", "pipeline_active.yaml"):
        expected = _fixture(shared_dir, name)
        _assert_status_fields_match(expected, cr)
        _assert_conditions_match(expected, cr)
    assert (
        status_of(cr)["ackResourceMetadata"]["arn"]
        == "arn:aws:sagemaker:us-east-1:123456789012:pipeline/test-pipeline"
    )


def test_execution_after_create_executing_and_succeeded(
    shared_dir: Path, cluster: Cluster, sagemaker_emulator: Any
) -> None:
    sagemaker_emulator.configure(durations={"default": 1.0})
    cluster.create("Pipeline", "test-pipeline", pipeline_spec("test-pipeline"))
    cluster.wait(
        "Pipeline", "test-pipeline", lambda cr: "arn" in status_of(cr).get("ackResourceMetadata", {})
    )
    cluster.create("PipelineExecution", "test-pipeline-execution", execution_spec("test-pipeline"))

    executing = cluster.wait(
        "PipelineExecution", "test-pipeline-execution", lambda cr: execution_status(cr) is not None
    )
    assert execution_status(executing) == "Executing"
    _assert_status_fields_match(_fixture(shared_dir, "pipelineexecution_executing.yaml"), executing)
    _assert_conditions_match(_fixture(shared_dir, "pipelineexecution_executing.yaml"), executing)

    succeeded = cluster.wait(
        "PipelineExecution", "test-pipeline-execution", lambda cr: execution_status(cr) == "Succeeded"
    )
    _assert_status_fields_match(_fixture(shared_dir, "pipelineexecution_succeeded.yaml"), succeeded)
    _assert_conditions_match(_fixture(shared_dir, "pipelineexecution_succeeded.yaml"), succeeded)
    # "after create" is the controller's state once StartPipelineExecution answered: ARN known, Synced True.
    _assert_conditions_match(_fixture(shared_dir, "pipelineexecution_after_create.yaml"), succeeded)
    assert status_of(succeeded)["ackResourceMetadata"]["arn"].startswith(
        "arn:aws:sagemaker:us-east-1:123456789012:pipeline/test-pipeline/execution/"
    )


def test_execution_stopping(shared_dir: Path, cluster: Cluster, sagemaker_emulator: Any) -> None:
    sagemaker_emulator.configure(durations={"default": 60.0, "stop": 1.5})
    cluster.create("Pipeline", "test-pipeline", pipeline_spec("test-pipeline"))
    cluster.wait(
        "Pipeline", "test-pipeline", lambda cr: "arn" in status_of(cr).get("ackResourceMetadata", {})
    )
    cluster.create("PipelineExecution", "test-pipeline-execution", execution_spec("test-pipeline"))
    cluster.wait(
        "PipelineExecution", "test-pipeline-execution", lambda cr: execution_status(cr) == "Executing"
    )
    cluster.delete("PipelineExecution", "test-pipeline-execution")
    stopping = cluster.wait(
        "PipelineExecution", "test-pipeline-execution", lambda cr: execution_status(cr) == "Stopping"
    )
    expected = _fixture(shared_dir, "pipelineexecution_stopping.yaml")
    _assert_status_fields_match(expected, stopping)
    _assert_conditions_match(expected, stopping)


def test_execution_create_terminal(shared_dir: Path, cluster: Cluster) -> None:
    cluster.create("PipelineExecution", "test-pipeline-execution", execution_spec("no-such-pipeline"))
    terminal = cluster.wait(
        "PipelineExecution", "test-pipeline-execution", lambda cr: "ACK.Terminal" in conditions_of(cr)
    )
    expected = _fixture(shared_dir, "pipelineexecution_create_terminal.yaml")
    _assert_status_fields_match(expected, terminal)
    _assert_conditions_match(expected, terminal)


@pytest.mark.parametrize(
    ("kind", "fixture", "failing_call"),
    [
        ("PipelineExecution", "pipelineexecution_recoverable_error.yaml", "StopPipelineExecution"),
        ("Pipeline", "pipeline_recoverable_error.yaml", "DeletePipeline"),
    ],
)
def test_recoverable_error_on_delete(
    shared_dir: Path, cluster: Cluster, sagemaker_emulator: Any, kind: str, fixture: str, failing_call: str
) -> None:
    """The fixtures come from the controller's Delete unit tests: the Stop/DeletePipeline call fails. In the
    whole reconciler the delete path reads first (a failed read there writes nothing) and keeps the CR's old
    conditions: the run's Synced stays what its status says (False while Executing), Ready is not recomputed.
    """
    sagemaker_emulator.configure(durations={"default": 60.0 if kind == "PipelineExecution" else 0.05})
    cluster.create("Pipeline", "test-pipeline", pipeline_spec("test-pipeline"))
    cluster.wait(
        "Pipeline", "test-pipeline", lambda cr: "arn" in status_of(cr).get("ackResourceMetadata", {})
    )
    name = "test-pipeline"
    if kind == "PipelineExecution":
        name = "test-pipeline-execution"
        cluster.create(kind, name, execution_spec("test-pipeline"))
        cluster.wait(kind, name, lambda cr: execution_status(cr) == "Executing")
    before = conditions_of(cluster.get(kind, name))

    sagemaker_emulator.configure(throttle={"next": 1_000_000, "operations": [failing_call]})
    try:
        cluster.delete(kind, name)
        failing = cluster.wait(kind, name, lambda cr: "ACK.Recoverable" in conditions_of(cr))
    finally:
        sagemaker_emulator.configure(throttle={"next": 0, "operations": []})
    expected = _fixture(shared_dir, fixture)
    if kind == "PipelineExecution":  # the unit test's state had no run status, so Synced=True there
        expected["status"]["conditions"] = [
            c for c in expected["status"]["conditions"] if c["type"] != "ACK.ResourceSynced"
        ]
    _assert_status_fields_match(expected, failing)
    _assert_conditions_match(expected, failing, synced=False)
    conditions = conditions_of(failing)
    assert conditions["ACK.Recoverable"]["message"] == "api error ThrottlingException: Rate exceeded"
    assert conditions["Ready"] == before["Ready"]  # the delete path does not recompute Ready
    assert conditions["ACK.ResourceSynced"]["status"] == before["ACK.ResourceSynced"]["status"]
    cluster.wait(kind, name, lambda cr: cr is None)  # once SageMaker answers again, the delete completes
