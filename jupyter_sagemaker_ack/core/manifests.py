"""ACK ``Pipeline`` and ``PipelineExecution`` manifests: render them from a definition, read them back.

The pipeline definition travels inline (ACK has no S3-location field), shown as indented JSON in a YAML
block scalar so a reviewer can read and diff it. Provenance annotations pin the published S3 version and
the digest, so anyone can prove the inline definition is the published one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from . import ack, bounded, names
from .definition import Definition, DefinitionError, parse_definition, pretty_json
from .errors import UserError

MANAGED_BY = "jupyter-sagemaker-ack"
PART_OF = "sagemaker-pipelines"
PIPELINE_LABEL = ack.ANNOTATION_PREFIX + "pipeline"
KUSTOMIZATION = "kustomization.yaml"
PIPELINE_FILE = "pipeline.yaml"
EXECUTION_FILE = "execution.yaml"
# Argo CD's sync option for an object client-side apply cannot store (its annotation holds 256 KiB).
SYNC_OPTIONS_ANNOTATION = "argocd.argoproj.io/sync-options"
SERVER_SIDE_APPLY = "ServerSideApply=true"


@dataclass(frozen=True)
class Provenance:
    """Where the definition was published and who published it; rendered as annotations."""

    digest: str
    definition_uri: str | None = None
    version_id: str | None = None
    kms_key_arn: str | None = None
    published_by: str | None = None
    published_at: str | None = None
    source_notebook: str | None = None
    record_uri: str | None = None
    signature_key_arn: str | None = None
    signature_algorithm: str | None = None

    _KEYS = (
        ("digest", "definition-digest"),
        ("definition_uri", "definition-uri"),
        ("version_id", "definition-version-id"),
        ("kms_key_arn", "kms-key-arn"),
        ("published_by", "published-by"),
        ("published_at", "published-at"),
        ("source_notebook", "source-notebook"),
        ("record_uri", "handoff-record-uri"),
        # only a signed publish has these; `verify --require-signature` checks the record they point at
        ("signature_key_arn", "signature-key"),
        ("signature_algorithm", "signature-algorithm"),
    )

    def require_digest(self, definition: Definition) -> None:
        """Refuse to pin ``definition`` to a publication of other bytes: provenance is bound to the digest."""
        if self.digest != definition.digest:
            raise UserError(
                f"The provenance is of definition {self.digest}, but the definition being rendered is "
                f"{definition.digest}: its annotations would claim a publication of other bytes.",
                "Publish this definition and render with that publication's provenance, "
                "or render without provenance.",
            )

    def annotations(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for attr, key in self._KEYS:
            value = getattr(self, attr)
            if value:
                out[ack.ANNOTATION_PREFIX + key] = str(value)
        return out

    @classmethod
    def from_annotations(cls, annotations: Mapping[str, Any]) -> Provenance | None:
        values = {
            attr: annotations.get(ack.ANNOTATION_PREFIX + key)
            for attr, key in cls._KEYS
            if annotations.get(ack.ANNOTATION_PREFIX + key) is not None
        }
        if "digest" not in values:
            return None
        return cls(**{k: str(v) for k, v in values.items()})


@dataclass(frozen=True)
class PipelineOptions:
    pipeline_name: str
    role_arn: str
    namespace: str | None = None
    resource_name: str | None = None
    description: str | None = None
    display_name: str | None = None
    max_parallel_steps: int | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    region: str | None = None
    deletion_policy: str | None = None
    adopt: str | None = None
    provenance: Provenance | None = None


@dataclass(frozen=True)
class ExecutionOptions:
    pipeline_name: str
    run_id: str
    namespace: str | None = None
    resource_name: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    display_name: str | None = None
    description: str | None = None
    max_parallel_steps: int | None = None
    pipeline_version_id: int | None = None
    selective_source_arn: str | None = None
    selected_steps: Sequence[str] = ()
    region: str | None = None
    adopt_arn: str | None = None
    provenance: Provenance | None = None


def _metadata(
    name: str,
    namespace: str | None,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
) -> dict[str, Any]:
    names.check_k8s_name(name, "resource name")
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = names.check_namespace(namespace)
    meta["labels"] = {
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/part-of": PART_OF,
        **labels,
    }
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def _check_pipeline_name(name: str) -> None:
    if not names.is_sagemaker_pipeline_name(name):
        raise UserError(
            f"{names.shown(name)} is not a valid SageMaker pipeline name.",
            "Use 1-256 letters, digits and hyphens, starting with a letter or digit (no '_' or '.').",
        )


def _check_max_parallel(value: int | None) -> None:
    if value is not None and not 1 <= value <= ack.INT32_MAX:
        raise UserError(
            f"maxParallelExecutionSteps must be between 1 and {ack.INT32_MAX}, not {value}.",
            "Pick a positive number of steps that may run at once.",
        )


def render_pipeline(definition: Definition, opts: PipelineOptions) -> dict[str, Any]:
    """The ACK ``Pipeline`` object for ``definition``."""
    _check_pipeline_name(opts.pipeline_name)
    if not names.ROLE_ARN.match(opts.role_arn):
        raise UserError(
            f"{names.shown(opts.role_arn)} is not an IAM role ARN.",
            "Pass the SageMaker execution role, e.g. arn:aws:iam::123456789012:role/SageMakerRole.",
        )
    _check_max_parallel(opts.max_parallel_steps)
    if opts.display_name is not None and not names.SAGEMAKER_DISPLAY_NAME.match(opts.display_name):
        raise UserError(
            f"{names.shown(opts.display_name)} is not a valid pipeline display name.",
            "Use 1-256 letters, digits and hyphens.",
        )
    annotations: dict[str, str] = {}
    if opts.provenance is not None:
        opts.provenance.require_digest(definition)
        annotations.update(opts.provenance.annotations())
    else:
        annotations[ack.ANNOTATION_PREFIX + "definition-digest"] = definition.digest
    if opts.region:
        annotations[ack.ACK_REGION_ANNOTATION] = opts.region
    if opts.deletion_policy:
        if opts.deletion_policy not in ack.DELETION_POLICIES:
            raise UserError(
                f"Unknown deletion policy '{opts.deletion_policy}'.",
                "Use 'delete' or 'retain'.",
            )
        annotations[ack.ACK_DELETION_POLICY_ANNOTATION] = opts.deletion_policy
    if opts.adopt:
        if opts.adopt not in ack.ADOPTION_POLICIES:
            raise UserError(f"Unknown adoption policy '{opts.adopt}'.", "Use 'adopt' or 'adopt-or-create'.")
        annotations[ack.ACK_ADOPTION_POLICY_ANNOTATION] = opts.adopt
        annotations[ack.ACK_ADOPTION_FIELDS_ANNOTATION] = json.dumps({"pipelineName": opts.pipeline_name})
    spec: dict[str, Any] = {
        "pipelineName": opts.pipeline_name,
        "pipelineDisplayName": opts.display_name or opts.pipeline_name,
        "roleARN": opts.role_arn,
    }
    if opts.description:
        spec["pipelineDescription"] = opts.description
    if opts.max_parallel_steps is not None:
        spec["parallelismConfiguration"] = {"maxParallelExecutionSteps": opts.max_parallel_steps}
    if opts.tags:
        spec["tags"] = [{"key": str(k), "value": str(v)} for k, v in sorted(opts.tags.items())]
    spec["pipelineDefinition"] = pretty_json(definition.raw)
    k8s = opts.resource_name or names.k8s_name(opts.pipeline_name)
    metadata = _metadata(
        k8s, opts.namespace, {PIPELINE_LABEL: names.k8s_name(opts.pipeline_name)}, annotations
    )
    doc: dict[str, Any] = {
        "apiVersion": ack.API_VERSION,
        "kind": ack.PIPELINE_KIND,
        "metadata": metadata,
        "spec": spec,
    }
    if needs_server_side_apply(doc):
        metadata.setdefault("annotations", {})[SYNC_OPTIONS_ANNOTATION] = SERVER_SIDE_APPLY
    return doc


def needs_server_side_apply(doc: Mapping[str, Any]) -> bool:
    """Whether client-side ``kubectl apply`` (and Argo CD's default sync) cannot store ``doc``."""
    size = len(json.dumps(doc, separators=(",", ":"), default=str).encode("utf-8"))
    return size > ack.MAX_LAST_APPLIED_BYTES


def parameter_value(value: Any) -> str:
    """ACK wants every parameter value as a string: ``True`` -> ``"true"``, ``3`` -> ``"3"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def check_parameters(definition: Definition, parameters: Mapping[str, Any]) -> None:
    declared = {p.name for p in definition.parameters}
    unknown = sorted(set(parameters) - declared)
    if unknown:
        raise UserError(
            f"The pipeline declares no parameter {', '.join(repr(u) for u in unknown)}.",
            f"Declared parameters: {', '.join(sorted(declared)) or 'none'}.",
        )


def render_execution(opts: ExecutionOptions, definition: Definition | None = None) -> dict[str, Any]:
    """The ACK ``PipelineExecution`` object for one run (a unique name per run id)."""
    if not opts.pipeline_name.startswith("arn:"):
        _check_pipeline_name(opts.pipeline_name)
    names.check_run_id(opts.run_id)
    _check_max_parallel(opts.max_parallel_steps)
    if definition is not None:
        check_parameters(definition, opts.parameters)
    display = opts.display_name or names.execution_display_name(
        opts.pipeline_name.split("/")[-1], opts.run_id
    )
    if not names.SAGEMAKER_EXECUTION_DISPLAY_NAME.match(display):
        raise UserError(
            f"{names.shown(display)} is not a valid execution display name.",
            "Use at most 82 letters, digits and hyphens.",
        )
    spec: dict[str, Any] = {
        "pipelineName": opts.pipeline_name,
        "pipelineExecutionDisplayName": display,
    }
    if opts.description:
        spec["pipelineExecutionDescription"] = opts.description
    if opts.parameters:
        spec["pipelineParameters"] = [
            {"name": k, "value": parameter_value(v)} for k, v in sorted(opts.parameters.items())
        ]
    if opts.max_parallel_steps is not None:
        spec["parallelismConfiguration"] = {"maxParallelExecutionSteps": opts.max_parallel_steps}
    if opts.pipeline_version_id is not None:
        spec["pipelineVersionID"] = opts.pipeline_version_id
    if opts.selective_source_arn or opts.selected_steps:
        if not (opts.selective_source_arn and opts.selected_steps):
            raise UserError(
                "A selective execution needs both the source execution ARN and the steps to run.",
                "Pass the earlier run's ARN and at least one step name.",
            )
        if definition is not None:
            missing = [s for s in opts.selected_steps if s not in definition.step_names]
            if missing:
                raise UserError(
                    f"Selected steps not in the pipeline: {', '.join(missing)}.",
                    f"Steps: {', '.join(definition.step_names)}.",
                )
        spec["selectiveExecutionConfig"] = {
            "sourcePipelineExecutionARN": opts.selective_source_arn,
            "selectedSteps": [{"stepName": s} for s in opts.selected_steps],
        }
    annotations: dict[str, str] = {}
    if opts.provenance is not None:
        if definition is not None:
            opts.provenance.require_digest(definition)
        annotations.update(opts.provenance.annotations())
    if opts.region:
        annotations[ack.ACK_REGION_ANNOTATION] = opts.region
    if opts.adopt_arn:
        annotations[ack.ACK_ADOPTION_POLICY_ANNOTATION] = "adopt"
        annotations[ack.ACK_ADOPTION_FIELDS_ANNOTATION] = json.dumps({"arn": opts.adopt_arn})
    sagemaker_name = opts.pipeline_name.split("/")[-1]
    k8s = opts.resource_name or names.execution_name(sagemaker_name, opts.run_id)
    return {
        "apiVersion": ack.API_VERSION,
        "kind": ack.EXECUTION_KIND,
        "metadata": _metadata(
            k8s, opts.namespace, {PIPELINE_LABEL: names.k8s_name(sagemaker_name)}, annotations
        ),
        "spec": spec,
    }


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present


class _BlockDumper(_SafeDumper):  # type: ignore[misc,valid-type]
    """A safe dumper that writes multi-line strings as ``|`` block scalars."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_BlockDumper.add_representer(str, _str_representer)


def dump_yaml(docs: Sequence[Mapping[str, Any]]) -> str:
    """One YAML stream (``---`` between documents), definitions as readable block scalars."""
    return yaml.dump_all(
        [_plain(d) for d in docs],
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100_000,
        explicit_start=True,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def render_folder(docs: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """``pipeline.yaml``, ``execution.yaml`` (when there is one) and a ``kustomization.yaml`` listing them."""
    files: dict[str, str] = {}
    pipelines = [d for d in docs if d.get("kind") == ack.PIPELINE_KIND]
    executions = [d for d in docs if d.get("kind") == ack.EXECUTION_KIND]
    if pipelines:
        files[PIPELINE_FILE] = dump_yaml(pipelines)
    if executions:
        files[EXECUTION_FILE] = dump_yaml(executions)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(files),
    }
    files[KUSTOMIZATION] = yaml.safe_dump(kustomization, sort_keys=False)
    return files


def load_manifests(text: str) -> list[dict[str, Any]]:
    """The documents of a YAML stream (safe loader); empty documents are skipped.

    Bounded (:mod:`.bounded`): aliases, expanded values and depth stop at named limits, and numbers JSON
    cannot carry (NaN, Infinity) are refused, each as a :class:`UserError`.
    """
    try:
        docs = bounded.load_yaml_all(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = str(getattr(exc, "problem", None) or exc).strip().rstrip(".")
        raise UserError(
            f"The YAML cannot be read{where}: {problem}.",
            "Run `sagemaker-ack lint FILE` for the details and a fix.",
        ) from None
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. a date like 2024-13-45
        raise UserError(
            f"The YAML cannot be read: {exc}.",
            "Run `sagemaker-ack lint FILE` for the details and a fix.",
        ) from None
    for doc in docs:
        if not isinstance(doc, dict):
            raise UserError(
                "A YAML document is not a Kubernetes object (a mapping with apiVersion and kind).",
                "Check the file; each document between '---' lines must be one object.",
            )
        bounded.check_value(doc, "YAML document")
    return docs


def definition_from_manifest(doc: Mapping[str, Any]) -> Definition:
    """The pipeline definition carried inline by an ACK ``Pipeline`` object."""
    if doc.get("kind") != ack.PIPELINE_KIND:
        raise UserError(
            f"A {doc.get('kind') or 'document without kind'} carries no pipeline definition.",
            "Pass the ACK Pipeline manifest (kind: Pipeline).",
        )
    spec = doc.get("spec")
    text = spec.get("pipelineDefinition") if isinstance(spec, Mapping) else None
    if not isinstance(text, str):
        raise UserError(
            "The Pipeline has no spec.pipelineDefinition string.",
            "Render the manifest with `sagemaker-ack render`, which puts the definition inline.",
        )
    try:
        return parse_definition(text)
    except DefinitionError as exc:
        raise UserError(f"spec.pipelineDefinition: {exc.problem}", exc.fix) from None
