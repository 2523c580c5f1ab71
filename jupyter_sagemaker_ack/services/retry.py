"""Retry a Failed or Stopped run from where it failed: a NEW PipelineExecution with a selective execution.

ACK ignores edits of a PipelineExecution's parameters, so a retry is never an edit of the old CR. It is a
new CR carrying ``spec.selectiveExecutionConfig`` (the old run's execution ARN and the steps to run, from
:mod:`..core.retry`), the old run's parameters and parallelism, its region and deletion-policy annotations,
the current provenance of the pipeline's definition, and ``sagemaker-ack.io/retry-of: <old CR name>``.
It goes through :func:`.submit.submit`, so the lint gate, the server's dry run and the waits apply.

:func:`propose` reads everything and changes nothing (the faces show its plan before acting);
:func:`retry` creates the run that a proposal describes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..adapters.kube import KubeObjects, cluster_configured
from ..config import Settings
from ..core import ack, manifests, names
from ..core.dag import build_dag
from ..core.definition import Definition, parse_definition
from ..core.errors import UserError
from ..core.retry import RetryPlan, check_retryable, plan_retry
from ..core.status.snapshots import RunSnapshot
from .render import new_run_id
from .runs import get_run
from .submit import SubmitResult, submit
from .watch import follow_run
from .watch_sources import is_execution_arn, open_sources

RETRY_OF_ANNOTATION = ack.ANNOTATION_PREFIX + "retry-of"
RETRY_SOURCE_ANNOTATION = ack.ANNOTATION_PREFIX + "retry-source-arn"
# Annotations a retry keeps from the run it retries; adoption ones would make ACK never start the new run.
_KEPT_ANNOTATIONS = (ack.ACK_REGION_ANNOTATION, ack.ACK_DELETION_POLICY_ANNOTATION)


@dataclass(frozen=True)
class RetryProposal:
    """What a retry of ``source`` would create: nothing is written until :func:`retry`."""

    namespace: str
    source: str
    source_arn: str
    source_status: str
    plan: RetryPlan
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.manifest["metadata"]["name"])

    def to_wire(self) -> dict[str, Any]:
        return {
            "namespace": self.namespace,
            "source": self.source,
            "sourceExecutionArn": self.source_arn,
            "sourceStatus": self.source_status,
            "name": self.name,
            **self.plan.to_wire(),
        }


@dataclass(frozen=True)
class RetryResult:
    proposal: RetryProposal
    submitted: SubmitResult
    final: RunSnapshot | None = None


def propose(
    namespace: str | None, run: str, settings: Settings, *, from_step: str | None = None
) -> RetryProposal:
    """Read the run, its steps and its pipeline's definition; the retry plan and the CR it would create."""
    names.check_run(run)
    if is_execution_arn(run):
        raise UserError(
            "A retry needs the run's PipelineExecution CR (its parameters and annotations), not an ARN.",
            "Name the PipelineExecution (sagemaker-ack runs PIPELINE lists them).",
        )
    if not cluster_configured(settings):
        raise UserError(
            f"No Kubernetes cluster is configured, so the run '{run}' cannot be retried.",
            "Set KUBECONFIG (or start the sandbox: sagemaker-ack sandbox up).",
        )
    snapshot = get_run(namespace, run, settings)
    ns = snapshot.namespace or namespace or settings.namespace or "default"
    check_retryable(run, snapshot.outcome, snapshot.status)
    if not snapshot.execution_arn:
        raise UserError(
            f"Run '{run}' never started in SageMaker (it has no execution ARN), so there is nothing to reuse.",
            "Start a new run instead: apply the PipelineExecution again under a new name.",
        )
    arn = snapshot.execution_arn
    sources = open_sources(settings, ns, run)
    try:
        assert sources.cluster is not None
        objects = KubeObjects(sources.cluster)
        old = objects.get(ack.EXECUTION_KIND, ns, run)
        if old is None:
            raise UserError(
                f"No PipelineExecution '{run}' in namespace '{ns}'.", "List the runs: sagemaker-ack runs."
            )
        pipeline_cr = _pipeline_cr(objects, ns, str((old.get("spec") or {}).get("pipelineName") or ""))
        if sources.sagemaker is None:
            raise UserError(
                f"SageMaker cannot be read ({sources.sagemaker_problem}), so the steps of '{run}' are unknown.",
                "Configure AWS credentials and region (the same the status command uses).",
            )
        raw_steps = sources.sagemaker.list_steps(arn)
        definition = (
            manifests.definition_from_manifest(pipeline_cr)
            if pipeline_cr is not None
            else parse_definition(sources.sagemaker.definition_for_execution(arn))
        )
    finally:
        sources.close()
    statuses, outcomes = _source_steps(raw_steps)
    plan = plan_retry(build_dag(definition), statuses, from_step=from_step, outcomes=outcomes)
    manifest = _retry_manifest(old, pipeline_cr, definition, arn, plan, ns)
    return RetryProposal(ns, run, arn, snapshot.outcome or snapshot.status, plan, manifest)


