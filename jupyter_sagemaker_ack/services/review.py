"""The review of an ACK YAML file: its lint findings, its pipeline's DAG and the S3 verification.

What the JupyterLab review view shows, usable without Jupyter. Lint and verification are the same
operation as ``sagemaker-ack lint`` (``services.lint.check_texts``), so the review trusts the same buckets:
the configured one and ``trust_buckets``; a Pipeline pinned in any other bucket is reported, never asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..core import ack
from ..core.dag import build_dag
from ..core.errors import UserError
from ..core.lint import Finding
from ..core.lint.documents import Document
from ..core.manifests import definition_from_manifest
from ..core.policy import PipelinePolicy
from .lint import Checked, LintOptions, check_texts
from .policy import load_policies
from .verify import VerifyReport

_READ_CODES = ("SMA101", "SMA102", "SMA103", "SMA105")
"""Findings that mean the YAML does not read as written (the linter may have read a repaired copy)."""


@dataclass(frozen=True)
class Review:
    findings: list[Finding]
    dag: dict[str, Any] | None
    verification: dict[str, Any] | None
    """None when no Pipeline pins an S3 version; else the checks, or ``ok: False`` with problem and fix."""

    def to_wire(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "dag": self.dag,
            "verification": self.verification,
        }


def review_text(
    text: str,
    path: str,
    settings: Settings,
    *,
    trust_buckets: Iterable[str] = (),
    policies: Sequence[PipelinePolicy] | None = None,
) -> Review:
    """Lint ``text`` (the file at ``path``), draw its Pipeline's DAG, verify what it pins against S3.

    ``policies`` (default: the files of the ``policy`` setting) judge its Pipelines as lint does.
    """
    chosen = load_policies(settings.policy_paths) if policies is None else tuple(policies)
    options = LintOptions(settings=settings, trust_buckets=tuple(trust_buckets), policies=chosen)
    checked = check_texts([(path, text)], options)
    readable = not any(f.code in _READ_CODES and f.severity == "error" for f in checked.findings)
    return Review(
        findings=checked.findings,
        dag=_dag(checked.documents) if readable else None,
        verification=verification(checked),
    )


def _dag(documents: list[Document]) -> dict[str, Any] | None:
    pipeline = next(
        (
            d.value
            for d in documents
            if isinstance(d.value, Mapping) and d.value.get("kind") == ack.PIPELINE_KIND
        ),
        None,
    )
    if pipeline is None:
        return None
    try:
        definition = definition_from_manifest(pipeline)
    except UserError:
        return None  # reported by the linter as a finding on spec.pipelineDefinition
    wire: dict[str, Any] = build_dag(definition).to_wire(definition, pipeline_name_of(pipeline))
    return wire


def pipeline_name_of(doc: Mapping[str, Any]) -> str | None:
    spec = doc.get("spec")
    name = spec.get("pipelineName") if isinstance(spec, Mapping) else None
    if isinstance(name, str):
        return name
    metadata = doc.get("metadata")
    fallback = metadata.get("name") if isinstance(metadata, Mapping) else None
    return fallback if isinstance(fallback, str) else None


def verification(checked: Checked) -> dict[str, Any] | None:
    """The verify reports of the pinned Pipelines as one, or why a version could not be verified."""
    pinned = [p for p in checked.pinned if p.verification.outcome != "unpinned"]
    if not pinned:
        return None
    for item in pinned:
        if item.report is None:
            found = item.verification
            return {
                "ok": False,
                "problem": f"The pinned S3 version {found.version} could not be verified: {found.reason}",
                "fix": found.fix or "Check the AWS credentials and the bucket's endpoint, then review again.",
            }
    merged = VerifyReport()
    for item in pinned:
        assert item.report is not None
        merged.extend(item.report)
    return merged.to_dict()
