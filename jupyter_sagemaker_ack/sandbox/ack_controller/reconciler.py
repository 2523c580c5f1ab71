"""One reconcile of one CR, with the ACK runtime's control flow and the SageMaker controller's hooks.

Sync (the CR is not being deleted): clear conditions; read the SageMaker resource; create it when absent
(finalizer first, removed again if the AWS call fails), adopt it when the adoption annotations ask for it,
refuse it (``ACK.Terminal`` "Resource already exists") when it exists but the CR does not manage it, update it
when the spec changed; then Synced/Ready and a status patch. Delete: with the finalizer and deletion policy
``delete`` (the default), DeletePipeline, or StopPipelineExecution and wait while Stopping; then the finalizer
goes. The answer is when to look at the CR again (None: only on its next spec change).

Read from the v1.9.1 controller and runtime v0.62: a request the spec cannot become (maxParallelExecutionSteps
beyond int32) is ACK.Recoverable and leaves the finalizer; only an AWS error on create removes it. Deletion
policy is the CR's annotation, else the Namespace's ``sagemaker.services.k8s.aws/deletion-policy``, else
``delete``; anything but exactly ``delete`` keeps the AWS resource. A Describe that fails while deleting
writes nothing; a failed Stop/DeletePipeline adds ACK.Recoverable to the conditions the CR had, and Ready is
not recomputed. A region annotation that no longer matches ``status.ackResourceMetadata.region`` fails every
reconcile before any call, with no condition.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from . import conditions as cond
from . import resources as res
from .aws_errors import AwsFailure, describe_failure
from .calls import CallLog, Entry
from .kube import KubeObjects
from .resources import PIPELINE, Kind, PayloadError

log = logging.getLogger(__name__)
_ADOPTION_POLICIES = ("adopt", "adopt-or-create")


@dataclass
class Timing:
    """When to reconcile again: ACK's 30 s while not synced, 60 s (executions) / 10 h (pipelines) after."""

    not_synced: float = 30.0
    execution_resync: float = 60.0
    pipeline_resync: float = 36_000.0
    error_base: float = 1.0
    error_max: float = 300.0

    @classmethod
    def short(cls, seconds: float) -> Timing:
        """Quick re-checks while a CR is not synced (a running execution); the controller's own resync
        periods once it is, since nothing changes in SageMaker for a finished run or an idle pipeline."""
        return cls(seconds, 60.0, 36_000.0, seconds, seconds * 16)


@dataclass
class Settings:
    default_region: str = "us-east-1"
    account_id: str = "123456789012"
    partition: str = "aws"
    timing: Timing = field(default_factory=Timing)
    resource_tags: tuple[str, ...] = res.HELM_RESOURCE_TAGS


@dataclass(frozen=True)
class Outcome:
    """When to look again (None: on the next spec change only); ``failed`` asks for backoff instead."""

    delay: float | None
    failed: bool = False


