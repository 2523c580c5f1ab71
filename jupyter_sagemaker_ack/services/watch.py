"""Live status: one stream of run snapshots per run, merged from the CR watch and SageMaker polling.

The same stream feeds the CLI, the notebook panel and the JupyterLab sidebar. Two background threads feed
one queue: a watch on the ``PipelineExecution`` CR (conditions, the execution ARN, a status that lags by up
to 30 s) and a SageMaker poller (fresh status and every step) paced by the polling policy. The consumer
just iterates: a snapshot is yielded only when something visible changed, and the stream ends on
Succeeded, Failed or Stopped. Either source alone is enough: without AWS credentials the CR is followed;
without a cluster, a run given by its execution ARN is followed in SageMaker.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from ..adapters import sagemaker_api
from ..adapters.kube import KubeCluster, KubeObjects, cluster_configured, connect, watch_object
from ..config import Settings
from ..core import ack
from ..core import status as core
from ..core.definition import parse_definition
from ..core.errors import UserError

# How long the stream waits for any news before re-checking its sources.
_IDLE_CHECK = 1.0
# botocore attempts per status call: throttling reaches the polling policy, which backs off for longer.
POLL_ATTEMPTS = 2
# At least this long, the end reported by the CR waits for SageMaker to confirm it with the final steps.
_MIN_HOLD = 5.0


def is_execution_arn(run: str) -> bool:
    return run.startswith("arn:") and "/execution/" in run


@dataclass
class _Sources:
    """The open connections to the two sources (either may be absent)."""

    namespace: str | None
    cluster: KubeCluster | None = None
    sagemaker: sagemaker_api.SageMakerApi | None = None
    sagemaker_problem: str | None = None

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.close()


def _open_sources(settings: Settings, namespace: str | None, run: str) -> _Sources:
    by_arn = is_execution_arn(run)
    sources = _Sources(namespace=namespace or settings.namespace)
    if not by_arn:
        if not cluster_configured(settings):
            raise UserError(
                f"No Kubernetes cluster is configured to find the run '{run}'.",
                "Set KUBECONFIG, or give the run by its SageMaker execution ARN to follow it in SageMaker.",
            )
        sources.cluster = connect(settings, namespace)
        sources.namespace = sources.cluster.namespace
    if sagemaker_api.has_credentials():
        try:
            sources.sagemaker = sagemaker_api.SageMakerApi.from_settings(settings, max_attempts=POLL_ATTEMPTS)
        except UserError as exc:
            sources.sagemaker_problem = str(exc)
    else:
        sources.sagemaker_problem = "no AWS credentials"
    if by_arn and sources.sagemaker is None:
        raise UserError(
            f"Cannot follow {run} in SageMaker: {sources.sagemaker_problem}.",
            "Configure AWS credentials and region, or give the PipelineExecution name to follow the CR.",
        )
    return sources


@dataclass
class _RunState:
    """What the sources said last, merged into snapshots."""

    namespace: str | None
    name: str | None
    region: str | None = None
    cr: core.CrView | None = None
    cr_seen: bool = False
    cr_deleted: bool = False
    sagemaker: core.SageMakerView | None = None
    raw_steps: list[dict[str, Any]] | None = None
    planned: tuple[tuple[str, str], ...] = ()
    snapshot: core.RunSnapshot | None = None
    throttled: int = 0
    sagemaker_failed: bool = False

    def merged(self) -> core.RunSnapshot:
        steps = None
        if self.raw_steps is not None:
            steps = core.parse_steps(self.raw_steps, planned=self.planned, region=self.region)
        snap = core.merge(
            self.cr,
            self.sagemaker,
            steps,
            namespace=self.namespace,
            name=self.name,
            previous=self.snapshot,
        )
        if self.cr_deleted and snap.outcome is None and "sagemaker" not in snap.sources:
            snap = _deleted_outcome(snap, self.cr)
        return snap


def _deleted_outcome(snap: core.RunSnapshot, cr: core.CrView | None) -> core.RunSnapshot:
    """The CR is gone and SageMaker cannot tell: ACK removes a running execution's CR only once it has
    stopped it, so a CR seen deleting or Stopping ended Stopped. Otherwise the end is unknown."""
    if snap.status == "Stopping" or (cr is not None and cr.deleting):
        return replace(snap, status="Stopped", outcome="Stopped")
    raise UserError(
        f"The PipelineExecution {snap.name} was deleted while {snap.status}; how its run ended is unknown "
        "without SageMaker.",
        f"Ask SageMaker: sagemaker-ack status {snap.execution_arn} (needs AWS credentials)."
        if snap.execution_arn
        else "Check the SageMaker console.",
    )


@dataclass
class _Poller:
    """Polls SageMaker for one execution in a thread, paced by the policy; results go to the queue."""

    api: sagemaker_api.SageMakerApi
    policy: core.PollPolicy
    out: queue.Queue[tuple[str, Any]]
    arn: str | None = None
    arn_known: threading.Event = field(default_factory=threading.Event)
    stopped: threading.Event = field(default_factory=threading.Event)
    throttled: int = 0
    planned_loaded: bool = False
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="sagemaker-ack-poller", daemon=True)
        self.thread.start()

    def set_arn(self, arn: str) -> None:
        if not self.arn_known.is_set():
            self.arn = arn
            self.arn_known.set()

    def stop(self) -> None:
        self.stopped.set()
        self.arn_known.set()

    def _planned(self) -> tuple[tuple[str, str], ...]:
        """The definition's steps, to list those not started yet; without it the run is followed anyway."""
        assert self.arn is not None
        try:
            return _planned_steps(self.api.definition_for_execution(self.arn))
        except sagemaker_api.Transient:
            raise
        except UserError:
            return ()

    def _run(self) -> None:
        self.arn_known.wait()
        while not self.stopped.is_set() and self.arn:
            steps: list[dict[str, Any]] = []
            try:
                if not self.planned_loaded:
                    self.out.put(("planned", self._planned()))
                    self.planned_loaded = True
                described = self.api.describe_execution(self.arn)
                steps = self.api.list_steps(self.arn)
                self.throttled = 0
                self.out.put(("sagemaker", (described, steps)))
                if described.get("PipelineExecutionStatus") in core.FINAL_STATUSES:
                    return
            except sagemaker_api.Transient:
                self.throttled += 1
                self.out.put(("throttled", self.throttled))
            except UserError as exc:
                self.out.put(("sagemaker-error", exc))
                return
            except Exception as exc:  # a bug or an unexpected client failure: end the stream with it
                self.out.put(("crash", exc))
                return
            parsed = core.parse_steps(steps)
            delay = self.policy.delay(
                steps=len(steps),
                running_for=core.running_for(parsed, datetime.now(timezone.utc)),
                throttled=self.throttled,
            )
            self.stopped.wait(delay)


