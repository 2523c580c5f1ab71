"""Shared by the publish tests: a small real-looking definition, and botocore hooks that inject failures.

Failures are injected at the HTTP boundary with botocore's ``before-send`` event (the request is answered
with the status and error body S3 would send), never by replacing the project's own functions.
"""

from __future__ import annotations

import json
import threading
import time
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


@dataclass
class Request:
    """One HTTP request a client made: what, when it left and when its answer came, and its round trip."""

    label: str
    start: float
    end: float = 0.0
    status: int | None = None
    round: int = 0


@dataclass
class RequestLog:
    """botocore hooks recording every request of the clients it is attached to, in order, with its timing.

    ``latency`` holds each request that long before it is sent (a network round trip): requests that run
    side by side then overlap clearly, and those that wait for one another do not, whatever the machine's
    load. :meth:`rounds` groups the requests into round trips in sequence.
    """

    latency: float = 0.0
    requests: list[Request] = field(default_factory=list)
    _open: dict[int, Request] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def attach(self, *clients: Any) -> RequestLog:
        for client in clients:
            client.meta.events.register("before-send", self._sent)
            client.meta.events.register("response-received", self._received)
        return self

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def _sent(self, request: Any, event_name: str, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        path = request.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        label = f"{operation} {path}" if operation.endswith("Object") else operation
        entry = Request(label=label, start=time.perf_counter())
        with self._lock:
            self.requests.append(entry)
            self._open[threading.get_ident()] = entry
        if self.latency:
            time.sleep(self.latency)

    def _received(self, response_dict: Any = None, **_: Any) -> None:
        with self._lock:
            entry = self._open.pop(threading.get_ident(), None)
        if entry is not None:
            entry.end = time.perf_counter()
            entry.status = (response_dict or {}).get("status_code")

    def rounds(self) -> list[list[Request]]:
        """Round trips in sequence: a request is in round n+1 when the latest request it waited for
        (one that ended before it started) is in round n."""
        done = sorted(self.requests, key=lambda r: r.start)
        for request in done:
            before = [r.round for r in done if r is not request and r.end and r.end <= request.start]
            request.round = 1 + max(before, default=0)
        grouped: dict[int, list[Request]] = {}
        for request in done:
            grouped.setdefault(request.round, []).append(request)
        return [sorted(grouped[n], key=lambda r: r.label) for n in sorted(grouped)]

    def describe(self) -> str:
        return " -> ".join(
            "[" + ", ".join(f"{r.label}" + (f" ({r.status})" if r.status else "") for r in group) + "]"
            for group in self.rounds()
        )
