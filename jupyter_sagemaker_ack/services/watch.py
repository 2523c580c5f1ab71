"""Live status: one stream of run snapshots per run, merged from the CR watch and SageMaker polling.

The same stream feeds the CLI, the notebook panel and the JupyterLab sidebar. Two background threads
(:mod:`.watch_sources`) feed one queue: a watch on the ``PipelineExecution`` CR (conditions, the execution
ARN, a status that lags by up to 30 s) and a SageMaker poller (fresh status and every step) paced by the
polling policy. The consumer just iterates: a snapshot is yielded only when something visible changed, and
the stream ends on Succeeded, Failed or Stopped, or at the waiter spec's timeout (``run_ended`` by default,
no timeout; stop follows with ``run_stopped``). Either source alone is enough: without AWS credentials the
CR is followed; without a cluster, a run given by its execution ARN is followed in SageMaker.
:class:`RunStream` is the same stream with a ``close()`` another thread may call (the server extension ends
a run's one feed when its last viewer leaves).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..adapters.kube.watching import ObjectWatch
from ..config import Settings
from ..core.errors import UserError
from ..core.status.merge import merge
from ..core.status.parse import CrView, SageMakerView, parse_describe, parse_execution_cr, parse_steps
from ..core.status.snapshots import FINAL_STATUSES, RunSnapshot
from ..core.status.waiting import PollPolicy, WaiterSpec, poll_policy
from .watch_sources import Poller, is_execution_arn, open_sources, start_cr_watch

__all__ = ["RunState", "RunStream", "follow_run", "is_execution_arn", "watch_run"]


@dataclass
class RunState:
    """What the sources said last, merged into snapshots."""

    namespace: str | None
    name: str | None
    region: str | None = None
    cr: CrView | None = None
    cr_seen: bool = False
    cr_deleted: bool = False
    sagemaker: SageMakerView | None = None
    raw_steps: list[dict[str, Any]] | None = None
    planned: tuple[tuple[str, str], ...] = ()
    snapshot: RunSnapshot | None = None
    throttled: int = 0
    sagemaker_failed: bool = False

    def merged(self) -> RunSnapshot:
        steps = None
        if self.raw_steps is not None:
            steps = parse_steps(self.raw_steps, planned=self.planned, region=self.region)
        snap = merge(
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


def _deleted_outcome(snap: RunSnapshot, cr: CrView | None) -> RunSnapshot:
    """The CR is gone and SageMaker cannot tell how the run ended.

    ACK removes a running execution's CR only once it has stopped it, so a CR seen deleting or Stopping
    ended Stopped. A CR that never had an execution ARN never started a SageMaker run (ACK starts one only
    while it holds the CR's finalizer, and writes the ARN before it lets the CR go), so it ended Stopped
    before it started, with no execution ARN. Otherwise the end is unknown.
    """
    if not snap.execution_arn and snap.status == "Pending":
        return replace(snap, status="Stopped", outcome="Stopped")
    if snap.status == "Stopping" or (cr is not None and cr.deleting):
        return replace(snap, status="Stopped", outcome="Stopped")
    raise UserError(
        f"The PipelineExecution {snap.name} was deleted while {snap.status}; how its run ended is unknown "
        "without SageMaker.",
        f"Ask SageMaker: sagemaker-ack status {snap.execution_arn} (needs AWS credentials)."
        if snap.execution_arn
        else "Check the SageMaker console.",
    )


def watch_run(
    namespace: str | None,
    name: str,
    settings: Settings,
    policy: PollPolicy | str | None = None,
    *,
    spec: WaiterSpec | None = None,
) -> Iterator[RunSnapshot]:
    """Snapshots of one run, each different from the last, until it Succeeded, Failed or Stopped.

    ``name`` is the PipelineExecution CR name, or a SageMaker execution ARN (then SageMaker alone).
    ``spec``: the wait (default: the policy's ``run_ended``); at its timeout the stream ends without an
    outcome.
    """
    return follow_run(namespace, name, settings, policy, spec=spec)


def follow_run(
    namespace: str | None,
    name: str,
    settings: Settings,
    policy: PollPolicy | str | None = None,
    *,
    known: CrView | None = None,
    spec: WaiterSpec | None = None,
) -> Iterator[RunSnapshot]:
    """:func:`watch_run`, starting from a CR already read (``known``): it may be gone by the time the
    watch opens, as when stop deleted it."""
    return iter(RunStream(namespace, name, settings, policy, known=known, spec=spec))


class RunStream:
    """One run's snapshots (iterate it in one thread) that any thread may end early with :meth:`close`.

    The sources open when iteration starts and close when it ends: at the outcome, at the wait's timeout,
    or at ``close()``, which wakes the iterating thread at once.
    """

    def __init__(
        self,
        namespace: str | None,
        name: str,
        settings: Settings,
        policy: PollPolicy | str | None = None,
        *,
        known: CrView | None = None,
        spec: WaiterSpec | None = None,
    ) -> None:
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._closed = threading.Event()
        self._snapshots = _follow(namespace, name, settings, policy, known, spec, self._events, self._closed)

    def __iter__(self) -> Iterator[RunSnapshot]:
        return self._snapshots

    def close(self) -> None:
        """End the stream: the iterating thread stops at once, stopping the watch and the poller."""
        self._closed.set()
        self._events.put(("closed", None))


def _follow(
    namespace: str | None,
    name: str,
    settings: Settings,
    policy: PollPolicy | str | None,
    known: CrView | None,
    spec: WaiterSpec | None,
    events: queue.Queue[tuple[str, Any]],
    stopped: threading.Event,
) -> Iterator[RunSnapshot]:
    chosen = poll_policy(policy if policy is not None else settings.poll_policy)
    wait = spec or chosen.waiters.run_ended
    if stopped.is_set():
        return
    sources = open_sources(settings, namespace, name)
    by_arn = is_execution_arn(name)
    state = RunState(namespace=None if by_arn else sources.namespace, name=None if by_arn else name)
    poller: Poller | None = None
    watcher: ObjectWatch | None = None
    if known is not None:
        state.cr, state.cr_seen = known, True
    if sources.sagemaker is not None:
        state.region = sources.sagemaker.region
        poller = Poller(sources.sagemaker, chosen, events)
        poller.start()
        if by_arn:
            poller.set_arn(name)
        elif known is not None and known.execution_arn:
            poller.set_arn(known.execution_arn)
    started = time.monotonic()
    try:
        if sources.cluster is not None and sources.namespace:
            watcher = start_cr_watch(sources.cluster, sources.namespace, name, chosen, events, stopped)
        hold_until: float | None = None
        quiet = 0
        while not stopped.is_set():
            if wait.expired(time.monotonic() - started):
                return
            try:
                kind, payload = events.get(timeout=_next_look(wait, quiet, started))
                if kind == "closed":
                    return
                quiet = 0
                _apply(state, kind, payload, poller, has_cluster=watcher is not None)
                if kind == "throttled":
                    hold_until = None  # SageMaker is slower to answer: wait for it longer
            except queue.Empty:
                quiet += 1
                if hold_until is None:
                    continue
            snap = state.merged()
            if not snap.sources:
                continue  # neither source has answered yet
            if snap.outcome is not None and _awaiting_sagemaker(state, poller):
                # The CR reported the end first: SageMaker's next poll brings the steps' final states.
                if hold_until is None:
                    grace = max(
                        wait.settle, 3 * chosen.delay(steps=len(snap.steps), throttled=state.throttled)
                    )
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


def _next_look(wait: WaiterSpec, quiet: int, started: float) -> float:
    """Seconds to wait for news: the spec's delay, cut short by its timeout."""
    delay = wait.delay_for(quiet)
    if wait.timeout is not None:
        delay = min(delay, max(0.0, wait.timeout - (time.monotonic() - started)))
    return delay


def _awaiting_sagemaker(state: RunState, poller: Poller | None) -> bool:
    """SageMaker is being polled for this run and has not said yet that it ended."""
    if poller is None or poller.arn is None or state.sagemaker_failed:
        return False
    return state.sagemaker is None or state.sagemaker.status not in FINAL_STATUSES


def _apply(state: RunState, kind: str, payload: Any, poller: Poller | None, *, has_cluster: bool) -> None:
    if kind == "cr":
        event_type, obj = payload
        if obj is None or event_type == "DELETED":
            if obj is not None and state.cr_seen:
                state.cr = replace(parse_execution_cr(obj), deleting=True)
                if state.cr.execution_arn and poller is not None:
                    poller.set_arn(state.cr.execution_arn)
            if not state.cr_seen:
                raise UserError(
                    f"No PipelineExecution '{state.name}' in namespace '{state.namespace}'.",
                    "List the runs with `sagemaker-ack runs`, or check --namespace.",
                )
            state.cr_deleted = True
            return
        state.cr_seen = True
        state.cr = parse_execution_cr(obj)
        if state.cr.execution_arn and poller is not None:
            poller.set_arn(state.cr.execution_arn)
    elif kind == "sagemaker":
        described, steps = payload
        state.sagemaker = parse_describe(described)
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
