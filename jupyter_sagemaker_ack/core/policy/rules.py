"""The policy rules over one pipeline: its definition's steps and, from its manifest, role, tags, region.

Each rule looks for its fields by name anywhere in a step's ``Arguments`` (so a new step type with a
``RoleArn`` or an ``InstanceType`` is judged without a table to update), judges every value the field
can take (see :mod:`.values`) and reports a finding naming the step, the field, the value and the rule.
Several policies combine: every rule of every policy applies, each finding naming its policy file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from ..definition import Definition
from ..lint.findings import Finding
from ..lint.positions import JsonPath, Locator, path_text
from ..lint.sink import Sink
from .model import PipelinePolicy
from .values import Candidate, ParameterValues, resolve

ROLE_FIELDS = frozenset({"RoleArn", "ExecutionRoleArn"})
INSTANCE_TYPE_FIELDS = frozenset({"InstanceType"})
# What a registered model may be deployed on: endpoints (real-time) and batch transform.
INSTANCE_TYPE_LISTS = frozenset(
    {"SupportedRealtimeInferenceInstanceTypes", "SupportedTransformInstanceTypes"}
)
INSTANCE_COUNT_FIELDS = frozenset({"InstanceCount", "InitialInstanceCount"})
RUNTIME_FIELDS = frozenset({"MaxRuntimeInSeconds"})
IMAGE_FIELDS = frozenset({"ImageUri", "TrainingImage", "Image"})
OUTPUT_CONFIGS = frozenset({"OutputDataConfig", "ProcessingOutputConfig", "TransformOutput", "OutputConfig"})
# Where each step type that runs a container states network isolation, relative to its Arguments.
ISOLATION_FIELDS: Mapping[str, tuple[JsonPath, ...]] = {
    "Training": (("EnableNetworkIsolation",),),
    "Processing": (("NetworkConfig", "EnableNetworkIsolation"),),
    "Tuning": (("TrainingJobDefinition", "EnableNetworkIsolation"),),
    "Model": (("EnableNetworkIsolation",),),
}
_NESTED_STEPS = ("IfSteps", "ElseSteps")


@dataclass(frozen=True)
class PipelineContext:
    """What the manifest (or the settings) says around the definition; ``None`` when not known."""

    role_arn: Any = None
    role_path: JsonPath | None = None
    region: str | None = None
    region_path: JsonPath | None = None
    tags: Mapping[str, Any] | None = None
    tags_path: JsonPath | None = None


@dataclass
class _Run:
    policies: Sequence[PipelinePolicy]
    parameters: ParameterValues
    definition_sink: Sink
    manifest_sink: Sink
    unknown: set[tuple[str, str]] = field(default_factory=set)


def check_policies(
    policies: Sequence[PipelinePolicy],
    definition: Definition,
    *,
    params: Mapping[str, Any] | None = None,
    context: PipelineContext | None = None,
    file: str | None = None,
    locator: Locator | None = None,
    manifest_locator: Locator | None = None,
    prefix: JsonPath = (),
    runs: Sequence[tuple[str, Mapping[str, Any]]] = (),
) -> list[Finding]:
    """Every policy's findings for one definition (placed by ``locator``) and its manifest context.

    Parameters are judged on their default and enum values, on ``params`` (``--param``) and on the
    values each of ``runs`` (the PipelineExecutions of this pipeline) gives them.
    """
    if not policies:
        return []
    values = ParameterValues.of(definition, params, runs)
    run = _Run(policies, values, Sink(file=file), Sink(file=file))
    for step_name, step_type, path, arguments in iter_steps(definition.raw):
        _check_step(run, step_name, step_type, path, arguments)
    if context is not None:
        _check_context(run, context)
    return run.definition_sink.resolve(locator, prefix) + run.manifest_sink.resolve(manifest_locator)


def iter_steps(raw: Mapping[str, Any]) -> Iterator[tuple[str, str, JsonPath, Mapping[str, Any]]]:
    """``(name, type, path of Arguments, Arguments)`` of every step, Condition branches included."""

    def walk(steps: Any, path: JsonPath) -> Iterator[tuple[str, str, JsonPath, Mapping[str, Any]]]:
        if not isinstance(steps, list):
            return
        for i, step in enumerate(steps):
            if not isinstance(step, Mapping):
                continue
            arguments = step.get("Arguments")
            if not isinstance(arguments, Mapping):
                continue
            here = (*path, i, "Arguments")
            yield str(step.get("Name", f"#{i}")), str(step.get("Type", "")), here, arguments
            if step.get("Type") == "Condition":
                for branch in _NESTED_STEPS:
                    yield from walk(arguments.get(branch), (*here, branch))

    return walk(raw.get("Steps"), ("Steps",))


def _fields(value: Any, path: JsonPath, skip_nested: bool = True) -> Iterator[tuple[str, JsonPath, Any]]:
    """``(key, path, value)`` of every mapping entry under ``value``, not entering nested steps."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if skip_nested and key in _NESTED_STEPS and len(path) >= 1 and path[-1] == "Arguments":
                continue
            here = (*path, str(key))
            yield str(key), here, item
            yield from _fields(item, here, skip_nested)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _fields(item, (*path, i), skip_nested)


