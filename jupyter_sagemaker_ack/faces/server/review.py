"""The review of an ACK YAML file for the JupyterLab review view: lint findings, the DAG, the S3 verification.

Only core (lint, manifests, DAG) and ``services.verify`` are used; verification runs only when the Pipeline
manifest pins a published S3 version, since there is nothing to compare against otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...config import Settings
from ...core import ack
from ...core.errors import UserError
from ...core.manifests import Provenance, definition_from_manifest, load_manifests
from .wire import problem, to_wire


def review_text(text: str, path: str, settings: Settings) -> dict[str, Any]:
    """``{"findings": [...], "dag": <dag>|None, "verification": {...}|None}`` for one YAML file's text."""
    from ...core.dag import build_dag
    from ...core.lint import lint_text

    findings = [to_wire(f) for f in lint_text(text, path)]
    try:
        docs = load_manifests(text)
    except UserError:
        # The linter has already reported why the YAML cannot be read.
        return {"findings": findings, "dag": None, "verification": None}
    pipeline = next((d for d in docs if d.get("kind") == ack.PIPELINE_KIND), None)
    dag: dict[str, Any] | None = None
    if pipeline is not None:
        try:
            definition = definition_from_manifest(pipeline)
        except UserError:
            pass  # reported by the linter as a finding on spec.pipelineDefinition
        else:
            dag = build_dag(definition).to_wire(definition, pipeline_name_of(pipeline))
    return {"findings": findings, "dag": dag, "verification": verification(docs, settings)}


def pipeline_name_of(doc: Mapping[str, Any]) -> str | None:
    spec = doc.get("spec")
    name = spec.get("pipelineName") if isinstance(spec, Mapping) else None
    if isinstance(name, str):
        return name
    metadata = doc.get("metadata")
    fallback = metadata.get("name") if isinstance(metadata, Mapping) else None
    return fallback if isinstance(fallback, str) else None


def pins_s3_version(docs: Sequence[Mapping[str, Any]]) -> bool:
    """True when a Pipeline's provenance annotations name a published S3 object version."""
    for doc in docs:
        if doc.get("kind") != ack.PIPELINE_KIND:
            continue
        metadata = doc.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
        provenance = Provenance.from_annotations(annotations) if isinstance(annotations, Mapping) else None
        if provenance is not None and provenance.version_id:
            return True
    return False


def verification(docs: list[dict[str, Any]], settings: Settings) -> dict[str, Any] | None:
    """The verify service's report, or ``{"ok": False, "problem", "fix"}`` when it could not run."""
    if not pins_s3_version(docs):
        return None
    try:
        from ...services.verify import verify
    except ImportError:
        return {
            "ok": False,
            "problem": "This installation has no S3 verification service.",
            "fix": "Upgrade jupyter-sagemaker-ack.",
        }
    try:
        report = to_wire(verify(docs, settings))
    except UserError as error:
        return {"ok": False, **problem(error)}
    return report if isinstance(report, dict) else {"ok": bool(report), "report": report}
