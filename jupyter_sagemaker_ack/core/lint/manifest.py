"""Rules for ACK ``Pipeline`` and ``PipelineExecution`` manifests, checked against the ACK field model.

The CRDs state types only: no patterns, lengths or enums, and the API server keeps unknown fields out of
sight rather than failing. So a manifest that ``kubectl apply`` accepts can still fail as a condition
minutes later, or silently lose a field; these rules catch that first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .. import ack, names
from ..definition import Definition
from .definition import value_fits
from .definition_run import check_definition, parse_or_findings
from .findings import Finding
from .placeholders import has_placeholder
from .positions import JsonLocator, JsonPath, Position
from .scan import scan_strings
from .sink import Sink
from .sizes import check_object_size

TOP_LEVEL = ("apiVersion", "kind", "metadata", "spec", "status")
_EXECUTION_ARN = re.compile(r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]+:\d{12}:pipeline/[a-zA-Z0-9\-]{1,256}$")
_ANNOTATION_CHOICES = {
    ack.ACK_DELETION_POLICY_ANNOTATION: ack.DELETION_POLICIES,
    ack.ACK_ADOPTION_POLICY_ANNOTATION: ack.ADOPTION_POLICIES,
    ack.ACK_READ_ONLY_ANNOTATION: ("true", "false"),
}
DEFINITION_PATH: JsonPath = ("spec", "pipelineDefinition")


class Document(Protocol):
    """A manifest document and a way to place paths (and offsets inside string values) in its file."""

    value: Any
    file: str | None

    def position(
        self, path: JsonPath, *, key: bool = False, within: int | None = None
    ) -> Position | None: ...

    def scalar_position(self, path: JsonPath) -> Callable[[int], Position | None]: ...


@dataclass
class PlainDocument:
    """A manifest given as a Python mapping: no positions, only paths."""

    value: Any
    file: str | None = None

    def position(self, path: JsonPath, *, key: bool = False, within: int | None = None) -> Position | None:
        return None

    def scalar_position(self, path: JsonPath) -> Callable[[int], Position | None]:
        return lambda offset: None


@dataclass
class ManifestResult:
    findings: list[Finding] = field(default_factory=list)
    kind: str | None = None
    definition: Definition | None = None


def lint_manifest(document: Document) -> ManifestResult:
    """Every single-document rule; the definition is returned for the cross-document rules."""
    sink = Sink(file=document.file)
    doc = document.value
    result = ManifestResult()
    if not isinstance(doc, Mapping):
        sink.add(
            "SMA104",
            f"The document is {type(doc).__name__ if doc is not None else 'empty'}, not a Kubernetes object.",
            path=(),
        )
        result.findings = sink.resolve(document)
        return result
    kind = doc.get("kind")
    api_version = doc.get("apiVersion")
    if kind not in (ack.PIPELINE_KIND, ack.EXECUTION_KIND):
        if kind is None or api_version is None:
            missing = " and ".join(k for k in ("apiVersion", "kind") if doc.get(k) is None)
            sink.add("SMA212", f"The object has no {missing}.", path=())
            if _looks_like_ack(doc):
                _check_top_level(sink, doc, ack.PIPELINE_SPEC)
        elif isinstance(api_version, str) and api_version.startswith(ack.GROUP):
            sink.add("SMA202", f"kind {kind!r} is not an ACK SageMaker pipeline kind.", path=("kind",))
        result.findings = sink.resolve(document)
        return result
    result.kind = kind
    if api_version != ack.API_VERSION:
        sink.add("SMA211", f"apiVersion is {api_version!r}, not {ack.API_VERSION!r}.", path=("apiVersion",))
    spec_model = ack.SPECS[kind]
    misplaced = _check_top_level(sink, doc, spec_model)
    _check_metadata(sink, doc.get("metadata"))
    spec = doc.get("spec")
    if spec is None:
        sink.add("SMA204", f"The {kind} has no spec.", path=(), hint="Add `spec:` with the pipeline fields.")
        spec = {}
    _check_field(sink, spec, spec_model, ("spec",), skip_required=misplaced)
    if isinstance(spec, Mapping):
        _check_names(sink, kind, spec)
        scan_strings(sink, _without_definition(doc))
        if kind == ack.PIPELINE_KIND:
            result.definition = _check_definition(sink, document, spec)
    check_object_size(sink, doc)
    result.findings = sink.resolve(document)
    return result


def _looks_like_ack(doc: Mapping[str, Any]) -> bool:
    return any(child.name in doc for child in ack.PIPELINE_SPEC.children)


def _without_definition(doc: Mapping[str, Any]) -> dict[str, Any]:
    spec = doc.get("spec")
    if not isinstance(spec, Mapping) or "pipelineDefinition" not in spec:
        return dict(doc)
    return {**doc, "spec": {k: v for k, v in spec.items() if k != "pipelineDefinition"}}


def _check_top_level(sink: Sink, doc: Mapping[str, Any], spec_model: ack.Field) -> set[str]:
    misplaced: set[str] = set()
    all_spec_fields = {c.name for c in ack.PIPELINE_SPEC.children} | {
        c.name for c in ack.PIPELINE_EXECUTION_SPEC.children
    }
    for key in doc:
        if key in TOP_LEVEL:
            continue
        if key in all_spec_fields:
            misplaced.add(str(key))
            sink.add(
                "SMA201",
                f"'{key}' is at the top level of the object; it belongs under spec.",
                path=(key,),
                key=True,
            )
        else:
            sink.add(
                "SMA202",
                f"Unknown top-level field '{key}'; an object has apiVersion, kind, metadata, spec, status.",
                path=(key,),
                key=True,
            )
    return misplaced


def _check_metadata(sink: Sink, metadata: Any) -> None:
    if not isinstance(metadata, Mapping):
        sink.add("SMA212", "The object has no metadata with a name.", path=("metadata",) if metadata else ())
        return
    name = metadata.get("name")
    if name is None:
        if metadata.get("generateName") is None:
            sink.add("SMA212", "metadata.name is missing.", path=("metadata",))
    elif not isinstance(name, str):
        sink.add(
            "SMA203", f"metadata.name is {_type_name(name)}; it must be a string.", path=("metadata", "name")
        )
    elif not has_placeholder(name) and not names.is_k8s_name(name):
        sink.add(
            "SMA207",
            f"metadata.name {name!r} is not a valid Kubernetes name (RFC 1123, lower case).",
            path=("metadata", "name"),
            hint=f"Use {names.k8s_name(name)!r} or another lower-case name of letters, digits and '-'.",
        )
    namespace = metadata.get("namespace")
    if (
        isinstance(namespace, str)
        and not has_placeholder(namespace)
        and not names.RFC1123_LABEL.match(namespace)
    ):
        sink.add(
            "SMA207",
            f"metadata.namespace {namespace!r} is not a valid namespace name.",
            path=("metadata", "namespace"),
        )
    annotations = metadata.get("annotations")
    if isinstance(annotations, Mapping):
        for key, allowed in _ANNOTATION_CHOICES.items():
            value = annotations.get(key)
            if value is not None and value not in allowed:
                sink.add(
                    "SMA214",
                    f"Annotation {key} is {value!r}; use one of {', '.join(allowed)}.",
                    path=("metadata", "annotations", key),
                )
        fields = annotations.get(ack.ACK_ADOPTION_FIELDS_ANNOTATION)
        if isinstance(fields, str):
            try:
                json.loads(fields)
            except ValueError:
                sink.add(
                    "SMA214",
                    f"Annotation {ack.ACK_ADOPTION_FIELDS_ANNOTATION} is not JSON.",
                    path=("metadata", "annotations", ack.ACK_ADOPTION_FIELDS_ANNOTATION),
                    hint='Write it as JSON, e.g. \'{"pipelineName": "my-pipeline"}\'.',
                )


_JSON_TYPES = {"string": str, "integer": int, "object": Mapping, "array": list, "boolean": bool}


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _fits(value: Any, model: ack.Field) -> bool:
    if model.type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    expected = _JSON_TYPES.get(model.type)
    return expected is None or isinstance(value, expected)


def _shown(path: JsonPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _check_field(
    sink: Sink, value: Any, model: ack.Field, path: JsonPath, skip_required: set[str] | None = None
) -> None:
    if value is None:
        return
    if not _fits(value, model):
        hint = None
        if model.type == "string" and isinstance(value, (int, float, bool)):
            shown = "true" if value is True else "false" if value is False else str(value)
            hint = f'Quote the value: "{shown}" (ACK takes strings here).'
        elif model.type == "string" and path[-1] == "pipelineDefinition":
            hint = "Write the definition as a string: `pipelineDefinition: |` followed by the indented JSON."
        sink.add(
            "SMA203",
            f"{_shown(path)} is {_type_name(value)}; the ACK CRD wants {_article(model.type)}.",
            path=path,
            hint=hint,
        )
        return
    if model.type == "integer":
        low = model.minimum if model.minimum is not None else ack.INT32_MIN
        high = model.maximum if model.maximum is not None else (2**63 - 1)
        if not low <= value <= high:
            sink.add(
                "SMA205",
                f"{_shown(path)} is {value}; it must be between {low} and {high}.",
                path=path,
            )
    elif model.type == "object" and model.children:
        for key in value:
            if model.child(str(key)) is None:
                known = ", ".join(c.name for c in model.children)
                sink.add(
                    "SMA202",
                    f"{_shown((*path, str(key)))} is not a field of {_shown(path)}.",
                    path=(*path, key),
                    key=True,
                    hint=f"Known fields: {known}." + _suggest(str(key), [c.name for c in model.children]),
                )
        for child in model.children:
            if child.name in value:
                _check_field(sink, value[child.name], child, (*path, child.name))
            elif child.required and child.name not in (skip_required or set()):
                sink.add("SMA204", f"{_shown((*path, child.name))} is required.", path=path)
    elif model.type == "array" and model.items is not None:
        for i, item in enumerate(value):
            _check_field(sink, item, model.items, (*path, i))


def _article(kind: str) -> str:
    return {"integer": "an integer", "object": "an object", "array": "a list"}.get(kind, f"a {kind}")


def _suggest(key: str, known: list[str]) -> str:
    lowered = {k.lower(): k for k in known}
    match = lowered.get(key.lower())
    return f" Did you mean '{match}'?" if match else ""


def _check_names(sink: Sink, kind: str, spec: Mapping[str, Any]) -> None:
    name = spec.get("pipelineName")
    if isinstance(name, str) and not has_placeholder(name):
        ok = names.is_sagemaker_pipeline_name(name) or (
            kind == ack.EXECUTION_KIND and bool(_EXECUTION_ARN.match(name))
        )
        if not ok:
            sink.add(
                "SMA208",
                f"spec.pipelineName {name!r} is not a valid SageMaker pipeline name"
                + (" or ARN." if kind == ack.EXECUTION_KIND else "."),
                path=("spec", "pipelineName"),
            )
    display_key = "pipelineDisplayName" if kind == ack.PIPELINE_KIND else "pipelineExecutionDisplayName"
    pattern = (
        names.SAGEMAKER_DISPLAY_NAME if kind == ack.PIPELINE_KIND else names.SAGEMAKER_EXECUTION_DISPLAY_NAME
    )
    limit = 256 if kind == ack.PIPELINE_KIND else names.EXECUTION_DISPLAY_NAME_MAX
    display = spec.get(display_key)
    if isinstance(display, str) and not has_placeholder(display) and not pattern.match(display):
        sink.add(
            "SMA209",
            f"spec.{display_key} {display!r} is not a valid display name (letters, digits and '-', at most "
            f"{limit} characters).",
            path=("spec", display_key),
        )


def _check_definition(sink: Sink, document: Document, spec: Mapping[str, Any]) -> Definition | None:
    text = spec.get("pipelineDefinition")
    if text is None:
        sink.add("SMA216", "The Pipeline has no spec.pipelineDefinition.", path=("spec",))
        return None
    if not isinstance(text, str):
        return None
    locator = JsonLocator(text, document.scalar_position(DEFINITION_PATH))
    definition, parse_findings = parse_or_findings(
        text, file=document.file, locator=locator, code="SMA206", where="spec.pipelineDefinition: "
    )
    for f in parse_findings:
        sink.extend([f if f.line is not None else _placed(f, document)])
    if definition is None:
        return None
    sink.extend(check_definition(definition, locator=locator, file=document.file, text_length=len(text)))
    return definition


def _placed(f: Finding, document: Document) -> Finding:
    position = document.position(DEFINITION_PATH)
    return f.at(f.file, *(position or (None, None)))


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
