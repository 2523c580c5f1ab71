"""Policies over what lint reads: definition files and ACK manifests (each Pipeline with its definition).

A Pipeline manifest adds what the definition alone cannot say: the role SageMaker runs the pipeline as
(``spec.roleARN``), its tags, and its region (the ACK region annotation). A definition file has none of
these; its role, tag and region rules apply where it is published or rendered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import ack
from ..definition import Definition, DefinitionError, parse_definition
from ..errors import UserError
from ..lint.documents import Document
from ..lint.findings import Finding
from ..lint.positions import JsonLocator, Locator
from .model import PipelinePolicy
from .rules import PipelineContext, check_policies

DEFINITION_PATH = ("spec", "pipelineDefinition")


def check_definition_text(
    policies: Sequence[PipelinePolicy],
    text: str,
    file: str | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    context: PipelineContext | None = None,
) -> list[Finding]:
    """Policy findings of a definition's JSON text (placed at line and column); none if it does not parse
    (lint reports that itself)."""
    if not policies:
        return []
    try:
        definition = parse_definition(text)
    except (DefinitionError, UserError, ValueError, RecursionError):
        return []
    return check_policies(
        policies, definition, params=params, context=context, file=file, locator=JsonLocator(text)
    )


def check_definition_value(
    policies: Sequence[PipelinePolicy],
    definition: Definition | Mapping[str, Any],
    file: str | None = None,
    *,
    params: Mapping[str, Any] | None = None,
    context: PipelineContext | None = None,
) -> list[Finding]:
    """Policy findings of a parsed definition (an SDK pipeline's, or one about to be published)."""
    if not policies:
        return []
    if not isinstance(definition, Definition):
        try:
            definition = parse_definition(definition)
        except (DefinitionError, UserError):
            return []
    locator = JsonLocator(definition.source_text) if definition.source_text is not None else None
    return check_policies(policies, definition, params=params, context=context, file=file, locator=locator)


def check_documents(
    policies: Sequence[PipelinePolicy],
    documents: Iterable[Document],
    *,
    params: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Policy findings of every Pipeline among ``documents``, its definition and its manifest fields."""
    if not policies:
        return []
    documents = list(documents)
    runs = execution_parameters(documents)
    found: list[Finding] = []
    for document in documents:
        doc = document.value
        if not isinstance(doc, Mapping) or doc.get("kind") != ack.PIPELINE_KIND:
            continue
        spec = doc.get("spec")
        if not isinstance(spec, Mapping) or not isinstance(spec.get("pipelineDefinition"), str):
            continue
        text = spec["pipelineDefinition"]
        try:
            definition = parse_definition(text)
        except (DefinitionError, UserError, ValueError, RecursionError):
            continue  # lint's own rules report a definition that does not parse
        locator: Locator = JsonLocator(text, document.scalar_position(DEFINITION_PATH))
        found.extend(
            check_policies(
                policies,
                definition,
                params=params,
                context=manifest_context(doc),
                file=document.file,
                locator=locator,
                manifest_locator=document,
                prefix=DEFINITION_PATH,
                runs=runs.get(str(spec.get("pipelineName")), ()),
            )
        )
    return found


def execution_parameters(documents: Iterable[Document]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Per pipeline name, ``(execution name, parameter values)`` of each PipelineExecution in the set."""
    out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for document in documents:
        doc = document.value
        if not isinstance(doc, Mapping) or doc.get("kind") != ack.EXECUTION_KIND:
            continue
        spec = _mapping(doc.get("spec"))
        pipeline = spec.get("pipelineName")
        items = spec.get("pipelineParameters")
        if not isinstance(pipeline, str) or not isinstance(items, list):
            continue
        values = {
            str(item["name"]): item.get("value")
            for item in items
            if isinstance(item, Mapping) and isinstance(item.get("name"), str)
        }
        name = _mapping(doc.get("metadata")).get("name")
        out.setdefault(pipeline, []).append((str(name or "?"), values))
    return out


def manifest_context(doc: Mapping[str, Any]) -> PipelineContext:
    """The role, tags and region of a Pipeline manifest (``None`` for each the manifest leaves out)."""
    spec = _mapping(doc.get("spec"))
    annotations = _mapping(_mapping(doc.get("metadata")).get("annotations"))
    raw_tags = spec.get("tags")
    tags: dict[str, Any] = {}
    if isinstance(raw_tags, list):
        for item in raw_tags:
            if isinstance(item, Mapping) and isinstance(item.get("key"), str):
                tags[item["key"]] = item.get("value")
    region = annotations.get(ack.ACK_REGION_ANNOTATION)
    return PipelineContext(
        role_arn=spec.get("roleARN"),
        role_path=("spec", "roleARN"),
        region=region if isinstance(region, str) else None,
        region_path=("metadata", "annotations", ack.ACK_REGION_ANNOTATION),
        tags=tags,
        tags_path=("spec", "tags") if raw_tags is not None else ("spec",),
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
