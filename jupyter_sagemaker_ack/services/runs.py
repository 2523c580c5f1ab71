"""Reading runs and pipelines now, without following them: one run, the runs, the Pipelines, a DAG.

``get_run`` is one snapshot of a run (its CR and, when credentials allow, SageMaker's steps); ``list_runs``
the namespace's ``PipelineExecution`` CRs (or SageMaker's executions of a pipeline when no cluster is
configured); ``list_pipelines`` the ACK Pipelines; ``get_dag`` the DAG of one, read from its CR. Following
a run live is :mod:`.watch`.
"""

from __future__ import annotations

from typing import Any

from ..adapters import sagemaker_api
from ..adapters.kube import KubeObjects, cluster_configured, connect
from ..config import Settings
from ..core import ack
from ..core.errors import UserError
from ..core.status.merge import merge
from ..core.status.outcome import fatal_condition
from ..core.status.parse import (
    SageMakerView,
    parse_conditions,
    parse_describe,
    parse_execution_cr,
    parse_time,
)
from ..core.status.snapshots import RunSnapshot
from .watch import RunState
from .watch_sources import is_execution_arn, open_sources, planned_steps


def get_run(namespace: str | None, name: str, settings: Settings) -> RunSnapshot:
    """One snapshot of a run, now (the CR and, when credentials allow, SageMaker's steps)."""
    sources = open_sources(settings, namespace, name)
    try:
        by_arn = is_execution_arn(name)
        state = RunState(namespace=None if by_arn else sources.namespace, name=None if by_arn else name)
        arn = name if by_arn else None
        if sources.cluster is not None and sources.namespace:
            obj = KubeObjects(sources.cluster).get(ack.EXECUTION_KIND, sources.namespace, name)
            if obj is None:
                raise UserError(
                    f"No PipelineExecution '{name}' in namespace '{sources.namespace}'.",
                    "List the runs with `sagemaker-ack runs`, or check --namespace.",
                )
            state.cr = parse_execution_cr(obj)
            arn = state.cr.execution_arn
        if sources.sagemaker is not None and arn:
            api = sources.sagemaker
            state.region = api.region
            try:
                state.planned = planned_steps(api.definition_for_execution(arn))
                state.sagemaker = parse_describe(api.describe_execution(arn))
                state.raw_steps = api.list_steps(arn)
            except UserError:
                if sources.cluster is None:
                    raise
        return state.merged()
    finally:
        sources.close()


def list_runs(
    settings: Settings, pipeline: str | None = None, namespace: str | None = None
) -> list[RunSnapshot]:
    """The runs (newest first): PipelineExecution CRs of the namespace, or SageMaker's when no cluster."""
    if cluster_configured(settings):
        cluster = connect(settings, namespace)
        try:
            items, _ = KubeObjects(cluster).list_objects(ack.EXECUTION_KIND, cluster.namespace)
        finally:
            cluster.close()
        snaps = [merge(parse_execution_cr(item), None) for item in items]
        if pipeline:
            snaps = [s for s in snaps if (s.pipeline_name or "").lower() == pipeline.lower()]
        return sorted(snaps, key=_newest_first)
    if not pipeline:
        raise UserError(
            "No Kubernetes cluster is configured, so runs can only be listed from SageMaker by pipeline.",
            "Name the pipeline (sagemaker-ack runs PIPELINE), or set KUBECONFIG.",
        )
    api = sagemaker_api.SageMakerApi.from_settings(settings)
    snaps = []
    for summary in api.list_executions(pipeline):
        view = SageMakerView(
            execution_arn=str(summary.get("PipelineExecutionArn")),
            pipeline_arn=None,
            status=str(summary.get("PipelineExecutionStatus") or "Unknown"),
            failure_reason=summary.get("PipelineExecutionFailureReason"),
            creation_time=parse_time(summary.get("StartTime")),
            last_modified=None,
        )
        snaps.append(merge(None, view, pipeline_name=pipeline))
    return snaps


def _newest_first(snap: RunSnapshot) -> tuple[float, str]:
    started = snap.start_time.timestamp() if snap.start_time else float("inf")
    return (-started, snap.name or "")


def list_pipelines(settings: Settings, namespace: str | None = None) -> list[dict[str, Any]]:
    """The ACK Pipelines of the namespace: ``{"namespace", "name", "pipelineName", "status", "arn"}``."""
    cluster = connect(settings, namespace)
    try:
        items, _ = KubeObjects(cluster).list_objects(ack.PIPELINE_KIND, cluster.namespace)
    finally:
        cluster.close()
    out = []
    for item in items:
        meta = item.get("metadata") or {}
        spec = item.get("spec") or {}
        status = item.get("status") or {}
        fatal = fatal_condition(parse_conditions(status.get("conditions")))
        out.append(
            {
                "namespace": meta.get("namespace") or cluster.namespace,
                "name": meta.get("name"),
                "pipelineName": spec.get("pipelineName"),
                "status": "Failed" if fatal is not None else (status.get("pipelineStatus") or "Pending"),
                "arn": (status.get("ackResourceMetadata") or {}).get("arn"),
            }
        )
    return sorted(out, key=lambda p: str(p["name"]))


def get_dag(namespace: str | None, pipeline_name: str, settings: Settings) -> dict[str, Any] | None:
    """The DAG wire shape of the ACK Pipeline whose ``spec.pipelineName`` is ``pipeline_name`` (None if absent)."""
    from ..core import manifests
    from ..core.dag import build_dag

    if not cluster_configured(settings):
        return None
    cluster = connect(settings, namespace)
    try:
        items, _ = KubeObjects(cluster).list_objects(ack.PIPELINE_KIND, cluster.namespace)
    finally:
        cluster.close()
    for item in items:
        if (item.get("spec") or {}).get("pipelineName") == pipeline_name:
            definition = manifests.definition_from_manifest(item)
            return build_dag(definition).to_wire(definition, pipeline_name)
    return None