def _check_step(run: _Run, step: str, step_type: str, path: JsonPath, arguments: Mapping[str, Any]) -> None:
    for key, where, value in _fields(arguments, path):
        if key in ROLE_FIELDS:
            _judge_globs(run, step, where, value, "roleArns", lambda p: p.role_arns, "SMA901")
        elif key in INSTANCE_TYPE_FIELDS:
            _judge_globs(run, step, where, value, "instanceTypes", lambda p: p.instance_types, "SMA902")
        elif key in INSTANCE_TYPE_LISTS and isinstance(value, list):
            for i, item in enumerate(value):
                _judge_globs(
                    run, step, (*where, i), item, "instanceTypes", lambda p: p.instance_types, "SMA902"
                )
        elif key in INSTANCE_COUNT_FIELDS:
            _judge_maximum(run, step, where, value, "maxInstanceCount", "SMA903")
        elif key in RUNTIME_FIELDS:
            _judge_maximum(run, step, where, value, "maxRuntimeSeconds", "SMA904")
        elif key in IMAGE_FIELDS:
            _judge_images(run, step, where, value)
        elif key in OUTPUT_CONFIGS and isinstance(value, Mapping):
            _judge_output_kms(run, step, where, value)
    if step_type in ISOLATION_FIELDS:
        _judge_isolation(run, step, step_type, path, arguments)


def _candidates(run: _Run, step: str | None, where: JsonPath, value: Any) -> list[Candidate]:
    resolved = resolve(value, run.parameters)
    for name in resolved.unknown_parameters:
        if (name, path_text(where)) not in run.unknown:
            run.unknown.add((name, path_text(where)))
            run.definition_sink.add(
                "SMA910",
                f"{_field(where)} comes from parameter {name}, which has no default, no enum and no "
                "--param value: no policy can judge it.",
                path=where,
                step=step,
            )
    return resolved.candidates


def _field(path: JsonPath) -> str:
    """The field as a reviewer names it: the path after the step's ``Arguments``."""
    parts = list(path)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == "Arguments":
            parts = parts[i + 1 :]
            break
    return path_text(tuple(parts)) or path_text(path)


def _judge_globs(
    run: _Run, step: str | None, where: JsonPath, value: Any, rule: str, allowed: Any, code: str
) -> None:
    candidates = _candidates(run, step, where, value)
    for policy in run.policies:
        globs = allowed(policy)
        if globs is None:
            continue
        for candidate in candidates:
            if not isinstance(candidate.value, str) or not _matches(candidate.value, globs):
                run.definition_sink.add(
                    code,
                    f"{_field(where)} is {candidate.describe()}, which {rule} of {policy.source} does not "
                    f"allow (allowed: {', '.join(globs) or 'nothing'}).",
                    path=where,
                    step=step,
                    parameter=candidate.parameter,
                )


def _judge_maximum(run: _Run, step: str | None, where: JsonPath, value: Any, rule: str, code: str) -> None:
    candidates = _candidates(run, step, where, value)
    for policy in run.policies:
        limit = policy.max_instance_count if rule == "maxInstanceCount" else policy.max_runtime_seconds
        if limit is None:
            continue
        for candidate in candidates:
            number = _number(candidate.value)
            if number is None or number > limit:
                run.definition_sink.add(
                    code,
                    f"{_field(where)} is {candidate.describe()}, above {rule} {limit} of {policy.source}.",
                    path=where,
                    step=step,
                    parameter=candidate.parameter,
                )


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def registry(image: str) -> str:
    """The registry host of an image URI (``763104351884.dkr.ecr.eu-west-1.amazonaws.com``)."""
    first = image.split("/", 1)[0]
    if "/" not in image or ("." not in first and ":" not in first and first != "localhost"):
        return "docker.io"  # what a bare name (``python:3.11``) pulls from
    return first.split("@", 1)[0]


