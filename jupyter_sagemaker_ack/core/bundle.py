"""A GitOps bundle: one definition, promoted to several environments by a kustomize base and overlays.

A definition travels as one JSON string inside ``spec.pipelineDefinition``, which kustomize cannot patch
inside, so account-specific values (role ARNs, buckets, KMS keys) are replaced here, as exact strings, once
per environment. Each overlay then carries its environment's whole definition in a strategic-merge patch of
the base Pipeline: kustomize replaces a string field whole, so the overlay's ``kubectl kustomize`` output
holds exactly the definition this module computed, and the reviewer reads each environment's definition in
its own file. Everything here is pure: the environments file comes in as text, the files go out as a
mapping of relative path to text.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import yaml

from . import ack, bounded, gitops_health, manifests, names
from .definition import Definition, digest, parse_definition, pretty_json
from .errors import UserError

ENVIRONMENTS_FILE = "ENVS.yaml"
BASE = "base"
OVERLAYS = "overlays"
README = "README.md"
DAG_PICTURE = "dag.svg"
PATCH_FILE = "pipeline-patch.yaml"
HEALTH_FILE = "argocd-cm-health-patch.yaml"  # cluster-wide Argo CD config: beside the overlays, not in them
SERVER_SIDE_APPLY = manifests.SERVER_SIDE_APPLY
SYNC_OPTIONS_ANNOTATION = manifests.SYNC_OPTIONS_ANNOTATION

SOURCE_DIGEST_ANNOTATION = ack.ANNOTATION_PREFIX + "source-definition-digest"
SOURCE_URI_ANNOTATION = ack.ANNOTATION_PREFIX + "source-definition-uri"
SOURCE_VERSION_ANNOTATION = ack.ANNOTATION_PREFIX + "source-definition-version-id"
SUBSTITUTIONS_ANNOTATION = ack.ANNOTATION_PREFIX + "substitution-set-digest"
ENVIRONMENT_ANNOTATION = ack.ANNOTATION_PREFIX + "environment"
DIGEST_ANNOTATION = ack.ANNOTATION_PREFIX + "definition-digest"

# Annotations that claim "these bytes are that publication": an overlay whose definition differs drops them.
_PUBLICATION_KEYS = tuple(
    ack.ANNOTATION_PREFIX + key for attr, key in manifests.Provenance._KEYS if attr != "digest"
)

_ACCOUNT_IN_ARN = re.compile(r"arn:aws[a-z-]*:(?:iam|kms):[a-z0-9-]*:(\d{12}):")
_S3_BUCKET = re.compile(r"(?:s3://|arn:aws[a-z-]*:s3:::)([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?![a-z0-9.-])")
_ROLE_IN_TEXT = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}")
_REGION = r"^[a-z]{2}(-[a-z]+)+-\d$"
_ENV_NAME = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
_SCALAR = {"type": ["string", "number", "boolean"]}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["environments"],
    "additionalProperties": False,
    "properties": {
        "environments": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _ENV_NAME},
            "additionalProperties": {
                "type": "object",
                "required": ["namespace", "region", "roleARN"],
                "additionalProperties": False,
                "properties": {
                    "namespace": {"type": "string"},
                    "region": {"type": "string", "pattern": _REGION},
                    "roleARN": {"type": "string"},
                    "parallelism": {"type": "integer", "minimum": 1, "maximum": ack.INT32_MAX},
                    "parameters": {"type": "object", "additionalProperties": _SCALAR},
                    "execution": {"type": "boolean"},
                    "deletionPolicy": {"enum": list(ack.DELETION_POLICIES)},
                    "substitutions": {
                        "type": "object",
                        "propertyNames": {"minLength": 1},
                        "additionalProperties": {"type": "string"},
                    },
                    "keep": {"type": "array", "items": {"type": "string", "minLength": 1}},
                },
            },
        }
    },
}


@dataclass(frozen=True)
class Environment:
    """One target of the bundle, as the environments file gives it."""

    name: str
    namespace: str
    region: str
    role_arn: str
    parallelism: int | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    execution: bool = False
    deletion_policy: str | None = None
    substitutions: Mapping[str, str] = field(default_factory=dict)
    keep: tuple[str, ...] = ()

    @property
    def substitution_digest(self) -> str:
        """The digest of what this environment replaces (and keeps): the provenance of its definition."""
        return digest({"substitutions": dict(self.substitutions), "keep": sorted(self.keep)})


def parse_environments(text: str, where: str = ENVIRONMENTS_FILE) -> list[Environment]:
    """The environments of ``text`` (bounded YAML reader, then the schema), each mistake one UserError."""
    try:
        docs = bounded.load_yaml_all(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = str(getattr(exc, "problem", None) or exc).strip().rstrip(".")
        raise UserError(
            f"{where} is not valid YAML{at}: {problem}.",
            "Fix the YAML; the file holds one mapping `environments: {NAME: {...}}`.",
        ) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise UserError(f"{where} cannot be read: {exc}.", "Fix the value it names.") from None
    if len(docs) != 1:
        raise UserError(
            f"{where} holds {len(docs)} YAML documents, not one.",
            "Put every environment under one `environments:` mapping in one document.",
        )
    doc = docs[0]
    errors = sorted(
        jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        error = errors[0]
        place = ".".join(str(p) for p in error.absolute_path) or "the top level"
        raise UserError(
            f"{where}: {place}: {_schema_message(error)}.",
            "Each environment takes namespace, region, roleARN and optionally parallelism, parameters, "
            "execution, deletionPolicy, substitutions and keep.",
        )
    out = []
    for name, spec in doc["environments"].items():
        where_env = f"{where}: environments.{name}"
        try:
            names.check_namespace(spec["namespace"])
        except UserError as exc:
            raise UserError(f"{where_env}.namespace: {exc.problem}", exc.fix) from None
        if not names.ROLE_ARN.match(spec["roleARN"]):
            raise UserError(
                f"{where_env}.roleARN: {names.shown(spec['roleARN'])} is not an IAM role ARN.",
                "Give the SageMaker execution role, e.g. arn:aws:iam::123456789012:role/SageMakerRole.",
            )
        substitutions = dict(spec.get("substitutions") or {})
        for old, new in substitutions.items():
            if old == new:
                raise UserError(
                    f"{where_env}.substitutions: {names.shown(old)} is replaced by itself.",
                    "List a value that stays as it is under `keep`, not under `substitutions`.",
                )
        parameters = dict(spec.get("parameters") or {})
        out.append(
            Environment(
                name=name,
                namespace=spec["namespace"],
                region=spec["region"],
                role_arn=spec["roleARN"],
                parallelism=spec.get("parallelism"),
                parameters=parameters,
                execution=bool(spec.get("execution", bool(parameters))),
                deletion_policy=spec.get("deletionPolicy"),
                substitutions=substitutions,
                keep=tuple(spec.get("keep") or ()),
            )
        )
    return out


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"unknown key{'s' if len(extra) > 1 else ''} {', '.join(map(repr, extra))}"
    if not error.absolute_path and error.validator == "type":
        return "the file must be one mapping `environments: {NAME: {namespace, region, roleARN}}`"
    if error.validator == "minProperties":
        return "no environment is given"
    if error.validator == "required":
        return str(error.message).replace(" is a required property", " is missing")
    if error.validator == "pattern" and error.validator_value == _REGION:
        return f"{names.shown(error.instance)} is not an AWS region such as eu-west-1"
    if error.validator == "propertyNames" or (
        error.validator == "pattern" and error.validator_value == _ENV_NAME
    ):
        return f"{names.shown(error.instance)} is not an environment name (lower-case letters, digits, '-')"
    return str(error.message)[:200]


# -- substitutions -------------------------------------------------------------------------------------


def _text(raw: Any) -> str:
    # Compact JSON (the C encoder): one regex pass over it finds what a walk over every string would.
    return json.dumps(raw, separators=(",", ":"), ensure_ascii=False)


def _found(pattern: re.Pattern[str], text: str) -> set[str]:
    return {m.group(1) for m in pattern.finditer(text)}


def account_ids(raw: Any) -> set[str]:
    """Every AWS account ID inside an IAM or KMS ARN among the definition's strings."""
    return _found(_ACCOUNT_IN_ARN, _text(raw))


