"""The execution clock with a hand-driven clock: exact step times, no waiting (the backend without HTTP)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from jupyter_sagemaker_ack.sandbox.sagemaker.backend import SageMakerBackend
from jupyter_sagemaker_ack.sandbox.sagemaker.config import EmulatorConfig
from jupyter_sagemaker_ack.sandbox.sagemaker.errors import ApiError

from .helpers import ROLE, definition, step


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def backend() -> tuple[SageMakerBackend, Clock]:
    clock = Clock()
    config = EmulatorConfig()
    config.update({"durations": {"default": 10.0, "byType": {"Training": 20.0}, "stop": 5.0}})
    return SageMakerBackend(config=config, clock=clock), clock


def _steps(backend: SageMakerBackend, arn: str) -> dict[str, dict[str, Any]]:
    answer = backend.call("ListPipelineExecutionSteps", {"PipelineExecutionArn": arn})
    return {s["StepName"]: s for s in answer["PipelineExecutionSteps"]}


def test_steps_start_when_their_dependencies_end_and_statuses_follow_the_clock(
    backend: tuple[SageMakerBackend, Clock],
) -> None:
    sagemaker, clock = backend
    steps = [step("A"), step("B", "Training", depends_on=["A"]), step("C", depends_on=["A"])]
    sagemaker.call(
        "CreatePipeline", {"PipelineName": "p", "PipelineDefinition": definition(steps), "RoleArn": ROLE}
    )
    arn = sagemaker.call("StartPipelineExecution", {"PipelineName": "p"})["PipelineExecutionArn"]

    assert _steps(sagemaker, arn)["A"]["StepStatus"] == "Starting"  # the first 20 % of its time
    clock.now += 5
    assert _steps(sagemaker, arn)["A"]["StepStatus"] == "Executing"
    clock.now += 5
    listed = _steps(sagemaker, arn)
    assert listed["A"]["StepStatus"] == "Succeeded"
    assert listed["A"]["EndTime"] == listed["B"]["StartTime"] == listed["C"]["StartTime"] == 1_010.0
    clock.now += 15
    listed = _steps(sagemaker, arn)
    assert (listed["B"]["StepStatus"], listed["C"]["StepStatus"]) == ("Executing", "Succeeded")
    assert sagemaker.call("DescribePipelineExecution", {"PipelineExecutionArn": arn})[
        "PipelineExecutionStatus"
    ] == ("Executing")
    clock.now += 100
    described = sagemaker.call("DescribePipelineExecution", {"PipelineExecutionArn": arn})
    assert described["PipelineExecutionStatus"] == "Succeeded"
    assert described["LastModifiedTime"] == 1_030.0  # when B ended, not when someone looked


def test_stop_takes_the_configured_time(backend: tuple[SageMakerBackend, Clock]) -> None:
    sagemaker, clock = backend
    sagemaker.call(
        "CreatePipeline",
        {"PipelineName": "p", "PipelineDefinition": definition([step("A")]), "RoleArn": ROLE},
    )
    arn = sagemaker.call("StartPipelineExecution", {"PipelineName": "p"})["PipelineExecutionArn"]
    clock.now += 3
    sagemaker.call("StopPipelineExecution", {"PipelineExecutionArn": arn})
    clock.now += 4.9
    assert _steps(sagemaker, arn)["A"]["StepStatus"] == "Stopping"
    clock.now += 0.2
    listed = _steps(sagemaker, arn)["A"]
    assert (listed["StepStatus"], listed["EndTime"]) == ("Stopped", 1_008.0)
    with pytest.raises(ApiError) as error:
        sagemaker.call("StopPipelineExecution", {"PipelineExecutionArn": arn})
    assert error.value.code == "ConflictException"


def test_boto3_finds_the_emulator_through_the_environment(
    sagemaker_emulator: object, sagemaker_client: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", sagemaker_emulator.url)  # type: ignore[attr-defined]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("sagemaker", region_name="ap-south-1")
    assert client.list_pipelines()["PipelineSummaries"] == []
