"""Check a captured definition against the published (stale) pipeline-definition JSON Schema.

The schema in ../shared/sagemaker-schema/ predates fields the SDK writes and SageMaker accepts. Each
disagreement is reduced to a readable gap, ``(where, validator)`` with list items named by their ``Type``
(``Steps[Training].Arguments.InputDataConfig[*]...``), so that tests can allow the known gaps and fail
on any new kind of disagreement.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError

Gap = tuple[str, str]

# Each entry: a disagreement between the stale schema and what SDK v2 2.257 / v3 3.27 write for the
# Abalone pipeline, all of which SageMaker accepts. Checked against the schema's own text.
KNOWN_SCHEMA_GAPS: dict[Gap, str] = {
    ("PipelineExperimentConfig", "additionalProperties"): "top-level key both SDKs write; not in the schema",
    ("MlflowConfig", "additionalProperties"): "top-level key SDK v3 writes; not in the schema",
    ("Steps[Processing].PropertyFiles", "additionalProperties"): (
        "a processing step's PropertyFiles (what JsonGet reads) is not in the schema"
    ),
    ("Steps[Processing].Arguments.ProcessingInputs[*].AppManaged", "additionalProperties"): (
        "CreateProcessingJob's AppManaged input flag (SDK v2 writes it) is not in the schema"
    ),
    ("Steps[Processing].Arguments.ProcessingOutputConfig.Outputs[*].AppManaged", "additionalProperties"): (
        "CreateProcessingJob's AppManaged output flag (SDK v2 writes it) is not in the schema"
    ),
    ("Steps[Processing].Arguments.ProcessingOutputConfig.Outputs[*].S3Output.S3Uri", "oneOf"): (
        "an output S3Uri that is a Std:Join with Get expressions is not an allowed string value"
    ),
    ("Steps[Training].Arguments.ProfilerConfig", "additionalProperties"): (
        "CreateTrainingJob's ProfilerConfig (SDK v2 writes it) is not in the schema"
    ),
    ("Steps[Training].Arguments.OutputDataConfig.CompressionType", "additionalProperties"): (
        "CreateTrainingJob's OutputDataConfig.CompressionType (SDK v3 writes it) is not in the schema"
    ),
    ("Steps[Condition].Arguments.Conditions[LessThanOrEqualTo].LeftValue", "anyOf"): (
        "a Std:JsonGet on a PropertyFile is not an allowed condition operand"
    ),
    ("Steps[Condition].Arguments.ElseSteps[Fail].Arguments.ErrorMessage", "oneOf"): (
        "a Std:Join containing a parameter Get is not an allowed FailStep error message"
    ),
    (
        "Steps[Condition].Arguments.IfSteps[RegisterModel].Arguments.InferenceSpecification.Containers[*]"
        ".Environment",
        "additionalProperties",
    ): "a model package container's Environment is not in the schema",
    (
        "Steps[Condition].Arguments.IfSteps[RegisterModel].Arguments.ModelApprovalStatus",
        "additionalProperties",
    ): ("RegisterModel's ModelApprovalStatus is not in the schema (only 5 arguments are)"),
    (
        "Steps[Condition].Arguments.IfSteps[RegisterModel].Arguments.SkipModelValidation",
        "additionalProperties",
    ): ("RegisterModel's SkipModelValidation is not in the schema"),
    (
        "Steps[Condition].Arguments.IfSteps[RegisterModel].Arguments.ModelMetrics.ModelQuality.Statistics.S3Uri",
        "oneOf",
    ): "a metrics S3Uri that is a Std:Join with a step property Get is not an allowed string value",
}


def load_schema(shared_dir: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (shared_dir / "sagemaker-schema" / "pipeline-definition.schema.json").read_text()
    )
    return schema


def schema_gaps(definition: Any, schema: dict[str, Any]) -> dict[Gap, list[str]]:
    """Every disagreement, as gap -> the messages that produced it."""
    validator = jsonschema.Draft7Validator(schema)
    found: dict[Gap, list[str]] = defaultdict(list)
    for error in validator.iter_errors(definition):
        for leaf in _leaves(error):
            where = _where(definition, leaf.absolute_path)
            if leaf.validator == "additionalProperties" and isinstance(leaf.instance, dict):
                # One gap per unexpected key, so that a new unexpected key is a new gap.
                for key in _unexpected_keys(leaf.instance, leaf.schema):
                    found[(f"{where}.{key}" if where else key, "additionalProperties")].append(
                        leaf.message[:200]
                    )
            else:
                found[(where, str(leaf.validator))].append(leaf.message[:200])
    return dict(found)


def new_gaps(
    definition: Any, schema: dict[str, Any], allowed: Iterable[Gap] = KNOWN_SCHEMA_GAPS
) -> dict[Gap, list[str]]:
    allowed_set = set(allowed)
    return {
        gap: messages for gap, messages in schema_gaps(definition, schema).items() if gap not in allowed_set
    }


def _unexpected_keys(instance: dict[str, Any], schema: Any) -> list[str]:
    declared = schema.get("properties", {}) if isinstance(schema, dict) else {}
    patterns = schema.get("patternProperties", {}) if isinstance(schema, dict) else {}
    return sorted(
        key for key in instance if key not in declared and not any(re.search(p, key) for p in patterns)
    )


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The specific errors under a oneOf/anyOf: those of the branch the instance was meant to match."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.relative_schema_path[0]].append(sub)
    typed = [errs for errs in branches.values() if not any(_is_type_mismatch(e, error) for e in errs)]
    if len(typed) == 1:
        for sub in typed[0]:
            yield from _leaves(sub)
        return
    yield error


def _is_type_mismatch(sub: ValidationError, parent: ValidationError) -> bool:
    """The branch is for another kind of item: its ``Type`` (or the JSON type itself) does not match."""
    relative = list(sub.absolute_path)[len(parent.absolute_path) :]
    if relative == ["Type"]:
        return True
    return not relative and sub.validator in ("type", "required", "const", "enum")


def _where(document: Any, path: Iterable[Any]) -> str:
    parts: list[str] = []
    node = document
    for key in path:
        if isinstance(key, int):
            node = node[key]
            kind = node.get("Type") if isinstance(node, dict) else None
            parts.append(f"[{kind}]" if isinstance(kind, str) else "[*]")
        else:
            node = node[key]
            parts.append(f".{key}" if parts else key)
    return "".join(parts)
