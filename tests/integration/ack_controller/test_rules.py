"""The controller's pure rules: conditions, error texts, spec deltas and status patches (no servers)."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from jupyter_sagemaker_ack.sandbox.ack_controller import conditions as cond
from jupyter_sagemaker_ack.sandbox.ack_controller.aws_errors import describe_failure
from jupyter_sagemaker_ack.sandbox.ack_controller.kube import merge_patch
from jupyter_sagemaker_ack.sandbox.ack_controller.resources import execution_delta, pipeline_delta

from .manifests import ROLE, definition


def _client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "StartPipelineExecution")


def test_error_texts_and_terminal_codes_follow_the_go_sdk_and_generator_config() -> None:
    missing = describe_failure(_client_error("ResourceNotFound", "Pipeline 'x' does not exist."))
    assert (missing.message, missing.terminal, missing.is_not_found()) == (
        "ResourceNotFound: Pipeline 'x' does not exist.",
        True,
        True,
    )
    throttled = describe_failure(_client_error("ThrottlingException", "Rate exceeded"))
    assert (throttled.message, throttled.terminal) == ("api error ThrottlingException: Rate exceeded", False)
    invalid = describe_failure(_client_error("ValidationException", "1 validation error detected"))
    assert not invalid.terminal
    assert describe_failure(_client_error("InvalidParameterValue", "bad")).terminal


def test_ready_is_false_on_terminal_or_recoverable_else_mirrors_synced() -> None:
    executing: list[dict[str, Any]] = []
    cond.set_execution_synced(executing, "Executing")
    cond.ensure(executing, None, terminal=False)
    assert [(c["type"], c["status"]) for c in executing] == [
        ("ACK.ResourceSynced", "False"),
        ("Ready", "False"),
    ]
    assert executing[1]["message"] == "PipelineExecution is in Executing status."

    failed: list[dict[str, Any]] = []
    cond.set_execution_synced(failed, "Failed")
    cond.ensure(failed, None, terminal=False)
    assert cond.find(failed, "Ready")["status"] == "True"  # type: ignore[index]

    terminal: list[dict[str, Any]] = []
    cond.on_error(terminal, "ResourceNotFound: gone", terminal=True)
    cond.ensure(terminal, cond.TERMINAL_ERROR, terminal=True)
    synced, ready = cond.find(terminal, "ACK.ResourceSynced"), cond.find(terminal, "Ready")
    assert synced is not None
    assert (synced["status"], synced["message"]) == ("False", "Resource not synced")
    assert ready is not None
    assert (ready["status"], ready["message"], ready["reason"]) == (
        "False",
        "ResourceNotFound: gone",
        "ACK.Terminal",
    )

    recoverable: list[dict[str, Any]] = []
    cond.on_error(recoverable, "api error ThrottlingException: Rate exceeded", terminal=False)
    cond.ensure(recoverable, "api error ThrottlingException: Rate exceeded", terminal=False)
    assert cond.find(recoverable, "ACK.ResourceSynced")["status"] == "Unknown"  # type: ignore[index]
    assert cond.find(recoverable, "Ready")["reason"] == "ACK.Recoverable"  # type: ignore[index]


def test_definition_is_compared_as_json_and_only_set_fields_count() -> None:
    text = definition("A", "B")
    spec = {
        "pipelineName": "p",
        "roleARN": ROLE,
        "pipelineDefinition": json.dumps(json.loads(text), indent=4),
    }
    described = {"PipelineDefinition": text, "RoleArn": ROLE, "PipelineDisplayName": "p"}
    assert pipeline_delta(spec, described) == []
    spec["pipelineDefinition"] = definition("A", "C")
    spec["pipelineDescription"] = "new"
    assert pipeline_delta(spec, described) == ["Spec.PipelineDefinition", "Spec.PipelineDescription"]
    assert execution_delta({"pipelineExecutionDisplayName": "x"}, {"PipelineExecutionDisplayName": "x"}) == {}
    assert execution_delta({"pipelineExecutionDescription": "y"}, {}) == {"PipelineExecutionDescription": "y"}


def test_status_patch_removes_vanished_keys_and_replaces_lists() -> None:
    old = {
        "failureReason": "x",
        "conditions": [{"type": "A"}],
        "ackResourceMetadata": {"arn": "a", "region": "r"},
    }
    new = {"conditions": [{"type": "B"}], "ackResourceMetadata": {"arn": "a", "region": "s"}}
    assert merge_patch(old, new) == {
        "failureReason": None,
        "conditions": [{"type": "B"}],
        "ackResourceMetadata": {"region": "s"},
    }