def _planned_steps(definition_text: str) -> tuple[tuple[str, str], ...]:
    try:
        definition = parse_definition(definition_text)
    except UserError:
        return ()
    return tuple((step.name, step.type) for step in definition.steps)


def _cr_thread(
    cluster: KubeCluster,
    namespace: str,
    name: str,
    policy: core.PollPolicy,
    out: queue.Queue[tuple[str, Any]],
    stopped: threading.Event,
) -> Any:
    watcher = watch_object(cluster, ack.EXECUTION_KIND, namespace, name, timeout_seconds=policy.watch_timeout)
    watcher.reconnect_delay = policy.reconnect_delay

    def run() -> None:
        try:
            for event in watcher.events():
                out.put(("cr", (event.type, event.obj)))
                if stopped.is_set():
                    return
        except UserError as exc:
            out.put(("cr-error", exc))
        except Exception as exc:
            out.put(("crash", exc))

    thread = threading.Thread(target=run, name="sagemaker-ack-cr-watch", daemon=True)
    thread.start()
    return watcher


def watch_run(
    namespace: str | None,
    name: str,
    settings: Settings,
    policy: core.PollPolicy | str | None = None,
) -> Iterator[core.RunSnapshot]:
    """Snapshots of one run, each different from the last, until it Succeeded, Failed or Stopped.

    ``name`` is the PipelineExecution CR name, or a SageMaker execution ARN (then SageMaker alone).
    """
    return follow_run(namespace, name, settings, policy)


def follow_run(
    namespace: str | None,
    name: str,
    settings: Settings,
    policy: core.PollPolicy | str | None = None,
    *,
    known: core.CrView | None = None,
) -> Iterator[core.RunSnapshot]:
    """:func:`watch_run`, starting from a CR already read (``known``): it may be gone by the time the
    watch opens, as when stop deleted it."""
    chosen = core.poll_policy(policy if policy is not None else settings.poll_policy)
    sources = _open_sources(settings, namespace, name)
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    stopped = threading.Event()
    by_arn = is_execution_arn(name)
    state = _RunState(namespace=None if by_arn else sources.namespace, name=None if by_arn else name)
    poller: _Poller | None = None
    watcher: Any = None
    if known is not None:
        state.cr, state.cr_seen = known, True
    if sources.sagemaker is not None:
        state.region = sources.sagemaker.region
        poller = _Poller(sources.sagemaker, chosen, events)
        poller.start()
        if by_arn:
            poller.set_arn(name)
        elif known is not None and known.execution_arn:
            poller.set_arn(known.execution_arn)
    try:
        if sources.cluster is not None and sources.namespace:
            watcher = _cr_thread(sources.cluster, sources.namespace, name, chosen, events, stopped)
        hold_until: float | None = None
        while True:
            try:
                kind, payload = events.get(timeout=_IDLE_CHECK)
                _apply(state, kind, payload, poller, has_cluster=watcher is not None)
                if kind == "throttled":
                    hold_until = None  # SageMaker is slower to answer: wait for it longer
            except queue.Empty:
                if hold_until is None:
                    continue
            snap = state.merged()
            if not snap.sources:
                continue  # neither source has answered yet
            if snap.outcome is not None and _awaiting_sagemaker(state, poller):
                # The CR reported the end first: SageMaker's next poll brings the steps' final states.
                if hold_until is None:
                    grace = max(_MIN_HOLD, 3 * chosen.delay(steps=len(snap.steps), throttled=state.throttled))
                    hold_until = time.monotonic() + grace
                if time.monotonic() < hold_until:
                    continue
            if not snap.same_state(state.snapshot):
                state.snapshot = snap
                yield snap
            if snap.outcome is not None:
                return
    finally:
        stopped.set()
        if poller is not None:
            poller.stop()
        if watcher is not None:
            watcher.stop()
        sources.close()


