"""Executions checked against the Pipeline of the same set of documents: parameters and selected steps.

ACK ignores parameter edits after creation and SageMaker rejects undeclared parameters only when the run
starts; when both documents are at hand the mismatch is caught before either is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...definition import Definition
from ..documents import Document
from ..findings import Finding
from ..positions import JsonPath
from ..sink import Sink
from .manifest import ManifestResult
from .parameters import value_fits
from .placeholders import has_placeholder


def cross_check(
    pipelines: list[tuple[Document, ManifestResult]], executions: list[Document]
) -> list[Finding]:
    """Executions against the Pipeline of the same set they run: parameters and selected steps."""
    by_name: dict[str, Definition] = {}
    for document, result in pipelines:
        spec = document.value.get("spec") if isinstance(document.value, Mapping) else None
        if isinstance(spec, Mapping) and isinstance(spec.get("pipelineName"), str) and result.definition:
            by_name[spec["pipelineName"]] = result.definition
    found: list[Finding] = []
    for document in executions:
        spec = document.value.get("spec")
        if not isinstance(spec, Mapping) or not isinstance(spec.get("pipelineName"), str):
            continue
        definition = by_name.get(spec["pipelineName"].split("/")[-1])
        if definition is None:
            continue
        sink = Sink(file=document.file)
        _check_execution_parameters(sink, spec, definition)
        _check_selected_steps(sink, spec, definition)
        found.extend(sink.resolve(document))
    return found


def _check_execution_parameters(sink: Sink, spec: Mapping[str, Any], definition: Definition) -> None:
    items = spec.get("pipelineParameters")
    if not isinstance(items, list):
        return
    declared = {p.name: p for p in definition.parameters}
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            continue
        name = item["name"]
        path: JsonPath = ("spec", "pipelineParameters", i)
        parameter = declared.get(name)
        if parameter is None:
            sink.add(
                "SMA210",
                f"The execution sets parameter '{name}', "
                f"which pipeline '{spec['pipelineName']}' does not declare.",
                path=(*path, "name"),
                parameter=name,
                hint=f"Declared parameters: {', '.join(sorted(declared)) or 'none'}.",
            )
            continue
        value = item.get("value")
        if not isinstance(value, str) or has_placeholder(value):
            continue
        parsed = _parse_parameter_value(value, parameter.type)
        problem = None
        if parsed is _INVALID:
            problem = f"is not a valid {parameter.type}"
        elif parameter.enum_values is not None and parsed not in parameter.enum_values:
            problem = f"is not among its EnumValues ({', '.join(str(v) for v in parameter.enum_values)})"
        if problem:
            sink.add(
                "SMA213",
                f"Value {value!r} of parameter '{name}' {problem}.",
                path=(*path, "value"),
                parameter=name,
            )


_INVALID = object()


def _parse_parameter_value(value: str, kind: str) -> Any:
    if kind == "String":
        return value
    if kind == "Boolean":
        return {"true": True, "false": False}.get(value.lower(), _INVALID)
    try:
        parsed: Any = int(value) if kind == "Integer" else float(value)
    except ValueError:
        return _INVALID
    return parsed if value_fits(parsed, kind) else _INVALID


def _check_selected_steps(sink: Sink, spec: Mapping[str, Any], definition: Definition) -> None:
    config = spec.get("selectiveExecutionConfig")
    steps = config.get("selectedSteps") if isinstance(config, Mapping) else None
    if not isinstance(steps, list):
        return
    for i, item in enumerate(steps):
        name = item.get("stepName") if isinstance(item, Mapping) else None
        if isinstance(name, str) and name not in definition.step_names:
            sink.add(
                "SMA215",
                f"Selected step '{name}' is not a step of pipeline '{spec['pipelineName']}'.",
                path=("spec", "selectiveExecutionConfig", "selectedSteps", i, "stepName"),
                step=name,
            )