class AwsCallFailed(Exception):
    def __init__(self, failure: AwsFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class SyncError(Exception):
    """The sync ended with an error; conditions already say so."""

    def __init__(self, message: str, terminal: bool, requeue: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.terminal = terminal
        self.requeue = requeue


class NothingToReport(Exception):
    """The runtime returns no resource (e.g. adopted resource not found): no status patch, retry later."""


@dataclass
class Context:
    kind: Kind
    obj: dict[str, Any]
    client: Any
    region: str
    namespace_annotations: dict[str, str]
    status: dict[str, Any] = field(default_factory=dict)
    conditions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def meta(self) -> dict[str, Any]:
        metadata: dict[str, Any] = self.obj["metadata"]
        return metadata

    @property
    def annotations(self) -> dict[str, str]:
        return dict(self.meta.get("annotations") or {})

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.obj.get("spec") or {}
        return spec

    @property
    def managed(self) -> bool:
        return self.kind.finalizer in (self.meta.get("finalizers") or [])

    @property
    def adopted(self) -> bool:
        return self.annotations.get(res.ADOPTED_ANNOTATION, "").lower() == "true"

    @property
    def read_only(self) -> bool:
        return self.annotations.get(res.READ_ONLY_ANNOTATION, "").lower() == "true"

    @property
    def deletion_policy(self) -> str:
        """The runtime's ``getDeletionPolicy``: present annotations win even when empty or misspelt."""
        if res.DELETION_POLICY_ANNOTATION in self.annotations:
            return self.annotations[res.DELETION_POLICY_ANNOTATION]
        if res.NAMESPACE_DELETION_POLICY_ANNOTATION in self.namespace_annotations:
            return self.namespace_annotations[res.NAMESPACE_DELETION_POLICY_ANNOTATION]
        return "delete"  # the helm chart's --deletion-policy


class Reconciler:
    def __init__(
        self,
        kube: KubeObjects,
        sagemaker: Callable[[str], Any],
        settings: Settings,
        calls: CallLog | None = None,
    ) -> None:
        self.kube = kube
        self.sagemaker = sagemaker
        self.settings = settings
        self.calls = calls or CallLog()
        self._failures: dict[tuple[str, str, str], int] = {}

    def _aws(self, ctx: Context, operation: str, **params: Any) -> dict[str, Any]:
        """One SageMaker call for ``ctx``'s CR, recorded in the call log."""
        meta = ctx.meta
        self.calls.add(
            Entry(
                ctx.kind.name,
                str(meta.get("namespace")),
                str(meta.get("name")),
                operation,
                ctx.region,
                params,
            )
        )
        call = getattr(ctx.client, xform_name(operation))
        try:
            answer: dict[str, Any] = call(**params)
        except (ClientError, BotoCoreError) as error:
            raise AwsCallFailed(describe_failure(error)) from None
        return answer

    # -- entry point -------------------------------------------------------------------------------

    def reconcile(self, kind: Kind, namespace: str, name: str) -> float | None:
        key = (kind.name, namespace, name)
        obj = self.kube.get(kind, namespace, name)
        if obj is None:
            self._failures.pop(key, None)
            return None
        ns_annotations = self.kube.namespace_annotations(namespace)
        annotations = obj["metadata"].get("annotations") or {}
        target = (
            annotations.get(res.REGION_ANNOTATION)
            or ns_annotations.get(res.DEFAULT_REGION_ANNOTATION)
            or self.settings.default_region
        )
        region = ((obj.get("status") or {}).get("ackResourceMetadata") or {}).get("region") or target
        if region != target:
            # The runtime refuses a region change once the resource exists: a terminal error it only logs,
            # before any AWS call and without touching the CR; controller-runtime retries with backoff.
            message = (
                f"Resource already exists in region {region}, but the desired state specifies region "
                f"{annotations.get(res.REGION_ANNOTATION, '')}. "  # the annotation, even when it is unset
            )
            log.warning("%s %s/%s: %s", kind.name, namespace, name, message)
            self.calls.add(Entry(kind.name, namespace, name, error=message))
            return self._backoff(key)
        ctx = Context(kind, obj, self.sagemaker(region), region, ns_annotations)
        try:
            outcome = self._delete(ctx) if obj["metadata"].get("deletionTimestamp") else self._sync(ctx)
        except NothingToReport:
            return self._backoff(key)
        if outcome.failed:
            return self._backoff(key)
        self._failures.pop(key, None)
        return outcome.delay

    def _backoff(self, key: tuple[str, str, str]) -> float:
        attempts = self._failures.get(key, 0)
        self._failures[key] = attempts + 1
        timing = self.settings.timing
        return float(min(timing.error_max, timing.error_base * (2**attempts)))

    # -- sync --------------------------------------------------------------------------------------

    def _sync(self, ctx: Context) -> Outcome:
        ctx.status = copy.deepcopy(ctx.obj.get("status") or {})
        ctx.conditions = []
        error: SyncError | None = None
        try:
            if ctx.kind is PIPELINE:
                self._sync_pipeline(ctx)
            else:
                self._sync_execution(ctx)
        except SyncError as failure:
            error = failure
        cond.ensure(ctx.conditions, error.message if error else None, bool(error and error.terminal))
        self._write_status(ctx)
        if error is not None:
            if error.terminal:
                return Outcome(None)
            return Outcome(error.requeue) if error.requeue is not None else Outcome(None, failed=True)
        synced = cond.find(ctx.conditions, cond.SYNCED)
        timing = self.settings.timing
        if synced is not None and synced.get("status") == "True":
            return Outcome(timing.pipeline_resync if ctx.kind is PIPELINE else timing.execution_resync)
        return Outcome(timing.not_synced)

    def _fail(self, ctx: Context, failure: AwsFailure) -> SyncError:
        cond.on_error(ctx.conditions, failure.message, failure.terminal)
        return SyncError(cond.TERMINAL_ERROR if failure.terminal else failure.reason, failure.terminal)

    def _terminal(self, ctx: Context, message: str | None, reason: str | None = None) -> SyncError:
        cond.set_condition(ctx.conditions, cond.TERMINAL, "True", message, reason)
        return SyncError(cond.TERMINAL_ERROR, terminal=True)

    def _adoption(self, ctx: Context) -> tuple[str | None, dict[str, Any]]:
        """(policy, fields) when the CR asks to adopt and is not yet managed, else (None, {})."""
        policy = ctx.annotations.get(res.ADOPTION_POLICY_ANNOTATION)
        if not policy or ctx.managed:
            return None, {}
        if policy not in _ADOPTION_POLICIES:
            raise self._terminal(ctx, None, f"unrecognized adoption policy: {policy}")
        raw = ctx.annotations.get(res.ADOPTION_FIELDS_ANNOTATION)
        try:
            fields = json.loads(raw) if raw else {}
            if not isinstance(fields, dict):
                raise ValueError(raw)
        except ValueError:
            raise self._terminal(ctx, None, f"invalid adoption fields: {raw}") from None
        if not fields and policy == "adopt":
            raise self._terminal(ctx, None, "adoption fields are required with adoption policy adopt")
        return policy, fields

    def _mark_managed(self, ctx: Context, adopted: bool = False, spec: dict[str, Any] | None = None) -> None:
        finalizers = list(ctx.meta.get("finalizers") or [])
        patch: dict[str, Any] = {"metadata": {}}
        if ctx.kind.finalizer not in finalizers:
            patch["metadata"]["finalizers"] = [*finalizers, ctx.kind.finalizer]
        if adopted:
            patch["metadata"]["annotations"] = {res.ADOPTED_ANNOTATION: "true"}
        if spec:
            patch["spec"] = spec
        if patch["metadata"] or spec:
            self.kube.patch_object(ctx.kind, ctx.obj, patch)

    def _mark_unmanaged(self, ctx: Context) -> None:
        finalizers = [f for f in ctx.meta.get("finalizers") or [] if f != ctx.kind.finalizer]
        if len(finalizers) != len(ctx.meta.get("finalizers") or []):
            self.kube.patch_object(ctx.kind, ctx.obj, {"metadata": {"finalizers": finalizers or None}})

    def _metadata(self, ctx: Context, arn: str | None) -> None:
        metadata = dict(ctx.status.get("ackResourceMetadata") or {})
        if arn:
            metadata["arn"] = arn
        owner = ctx.namespace_annotations.get(res.OWNER_ACCOUNT_ANNOTATION) or self.settings.account_id
        metadata.setdefault("ownerAccountID", owner)
        metadata.setdefault("region", ctx.region)
        metadata.setdefault("partition", self.settings.partition)
        ctx.status["ackResourceMetadata"] = metadata

    def _write_status(self, ctx: Context) -> None:
        self._metadata(ctx, None)
        ctx.status["conditions"] = ctx.conditions
        self.kube.patch_status(ctx.kind, ctx.obj, {k: v for k, v in ctx.status.items() if v is not None})

    # -- Pipeline ----------------------------------------------------------------------------------

    def _describe_pipeline(self, ctx: Context, name: str) -> dict[str, Any]:
        described = self._aws(ctx, "DescribePipeline", PipelineName=name)
        ctx.status.update(res.pipeline_status(described))
        self._metadata(ctx, described.get("PipelineArn"))
        return described

    def _payload(self, ctx: Context, build: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        """A request built from the spec; a spec it cannot hold fails the sync as ACK.Recoverable."""
        try:
            return build(*args)
        except PayloadError as error:
            raise self._fail(ctx, AwsFailure(None, str(error), False)) from None

    def _sync_pipeline(self, ctx: Context) -> None:
        policy, fields = self._adoption(ctx)
        name = fields.get("pipelineName") or ctx.spec.get("pipelineName")
        if not name:
            raise self._fail(
                ctx, AwsFailure("MissingParameter", "MissingParameter: PipelineName is required", True)
            )
        try:
            described = self._describe_pipeline(ctx, str(name))
        except AwsCallFailed as failed:
            if not failed.failure.is_not_found():
                raise self._fail(ctx, failed.failure) from None
            if policy == "adopt" or ctx.adopted or ctx.read_only:
                raise NothingToReport from None
            self._create_pipeline(ctx)
            return
        cond.on_success(ctx.conditions)
        if policy == "adopt":
            self._mark_managed(ctx, adopted=True, spec=_pipeline_spec_from(described))
            return
        if ctx.read_only:
            return
        if policy == "adopt-or-create":
            self._mark_managed(ctx, adopted=True)
            raise SyncError("adopted resource, requeuing to check for updates", terminal=False, requeue=0.0)
        if not ctx.managed:
            raise self._terminal(ctx, cond.NOT_MANAGED_MESSAGE, cond.NOT_MANAGED_REASON)
        if res.pipeline_delta(ctx.spec, described):
            params = self._payload(ctx, res.update_pipeline_input, ctx.spec)
            try:
                self._aws(ctx, "UpdatePipeline", **params)
                self._describe_pipeline(ctx, str(name))
            except AwsCallFailed as failed:
                raise self._fail(ctx, failed.failure) from None

    def _create_pipeline(self, ctx: Context) -> None:
        self._mark_managed(ctx)
        # EnsureTags: the helm resourceTags join the CR's own tags for the create (never written back).
        extra = res.controller_tags(
            self.settings.resource_tags, str(ctx.meta.get("namespace")), dict(ctx.meta.get("labels") or {})
        )
        params = self._payload(ctx, res.create_pipeline_input, ctx.spec, extra)
        try:
            created = self._aws(ctx, "CreatePipeline", **params)
        except AwsCallFailed as failed:
            self._mark_unmanaged(ctx)
            raise self._fail(ctx, failed.failure) from None
        self._metadata(ctx, created.get("PipelineArn"))
        cond.on_success(ctx.conditions)
        try:
            self._describe_pipeline(ctx, str(ctx.spec.get("pipelineName")))
        except AwsCallFailed as failed:
            raise self._fail(ctx, failed.failure) from None

    # -- PipelineExecution -------------------------------------------------------------------------

    def _describe_execution(self, ctx: Context, arn: str) -> dict[str, Any]:
        described = self._aws(ctx, "DescribePipelineExecution", PipelineExecutionArn=arn)
        ctx.status.update(res.execution_status(described))
        self._metadata(ctx, described.get("PipelineExecutionArn"))
        cond.set_execution_synced(ctx.conditions, described.get("PipelineExecutionStatus"))
        return described

    def _sync_execution(self, ctx: Context) -> None:
        policy, fields = self._adoption(ctx)
        arn = fields.get("arn") or (ctx.status.get("ackResourceMetadata") or {}).get("arn")
        described: dict[str, Any] | None = None
        if arn:
            try:
                described = self._describe_execution(ctx, str(arn))
            except AwsCallFailed as failed:
                if not failed.failure.is_not_found():
                    raise self._fail(ctx, failed.failure) from None
        if described is None:
            if policy == "adopt" or ctx.adopted or ctx.read_only:
                raise NothingToReport
            self._start_execution(ctx)
            return
        cond.on_success(ctx.conditions)
        if policy == "adopt":
            spec = {
                "pipelineName": ctx.spec.get("pipelineName") or described["PipelineArn"].split("/", 1)[-1]
            }
            self._mark_managed(ctx, adopted=True, spec=spec)
            return
        if ctx.read_only:
            return
        if policy == "adopt-or-create":
            self._mark_managed(ctx, adopted=True)
            raise SyncError("adopted resource, requeuing to check for updates", terminal=False, requeue=0.0)
        if not ctx.managed:
            raise self._terminal(ctx, cond.NOT_MANAGED_MESSAGE, cond.NOT_MANAGED_REASON)
        if ctx.spec.get("pipelineVersionID") is None and described.get("PipelineVersionId") is not None:
            # customSetDefaults: the observed version is copied into the spec (and written back).
            self.kube.patch_object(
                ctx.kind, ctx.obj, {"spec": {"pipelineVersionID": described["PipelineVersionId"]}}
            )
        if res.execution_delta(ctx.spec, described):
            params = self._payload(ctx, res.update_execution_input, ctx.spec, str(arn))
            try:
                self._aws(ctx, "UpdatePipelineExecution", **params)
                self._describe_execution(ctx, str(arn))
            except AwsCallFailed as failed:
                raise self._fail(ctx, failed.failure) from None

    def _start_execution(self, ctx: Context) -> None:
        self._mark_managed(ctx)
        params = self._payload(ctx, res.start_execution_input, ctx.spec)
        try:
            started = self._aws(ctx, "StartPipelineExecution", **params)
        except AwsCallFailed as failed:
            self._mark_unmanaged(ctx)
            raise self._fail(ctx, failed.failure) from None
        arn = str(started["PipelineExecutionArn"])
        self._metadata(ctx, arn)
        cond.on_success(ctx.conditions)
        try:
            self._describe_execution(ctx, arn)
        except AwsCallFailed as failed:
            raise self._fail(ctx, failed.failure) from None

    # -- delete ------------------------------------------------------------------------------------

    def _delete(self, ctx: Context) -> Outcome:
        if not ctx.managed:
            return Outcome(None)
        if ctx.deletion_policy != "delete" or ctx.read_only:
            self._mark_unmanaged(ctx)
            return Outcome(None)
        # The delete path keeps the conditions the CR has: no reset, no Ready recomputed.
        ctx.status = copy.deepcopy(ctx.obj.get("status") or {})
        ctx.conditions = list(ctx.status.get("conditions") or [])
        try:
            if ctx.kind is PIPELINE:
                return self._delete_pipeline(ctx)
            return self._delete_execution(ctx)
        except AwsCallFailed as failed:
            # rm.Delete's onError: a failed Stop/DeletePipeline is written beside the old conditions.
            cond.on_error(ctx.conditions, failed.failure.message, failed.failure.terminal)
            ctx.status["conditions"] = ctx.conditions
            self.kube.patch_status(ctx.kind, ctx.obj, ctx.status)
            return Outcome(None, failed=True)

    def _read_for_delete(self, ctx: Context, read: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
        """deleteResource's ReadOne: None when gone; any other failure returns the CR as it was (no patch)."""
        try:
            return read()
        except AwsCallFailed as failed:
            if failed.failure.is_not_found():
                return None
            raise _ReadFailed from None

    def _delete_pipeline(self, ctx: Context) -> Outcome:
        name = str(ctx.spec.get("pipelineName"))
        try:
            found = self._read_for_delete(ctx, lambda: self._aws(ctx, "DescribePipeline", PipelineName=name))
        except _ReadFailed:
            return Outcome(None, failed=True)
        if found is not None:
            self._aws(ctx, "DeletePipeline", PipelineName=name)
        self._mark_unmanaged(ctx)
        return Outcome(None)

    def _delete_execution(self, ctx: Context) -> Outcome:
        arn = (ctx.status.get("ackResourceMetadata") or {}).get("arn")
        if not arn:
            self._mark_unmanaged(ctx)
            return Outcome(None)
        try:
            described = self._read_for_delete(ctx, lambda: self._describe_execution(ctx, str(arn)))
        except _ReadFailed:
            return Outcome(None, failed=True)
        if described is None:
            self._mark_unmanaged(ctx)
            return Outcome(None)
        state = described.get("PipelineExecutionStatus")
        if state is None or state == "Executing":
            # sdkDelete stops a run that is Executing or shows no status yet.
            self._aws(ctx, "StopPipelineExecution", PipelineExecutionArn=str(arn))
            self._describe_execution(ctx, str(arn))
            state = ctx.status.get("pipelineExecutionStatus")
        ctx.status["conditions"] = ctx.conditions
        # The status is written before the finalizer goes, so watchers see the run's last state.
        self.kube.patch_status(ctx.kind, ctx.obj, {k: v for k, v in ctx.status.items() if v is not None})
        if state in ("Executing", "Stopping"):
            return Outcome(self.settings.timing.not_synced)
        self._mark_unmanaged(ctx)
        return Outcome(None)


class _ReadFailed(Exception):
    """The delete path's Describe failed with something other than NotFound."""


def _pipeline_spec_from(described: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "pipelineName": described.get("PipelineName"),
        "roleARN": described.get("RoleArn"),
        "pipelineDefinition": described.get("PipelineDefinition"),
        "pipelineDescription": described.get("PipelineDescription"),
        "pipelineDisplayName": described.get("PipelineDisplayName"),
    }
    parallelism = described.get("ParallelismConfiguration")
    if parallelism:
        spec["parallelismConfiguration"] = {
            "maxParallelExecutionSteps": parallelism["MaxParallelExecutionSteps"]
        }
    return {k: v for k, v in spec.items() if v is not None}
