"""The pipeline definition model: parse a SageMaker pipeline definition, canonicalise it, digest it.

A definition is the JSON document ``pipeline.definition()`` returns. Everything downstream (DAG, lint,
manifests, diff, verify) works on the :class:`Definition` built here, and the digest is what proves that
the YAML a DevOps engineer applies carries exactly the definition that was published.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import bounded
from .errors import UserError

DIGEST_ALGORITHM = "sha256"
CONDITION_STEP = "Condition"
PARAMETER_TYPES = ("String", "Integer", "Float", "Boolean")


class DefinitionError(UserError):
    """The input is not a SageMaker pipeline definition."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any = None
    enum_values: tuple[Any, ...] | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not None


@dataclass(frozen=True)
class Step:
    name: str
    type: str
    arguments: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()
    parent: str | None = None
    branch: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def display_name(self) -> str | None:
        value = self.raw.get("DisplayName")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Definition:
    raw: Mapping[str, Any]
    parameters: tuple[Parameter, ...]
    steps: tuple[Step, ...]
    source_text: str | None = field(default=None, compare=False, repr=False)

    @property
    def version(self) -> str | None:
        value = self.raw.get("Version")
        return value if isinstance(value, str) else None

    @property
    def step_names(self) -> tuple[str, ...]:
        return tuple(step.name for step in self.steps)

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    @property
    def digest(self) -> str:
        return digest(self.raw)

    def text(self) -> str:
        """The definition as JSON text: the exact input when there was one, else compact canonical JSON."""
        if self.source_text is not None:
            return self.source_text
        return canonical_bytes(self.raw).decode("utf-8")


def parse_definition(data: str | bytes | Mapping[str, Any]) -> Definition:
    """Build a :class:`Definition` from JSON text, bytes or an already parsed mapping."""
    source_text: str | None = None
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DefinitionError(
                f"The pipeline definition is not UTF-8 text (byte {exc.start}).",
                "Export it with pipeline.definition(), which returns UTF-8 JSON.",
            ) from None
    if isinstance(data, str):
        source_text = data
        try:
            parsed = bounded.loads_json(data, "pipeline definition")
        except json.JSONDecodeError as exc:
            raise DefinitionError(
                f"The pipeline definition is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                "Export it again with pipeline.definition() instead of copying it by hand.",
            ) from None
        except UserError as exc:
            raise DefinitionError(exc.problem, exc.fix) from None
    else:
        parsed = data
        try:
            bounded.check_value(parsed, "pipeline definition")
        except UserError as exc:
            raise DefinitionError(exc.problem, exc.fix) from None
    if not isinstance(parsed, Mapping):
        raise DefinitionError(
            f"A pipeline definition is a JSON object, not {type(parsed).__name__}.",
            'Pass the output of pipeline.definition(): {"Version": ..., "Steps": [...]}.',
        )
    steps_value = parsed.get("Steps")
    if not isinstance(steps_value, list):
        raise DefinitionError(
            "This JSON is not a SageMaker pipeline definition: it has no 'Steps' list.",
            "Pass the output of pipeline.definition() (keys Version, Parameters, Steps).",
        )
    return Definition(
        raw=parsed,
        parameters=tuple(_parse_parameters(parsed.get("Parameters"))),
        steps=tuple(_walk_steps(steps_value, parent=None, branch=None)),
        source_text=source_text,
    )


def _parse_parameters(value: Any) -> Iterator[Parameter]:
    if not isinstance(value, list):
        return
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str):
            continue
        enum = item.get("EnumValues")
        yield Parameter(
            name=item["Name"],
            type=str(item.get("Type", "String")),
            default=item.get("DefaultValue"),
            enum_values=tuple(enum) if isinstance(enum, list) else None,
        )


def _walk_steps(items: Sequence[Any], parent: str | None, branch: str | None) -> Iterator[Step]:
    for item in items:
        if not isinstance(item, Mapping):
            continue
        name = item.get("Name")
        if not isinstance(name, str):
            continue
        arguments = item.get("Arguments")
        depends = item.get("DependsOn")
        step = Step(
            name=name,
            type=str(item.get("Type", "")),
            arguments=arguments if isinstance(arguments, Mapping) else {},
            depends_on=tuple(d for d in depends if isinstance(d, str)) if isinstance(depends, list) else (),
            parent=parent,
            branch=branch,
            raw=item,
        )
        yield step
        if step.type == CONDITION_STEP:
            for key, branch_name in (("IfSteps", "if"), ("ElseSteps", "else")):
                nested = step.arguments.get(key)
                if isinstance(nested, list):
                    yield from _walk_steps(nested, parent=name, branch=branch_name)


def canonical_bytes(obj: Any) -> bytes:
    """JSON bytes that ignore key order and whitespace: equal documents give equal bytes."""
    if isinstance(obj, Definition):
        obj = obj.raw
    elif isinstance(obj, (str, bytes)):
        obj = bounded.loads_json(obj if isinstance(obj, str) else obj.decode("utf-8"))
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def digest(obj: Any) -> str:
    """``sha256:<hex>`` of the canonical bytes; any change of a value changes it."""
    return f"{DIGEST_ALGORITHM}:{hashlib.sha256(canonical_bytes(obj)).hexdigest()}"


def pretty_json(obj: Any) -> str:
    """Indented JSON for people to read and diff (the YAML block scalar uses it)."""
    if isinstance(obj, Definition):
        obj = obj.raw
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False)
