"""Pipeline definitions and CR specs for the controller tests."""

from __future__ import annotations

import json
from typing import Any

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def definition(*step_names: str, chain: bool = True) -> str:
    steps: list[dict[str, Any]] = []
    for index, name in enumerate(step_names):
        step: dict[str, Any] = {"Name": name, "Type": "Processing", "Arguments": {}}
        if chain and index:
            step["DependsOn"] = [step_names[index - 1]]
        steps.append(step)
    parameters = [{"Name": "AccuracyMseThreshold", "Type": "Float", "DefaultValue": 6.0}]
    return json.dumps({"Version": "2020-12-01", "Metadata": {}, "Parameters": parameters, "Steps": steps})


def pipeline_spec(name: str, *step_names: str) -> dict[str, Any]:
    return {
        "pipelineName": name,
        "roleARN": ROLE,
        "pipelineDefinition": definition(*(step_names or ("Prepare", "Train"))),
        "pipelineDisplayName": name,
        "parallelismConfiguration": {"maxParallelExecutionSteps": 2},
        "tags": [{"key": "environment", "value": "testing"}],
    }


def execution_spec(pipeline_name: str) -> dict[str, Any]:
    return {
        "pipelineName": pipeline_name,
        "pipelineExecutionDisplayName": "test-pipeline-execution",
        "pipelineExecutionDescription": "test",
        "pipelineParameters": [{"name": "AccuracyMseThreshold", "value": "1.0"}],
    }
