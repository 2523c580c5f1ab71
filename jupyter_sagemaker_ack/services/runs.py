"""Reading runs and pipelines now, without following them: one run, the runs, the Pipelines, a DAG.

``get_run`` is one snapshot of a run (its CR and, when credentials allow, SageMaker's steps); ``list_runs``
the runs of the namespace: the union of its ``PipelineExecution`` CRs and SageMaker's own executions of the
namespace's pipelines, each marked with where it came from (``origin``), so a stopped run whose CR is gone
stays in the history (without a cluster, SageMaker's executions of one pipeline); ``list_pipelines`` the
ACK Pipelines; ``get_dag`` the DAG of one, read from its CR. Following a run live is :mod:`.watch`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
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
from ..core.status.snapshots import FINAL_STATUSES, RunSnapshot
from . import unreachable
from .watch import RunState
from .watch_sources import POLL_ATTEMPTS, is_execution_arn, open_sources, planned_steps


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


# SageMaker executions listed per pipeline: the history a user scrolls, not every run ever.
HISTORY_LIMIT = 50
# How old a paced answer may be while it shows a running execution no CR owns (its end is coming).
ACTIVE_HISTORY_SECONDS = 2.0
# SageMaker's execution summaries of a pipeline, no older than ``max_age`` seconds when given.
Executions = Callable[[str, float | None], list[dict[str, Any]]]


@dataclass(frozen=True)
class RunList:
    """A listing's runs, newest first, and the sources that could not be asked (the list is then partial)."""

    runs: list[RunSnapshot]
    problems: tuple[UserError, ...] = ()


def list_runs(
    settings: Settings, pipeline: str | None = None, namespace: str | None = None
) -> list[RunSnapshot]:
    """The runs (newest first): the namespace's CRs and SageMaker's executions of its pipelines."""
    return list_history(settings, pipeline, namespace).runs


def list_history(
    settings: Settings,
    pipeline: str | None = None,
    namespace: str | None = None,
    *,
    executions: Executions | None = None,
) -> RunList:
    """:func:`list_runs` with what could not be asked: SageMaker unreachable or denied leaves the CRs.

    ``executions(pipeline_name, max_age)``: SageMaker's execution summaries of a pipeline (default: asked now;
    the server extension passes a shared :class:`PacedExecutions`, asked again within
    ``ACTIVE_HISTORY_SECONDS`` while a run no CR owns is still running, as right after a stop). A CR whose
    execution SageMaker lists gets SageMaker's fresher status (``origin: "cluster"``); an execution with no CR
    is ``origin: "sagemaker"``.
    """
    if not cluster_configured(settings):
        return RunList(_sagemaker_runs(settings, pipeline))
    cluster = connect(settings, namespace)
    ns = cluster.namespace
    try:
        objects = KubeObjects(cluster)
        items, _ = objects.list_objects(ack.EXECUTION_KIND, ns)
        pipelines, _ = objects.list_objects(ack.PIPELINE_KIND, ns)
    except UserError as error:
        raise unreachable.explain(error, settings, kube_server=cluster.server) from None
    finally:
        cluster.close()
    wanted = (pipeline or "").lower()
    crs = [(parse_execution_cr(item), item) for item in items]
    crs = [(cr, item) for cr, item in crs if not wanted or (cr.pipeline_name or "").lower() == wanted]
    candidates = {_pipeline_name(p) for p in pipelines} | {cr.pipeline_name for cr, _ in crs}
    names = {n for n in candidates if n and (not wanted or n.lower() == wanted)}
    problems: list[UserError] = []
    listing = executions or _executions_asker(settings, problems)
    summaries = _summaries(sorted(names), listing, None, problems, settings)
    owned = {cr.execution_arn for cr, _ in crs if cr.execution_arn}
    # A run SageMaker says is running but no CR owns (its CR was just deleted by a stop): ask again sooner.
    moving = sorted({name for arn, (name, s) in summaries.items() if arn not in owned and _running(s)})
    if moving and executions is not None:
        summaries.update(_summaries(moving, listing, ACTIVE_HISTORY_SECONDS, problems, settings))
    snaps = []
    for cr, item in crs:
        display = ((item.get("spec") or {}).get("pipelineExecutionDisplayName")) or None
        arn = cr.execution_arn or _started_unseen(summaries, cr.pipeline_name, display)
        known = summaries.pop(arn, None) if arn else None
        snap = merge(cr, _summary_view(known[1]) if known else None)
        snaps.append(replace(snap, origin="cluster", display_name=_display_name(known) or display))
    for name, summary in summaries.values():
        snap = merge(None, _summary_view(summary), namespace=ns, pipeline_name=name)
        snaps.append(replace(snap, origin="sagemaker", display_name=_display_name((name, summary))))
    return RunList(sorted(snaps, key=_newest_first), _unique(problems))


