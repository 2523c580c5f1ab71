"""The two sources of a run's status, each in its own thread: the CR watch and the SageMaker poller.

Both put ``(kind, payload)`` items on one queue that :mod:`.watch` merges into snapshots. The CR watch
(``cr``, ``cr-error``) follows the ``PipelineExecution`` through dropped connections and ``410 Gone``; the
poller (``planned``, ``sagemaker``, ``throttled``, ``sagemaker-error``) asks SageMaker at the pace of the
polling policy once it knows the execution ARN. Either may be absent: no AWS credentials, or no cluster
when a run is given by its execution ARN. A bug in either thread ends the stream with ``crash``.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..adapters import sagemaker_api
from ..adapters.kube import KubeCluster, cluster_configured, connect, watch_object
from ..adapters.kube.watching import ObjectWatch
from ..config import Settings
from ..core import ack
from ..core.definition import parse_definition
from ..core.errors import UserError
from ..core.status.parse import parse_steps
from ..core.status.snapshots import FINAL_STATUSES
from ..core.status.waiting import PollPolicy, running_for

# botocore attempts per status call: throttling reaches the polling policy, which backs off for longer.
POLL_ATTEMPTS = 2


def is_execution_arn(run: str) -> bool:
    return run.startswith("arn:") and "/execution/" in run


@dataclass
class Sources:
    """The open connections to the two sources (either may be absent)."""

    namespace: str | None
    cluster: KubeCluster | None = None
    sagemaker: sagemaker_api.SageMakerApi | None = None
    sagemaker_problem: str | None = None

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.close()


def open_sources(settings: Settings, namespace: str | None, run: str) -> Sources:
    """Connect to the cluster (unless ``run`` is an execution ARN) and, when credentials allow, SageMaker."""
    by_arn = is_execution_arn(run)
    sources = Sources(namespace=namespace or settings.namespace)
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


def planned_steps(definition_text: str) -> tuple[tuple[str, str], ...]:
    """``(name, type)`` of every step of a definition (none when it cannot be read)."""
    try:
        definition = parse_definition(definition_text)
    except UserError:
        return ()
    return tuple((step.name, step.type) for step in definition.steps)


@dataclass
class Poller:
    """Polls SageMaker for one execution in a thread, paced by the policy; results go to the queue."""

    api: sagemaker_api.SageMakerApi
    policy: PollPolicy
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
            return planned_steps(self.api.definition_for_execution(self.arn))
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
                if described.get("PipelineExecutionStatus") in FINAL_STATUSES:
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
            parsed = parse_steps(steps)
            delay = self.policy.delay(
                steps=len(steps),
                running_for=running_for(parsed, datetime.now(timezone.utc)),
                throttled=self.throttled,
            )
            self.stopped.wait(delay)


def start_cr_watch(
    cluster: KubeCluster,
    namespace: str,
    name: str,
    policy: PollPolicy,
    out: queue.Queue[tuple[str, Any]],
    stopped: threading.Event,
) -> ObjectWatch:
    """Watch the ``PipelineExecution`` CR in a thread; each event goes to ``out`` as ``("cr", ...)``."""
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