def retry(
    proposal: RetryProposal,
    settings: Settings,
    *,
    wait: bool = False,
    dry_run: bool = False,
    force: bool = False,
) -> RetryResult:
    """Create the proposal's PipelineExecution through submit; with ``wait``, follow it until it ends."""
    submitted = submit(
        [proposal.manifest], settings, namespace=proposal.namespace, dry_run=dry_run, force=force, wait=wait
    )
    final = None
    if wait and not dry_run:
        for snap in follow_run(proposal.namespace, proposal.name, settings):
            final = snap
    return RetryResult(proposal, submitted, final)


def _pipeline_cr(objects: KubeObjects, ns: str, pipeline_name: str) -> Mapping[str, Any] | None:
    wanted = pipeline_name.rsplit("/", 1)[-1].lower()
    items, _ = objects.list_objects(ack.PIPELINE_KIND, ns)
    for item in items:
        if str((item.get("spec") or {}).get("pipelineName") or "").lower() == wanted:
            return item
    return None


def _source_steps(raw: list[dict[str, Any]]) -> tuple[dict[str, str], dict[str, bool]]:
    """Status of each step the source listed (the latest attempt) and each condition's outcome."""
    statuses: dict[str, str] = {}
    outcomes: dict[str, bool] = {}
    for item in sorted(raw, key=lambda i: str(i.get("StartTime") or "")):
        name = str(item.get("StepName") or "")
        if not name:
            continue
        statuses[name] = str(item.get("StepStatus") or "Unknown")
        condition = (item.get("Metadata") or {}).get("Condition") or {}
        if isinstance(condition, Mapping) and condition.get("Outcome") in ("True", "False"):
            outcomes[name] = condition["Outcome"] == "True"
    return statuses, outcomes


def _retry_manifest(
    old: Mapping[str, Any],
    pipeline_cr: Mapping[str, Any] | None,
    definition: Definition,
    source_arn: str,
    plan: RetryPlan,
    ns: str,
) -> dict[str, Any]:
    spec = old.get("spec") or {}
    meta = old.get("metadata") or {}
    old_annotations = meta.get("annotations") or {}
    pipeline_name = str(spec.get("pipelineName") or "")
    parameters = {str(p.get("name")): str(p.get("value")) for p in spec.get("pipelineParameters") or []}
    parallel = (spec.get("parallelismConfiguration") or {}).get("maxParallelExecutionSteps")
    pipeline_meta = (pipeline_cr or {}).get("metadata") or {}
    provenance = manifests.Provenance.from_annotations(pipeline_meta.get("annotations") or {})
    if provenance is not None and provenance.digest != definition.digest:
        provenance = None
    run_id = new_run_id()
    doc = manifests.render_execution(
        manifests.ExecutionOptions(
            pipeline_name=pipeline_name,
            run_id=run_id,
            namespace=ns,
            parameters=parameters,
            description=f"Retry of {meta.get('name')} ({len(plan.selected)} steps run again).",
            max_parallel_steps=int(parallel) if parallel is not None else None,
            selective_source_arn=source_arn,
            selected_steps=plan.selected,
            provenance=provenance,
        ),
        definition,
    )
    annotations = dict(doc["metadata"].get("annotations") or {})
    for key in _KEPT_ANNOTATIONS:
        if old_annotations.get(key):
            annotations[key] = str(old_annotations[key])
    annotations[RETRY_OF_ANNOTATION] = str(meta.get("name"))
    annotations[RETRY_SOURCE_ANNOTATION] = source_arn
    doc["metadata"]["annotations"] = annotations
    return doc