def _judge_images(run: _Run, step: str | None, where: JsonPath, value: Any) -> None:
    candidates = _candidates(run, step, where, value)
    for policy in run.policies:
        globs = policy.image_registries
        if globs is None:
            continue
        for candidate in candidates:
            host = registry(candidate.value) if isinstance(candidate.value, str) else None
            if host is None or not _matches(host, globs):
                run.definition_sink.add(
                    "SMA906",
                    f"{_field(where)} is {candidate.describe()}, from registry {host or '?'}, which "
                    f"imageRegistries of {policy.source} does not allow (allowed: {', '.join(globs)}).",
                    path=where,
                    step=step,
                    parameter=candidate.parameter,
                )


def _judge_output_kms(run: _Run, step: str | None, where: JsonPath, config: Mapping[str, Any]) -> None:
    requiring = [p for p in run.policies if p.require_output_kms]
    if not requiring:
        return
    key = config.get("KmsKeyId")
    if key is None:
        candidates: list[Candidate] = [Candidate(None)]
    else:
        candidates = _candidates(run, step, (*where, "KmsKeyId"), key)
    for policy in requiring:
        for candidate in candidates:
            if candidate.value is None or candidate.value == "":
                shown = "no KmsKeyId" if key is None else f"KmsKeyId {candidate.describe()}"
                run.definition_sink.add(
                    "SMA907",
                    f"{_field(where)} has {shown}: requireOutputKms of {policy.source} asks for a KMS key "
                    "on every output.",
                    path=where,
                    step=step,
                    parameter=candidate.parameter,
                )


def _judge_isolation(
    run: _Run, step: str, step_type: str, path: JsonPath, arguments: Mapping[str, Any]
) -> None:
    requiring = [p for p in run.policies if p.require_network_isolation]
    if not requiring:
        return
    for relative in ISOLATION_FIELDS[step_type]:
        value: Any = arguments
        for key in relative:
            value = value.get(key) if isinstance(value, Mapping) else None
        where = (*path, *relative)
        candidates = [Candidate(None)] if value is None else _candidates(run, step, where, value)
        for policy in requiring:
            for candidate in candidates:
                if candidate.value is not True and candidate.value != "true":
                    shown = "not set" if value is None else candidate.describe()
                    run.definition_sink.add(
                        "SMA908",
                        f"{_field(where)} is {shown}: requireNetworkIsolation of {policy.source} asks "
                        f"every {step_type} step to run without network access.",
                        path=where if value is not None else path,
                        step=step,
                        parameter=candidate.parameter,
                    )


def _check_context(run: _Run, context: PipelineContext) -> None:
    sink = run.manifest_sink
    for policy in run.policies:
        if policy.role_arns is not None and context.role_arn is not None:
            role = context.role_arn
            if not isinstance(role, str) or not _matches(role, policy.role_arns):
                sink.add(
                    "SMA901",
                    f"spec.roleARN is {_shown(role)}, which roleArns of {policy.source} does not allow "
                    f"(allowed: {', '.join(policy.role_arns) or 'nothing'}).",
                    path=context.role_path,
                )
        if (
            policy.regions is not None
            and context.region is not None
            and not _matches(context.region, policy.regions)
        ):
            sink.add(
                "SMA905",
                f"The pipeline runs in region '{context.region}', which regions of {policy.source} "
                f"does not allow (allowed: {', '.join(policy.regions) or 'nothing'}).",
                path=context.region_path,
            )
        if policy.require_tags and context.tags is not None:
            missing = [t for t in policy.require_tags if not any(fnmatchcase(k, t) for k in context.tags)]
            if missing:
                sink.add(
                    "SMA909",
                    f"The Pipeline lacks the tag{'s' if len(missing) > 1 else ''} {', '.join(missing)} that "
                    f"requireTags of {policy.source} asks for.",
                    path=context.tags_path,
                )


def _matches(value: str, globs: Sequence[str]) -> bool:
    return any(fnmatchcase(value, glob) for glob in globs)


def _shown(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)