def buckets(raw: Any) -> set[str]:
    """Every S3 bucket named by an ``s3://`` URI or an S3 ARN among the definition's strings."""
    return _found(_S3_BUCKET, _text(raw))


def first_role_arn(raw: Any) -> str | None:
    """The first IAM role ARN among the definition's strings (the base Pipeline's role), if any."""
    match = _ROLE_IN_TEXT.search(_text(raw))
    return match.group(0) if match else None


def _replace(value: Any, pattern: re.Pattern[str], table: Mapping[str, str], counts: dict[str, int]) -> Any:
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            counts[match.group(0)] += 1
            return table[match.group(0)]

        return pattern.sub(one, value)
    if isinstance(value, Mapping):
        return {k: _replace(v, pattern, table, counts) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern, table, counts) for v in value]
    return value


def substitute(raw: Mapping[str, Any], substitutions: Mapping[str, str]) -> tuple[Any, dict[str, int]]:
    """``raw`` with each key of ``substitutions`` replaced in every string value, in one pass.

    Longer keys win where two overlap, so ``dev-bucket-2`` is not half-replaced by ``dev-bucket``.
    Returns the new definition and how often each key was replaced.
    """
    counts = dict.fromkeys(substitutions, 0)
    if not substitutions:
        return raw, counts
    keys = sorted(substitutions, key=lambda k: (-len(k), k))
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    return _replace(raw, pattern, substitutions, counts), counts


