"""Stop a run: know which run it is, delete its PipelineExecution CR (ACK stops the SageMaker run), follow it.

Right after submit a run has no execution ARN yet (the controller writes it a fraction of a second after
the apply on the sandbox, longer on a busy cluster). Stop first waits for it, by the waiter spec's
``run_identity``, so it knows which SageMaker run it stops. A run that gets no ARN within that wait (no
controller watches the namespace, or a Recoverable error keeps it from starting) is deleted before any
SageMaker execution exists: it ends **Stopped with no execution ARN** ("stopped before it started"), and
nothing runs in SageMaker. ACK starts an execution only while it holds the CR's finalizer and writes the
ARN before it lets the CR go, so a CR that went without an ARN never started one.

Without ACK in the loop (the run given by its execution ARN), SageMaker's StopPipelineExecution is called
directly. A CR whose deletion policy is ``retain`` would leave the run going when deleted, so its run is
stopped in SageMaker too. A run that already ended is reported as it ended; nothing is deleted. With
``wait``, the result has an outcome unless the ``run_stopped`` wait timed out (then the last status seen).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..adapters import sagemaker_api
from ..adapters.kube import KubeObjects, connect
from ..config import Settings
from ..core import ack
from ..core.errors import UserError
from ..core.status.merge import merge
from ..core.status.parse import CrView, parse_execution_cr
from ..core.status.snapshots import RunSnapshot
from ..core.status.waiting import PollPolicy, poll_policy
from .runs import get_run
from .waiting import wait_for_object
from .watch import follow_run
from .watch_sources import is_execution_arn


def stop_run(
    namespace: str | None,
    name: str,
    settings: Settings,
    *,
    wait: bool = True,
    policy: PollPolicy | str | None = None,
) -> RunSnapshot:
    """Stop the run ``name`` (CR name, or execution ARN); with ``wait``, return once it has ended."""
    chosen = poll_policy(policy if policy is not None else settings.poll_policy)
    if is_execution_arn(name):
        return _stop_in_sagemaker(name, settings, wait=wait, policy=chosen)
    cluster = connect(settings, namespace)
    try:
        ns = cluster.namespace
        obj: Mapping[str, Any] | None = KubeObjects(cluster).get(ack.EXECUTION_KIND, ns, name)
        if obj is None:
            raise UserError(
                f"No PipelineExecution '{name}' in namespace '{ns}'.",
                "List the runs with `sagemaker-ack runs`, or check --namespace.",
            )
        view = parse_execution_cr(obj)
        gone = False
        if not view.execution_arn and not view.deleting:
            found = wait_for_object(
                cluster, ack.EXECUTION_KIND, ns, name, chosen.waiters.run_identity,
                status_field="pipelineExecutionStatus", current=obj,
            )  # fmt: skip
            if found.obj is None and not found.timed_out:
                gone = True  # someone else deleted it meanwhile: follow it to its end below
            elif found.obj is not None:
                obj, view = found.obj, parse_execution_cr(found.obj)
    finally:
        cluster.close()
    if gone:
        return _follow_to_end(ns, name, settings, chosen, view, None)
    current = get_run(ns, name, settings)
    if current.outcome is not None:
        return current
    cluster = connect(settings, ns)
    try:
        KubeObjects(cluster).delete(ack.EXECUTION_KIND, ns, name)
    finally:
        cluster.close()
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if annotations.get(ack.ACK_DELETION_POLICY_ANNOTATION) == "retain" and view.execution_arn:
        _stop_execution(view.execution_arn, settings)
    if not wait:
        return merge(view, None, current.steps, previous=current)
    return _follow_to_end(ns, name, settings, chosen, view, current)


def _follow_to_end(
    ns: str, name: str, settings: Settings, policy: PollPolicy, view: CrView, current: RunSnapshot | None
) -> RunSnapshot:
    """Follow a run whose CR is being deleted until it has ended (or the ``run_stopped`` wait times out)."""
    last = current
    deleting = replace(view, deleting=True)
    for snap in follow_run(ns, name, settings, policy, known=deleting, spec=policy.waiters.run_stopped):
        last = snap
    if last is not None and last.outcome is not None:
        _wait_released(ns, name, settings, policy)
    return last if last is not None else merge(deleting, None)


def _wait_released(ns: str, name: str, settings: Settings, policy: PollPolicy) -> None:
    """Once the run has ended, the controller removes the CR's finalizer: wait for that (``cr_released``)."""
    cluster = connect(settings, ns)
    try:
        wait_for_object(
            cluster, ack.EXECUTION_KIND, ns, name, policy.waiters.cr_released,
            status_field="pipelineExecutionStatus", counts=lambda obj, event, elapsed: True,
        )  # fmt: skip
    finally:
        cluster.close()


def _stop_execution(arn: str, settings: Settings) -> None:
    api = sagemaker_api.SageMakerApi.from_settings(settings)
    try:
        api.stop_execution(arn)
    except UserError as exc:
        # Stopping an execution that has just ended is not a failure of stop.
        if "cannot be stopped" not in exc.problem and "Stopping" not in exc.problem:
            raise


def _stop_in_sagemaker(arn: str, settings: Settings, *, wait: bool, policy: PollPolicy) -> RunSnapshot:
    current = get_run(None, arn, settings)
    if current.outcome is not None:
        return current
    _stop_execution(arn, settings)
    if not wait:
        return get_run(None, arn, settings)
    last = current
    for snap in follow_run(None, arn, settings, policy, spec=policy.waiters.run_stopped):
        last = snap
    return last