def _summaries(
    names: list[str],
    listing: Executions,
    max_age: float | None,
    problems: list[UserError],
    settings: Settings,
) -> dict[str, tuple[str, dict[str, Any]]]:
    """``{execution ARN: (pipeline name, summary)}`` of the pipelines' executions; failures go to problems."""
    summaries: dict[str, tuple[str, dict[str, Any]]] = {}
    for name in names:
        try:
            for summary in listing(name, max_age):
                arn = summary.get("PipelineExecutionArn")
                if isinstance(arn, str):
                    summaries[arn] = (name, summary)
        except UserError as error:
            problems.append(unreachable.explain(error, settings))
            if isinstance(problems[-1], unreachable.Unreachable):
                break  # the other pipelines would not answer either
    return summaries


def _running(summary: dict[str, Any]) -> bool:
    return summary.get("PipelineExecutionStatus") not in FINAL_STATUSES


def _executions_asker(settings: Settings, problems: list[UserError]) -> Executions:
    """SageMaker's executions of a pipeline, asked now (nothing, with a problem, without credentials)."""
    api: sagemaker_api.SageMakerApi | None = None

    def ask(pipeline_name: str, max_age: float | None = None) -> list[dict[str, Any]]:
        nonlocal api
        if api is None:
            if not sagemaker_api.has_credentials(settings):
                if not problems:
                    problems.append(
                        UserError(
                            "SageMaker was not asked for runs whose CR is gone: no AWS credentials.",
                            "Configure AWS credentials to see stopped and deleted runs too.",
                        )
                    )
                return []
            api = sagemaker_api.SageMakerApi.from_settings(settings, max_attempts=POLL_ATTEMPTS)
        return api.list_executions(pipeline_name, limit=HISTORY_LIMIT)

    return ask


class PacedExecutions:
    """SageMaker's executions of each pipeline, asked at most once per ``max_age`` seconds and shared.

    Pass it as ``list_history(..., executions=paced)``: however many viewers poll the runs list, SageMaker
    is asked about a pipeline once per ``max_age`` (the CRs are still read on every listing). Safe to call
    from several threads.
    """

    def __init__(self, settings: Callable[[], Settings], max_age: float) -> None:
        self._settings = settings
        self._max_age = max_age
        self._lock = threading.Lock()
        self._answers: dict[str, tuple[float, list[dict[str, Any]] | UserError]] = {}

    def __call__(self, pipeline_name: str, max_age: float | None = None) -> list[dict[str, Any]]:
        """The pipeline's executions, asked again if the answer kept is older than ``max_age`` (or the
        pacer's own)."""
        limit = self._max_age if max_age is None else min(max_age, self._max_age)
        with self._lock:
            known = self._answers.get(pipeline_name)
            if known is None or time.monotonic() - known[0] >= limit:
                problems: list[UserError] = []
                answer: list[dict[str, Any]] | UserError
                try:
                    answer = _executions_asker(self._settings(), problems)(pipeline_name, None)
                except UserError as error:
                    answer = error
                known = (time.monotonic(), problems[0] if problems else answer)
                self._answers[pipeline_name] = known  # a failure too: SageMaker is not asked again at once
        if isinstance(known[1], UserError):
            raise known[1]
        return known[1]


def _sagemaker_runs(settings: Settings, pipeline: str | None) -> list[RunSnapshot]:
    if not pipeline:
        raise UserError(
            "No Kubernetes cluster is configured, so runs can only be listed from SageMaker by pipeline.",
            "Name the pipeline (sagemaker-ack runs PIPELINE), or set KUBECONFIG.",
        )
    api = sagemaker_api.SageMakerApi.from_settings(settings)
    try:
        summaries = api.list_executions(pipeline)
    except UserError as error:
        raise unreachable.explain(error, settings) from None
    return [
        replace(
            merge(None, _summary_view(summary), pipeline_name=pipeline),
            origin="sagemaker",
            display_name=_display_name((pipeline, summary)),
        )
        for summary in summaries
    ]