@dataclass(frozen=True)
class EnvironmentDefinition:
    environment: Environment
    definition: Definition
    counts: Mapping[str, int]


def environment_definition(source: Definition, env: Environment) -> EnvironmentDefinition:
    """The environment's definition, refused when a substitution matches nothing or a value is left over."""
    raw, counts = substitute(source.raw, env.substitutions)
    unused = [old for old, n in counts.items() if n == 0]
    if unused:
        raise UserError(
            f"Environment {env.name}: substitution {', '.join(map(names.shown, unused))} matches nothing "
            "in the definition.",
            "Remove it, or correct it to the exact string the definition holds.",
        )
    kept = set(env.keep)
    source_text, text = _text(source.raw), _text(raw)
    leftover_accounts = sorted((_found(_ACCOUNT_IN_ARN, source_text) & _found(_ACCOUNT_IN_ARN, text)) - kept)
    leftover_buckets = sorted((_found(_S3_BUCKET, source_text) & _found(_S3_BUCKET, text)) - kept)
    if leftover_accounts or leftover_buckets:
        parts = []
        if leftover_accounts:
            parts.append("account ID " + ", ".join(leftover_accounts) + " (in an IAM or KMS ARN)")
        if leftover_buckets:
            parts.append("S3 bucket " + ", ".join(leftover_buckets))
        raise UserError(
            f"Environment {env.name} would keep the source's {' and '.join(parts)}.",
            f"Add a substitution for each under environments.{env.name}.substitutions, or list it under "
            f"environments.{env.name}.keep if {env.name} really uses it.",
        )
    definition = source if raw is source.raw else parse_definition(raw)
    return EnvironmentDefinition(env, definition, counts)


# -- executions ----------------------------------------------------------------------------------------


def execution_run_id(definition: Definition, parameters: Mapping[str, Any]) -> str:
    """A run id fixed by the definition's digest and the parameters: the same inputs, the same run.

    A GitOps tool re-applies the same file on every sync; a stable name means the existing CR is updated
    (a no-op), never a second run started.
    """
    values = {k: manifests.parameter_value(v) for k, v in parameters.items()}
    seed = json.dumps({"definition": definition.digest, "parameters": values}, sort_keys=True)
    return "g" + hashlib.sha256(seed.encode("utf-8")).hexdigest()[:12]


# -- documents -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overlay:
    environment: Environment
    definition: Definition
    counts: Mapping[str, int]
    patch: dict[str, Any]
    execution: dict[str, Any] | None
    large: bool


@dataclass(frozen=True)
class Bundle:
    pipeline_name: str
    source: Definition
    base: dict[str, Any]
    overlays: tuple[Overlay, ...]
    provenance: manifests.Provenance | None

    @property
    def large(self) -> bool:
        return any(o.large for o in self.overlays) or _needs_server_side(self.base)


_needs_server_side = manifests.needs_server_side_apply


def build_bundle(
    source: Definition,
    environments: Sequence[Environment],
    *,
    pipeline_name: str,
    base_role_arn: str,
    provenance: manifests.Provenance | None = None,
) -> Bundle:
    """The base Pipeline (the source definition) and one overlay per environment."""
    base = manifests.render_pipeline(
        source,
        manifests.PipelineOptions(pipeline_name=pipeline_name, role_arn=base_role_arn, provenance=provenance),
    )
    overlays = []
    for env in environments:
        result = environment_definition(source, env)
        overlays.append(_overlay(base, source, result, pipeline_name, provenance))
    return Bundle(pipeline_name, source, base, tuple(overlays), provenance)


