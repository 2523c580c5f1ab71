"""Lint findings and the table of their codes.

A code never changes meaning once published: scripts, SARIF rules and suppressions key on it. Every rule
creates its findings through :func:`finding`, which takes the title, severity and default hint from
:data:`CODES`, so a code cannot drift from its description. Each entry names the module that raises it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Code:
    """What a code means, and ``module``: where it is raised, relative to ``core.lint`` (``rules.graph``)."""

    title: str
    severity: Severity
    hint: str
    module: str


@dataclass(frozen=True)
class Finding:
    """One problem: what, where (file:line:column, or step / parameter of a definition) and how to fix it."""

    code: str
    severity: Severity
    message: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    step: str | None = None
    parameter: str | None = None
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def at(self, file: str | None = None, line: int | None = None, column: int | None = None) -> Finding:
        return replace(self, file=file if file is not None else self.file, line=line, column=column)

    def location(self) -> str:
        """``file:line:col`` (as much of it as is known), else the step or parameter it concerns."""
        parts = [p for p in (self.file, self.line, self.column) if p is not None]
        where = ":".join(str(p) for p in parts)
        if self.step is not None:
            where += f" (step {self.step})" if where else f"step {self.step}"
        elif self.parameter is not None:
            where += f" (parameter {self.parameter})" if where else f"parameter {self.parameter}"
        return where or "-"


_E: Severity = "error"
_W: Severity = "warning"

CODES: dict[str, Code] = {
    # YAML text
    "SMA101": Code(
        "Tab in YAML indentation",
        _E,
        "Indent with spaces only; YAML forbids tabs in indentation.",
        "yaml_text",
    ),
    "SMA102": Code(
        "Block scalar content not indented",
        _E,
        "Indent every line of the '|' block at least two spaces more than its key.",
        "yaml_text",
    ),
    "SMA103": Code(
        "YAML syntax error", _E, "Fix the YAML at this position; `yamllint` shows the context.", "yaml_read"
    ),
    "SMA104": Code(
        "Document is not a Kubernetes object",
        _E,
        "Each document between '---' lines must be a mapping with apiVersion, kind, metadata and spec.",
        "rules.manifest",
    ),
    "SMA105": Code(
        "Duplicate key", _E, "Remove one of the two keys; kubectl rejects duplicate keys.", "yaml_read"
    ),
    "SMA106": Code(
        "No documents",
        _W,
        "The file holds no YAML documents; remove it or add the manifest.",
        "rules.manifest",
    ),
    # ACK manifests
    "SMA201": Code(
        "Spec field outside spec",
        _E,
        "Move the field under `spec:` (indented two spaces); at the top level Kubernetes drops it.",
        "rules.manifest",
    ),
    "SMA202": Code(
        "Unknown field",
        _E,
        "Remove the field or fix its spelling; the ACK CRD does not define it.",
        "rules.spec_fields",
    ),
    "SMA203": Code(
        "Wrong type", _E, "Give the field a value of the type the ACK CRD expects.", "rules.spec_fields"
    ),
    "SMA204": Code(
        "Missing required field",
        _E,
        "Add the field; the ACK controller cannot act without it.",
        "rules.spec_fields",
    ),
    "SMA205": Code("Integer out of range", _E, "Use a value inside the allowed range.", "rules.spec_fields"),
    "SMA206": Code(
        "pipelineDefinition is not valid JSON",
        _E,
        "Re-export the definition with pipeline.definition() or `sagemaker-ack render`; do not edit it.",
        "rules.manifest",
    ),
    "SMA207": Code(
        "Invalid Kubernetes name",
        _E,
        "Use at most 253 lower-case letters, digits, '-' and '.', starting and ending alphanumeric.",
        "rules.manifest",
    ),
    "SMA208": Code(
        "Invalid SageMaker pipeline name",
        _E,
        "Use 1-256 letters, digits and hyphens, starting with a letter or digit (no '_' or '.').",
        "rules.manifest",
    ),
    "SMA209": Code(
        "Invalid display name",
        _E,
        "Use letters, digits and hyphens only, within the length limit.",
        "rules.manifest",
    ),
    "SMA210": Code(
        "Execution parameter not declared",
        _E,
        "Use a parameter the pipeline declares, or add it to the pipeline's Parameters.",
        "rules.executions",
    ),
    "SMA211": Code(
        "Wrong apiVersion",
        _E,
        "Use apiVersion: sagemaker.services.k8s.aws/v1alpha1 for ACK SageMaker Pipeline resources.",
        "rules.manifest",
    ),
    "SMA212": Code(
        "Missing object identity",
        _E,
        "Every object needs apiVersion, kind and metadata.name.",
        "rules.manifest",
    ),
    "SMA213": Code(
        "Execution parameter value does not fit its type",
        _E,
        "Give a value of the parameter's declared type (as a string), inside its EnumValues if it has any.",
        "rules.executions",
    ),
    "SMA214": Code(
        "Invalid annotation value", _E, "Use one of the values the ACK runtime accepts.", "rules.manifest"
    ),
    "SMA215": Code(
        "Selected step not in the pipeline",
        _E,
        "Name steps that exist in the pipeline definition (case matters).",
        "rules.executions",
    ),
    "SMA216": Code(
        "Pipeline has no definition",
        _E,
        "Put the definition JSON in spec.pipelineDefinition; ACK ignores S3 locations.",
        "rules.manifest",
    ),
    "SMA217": Code(
        "Edit of an existing run that ACK ignores",
        _E,
        "A new run needs a new PipelineExecution: render one (sagemaker-ack render ... --execution) and apply it.",
        "rules.ack_edits",
    ),
    "SMA218": Code(
        "PipelineExecution exported from a cluster",
        _W,
        "Apply a freshly rendered PipelineExecution (sagemaker-ack render ... --execution), not an exported one.",
        "rules.ack_edits",
    ),
    # Definitions
    "SMA301": Code(
        "Not a pipeline definition",
        _E,
        "Pass the output of pipeline.definition(): a JSON object with Version, Parameters and Steps.",
        "rules.definition",
    ),
    "SMA302": Code(
        "Definition is not valid JSON",
        _E,
        "Export the definition again with pipeline.definition() instead of copying it by hand.",
        "rules.definition",
    ),
    "SMA303": Code(
        "Unknown step type",
        _E,
        "Use a SageMaker step type such as Training, Processing or Condition.",
        "rules.steps",
    ),
    "SMA304": Code(
        "Missing step field", _E, "Add the field; SageMaker rejects the step without it.", "rules.steps"
    ),
    "SMA305": Code("Wrong step field type", _E, "Give the field the type SageMaker expects.", "rules.steps"),
    "SMA306": Code(
        "DependsOn names an unknown step",
        _E,
        "Name an existing step (names are case-sensitive) or remove the dependency.",
        "rules.graph",
    ),
    "SMA307": Code(
        "Reference to an unknown step",
        _E,
        "Reference a step that exists in the definition (names are case-sensitive).",
        "rules.graph",
    ),
    "SMA308": Code(
        "Steps form a cycle", _E, "Remove one dependency of the cycle; a pipeline is a DAG.", "rules.graph"
    ),
    "SMA309": Code(
        "Duplicate step name", _E, "Give every step, nested ones included, a unique name.", "rules.graph"
    ),
    "SMA310": Code(
        "Undefined parameter",
        _E,
        "Declare the parameter in Parameters or fix the reference.",
        "rules.parameters",
    ),
    "SMA311": Code(
        "Parameter default does not match its type",
        _E,
        "Make DefaultValue a value of the declared Type (String, Integer, Float or Boolean).",
        "rules.parameters",
    ),
    "SMA312": Code(
        "Parameter default not in EnumValues", _E, "Pick a default among EnumValues.", "rules.parameters"
    ),
    "SMA313": Code(
        "Step name too long", _E, "Shorten the step name to at most 64 characters.", "rules.graph"
    ),
    "SMA314": Code(
        "Invalid step name", _E, "Use only letters, digits, '-' and '_' in step names.", "rules.graph"
    ),
    "SMA315": Code(
        "Unknown parameter type", _E, "Use Type String, Integer, Float or Boolean.", "rules.parameters"
    ),
    "SMA316": Code("Duplicate parameter", _E, "Declare each parameter once.", "rules.parameters"),
    "SMA317": Code(
        "Too many EnumValues", _E, "A parameter may list at most 16 EnumValues.", "rules.parameters"
    ),
    "SMA318": Code("Unknown definition version", _W, 'Use "Version": "2020-12-01".', "rules.definition"),
    "SMA319": Code(
        "Too many processing inputs",
        _E,
        "A processing job takes at most 10 inputs; combine some.",
        "rules.steps",
    ),
    "SMA320": Code(
        "Fail message too long",
        _E,
        "Keep the ErrorMessage of a Fail step within 1,024 characters.",
        "rules.steps",
    ),
    "SMA321": Code(
        "Malformed step", _E, "Each step is an object with a string Name and Type.", "rules.definition"
    ),
    "SMA322": Code(
        "Malformed condition",
        _E,
        "Use a condition Type (Equals, GreaterThan, ..., In, Not, Or) with its operands.",
        "rules.steps",
    ),
    "SMA323": Code(
        "Invalid parameter name",
        _E,
        "Use 1-256 letters, digits, '-' and '_' in parameter names.",
        "rules.parameters",
    ),
    "SMA324": Code(
        "Parameter used where another type is needed",
        _W,
        "Use a parameter of the type the field needs (e.g. Integer for an instance count).",
        "rules.parameters",
    ),
    # Placeholders
    "SMA401": Code(
        "Placeholder left in",
        _E,
        "Replace the placeholder with the real value before applying (`sagemaker-ack render` fills them).",
        "rules.placeholders",
    ),
    # Secrets
    "SMA501": Code(
        "AWS access key id in plain text",
        _E,
        "Remove the key and rotate it; give the job an IAM role instead of credentials.",
        "rules.secrets",
    ),
    "SMA502": Code(
        "Value looks like an AWS secret access key",
        _E,
        "Remove it and rotate the key; use the job's IAM role or AWS Secrets Manager.",
        "rules.secrets",
    ),
    "SMA503": Code(
        "Password or token in plain text",
        _E,
        "Store the secret in AWS Secrets Manager and pass its name or ARN instead of the value.",
        "rules.secrets",
    ),
    "SMA504": Code(
        "Secret parameter with a literal default",
        _E,
        "Remove the DefaultValue and pass the value when the run starts, or default to a Secrets Manager "
        "name or ARN the job reads at run time.",
        "rules.secrets",
    ),
    # Values
    "SMA601": Code(
        "Not an IAM role ARN",
        _E,
        "Use a role ARN such as arn:aws:iam::123456789012:role/SageMakerExecutionRole.",
        "rules.values",
    ),
    "SMA602": Code(
        "Not a valid S3 URI",
        _E,
        "Use s3://<bucket>/<key> with a bucket of 3-63 lower-case letters, digits, '.' and '-'.",
        "rules.values",
    ),
    # Sizes
    "SMA701": Code(
        "Definition too large",
        _E,
        "SageMaker takes at most 1,048,576 characters inline; split the pipeline or shorten arguments.",
        "rules.sizes",
    ),
    "SMA702": Code(
        "Object too large for Kubernetes",
        _E,
        "Kubernetes objects are limited to 1.5 MiB; split the pipeline or shorten the definition.",
        "rules.sizes",
    ),
    "SMA703": Code(
        "Object too large for client-side apply",
        _W,
        "Apply with `kubectl apply --server-side`; client-side apply's annotation takes 262,144 bytes.",
        "rules.sizes",
    ),
    "SMA704": Code(
        "Definition large enough for S3",
        _W,
        "The SageMaker SDK itself switches to an S3 definition above 100 KiB; keep the pipeline smaller "
        "or expect slow applies (SageMaker's hard limit is 1,048,576 characters).",
        "rules.sizes",
    ),
    # Verification against the published S3 version
    "SMA801": Code(
        "Definition does not match its published version",
        _E,
        "Render the manifest again from the published version, or publish this definition.",
        "rules.provenance",
    ),
    "SMA802": Code(
        "Published version not verified",
        _W,
        "Run lint without --offline, with access to the bucket, to verify the pinned S3 version.",
        "rules.provenance",
    ),
    "SMA803": Code(
        "Inline definition does not match its digest annotation",
        _E,
        "Render the YAML again from the published version, or publish this definition; do not edit the "
        "definition inside the YAML.",
        "rules.provenance",
    ),
    "SMA804": Code(
        "Published version in an untrusted bucket",
        _W,
        "Pass --trust-bucket BUCKET when the bucket is yours, or render the YAML again from your own bucket.",
        "rules.provenance",
    ),
    # Pipeline policies (core.policy), raised in core/policy/rules.py
    "SMA901": Code(
        "Role not allowed by policy",
        _E,
        "Use a role the policy's roleArns allow, or ask the policy's owners to allow this one.",
        "policy.rules",
    ),
    "SMA902": Code(
        "Instance type not allowed by policy",
        _E,
        "Use an instance type the policy's instanceTypes allow (also for every default and enum value).",
        "policy.rules",
    ),
    "SMA903": Code(
        "Instance count above policy",
        _E,
        "Lower the instance count (and the parameter's default and enum values) to the policy's maxInstanceCount.",
        "policy.rules",
    ),
    "SMA904": Code(
        "Runtime above policy",
        _E,
        "Lower StoppingCondition.MaxRuntimeInSeconds to the policy's maxRuntimeSeconds.",
        "policy.rules",
    ),
    "SMA905": Code(
        "Region not allowed by policy",
        _E,
        "Publish and apply in a region the policy's regions allow.",
        "policy.rules",
    ),
    "SMA906": Code(
        "Image registry not allowed by policy",
        _E,
        "Use an image from a registry the policy's imageRegistries allow.",
        "policy.rules",
    ),
    "SMA907": Code(
        "Output without a KMS key",
        _E,
        "Set KmsKeyId on the output config (e.g. output_kms_key= in the SDK).",
        "policy.rules",
    ),
    "SMA908": Code(
        "Network isolation off",
        _E,
        "Set EnableNetworkIsolation to true (enable_network_isolation=True in the SDK).",
        "policy.rules",
    ),
    "SMA909": Code(
        "Required tag missing",
        _E,
        "Add the tag to the Pipeline (render --tag KEY=VALUE, or spec.tags).",
        "policy.rules",
    ),
    "SMA910": Code(
        "Value a policy cannot judge",
        _W,
        "Give the parameter a default or enum values, or pass --param NAME=VALUE, so the policy can judge it.",
        "policy.rules",
    ),
    # GitOps lifecycle (files a GitOps tool syncs and prunes)
    "SMA951": Code(
        "Pipeline in a bundle is deleted with its file",
        _W,
        "Set the annotation services.k8s.aws/deletion-policy: retain (deletionPolicy: retain in the "
        "environments file) so a prune leaves the SageMaker pipeline and its history.",
        "rules.lifecycle",
    ),
    "SMA952": Code(
        "Removing an execution's file stops the run",
        _W,
        "Keep the execution's file until the run has finished; its name is derived from the definition and "
        "parameters, so re-syncing it never starts a second run.",
        "rules.lifecycle",
    ),
}


def finding(
    code: str,
    message: str,
    *,
    hint: str | None = None,
    severity: Severity | None = None,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    step: str | None = None,
    parameter: str | None = None,
    path: str | None = None,
) -> Finding:
    """A finding whose severity and hint default to those of its code."""
    entry = CODES[code]
    return Finding(
        code=code,
        severity=severity or entry.severity,
        message=message,
        hint=entry.hint if hint is None else hint,
        file=file,
        line=line,
        column=column,
        step=step,
        parameter=parameter,
        path=path,
    )


READER_MODULES = frozenset({"yaml_text", "yaml_read"})
"""Where the codes of a file that cannot be read come from."""
UNREADABLE_CODES = frozenset({"SMA104", "SMA302"})
"""Also unreadable: a document that is no object at all (SMA104), a manifest file's broken JSON (SMA302)."""


def unreadable(findings: list[Finding]) -> Finding | None:
    """The first error that says the file itself cannot be read (syntax, reader limits, duplicate keys,
    NaN, a document that is not an object): no override helps; ``None`` when the file reads."""
    for f in findings:
        if f.severity == "error" and (CODES[f.code].module in READER_MODULES or f.code in UNREADABLE_CODES):
            return f
    return None


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def sort_key(f: Finding) -> tuple[str, int, int, str]:
    return (f.file or "", f.line or 0, f.column or 0, f.code)
