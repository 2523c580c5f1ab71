"""The ACK SageMaker field model: what a Pipeline and a PipelineExecution may hold, and their CRDs.

One model serves the renderer (which fields exist), lint (types, required fields, value rules the CRD
does not state) and the Kubernetes API emulator (the CRDs generated from it). It follows the ACK
SageMaker controller v1.9.1 CRDs (``sagemaker.services.k8s.aws/v1alpha1``); a test compares the
generated CRDs with the upstream ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

GROUP = "sagemaker.services.k8s.aws"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
PIPELINE_KIND = "Pipeline"
EXECUTION_KIND = "PipelineExecution"
PLURALS = {PIPELINE_KIND: "pipelines", EXECUTION_KIND: "pipelineexecutions"}

ANNOTATION_PREFIX = "sagemaker-ack.io/"
ACK_REGION_ANNOTATION = "services.k8s.aws/region"
ACK_DELETION_POLICY_ANNOTATION = "services.k8s.aws/deletion-policy"
ACK_ADOPTION_POLICY_ANNOTATION = "services.k8s.aws/adoption-policy"
ACK_ADOPTION_FIELDS_ANNOTATION = "services.k8s.aws/adoption-fields"
ACK_READ_ONLY_ANNOTATION = "services.k8s.aws/read-only"
DELETION_POLICIES = ("delete", "retain")
ADOPTION_POLICIES = ("adopt", "adopt-or-create")

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MAX_DEFINITION_CHARS = 1_048_576
MAX_OBJECT_BYTES = 1_572_864  # etcd's default request limit, 1.5 MiB
MAX_LAST_APPLIED_BYTES = 262_144  # client-side kubectl apply's annotation limit


@dataclass(frozen=True)
class Field:
    """One field of a CR: its JSON type, whether it is required, and value rules beyond the CRD."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    format: str | None = None
    children: tuple[Field, ...] = ()
    items: Field | None = None
    minimum: int | None = None
    maximum: int | None = None

    def child(self, name: str) -> Field | None:
        for child in self.children:
            if child.name == name:
                return child
        return None

    def walk(self, path: str = "") -> Iterator[tuple[str, Field]]:
        here = f"{path}.{self.name}" if path else self.name
        yield here, self
        for child in self.children:
            yield from child.walk(here)
        if self.items is not None:
            yield from self.items.walk(here + "[]")


def _s(name: str, description: str = "", required: bool = False, fmt: str | None = None) -> Field:
    return Field(name, "string", description, required=required, format=fmt)


def _obj(name: str, description: str, *children: Field, required: bool = False) -> Field:
    return Field(name, "object", description, required=required, children=children)


def _arr(name: str, description: str, item: Field) -> Field:
    return Field(name, "array", description, items=item)


_PARALLELISM = _obj(
    "parallelismConfiguration",
    "Caps how many steps of a run execute at the same time.",
    Field(
        "maxParallelExecutionSteps",
        "integer",
        "Maximum number of steps running at once (1 or more).",
        format="int64",
        minimum=1,
        maximum=INT32_MAX,
    ),
)

PIPELINE_SPEC = _obj(
    "spec",
    "The SageMaker pipeline the controller creates and keeps in sync.",
    _PARALLELISM,
    _s("pipelineDefinition", "The pipeline definition JSON, as a string."),
    _s("pipelineDescription", "A description of the pipeline."),
    _s("pipelineDisplayName", "The display name of the pipeline."),
    _s("pipelineName", "The SageMaker name of the pipeline (immutable).", required=True),
    _s("roleARN", "The IAM role SageMaker assumes to run the pipeline's steps.", required=True),
    _arr(
        "tags",
        "Tags set on the pipeline when it is created.",
        _obj("", "A tag.", _s("key", "Tag key."), _s("value", "Tag value.")),
    ),
    required=True,
)

PIPELINE_EXECUTION_SPEC = _obj(
    "spec",
    "One run of a SageMaker pipeline; create a new object for each run.",
    _PARALLELISM,
    _s("pipelineExecutionDescription", "A description of the run."),
    _s("pipelineExecutionDisplayName", "The display name of the run (at most 82 characters)."),
    _s("pipelineName", "The SageMaker name or ARN of the pipeline to run.", required=True),
    _arr(
        "pipelineParameters",
        "Parameter values for this run; values are always strings.",
        _obj("", "A parameter value.", _s("name", "Parameter name."), _s("value", "Parameter value.")),
    ),
    Field("pipelineVersionID", "integer", "The pipeline version to run.", format="int64", minimum=1),
    _obj(
        "selectiveExecutionConfig",
        "Re-run only the selected steps of an earlier execution.",
        _arr(
            "selectedSteps",
            "The steps to run.",
            _obj("", "A selected step.", _s("stepName", "Step name.")),
        ),
        _s("sourcePipelineExecutionARN", "The execution whose results the other steps reuse."),
    ),
    required=True,
)