def _overlay(
    base: Mapping[str, Any],
    source: Definition,
    result: EnvironmentDefinition,
    pipeline_name: str,
    provenance: manifests.Provenance | None,
) -> Overlay:
    env, definition = result.environment, result.definition
    annotations: dict[str, str | None] = {
        ack.ACK_REGION_ANNOTATION: env.region,
        ENVIRONMENT_ANNOTATION: env.name,
        DIGEST_ANNOTATION: definition.digest,
        SOURCE_DIGEST_ANNOTATION: source.digest,
        SUBSTITUTIONS_ANNOTATION: env.substitution_digest,
    }
    if provenance is not None:
        if provenance.definition_uri:
            annotations[SOURCE_URI_ANNOTATION] = provenance.definition_uri
        if provenance.version_id:
            annotations[SOURCE_VERSION_ANNOTATION] = provenance.version_id
        if definition.digest != source.digest:
            # Not the published bytes any more: a null in a strategic-merge patch removes the key.
            for key in _PUBLICATION_KEYS:
                if key in base["metadata"].get("annotations", {}):
                    annotations[key] = None
    annotations[ack.ACK_DELETION_POLICY_ANNOTATION] = env.deletion_policy
    spec: dict[str, Any] = {
        "pipelineName": pipeline_name,  # as in the base; keeps the patch a complete Pipeline for lint
        "roleARN": env.role_arn,
        "pipelineDefinition": pretty_json(definition.raw),
    }
    if env.parallelism is not None:
        spec["parallelismConfiguration"] = {"maxParallelExecutionSteps": env.parallelism}
    patch: dict[str, Any] = {
        "apiVersion": ack.API_VERSION,
        "kind": ack.PIPELINE_KIND,
        "metadata": {"name": base["metadata"]["name"], "annotations": annotations},
        "spec": spec,
    }
    merged = {**base, "spec": {**base["spec"], **spec}}
    large = _needs_server_side(merged)
    if large:
        annotations[SYNC_OPTIONS_ANNOTATION] = SERVER_SIDE_APPLY
    if env.deletion_policy is None:
        del annotations[ack.ACK_DELETION_POLICY_ANNOTATION]
    execution = None
    if env.execution:
        run_id = execution_run_id(definition, env.parameters)
        execution = manifests.render_execution(
            manifests.ExecutionOptions(
                pipeline_name=pipeline_name,
                run_id=run_id,
                parameters=dict(env.parameters),
                region=env.region,
                max_parallel_steps=env.parallelism,
            ),
            definition,
        )
        execution["metadata"].setdefault("annotations", {}).update(
            {
                ENVIRONMENT_ANNOTATION: env.name,
                DIGEST_ANNOTATION: definition.digest,
                SUBSTITUTIONS_ANNOTATION: env.substitution_digest,
            }
        )
    return Overlay(env, definition, result.counts, patch, execution, large)


def _kustomization(**fields: Any) -> str:
    body = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", **fields}
    return yaml.safe_dump(body, sort_keys=False)


def bundle_files(bundle: Bundle) -> dict[str, str]:
    """Relative path -> text of every file of the bundle but the README and the picture."""
    files = {
        f"{BASE}/{manifests.PIPELINE_FILE}": manifests.dump_yaml([bundle.base]),
        f"{BASE}/{manifests.KUSTOMIZATION}": _kustomization(resources=[manifests.PIPELINE_FILE]),
    }
    files[HEALTH_FILE] = gitops_health.argocd_patch_yaml()
    for overlay in bundle.overlays:
        folder = f"{OVERLAYS}/{overlay.environment.name}"
        files[f"{folder}/{PATCH_FILE}"] = manifests.dump_yaml([overlay.patch])
        resources = [f"../../{BASE}"]
        if overlay.execution is not None:
            files[f"{folder}/{manifests.EXECUTION_FILE}"] = manifests.dump_yaml([overlay.execution])
            resources.append(manifests.EXECUTION_FILE)
        files[f"{folder}/{manifests.KUSTOMIZATION}"] = _kustomization(
            namespace=overlay.environment.namespace,
            resources=resources,
            patches=[{"path": PATCH_FILE}],
        )
    return files


def environment_changes(overlay: Overlay) -> list[str]:
    """What the environment changes, one line each, for the reviewer's page."""
    env = overlay.environment
    lines = [
        f"namespace `{env.namespace}`, region `{env.region}`, role `{env.role_arn}`",
        f"parallelism {env.parallelism}" if env.parallelism else "parallelism: SageMaker's default",
        f"deletion policy `{env.deletion_policy or 'delete'}`"
        + ("" if env.deletion_policy == "retain" else " (a prune deletes the SageMaker pipeline)"),
    ]
    for old, new in sorted(env.substitutions.items()):
        n = overlay.counts.get(old, 0)
        lines.append(f"`{old}` -> `{new}` ({n} place{'s' if n != 1 else ''})")
    for value in env.keep:
        lines.append(f"kept as in the source: `{value}`")
    if overlay.execution is not None:
        params = ", ".join(f"{k}={manifests.parameter_value(v)}" for k, v in sorted(env.parameters.items()))
        lines.append(
            f"execution `{overlay.execution['metadata']['name']}`" + (f" ({params})" if params else "")
        )
    lines.append(f"definition digest `{overlay.definition.digest}`")
    if overlay.large:
        lines.append("over 256 KiB: apply with `kubectl apply -k ... --server-side`")
    return lines
