"""Edits the ACK controller would silently ignore, as far as a set of documents shows them.

ACK v1.9.1 compares an execution's ``pipelineParameters`` and ``pipelineName`` but never reads them back,
so changing either on an existing PipelineExecution does nothing: no new run, no condition, no warning.
A rule over documents cannot see the cluster (``apply`` compares against the live CR); what it can see is a
PipelineExecution exported from the cluster (``kubectl get -o yaml``): it carries the live object's identity,
and its ``kubectl.kubernetes.io/last-applied-configuration`` annotation holds the spec it was applied with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ... import ack
from ..documents import Document
from ..findings import Finding
from ..sink import Sink

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_NEW_RUN = (
    "A new run needs a new PipelineExecution: `sagemaker-ack render <definition> --pipeline-name {pipeline} "
    "--execution --param NAME=VALUE -o <dir>` makes one with its own name; apply that instead."
)


def _parameters(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    items = spec.get("pipelineParameters")
    if not isinstance(items, list):
        return []
    return [
        (str(item.get("name")), "" if item.get("value") is None else str(item.get("value")))
        for item in items
        if isinstance(item, Mapping)
    ]


def _applied_spec(metadata: Mapping[str, Any]) -> Mapping[str, Any] | None:
    annotations = metadata.get("annotations")
    raw = annotations.get(LAST_APPLIED) if isinstance(annotations, Mapping) else None
    if not isinstance(raw, str):
        return None
    try:
        applied = json.loads(raw)
    except ValueError:
        return None
    spec = applied.get("spec") if isinstance(applied, Mapping) else None
    return spec if isinstance(spec, Mapping) else None


def _is_live_object(doc: Mapping[str, Any], metadata: Mapping[str, Any]) -> bool:
    status = doc.get("status")
    arn = (status.get("ackResourceMetadata") or {}).get("arn") if isinstance(status, Mapping) else None
    return bool(arn or metadata.get("uid") or metadata.get("resourceVersion"))


def check_execution_edits(executions: list[Document]) -> list[Finding]:
    """SMA217 (edited parameters or pipeline name of an exported run) and SMA218 (an exported run)."""
    found: list[Finding] = []
    for document in executions:
        doc = document.value
        if not isinstance(doc, Mapping) or doc.get("kind") != ack.EXECUTION_KIND:
            continue
        metadata, spec = doc.get("metadata"), doc.get("spec")
        if not isinstance(metadata, Mapping) or not isinstance(spec, Mapping):
            continue
        if not _is_live_object(doc, metadata):
            continue
        sink = Sink(file=document.file)
        name = metadata.get("name")
        pipeline = str(spec.get("pipelineName") or "<pipeline>").split("/")[-1]
        applied = _applied_spec(metadata)
        edited = []
        if applied is not None:
            if applied.get("pipelineName") != spec.get("pipelineName"):
                edited.append(
                    ("pipelineName", f"{applied.get('pipelineName')} -> {spec.get('pipelineName')}")
                )
            if _parameters(applied) != _parameters(spec):
                edited.append(("pipelineParameters", "values differ from the ones the run started with"))
        for field, what in edited:
            sink.add(
                "SMA217",
                f"PipelineExecution {name} is an existing run and this changes its {field} ({what}); ACK "
                "ignores that edit without a condition or a warning, so the run keeps what it started with.",
                path=("spec", field),
                key=True,
                hint=_NEW_RUN.format(pipeline=pipeline),
            )
        if not edited:
            sink.add(
                "SMA218",
                f"PipelineExecution {name} was exported from a cluster (it has the live object's identity or "
                "status): applying it starts no new run, and ACK ignores changes to its parameters or "
                "pipeline name.",
                path=("metadata",),
                key=True,
                hint=_NEW_RUN.format(pipeline=pipeline),
            )
        found.extend(sink.resolve(document))
    return found
