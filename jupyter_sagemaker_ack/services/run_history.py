"""The history of a pipeline's runs: per run, what it ran with (parameters, definition version) and whether
it retried another run, on top of the run snapshots :func:`.runs.list_runs` gives.

The extra fields come from each run's PipelineExecution CR: ``spec.pipelineParameters``, the provenance
annotations the render step writes (``sagemaker-ack.io/definition-digest``, ``.../definition-version-id``)
and the ``sagemaker-ack.io/retry-of`` annotation a retry writes. A run listed without its CR (from SageMaker
alone) has only its snapshot: the fields read ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..adapters.kube import KubeObjects, cluster_configured, connect
from ..config import Settings
from ..core import ack
from ..core.status.snapshots import RunSnapshot
from .retry import RETRY_OF_ANNOTATION
from .runs import list_runs

DIGEST_ANNOTATION = ack.ANNOTATION_PREFIX + "definition-digest"
VERSION_ANNOTATION = ack.ANNOTATION_PREFIX + "definition-version-id"


@dataclass(frozen=True)
class RunHistoryEntry:
    """One run of a pipeline's history."""

    run: RunSnapshot
    parameters: Mapping[str, str] = field(default_factory=dict)
    definition_digest: str | None = None
    definition_version_id: str | None = None
    retry_of: str | None = None

    @property
    def duration_seconds(self) -> float | None:
        if self.run.start_time is None or self.run.end_time is None:
            return None
        return max(0.0, (self.run.end_time - self.run.start_time).total_seconds())

    def to_wire(self) -> dict[str, Any]:
        """The run snapshot (without steps) plus the history fields."""
        return {
            **self.run.to_wire(steps=False),
            "durationSeconds": self.duration_seconds,
            "parameters": dict(self.parameters),
            "definitionDigest": self.definition_digest,
            "definitionVersionId": self.definition_version_id,
            "retryOf": self.retry_of,
        }


def history_fields(cr: Mapping[str, Any]) -> dict[str, Any]:
    """The history fields of one PipelineExecution CR (as the Kubernetes API returns it)."""
    spec = cr.get("spec") or {}
    annotations = (cr.get("metadata") or {}).get("annotations") or {}
    parameters = {
        str(p.get("name")): str(p.get("value"))
        for p in spec.get("pipelineParameters") or []
        if isinstance(p, Mapping)
    }
    return {
        "parameters": parameters,
        "definition_digest": annotations.get(DIGEST_ANNOTATION),
        "definition_version_id": annotations.get(VERSION_ANNOTATION),
        "retry_of": annotations.get(RETRY_OF_ANNOTATION),
    }


def execution_crs(settings: Settings, namespace: str | None) -> dict[str, Mapping[str, Any]]:
    """The namespace's PipelineExecution CRs by name (none when no cluster is configured)."""
    if not cluster_configured(settings):
        return {}
    cluster = connect(settings, namespace)
    try:
        items, _ = KubeObjects(cluster).list_objects(ack.EXECUTION_KIND, cluster.namespace)
    finally:
        cluster.close()
    return {str((item.get("metadata") or {}).get("name")): item for item in items}


def run_history(settings: Settings, pipeline: str, namespace: str | None = None) -> list[RunHistoryEntry]:
    """The runs of ``pipeline`` (newest first) with their parameters, definition version and retry link."""
    snaps = list_runs(settings, pipeline, namespace=namespace)
    crs = execution_crs(settings, namespace)
    entries = []
    for snap in snaps:
        cr = crs.get(snap.name or "")
        entries.append(
            RunHistoryEntry(snap, **history_fields(cr)) if cr is not None else RunHistoryEntry(snap)
        )
    return entries
