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
CONTROLLER_VERSION = "v1.9.1"
# The helm chart's default ``resourceTags`` (sagemaker-chart 1.9.1 values.yaml).
HELM_RESOURCE_TAGS = (
    "services.k8s.aws/controller-version=%CONTROLLER_SERVICE%-%CONTROLLER_VERSION%",
    "services.k8s.aws/namespace=%K8S_NAMESPACE%",
    "app.kubernetes.io/managed-by=%MANAGED_BY%",
    "kro.run/kro-version=%KRO_VERSION%",
)


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


INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


class PayloadError(Exception):
    """The spec cannot become an API request (not an AWS error: the CR stays managed, ACK.Recoverable)."""


def _parallelism(spec: dict[str, Any]) -> dict[str, int] | None:
    config = spec.get("parallelismConfiguration") or {}
    steps = config.get("maxParallelExecutionSteps")
    return {"MaxParallelExecutionSteps": int(steps)} if steps is not None else None


def _parallelism_payload(spec: dict[str, Any]) -> dict[str, int] | None:
    """The generated request builder: the CRD field is an int64, the API member an int32."""
    wanted = _parallelism(spec)
    if wanted is not None and not INT32_MIN <= wanted["MaxParallelExecutionSteps"] <= INT32_MAX:
        raise PayloadError("error: field MaxParallelExecutionSteps is of type int32")
    return wanted


def controller_tags(
    resource_tags: tuple[str, ...], namespace: str, labels: dict[str, str]
) -> list[dict[str, str]]:
    """The helm ``resourceTags`` with their placeholders filled in; a tag whose value comes out empty is skipped."""
    values = {
        "%CONTROLLER_SERVICE%": "sagemaker",
        "%CONTROLLER_VERSION%": CONTROLLER_VERSION,
        "%K8S_NAMESPACE%": namespace,
        "%MANAGED_BY%": labels.get("app.kubernetes.io/managed-by", ""),
        "%KRO_VERSION%": labels.get("kro.run/kro-version", ""),
    }
    tags = []
    for item in resource_tags:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            continue
        for placeholder, filled in values.items():
            value = value.replace(placeholder, filled)
        if value.strip():
            tags.append({"Key": key.strip(), "Value": value.strip()})
    return tags


def create_pipeline_input(
    spec: dict[str, Any], extra_tags: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {"PipelineName": spec.get("pipelineName"), "RoleArn": spec.get("roleARN")}
    optional = {
        "PipelineDisplayName": spec.get("pipelineDisplayName"),
        "PipelineDefinition": spec.get("pipelineDefinition"),
        "PipelineDescription": spec.get("pipelineDescription"),
        "ParallelismConfiguration": _parallelism_payload(spec),
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    tags = [
        {"Key": t.get("key"), "Value": t.get("value", "")} for t in spec.get("tags") or [] if t.get("key")
    ]
    own = {t["Key"] for t in tags}
    tags += [t for t in extra_tags or [] if t["Key"] not in own]  # the CR's own value wins
    if tags:
        params["Tags"] = tags
    return params


def update_pipeline_input(spec: dict[str, Any]) -> dict[str, Any]:
    """UpdatePipeline has no Tags member: tags are sent on create only."""
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
        "ParallelismConfiguration": _parallelism_payload(spec),
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


def _selective_from(described: dict[str, Any]) -> dict[str, Any] | None:
    config = described.get("SelectiveExecutionConfig")
    if not config:
        return None
    shown: dict[str, Any] = {
        "selectedSteps": [{"stepName": s.get("StepName")} for s in config.get("SelectedSteps") or []]
    }
    if config.get("SourcePipelineExecutionArn"):
        shown["sourcePipelineExecutionARN"] = config["SourcePipelineExecutionArn"]
    return shown


def execution_delta(spec: dict[str, Any], described: dict[str, Any]) -> dict[str, Any]:
    """The spec's values that differ from what DescribePipelineExecution reads back, by API member
    (the generated ``delta.go``); {} when nothing differs.

    ``pipelineParameters`` and ``pipelineName`` are compared too, but the read never sets them, so the
    observed side is always the spec itself and an edit of either is never seen. ``PipelineVersionId`` and
    ``SelectiveExecutionConfig`` are read back: a value SageMaker does not echo stays a difference, and
    UpdatePipelineExecution (which has neither member) cannot remove it.
    """
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
    version = spec.get("pipelineVersionID")
    if version is not None and version != described.get("PipelineVersionId"):
        changes["PipelineVersionId"] = version
    selective = spec.get("selectiveExecutionConfig")
    if selective is not None and selective != _selective_from(described):
        changes["SelectiveExecutionConfig"] = selective
    return changes


def update_execution_input(spec: dict[str, Any], arn: str) -> dict[str, Any]:
    """UpdatePipelineExecution carries every updatable field the spec sets, whatever differed."""
    params: dict[str, Any] = {"PipelineExecutionArn": arn}
    optional = {
        "ParallelismConfiguration": _parallelism_payload(spec),
        "PipelineExecutionDescription": spec.get("pipelineExecutionDescription"),
        "PipelineExecutionDisplayName": spec.get("pipelineExecutionDisplayName"),
    }
    params.update({k: v for k, v in optional.items() if v is not None})
    return params


def execution_status(described: dict[str, Any]) -> dict[str, Any]:
    return {
        "pipelineExecutionStatus": described.get("PipelineExecutionStatus"),
        "failureReason": described.get("FailureReason"),
        "creationTime": k8s_time(described.get("CreationTime")),
        "lastModifiedTime": k8s_time(described.get("LastModifiedTime")),
    }