def _summary_view(summary: dict[str, Any]) -> SageMakerView:
    return SageMakerView(
        execution_arn=str(summary.get("PipelineExecutionArn")),
        pipeline_arn=None,
        status=str(summary.get("PipelineExecutionStatus") or "Unknown"),
        failure_reason=summary.get("PipelineExecutionFailureReason"),
        creation_time=parse_time(summary.get("StartTime")),
        last_modified=None,
    )


def _started_unseen(
    summaries: dict[str, tuple[str, dict[str, Any]]], pipeline: str | None, display: str | None
) -> str | None:
    """The execution a CR's controller has just started but not yet written into the CR's status.

    ACK starts the execution, then writes its ARN: in between, the one execution of the CR's pipeline with
    the CR's display name is that run, not a second one.
    """
    if not display:
        return None
    matches = [
        arn
        for arn, (name, summary) in summaries.items()
        if name == pipeline and summary.get("PipelineExecutionDisplayName") == display
    ]
    return matches[0] if len(matches) == 1 else None


def _display_name(known: tuple[str, dict[str, Any]] | None) -> str | None:
    name = known[1].get("PipelineExecutionDisplayName") if known else None
    return name if isinstance(name, str) and name else None


def _pipeline_name(item: dict[str, Any]) -> str | None:
    name = (item.get("spec") or {}).get("pipelineName")
    return name if isinstance(name, str) else None


def _unique(problems: list[UserError]) -> tuple[UserError, ...]:
    seen: dict[str, UserError] = {}
    for problem in problems:
        seen.setdefault(problem.problem, problem)
    return tuple(seen.values())


def _newest_first(snap: RunSnapshot) -> tuple[float, str]:
    started = snap.start_time.timestamp() if snap.start_time else float("inf")
    return (-started, snap.name or "")


def list_pipelines(settings: Settings, namespace: str | None = None) -> list[dict[str, Any]]:
    """The ACK Pipelines of the namespace: ``{"namespace", "name", "pipelineName", "status", "arn"}``."""
    items, namespace_listed = _pipeline_objects(settings, namespace)
    out = []
    for item in items:
        meta = item.get("metadata") or {}
        spec = item.get("spec") or {}
        status = item.get("status") or {}
        fatal = fatal_condition(parse_conditions(status.get("conditions")))
        out.append(
            {
                "namespace": meta.get("namespace") or namespace_listed,
                "name": meta.get("name"),
                "pipelineName": spec.get("pipelineName"),
                "status": "Failed" if fatal is not None else (status.get("pipelineStatus") or "Pending"),
                "arn": (status.get("ackResourceMetadata") or {}).get("arn"),
            }
        )
    return sorted(out, key=lambda p: str(p["name"]))


def _pipeline_objects(settings: Settings, namespace: str | None) -> tuple[list[dict[str, Any]], str]:
    """The ACK Pipeline objects of the namespace, and the namespace."""
    cluster = connect(settings, namespace)
    try:
        items, _ = KubeObjects(cluster).list_objects(ack.PIPELINE_KIND, cluster.namespace)
    except UserError as error:
        raise unreachable.explain(error, settings, kube_server=cluster.server) from None
    finally:
        cluster.close()
    return list(items), cluster.namespace


def get_dag(namespace: str | None, pipeline_name: str, settings: Settings) -> dict[str, Any] | None:
    """The DAG wire shape of the ACK Pipeline whose ``spec.pipelineName`` is ``pipeline_name`` (None if absent)."""
    from ..core import manifests
    from ..core.dag import build_dag

    if not cluster_configured(settings):
        return None
    items, _ = _pipeline_objects(settings, namespace)
    for item in items:
        if (item.get("spec") or {}).get("pipelineName") == pipeline_name:
            definition = manifests.definition_from_manifest(item)
            return build_dag(definition).to_wire(definition, pipeline_name)
    return None