def _awaiting_sagemaker(state: _RunState, poller: _Poller | None) -> bool:
    """SageMaker is being polled for this run and has not said yet that it ended."""
    if poller is None or poller.arn is None or state.sagemaker_failed:
        return False
    return state.sagemaker is None or state.sagemaker.status not in core.FINAL_STATUSES


def _apply(state: _RunState, kind: str, payload: Any, poller: _Poller | None, *, has_cluster: bool) -> None:
    if kind == "cr":
        event_type, obj = payload
        if obj is None or event_type == "DELETED":
            if obj is not None and state.cr_seen:
                state.cr = replace(core.parse_execution_cr(obj), deleting=True)
            if not state.cr_seen:
                raise UserError(
                    f"No PipelineExecution '{state.name}' in namespace '{state.namespace}'.",
                    "List the runs with `sagemaker-ack runs`, or check --namespace.",
                )
            state.cr_deleted = True
            return
        state.cr_seen = True
        state.cr = core.parse_execution_cr(obj)
        if state.cr.execution_arn and poller is not None:
            poller.set_arn(state.cr.execution_arn)
    elif kind == "sagemaker":
        described, steps = payload
        state.sagemaker = core.parse_describe(described)
        state.raw_steps = steps
        state.throttled = 0
    elif kind == "planned":
        state.planned = payload
    elif kind == "throttled":
        state.throttled = int(payload)
    elif kind == "sagemaker-error":
        state.sagemaker_failed = True
        if not has_cluster:
            raise payload
    elif kind in ("cr-error", "crash"):
        raise payload


def get_run(namespace: str | None, name: str, settings: Settings) -> core.RunSnapshot:
    """One snapshot of a run, now (the CR and, when credentials allow, SageMaker's steps)."""
    sources = _open_sources(settings, namespace, name)
    try:
        by_arn = is_execution_arn(name)
        state = _RunState(namespace=None if by_arn else sources.namespace, name=None if by_arn else name)
        arn = name if by_arn else None
        if sources.cluster is not None and sources.namespace:
            obj = KubeObjects(sources.cluster).get(ack.EXECUTION_KIND, sources.namespace, name)
            if obj is None:
                raise UserError(
                    f"No PipelineExecution '{name}' in namespace '{sources.namespace}'.",
                    "List the runs with `sagemaker-ack runs`, or check --namespace.",
                )
            state.cr = core.parse_execution_cr(obj)
            arn = state.cr.execution_arn
        if sources.sagemaker is not None and arn:
            api = sources.sagemaker
            state.region = api.region
            try:
                state.planned = _planned_steps(api.definition_for_execution(arn))
                state.sagemaker = core.parse_describe(api.describe_execution(arn))
                state.raw_steps = api.list_steps(arn)
            except UserError:
                if sources.cluster is None:
                    raise
        return state.merged()
    finally:
        sources.close()


def list_runs(
    settings: Settings, pipeline: str | None = None, namespace: str | None = None
) -> list[core.RunSnapshot]:
    """The runs (newest first): PipelineExecution CRs of the namespace, or SageMaker's when no cluster."""
    if cluster_configured(settings):
        cluster = connect(settings, namespace)
        try:
            items, _ = KubeObjects(cluster).list_objects(ack.EXECUTION_KIND, cluster.namespace)
        finally:
            cluster.close()
        snaps = [core.merge(core.parse_execution_cr(item), None) for item in items]
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
        view = core.SageMakerView(
            execution_arn=str(summary.get("PipelineExecutionArn")),
            pipeline_arn=None,
            status=str(summary.get("PipelineExecutionStatus") or "Unknown"),
            failure_reason=summary.get("PipelineExecutionFailureReason"),
            creation_time=core.parse_time(summary.get("StartTime")),
            last_modified=None,
        )
        snaps.append(core.merge(None, view, pipeline_name=pipeline))
    return snaps


def _newest_first(snap: core.RunSnapshot) -> tuple[float, str]:
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
        conditions = core.parse_conditions(status.get("conditions"))
        fatal = core.fatal_condition(conditions)
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
