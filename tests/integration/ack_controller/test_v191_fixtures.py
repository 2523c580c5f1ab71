"""The emulator leaves each CR exactly as v1.9.1 does (``tests/fixtures/ack_v1_9_1/``): same status keys,
same conditions in the same order with the same fields, messages and reasons; placeholders stand for times,
ARNs and SageMaker's own wording. The 2022 upstream fixtures stay the shape oracles (test_status_fixtures).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import Cluster, conditions_of, execution_status, status_of
from .manifests import execution_spec, pipeline_spec

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ack_v1_9_1"
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _matches(expected: Any, actual: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        assert set(actual) == set(expected), f"{where}: keys {sorted(actual)} != {sorted(expected)}"
        for key, value in expected.items():
            _matches(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: {actual!r} is not a list"
        assert len(actual) == len(expected), f"{where}: {actual!r}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            _matches(want, got, f"{where}[{index}]")
    elif isinstance(expected, str) and expected.startswith("<") and expected.endswith(">"):
        pattern = expected[1:-1]
        if pattern == "time":
            assert TIME.match(str(actual)), f"{where}: {actual!r} is not an RFC 3339 time"
        elif pattern == "execution-arn":
            assert re.match(
                r"^arn:aws:sagemaker:us-east-1:123456789012:pipeline/demo/execution/[a-z0-9]+$", str(actual)
            ), f"{where}: {actual!r}"
        elif pattern == "text":
            assert isinstance(actual, str), f"{where}: {actual!r}"
            assert actual, f"{where} is empty"
        elif pattern.startswith("operation error "):  # the whole Go error of a failed call
            assert str(actual).startswith(pattern + ", "), f"{where}: {actual!r} is not {pattern}, ..."
        else:  # "<api error Code>": an AWS error of that code, in aws-sdk-go-v2's words
            assert str(actual).startswith(pattern + ": "), f"{where}: {actual!r} is not {pattern}: ..."
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def _check(cr: dict[str, Any] | None, fixture: str) -> None:
    expected = yaml.safe_load((FIXTURES / fixture).read_text())
    assert cr is not None
    assert (cr["apiVersion"], cr["kind"]) == (expected["apiVersion"], expected["kind"])
    assert cr["metadata"]["name"] == expected["metadata"]["name"]
    assert (cr["metadata"].get("finalizers") or []) == expected["metadata"]["finalizers"]
    for key, value in expected["spec"].items():
        assert cr["spec"].get(key) == value, f"spec.{key}: {cr['spec'].get(key)!r} != {value!r}"
    _matches(expected["status"], cr.get("status"), "status")


def _pipeline(cluster: Cluster) -> None:
    cluster.create("Pipeline", "demo", pipeline_spec("demo"))
    cluster.wait("Pipeline", "demo", lambda cr: "arn" in status_of(cr).get("ackResourceMetadata", {}))


def test_pipeline_synced(cluster: Cluster) -> None:
    _pipeline(cluster)
    _check(cluster.get("Pipeline", "demo"), "pipeline_synced.yaml")


def test_pipeline_recoverable_validation(cluster: Cluster) -> None:
    spec = pipeline_spec("demo")
    spec["pipelineDefinition"] = '{"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Teleport"}]}'
    cluster.create("Pipeline", "demo", spec)
    cr = cluster.wait("Pipeline", "demo", lambda cr: "ACK.Recoverable" in conditions_of(cr))
    _check(cr, "pipeline_recoverable_validation.yaml")
    reason = conditions_of(cr)["ACK.ResourceSynced"]["reason"]
    assert re.match(
        r"^operation error SageMaker: CreatePipeline, https response error StatusCode: 400, RequestID: \S+, "
        r"api error ValidationException: ",
        reason,
    ), reason


@pytest.mark.parametrize(
    ("fixture", "configure", "final"),
    [
        ("pipelineexecution_executing.yaml", {"durations": {"default": 120.0}}, "Executing"),
        ("pipelineexecution_succeeded.yaml", {"durations": {"default": 0.05}}, "Succeeded"),
        (
            "pipelineexecution_failed.yaml",
            {"durations": {"default": 0.05}, "failures": {"Train": "AlgorithmError: boom"}},
            "Failed",
        ),
    ],
)
def test_execution_states(
    cluster: Cluster, sagemaker_emulator: Any, fixture: str, configure: dict[str, Any], final: str
) -> None:
    sagemaker_emulator.configure(configure)
    _pipeline(cluster)
    cluster.create("PipelineExecution", "run-1", execution_spec("demo"))
    cr = cluster.wait(
        "PipelineExecution",
        "run-1",
        lambda cr: execution_status(cr) == final and "pipelineVersionID" in (cr or {})["spec"],
    )
    _check(cr, fixture)


def test_execution_stopping(cluster: Cluster, sagemaker_emulator: Any) -> None:
    sagemaker_emulator.configure(durations={"default": 120.0, "stop": 30.0})
    _pipeline(cluster)
    cluster.create("PipelineExecution", "run-1", execution_spec("demo"))
    cluster.wait("PipelineExecution", "run-1", lambda cr: execution_status(cr) == "Executing")
    cluster.delete("PipelineExecution", "run-1")
    cr = cluster.wait("PipelineExecution", "run-1", lambda cr: execution_status(cr) == "Stopping")
    _check(cr, "pipelineexecution_stopping.yaml")


def test_execution_create_terminal(cluster: Cluster) -> None:
    spec = execution_spec("no-such-pipeline")
    cluster.create("PipelineExecution", "run-1", spec)
    cr = cluster.wait("PipelineExecution", "run-1", lambda cr: "ACK.Terminal" in conditions_of(cr))
    _check(cr, "pipelineexecution_create_terminal.yaml")


def test_execution_recoverable_int32(cluster: Cluster) -> None:
    spec = execution_spec("demo")
    spec["parallelismConfiguration"] = {"maxParallelExecutionSteps": 2**31}
    cluster.create("PipelineExecution", "run-1", spec)
    cr = cluster.wait("PipelineExecution", "run-1", lambda cr: "ACK.Recoverable" in conditions_of(cr))
    _check(cr, "pipelineexecution_recoverable_int32.yaml")
