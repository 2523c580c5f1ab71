"""The two kinds the controller manages: how a CR's spec becomes SageMaker API input, how a Describe answer
becomes CR status, and which spec changes call an Update (the generated ``delta.go``, with the definition
compared as parsed JSON as the controller does since v1.8.3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

GROUP = "sagemaker.services.k8s.aws"
VERSION = "v1alpha1"
ANNOTATION_PREFIX = "services.k8s.aws/"
REGION_ANNOTATION = ANNOTATION_PREFIX + "region"
DEFAULT_REGION_ANNOTATION = ANNOTATION_PREFIX + "default-region"
OWNER_ACCOUNT_ANNOTATION = ANNOTATION_PREFIX + "owner-account-id"
DELETION_POLICY_ANNOTATION = ANNOTATION_PREFIX + "deletion-policy"
NAMESPACE_DELETION_POLICY_ANNOTATION = "sagemaker." + ANNOTATION_PREFIX + "deletion-policy"
ADOPTION_POLICY_ANNOTATION = ANNOTATION_PREFIX + "adoption-policy"
ADOPTION_FIELDS_ANNOTATION = ANNOTATION_PREFIX + "adoption-fields"
ADOPTED_ANNOTATION = ANNOTATION_PREFIX + "adopted"
READ_ONLY_ANNOTATION = ANNOTATION_PREFIX + "read-only"


@dataclass(frozen=True)
class Kind:
    name: str
    plural: str

    @property
    def finalizer(self) -> str:
        return f"finalizers.{GROUP}/{self.name}"


PIPELINE = Kind("Pipeline", "pipelines")
EXECUTION = Kind("PipelineExecution", "pipelineexecutions")


def k8s_time(value: Any) -> str | None:
    """metav1.Time: RFC 3339 in UTC to the second."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def _parallelism(spec: dict[str, Any]) -> dict[str, int] | None:
    config = spec.get("parallelismConfiguration") or {}
    steps = config.get("maxParallelExecutionSteps")
    return {"MaxParallelExecutionSteps": int(steps)} if steps is not None else None


def create_pipeline_input(spec: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"PipelineName": spec.get("pipelineName"), "RoleArn": spec.get("roleARN")}
    optional = {
        "PipelineDisplayName": spec.get("pipelineDisplayName"),
        "PipelineDefinition": spec.get("pipelineDefinition"),
        "PipelineDescription": spec.get("pipelineDescription"),
        "ParallelismConfiguration": _parallelism(spec),
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    tags = [
        {"Key": t.get("key"), "Value": t.get("value", "")} for t in spec.get("tags") or [] if t.get("key")
    ]
    if tags:
        params["Tags"] = tags
    return params


def update_pipeline_input(spec: dict[str, Any]) -> dict[str, Any]:
    params = create_pipeline_input(spec)
    params.pop("Tags", None)
    return params


def _same_definition(desired: str, latest: str | None) -> bool:
    if latest is None:
        return False
    try:
        return bool(json.loads(desired) == json.loads(latest))
    except (TypeError, ValueError):
        return desired == latest


def pipeline_delta(spec: dict[str, Any], described: dict[str, Any]) -> list[str]:
    """Spec fields that differ from SageMaker's (only fields the spec sets are compared)."""
    differences = []
    if spec.get("pipelineDefinition") is not None and not _same_definition(
        spec["pipelineDefinition"], described.get("PipelineDefinition")
    ):
        differences.append("Spec.PipelineDefinition")
    for field, member in (
        ("pipelineDescription", "PipelineDescription"),
        ("pipelineDisplayName", "PipelineDisplayName"),
        ("roleARN", "RoleArn"),
    ):
        if spec.get(field) is not None and spec[field] != described.get(member):
            differences.append(f"Spec.{field[0].upper()}{field[1:]}")
    wanted = _parallelism(spec)
    if wanted is not None and wanted != described.get("ParallelismConfiguration"):
        differences.append("Spec.ParallelismConfiguration")
    return differences


def pipeline_status(described: dict[str, Any]) -> dict[str, Any]:
    return {
        "pipelineStatus": described.get("PipelineStatus"),
        "creationTime": k8s_time(described.get("CreationTime")),
        "lastModifiedTime": k8s_time(described.get("LastModifiedTime")),
    }


def start_execution_input(spec: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"PipelineName": spec.get("pipelineName")}
    optional: dict[str, Any] = {
        "PipelineExecutionDisplayName": spec.get("pipelineExecutionDisplayName"),
        "PipelineExecutionDescription": spec.get("pipelineExecutionDescription"),
        "ParallelismConfiguration": _parallelism(spec),
        "PipelineVersionId": spec.get("pipelineVersionID"),
    }
    parameters = [
        {"Name": p.get("name"), "Value": "" if p.get("value") is None else str(p.get("value"))}
        for p in spec.get("pipelineParameters") or []
    ]
    if parameters:
        optional["PipelineParameters"] = parameters
    selective = spec.get("selectiveExecutionConfig")
    if selective:
        config: dict[str, Any] = {
            "SelectedSteps": [{"StepName": s.get("stepName")} for s in selective.get("selectedSteps") or []]
        }
        if selective.get("sourcePipelineExecutionARN"):
            config["SourcePipelineExecutionArn"] = selective["sourcePipelineExecutionARN"]
        optional["SelectiveExecutionConfig"] = config
    params.update({k: v for k, v in optional.items() if v is not None})
    return params


def execution_delta(spec: dict[str, Any], described: dict[str, Any]) -> dict[str, Any]:
    """UpdatePipelineExecution input for the fields that may change, or {} when nothing differs."""
    changes: dict[str, Any] = {}
    for field, member in (
        ("pipelineExecutionDisplayName", "PipelineExecutionDisplayName"),
        ("pipelineExecutionDescription", "PipelineExecutionDescription"),
    ):
        if spec.get(field) is not None and spec[field] != described.get(member):
            changes[member] = spec[field]
    wanted = _parallelism(spec)
    if wanted is not None and wanted != described.get("ParallelismConfiguration"):
        changes["ParallelismConfiguration"] = wanted
    return changes


def execution_status(described: dict[str, Any]) -> dict[str, Any]:
    return {
        "pipelineExecutionStatus": described.get("PipelineExecutionStatus"),
        "failureReason": described.get("FailureReason"),
        "creationTime": k8s_time(described.get("CreationTime")),
        "lastModifiedTime": k8s_time(described.get("LastModifiedTime")),
    }
