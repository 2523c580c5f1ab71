"""Shared by the publish tests: a small real-looking definition, and botocore hooks that inject failures.

Failures are injected at the HTTP boundary with botocore's ``before-send`` event (the request is answered
with the status and error body S3 would send), never by replacing the project's own functions.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse

ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerRole"
PIPELINE = "churn-pipeline"
TRAIN_DATA = "Steps.Preprocess.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"


def definition_dict(
    instance_type: str = "ml.m5.xlarge", threshold: float = 0.7, extra_step: bool = False
) -> dict:
    steps: list[dict[str, Any]] = [
        {
            "Name": "Preprocess",
            "Type": "Processing",
            "Arguments": {
                "ProcessingResources": {
                    "ClusterConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 30}
                },
                "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/sklearn:1.2"},
                "RoleArn": ROLE_ARN,
            },
        },
        {
            "Name": "Train",
            "Type": "Training",
            "Arguments": {
                "AlgorithmSpecification": {
                    "TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7",
                    "TrainingInputMode": "File",
                },
                "OutputDataConfig": {"S3OutputPath": "s3://data/model"},
                "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
                "ResourceConfig": {"InstanceType": instance_type, "InstanceCount": 1, "VolumeSizeInGB": 30},
                "InputDataConfig": [
                    {
                        "ChannelName": "train",
                        "DataSource": {"S3DataSource": {"S3Uri": {"Get": TRAIN_DATA}}},
                    }
                ],
                "RoleArn": ROLE_ARN,
            },
        },
        {
            "Name": "CheckAccuracy",
            "Type": "Condition",
            "Arguments": {
                "Conditions": [
                    {
                        "Type": "GreaterThanOrEqualTo",
                        "LeftValue": {"Get": "Parameters.Threshold"},
                        "RightValue": 0.5,
                    }
                ],
                "IfSteps": [{"Name": "Approve", "Type": "Fail", "Arguments": {"ErrorMessage": "approved"}}],
                "ElseSteps": [{"Name": "Reject", "Type": "Fail", "Arguments": {"ErrorMessage": "too weak"}}],
            },
            "DependsOn": ["Train"],
        },
    ]
    if extra_step:
        steps.append(
            {"Name": "Report", "Type": "Fail", "Arguments": {"ErrorMessage": "x"}, "DependsOn": ["Train"]}
        )
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            {"Name": "InputData", "Type": "String", "DefaultValue": "s3://data/input"},
            {"Name": "Threshold", "Type": "Float", "DefaultValue": threshold},
        ],
        "PipelineExperimentConfig": {
            "ExperimentName": {"Get": "Execution.PipelineName"},
            "TrialName": {"Get": "Execution.PipelineExecutionId"},
        },
        "Steps": steps,
    }


def definition_text(**kwargs: Any) -> str:
    """Deliberately not canonical JSON (indent, unsorted keys): the SDK's exact bytes must be what lands."""
    return json.dumps(definition_dict(**kwargs), indent=1)


@dataclass
class Captured:
    """Shaped like adapters.sdk_capture.CapturedDefinition, as the publisher reads it."""

    text: str
    pipeline_name: str | None = PIPELINE
    artifacts: dict[str, str] = field(default_factory=dict)
    inline_artifacts: dict[str, str] = field(default_factory=dict)
    sdk_version: str | None = "2.257.0"
    placeholder_bucket: str | None = None


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body


@dataclass
class FailRequests:
    """before-send hook: answer matching requests with an S3 error instead of sending them.

    ``key`` matches on the request URL; ``times`` limits how many requests fail (None: all of them).
    """

    key: str
    status: int = 500
    code: str = "InternalError"
    times: int | None = None
    failed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        if self.key not in request.url:
            return None
        with self._lock:
            if self.times is not None and self.failed >= self.times:
                return None
            self.failed += 1
        body = f"<Error><Code>{self.code}</Code><Message>injected {self.code}</Message></Error>".encode()
        return AWSResponse(request.url, self.status, {"Content-Type": "application/xml"}, _Raw(body))


@dataclass
class CountRequests:
    """before-send hook: count the HTTP requests a client makes (retries included)."""

    calls: list[str] = field(default_factory=list)

    def __call__(self, request: Any, **_: Any) -> None:
        self.calls.append(f"{request.method} {request.url}")
        return


def all_versions(s3: Any, bucket: str) -> list[dict[str, Any]]:
    response = s3.list_object_versions(Bucket=bucket)
    return response.get("Versions", []) + response.get("DeleteMarkers", [])
