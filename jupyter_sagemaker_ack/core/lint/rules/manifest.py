"""Rules for ACK ``Pipeline`` and ``PipelineExecution`` manifests, checked against the ACK field model.

The CRDs state types only: no patterns, lengths or enums, and the API server keeps unknown fields out of
sight rather than failing. So a manifest that ``kubectl apply`` accepts can still fail as a condition
minutes later, or silently lose a field; these rules catch that first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ... import ack, names
from ...bounded import loads_json
from ...definition import Definition
from ...errors import UserError
from ..definition_run import check_definition
from ..documents import Document, PlainDocument
from ..findings import Finding, finding
from ..positions import JsonLocator, JsonPath
from ..scan import scan_strings
from ..sink import Sink
from ..walk import type_name
from .definition import parse_or_findings
from .placeholders import has_placeholder
from .provenance import check_digest
from .sizes import check_object_size
from .spec_fields import check_field

__all__ = ["Document", "ManifestResult", "PlainDocument", "lint_manifest"]

TOP_LEVEL = ("apiVersion", "kind", "metadata", "spec", "status")
_EXECUTION_ARN = re.compile(r"^arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]+:\d{12}:pipeline/[a-zA-Z0-9\-]{1,256}$")
_ANNOTATION_CHOICES = {
    ack.ACK_DELETION_POLICY_ANNOTATION: ack.DELETION_POLICIES,
    ack.ACK_ADOPTION_POLICY_ANNOTATION: ack.ADOPTION_POLICIES,
    ack.ACK_READ_ONLY_ANNOTATION: ("true", "false"),
}
DEFINITION_PATH: JsonPath = ("spec", "pipelineDefinition")


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
    check_field(sink, spec, spec_model, ("spec",), skip_required=misplaced)
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
            "SMA203", f"metadata.name is {type_name(name)}; it must be a string.", path=("metadata", "name")
        )
    elif not has_placeholder(name) and not _is_k8s_name(name):
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
        and not (names.RFC1123_LABEL.fullmatch(namespace) and len(namespace) <= 63)
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
                loads_json(fields)
            except (ValueError, UserError):
                sink.add(
                    "SMA214",
                    f"Annotation {ack.ACK_ADOPTION_FIELDS_ANNOTATION} is not JSON.",
                    path=("metadata", "annotations", ack.ACK_ADOPTION_FIELDS_ANNOTATION),
                    hint='Write it as JSON, e.g. \'{"pipelineName": "my-pipeline"}\'.',
                )


def _is_k8s_name(name: str) -> bool:
    return bool(names.RFC1123_SUBDOMAIN.fullmatch(name)) and len(name) <= 253


def _check_names(sink: Sink, kind: str, spec: Mapping[str, Any]) -> None:
    name = spec.get("pipelineName")
    if isinstance(name, str) and not has_placeholder(name):
        ok = bool(names.SAGEMAKER_PIPELINE_NAME.fullmatch(name)) or (
            kind == ack.EXECUTION_KIND and bool(_EXECUTION_ARN.fullmatch(name))
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
    if isinstance(display, str) and not has_placeholder(display) and not pattern.fullmatch(display):
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
    check_digest(sink, document.value, definition)
    return definition


def no_documents(file: str | None) -> Finding:
    return finding("SMA106", "The file holds no YAML documents.", file=file, line=1, column=1)


def _placed(f: Finding, document: Document) -> Finding:
    position = document.position(DEFINITION_PATH)
    return f.at(f.file, *(position or (None, None)))
