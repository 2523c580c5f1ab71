"""Definitions and polling shared by the emulator tests."""

from __future__ import annotations

import json
import time
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
DONE = ("Succeeded", "Failed", "Stopped")


def step(
    name: str, step_type: str = "Processing", depends_on: list[str] | None = None, **arguments: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {"Name": name, "Type": step_type, "Arguments": arguments}
    if depends_on:
        item["DependsOn"] = depends_on
    return item


def definition(steps: list[dict[str, Any]], parameters: list[dict[str, Any]] | None = None) -> str:
    return json.dumps(
        {"Version": "2020-12-01", "Metadata": {}, "Parameters": parameters or [], "Steps": steps}
    )


def create(
    client: Any,
    name: str,
    steps: list[dict[str, Any]],
    parameters: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> str:
    answer = client.create_pipeline(
        PipelineName=name, PipelineDefinition=definition(steps, parameters), RoleArn=ROLE, **extra
    )
    return str(answer["PipelineArn"])


def wait_for(
    client: Any, arn: str, statuses: tuple[str, ...] = DONE, timeout: float = 20.0
) -> list[dict[str, Any]]:
    """Poll DescribePipelineExecution until one of ``statuses``; returns every response seen."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.describe_pipeline_execution(PipelineExecutionArn=arn)
        seen.append(answer)
        if answer["PipelineExecutionStatus"] in statuses:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"{arn} did not reach {statuses}; last status {seen[-1]['PipelineExecutionStatus']}")


def steps_by_name(client: Any, arn: str) -> dict[str, dict[str, Any]]:
    paginator = client.get_paginator("list_pipeline_execution_steps")
    found: dict[str, dict[str, Any]] = {}
    for page in paginator.paginate(PipelineExecutionArn=arn):
        for item in page["PipelineExecutionSteps"]:
            found[item["StepName"]] = item
    return found
