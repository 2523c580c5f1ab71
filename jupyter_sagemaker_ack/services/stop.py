"""Stop a run: delete its PipelineExecution CR (ACK stops the SageMaker run) and follow it to Stopped.

Without ACK in the loop (the run given by its execution ARN), SageMaker's StopPipelineExecution is called
directly. A CR whose deletion policy is ``retain`` would leave the run going when deleted, so its run is
stopped in SageMaker too. A run that already ended is reported as it ended; nothing is deleted.
"""

from __future__ import annotations

from ..adapters import sagemaker_api
from ..adapters.kube import KubeObjects, connect
from ..config import Settings
from ..core import ack
from ..core import status as core
from ..core.errors import UserError
from .watch import follow_run, get_run, is_execution_arn


def stop_run(
    namespace: str | None,
    name: str,
    settings: Settings,
    *,
    wait: bool = True,
    policy: core.PollPolicy | str | None = None,
) -> core.RunSnapshot:
    """Stop the run ``name`` (CR name, or execution ARN); with ``wait``, return once it has ended."""
    if is_execution_arn(name):
        return _stop_in_sagemaker(name, settings, wait=wait, policy=policy)
    cluster = connect(settings, namespace)
    try:
        ns = cluster.namespace
        objects = KubeObjects(cluster)
        obj = objects.get(ack.EXECUTION_KIND, ns, name)
        if obj is None:
            raise UserError(
                f"No PipelineExecution '{name}' in namespace '{ns}'.",
                "List the runs with `sagemaker-ack runs`, or check --namespace.",
            )
        view = core.parse_execution_cr(obj)
    finally:
        cluster.close()
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
        return core.merge(view, None, current.steps, previous=current)
    last = current
    for snap in follow_run(ns, name, settings, policy, known=view):
        last = snap
    return last


def _stop_execution(arn: str, settings: Settings) -> None:
    api = sagemaker_api.SageMakerApi.from_settings(settings)
    try:
        api.stop_execution(arn)
    except UserError as exc:
        # Stopping an execution that has just ended is not a failure of stop.
        if "cannot be stopped" not in exc.problem and "Stopping" not in exc.problem:
            raise


def _stop_in_sagemaker(
    arn: str, settings: Settings, *, wait: bool, policy: core.PollPolicy | str | None
) -> core.RunSnapshot:
    current = get_run(None, arn, settings)
    if current.outcome is not None:
        return current
    _stop_execution(arn, settings)
    if not wait:
        return get_run(None, arn, settings)
    last = current
    for snap in follow_run(None, arn, settings, policy):
        last = snap
    return last