_ACK_METADATA = _obj(
    "ackResourceMetadata",
    "Where the AWS resource lives: ARN, owner account, region and partition.",
    _s("arn", "The ARN of the AWS resource."),
    _s("ownerAccountID", "The AWS account that owns the resource.", required=True),
    _s("partition", "The AWS partition."),
    _s("region", "The AWS region.", required=True),
)

_CONDITIONS = _arr(
    "conditions",
    "ACK conditions: ACK.ResourceSynced, ACK.Terminal, ACK.Recoverable, Ready.",
    _obj(
        "",
        "A condition.",
        _s("lastTransitionTime", "When the condition last changed.", fmt="date-time"),
        _s("message", "Details, such as the AWS error message."),
        _s("reason", "Why the condition last changed."),
        _s("status", "True, False or Unknown.", required=True),
        _s("type", "The condition type.", required=True),
    ),
)

PIPELINE_STATUS = _obj(
    "status",
    "What the controller last observed of the SageMaker pipeline.",
    _ACK_METADATA,
    _CONDITIONS,
    _s("creationTime", "When the pipeline was created.", fmt="date-time"),
    _s("lastModifiedTime", "When the pipeline was last modified.", fmt="date-time"),
    _s("pipelineStatus", "Active or Deleting."),
)

PIPELINE_EXECUTION_STATUS = _obj(
    "status",
    "What the controller last observed of the run (refreshed every 30 s while it runs).",
    _ACK_METADATA,
    _CONDITIONS,
    _s("creationTime", "When the run was created.", fmt="date-time"),
    _s("failureReason", "Why the run failed."),
    _s("lastModifiedTime", "When the run was last modified.", fmt="date-time"),
    _s("pipelineExecutionStatus", "Executing, Stopping, Stopped, Failed or Succeeded."),
)

SPECS = {PIPELINE_KIND: PIPELINE_SPEC, EXECUTION_KIND: PIPELINE_EXECUTION_SPEC}
STATUSES = {PIPELINE_KIND: PIPELINE_STATUS, EXECUTION_KIND: PIPELINE_EXECUTION_STATUS}
PRINTER_COLUMNS: dict[str, list[dict[str, Any]]] = {
    PIPELINE_KIND: [{"jsonPath": ".status.pipelineStatus", "name": "STATUS", "type": "string"}],
    EXECUTION_KIND: [
        {"jsonPath": ".status.failureReason", "name": "FAILURE-REASON", "priority": 1, "type": "string"},
        {"jsonPath": ".status.pipelineExecutionStatus", "name": "STATUS", "type": "string"},
    ],
}


def field_schema(field: Field) -> dict[str, Any]:
    """The OpenAPI v3 structural schema of one field."""
    schema: dict[str, Any] = {"type": field.type}
    if field.description:
        schema["description"] = field.description
    if field.format:
        schema["format"] = field.format
    if field.children:
        schema["properties"] = {child.name: field_schema(child) for child in field.children}
        required = [child.name for child in field.children if child.required]
        if required:
            schema["required"] = required
    if field.items is not None:
        schema["items"] = field_schema(field.items)
    return schema


def object_schema(kind: str) -> dict[str, Any]:
    return {
        "description": f"{kind} is an ACK SageMaker {kind} resource.",
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string", "description": "The versioned schema of this object."},
            "kind": {"type": "string", "description": "The REST resource this object represents."},
            "metadata": {"type": "object"},
            "spec": field_schema(SPECS[kind]),
            "status": field_schema(STATUSES[kind]),
        },
    }


def crd_document(kind: str) -> dict[str, Any]:
    plural = PLURALS[kind]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "names": {
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "additionalPrinterColumns": [dict(c) for c in PRINTER_COLUMNS[kind]],
                    "schema": {"openAPIV3Schema": object_schema(kind)},
                    "subresources": {"status": {}},
                }
            ],
        },
    }


def crd_documents() -> list[dict[str, Any]]:
    """The project's Pipeline and PipelineExecution CRDs, generated from the field model."""
    return [crd_document(PIPELINE_KIND), crd_document(EXECUTION_KIND)]
