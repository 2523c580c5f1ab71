"""The status model of one pipeline run: snapshots, the outcome rules, console links and the polling policy.

Two sources describe a run and neither is enough alone: the ACK ``PipelineExecution`` CR (conditions, the
execution ARN, a status that lags SageMaker by up to 30 s, no step detail) and SageMaker itself
(``DescribePipelineExecution`` + ``ListPipelineExecutionSteps``: fresh, per step). This module parses both
into plain values, merges them into one :class:`RunSnapshot` (the JSON wire shape of docs/CONTRACTS.md) and
decides the outcome as notes/ack-controller.md says: from the execution status and failure reason, the
``ACK.Terminal`` condition and a ``ValidationException`` under ``ACK.Recoverable``; never from Synced or
Ready alone. The polling policy is data, so the real-AWS budget and the sandbox's speed are two values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

FINAL_STATUSES = ("Succeeded", "Failed", "Stopped")
RUN_STATUSES = ("Pending", "Executing", "Stopping", "Stopped", "Failed", "Succeeded", "Unknown")
STEP_STATUSES = ("Pending", "Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded")
TERMINAL = "ACK.Terminal"
RECOVERABLE = "ACK.Recoverable"
SYNCED = "ACK.ResourceSynced"
# How far a run has got: a run never moves back down this order, whichever source reported it last.
_RUN_RANK = {
    "Unknown": -1,
    "Pending": 0,
    "Executing": 1,
    "Stopping": 2,
    "Stopped": 3,
    "Failed": 3,
    "Succeeded": 3,
}
_STEP_RANK = {
    "Pending": 0,
    "Starting": 1,
    "Executing": 2,
    "Stopping": 3,
    "Stopped": 4,
    "Failed": 4,
    "Succeeded": 4,
}
# The zero time Go writes for an unset metav1.Time.
_GO_ZERO_YEAR = 1

# ListPipelineExecutionSteps Metadata key -> (step type, console path, CloudWatch log group)
_METADATA_KINDS: dict[str, tuple[str, str | None, str | None]] = {
    "TrainingJob": ("Training", "jobs", "/aws/sagemaker/TrainingJobs"),
    "ProcessingJob": ("Processing", "processing-jobs", "/aws/sagemaker/ProcessingJobs"),
    "TransformJob": ("Transform", "transform-jobs", "/aws/sagemaker/TransformJobs"),
    "TuningJob": ("Tuning", "hyper-tuning-jobs", "/aws/sagemaker/TrainingJobs"),
    "AutoMLJob": ("AutoML", "automl-jobs", None),
    "Model": ("Model", "models", None),
    "RegisterModel": ("RegisterModel", None, None),
    "Endpoint": ("Endpoint", "endpoints", "/aws/sagemaker/Endpoints"),
    "EndpointConfig": ("EndpointConfig", "endpointConfig", None),
    "Lambda": ("Lambda", None, "/aws/lambda"),
    "EMR": ("EMR", None, None),
    "Callback": ("Callback", None, None),
    "Condition": ("Condition", None, None),
    "Fail": ("Fail", None, None),
    "QualityCheck": ("QualityCheck", None, None),
    "ClarifyCheck": ("ClarifyCheck", None, None),
}
_CONSOLE_DOMAINS = {"aws": "console.aws.amazon.com", "aws-cn": "console.amazonaws.cn"}


# -- values ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One ACK condition of a CR."""

    type: str
    status: str
    reason: str | None = None
    message: str | None = None

    @property
    def is_true(self) -> bool:
        return self.status == "True"

    def to_wire(self) -> dict[str, Any]:
        return {"type": self.type, "status": self.status, "reason": self.reason, "message": self.message}


@dataclass(frozen=True)
class StepSnapshot:
    """One step of a run as SageMaker last reported it (``Pending`` when it has not started)."""

    name: str
    type: str | None = None
    status: str = "Pending"
    start_time: datetime | None = None
    end_time: datetime | None = None
    failure_reason: str | None = None
    job_arn: str | None = None
    console_url: str | None = None
    logs_url: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "startTime": _iso(self.start_time),
            "endTime": _iso(self.end_time),
            "failureReason": self.failure_reason,
            "jobArn": self.job_arn,
            "consoleUrl": self.console_url,
            "logsUrl": self.logs_url,
        }


@dataclass(frozen=True)
class Progress:
    total: int
    succeeded: int
    failed: int
    running: int

    def to_wire(self) -> dict[str, int]:
        return {
            "total": self.total,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "running": self.running,
        }


@dataclass(frozen=True)
class RunSnapshot:
    """One pipeline run at one moment, merged from the CR and SageMaker (CONTRACTS.md wire shape)."""

    namespace: str | None
    name: str | None
    pipeline_name: str | None
    execution_arn: str | None
    status: str
    outcome: str | None = None
    failure_reason: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    updated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc), compare=False)
    sources: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    steps: tuple[StepSnapshot, ...] = ()

    @property
    def progress(self) -> Progress:
        statuses = [s.status for s in self.steps]
        return Progress(
            total=len(statuses),
            succeeded=statuses.count("Succeeded"),
            failed=statuses.count("Failed"),
            running=sum(statuses.count(s) for s in ("Starting", "Executing", "Stopping")),
        )

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def step(self, name: str) -> StepSnapshot | None:
        for step in self.steps:
            if step.name == name:
                return step
        return None

    @property
    def failed_steps(self) -> tuple[StepSnapshot, ...]:
        return tuple(s for s in self.steps if s.status == "Failed")

    def to_wire(self, *, steps: bool = True) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "namespace": self.namespace,
            "name": self.name,
            "pipelineName": self.pipeline_name,
            "executionArn": self.execution_arn,
            "status": self.status,
            "outcome": self.outcome,
            "failureReason": self.failure_reason,
            "startTime": _iso(self.start_time),
            "endTime": _iso(self.end_time),
            "updatedAt": _iso(self.updated_at),
            "sources": list(self.sources),
            "conditions": [c.to_wire() for c in self.conditions],
        }
        if steps:
            wire["steps"] = [s.to_wire() for s in self.steps]
        wire["progress"] = self.progress.to_wire()
        return wire

    def same_state(self, other: RunSnapshot | None) -> bool:
        """True when nothing a user could see differs (``updatedAt`` aside)."""
        return other is not None and self == other


# -- parsing the two sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class CrView:
    """What a ``PipelineExecution`` CR says about its run."""

    namespace: str | None
    name: str | None
    pipeline_name: str | None
    execution_arn: str | None
    status: str | None
    failure_reason: str | None
    creation_time: datetime | None
    last_modified: datetime | None
    conditions: tuple[Condition, ...]
    deleting: bool = False
    resource_version: str | None = None


@dataclass(frozen=True)
class SageMakerView:
    """What ``DescribePipelineExecution`` says about a run."""

    execution_arn: str
    pipeline_arn: str | None
    status: str
    failure_reason: str | None
    creation_time: datetime | None
    last_modified: datetime | None


def parse_conditions(items: Any) -> tuple[Condition, ...]:
    if not isinstance(items, list):
        return ()
    out = []
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("type"), str):
            out.append(
                Condition(
                    type=item["type"],
                    status=str(item.get("status") or "Unknown"),
                    reason=_str_or_none(item.get("reason")),
                    message=_str_or_none(item.get("message")),
                )
            )
    return tuple(out)


def parse_execution_cr(obj: Mapping[str, Any]) -> CrView:
    """Parse a ``PipelineExecution`` object (as the Kubernetes API returns it)."""
    meta = _mapping(obj.get("metadata"))
    spec = _mapping(obj.get("spec"))
    status = _mapping(obj.get("status"))
    ack_meta = _mapping(status.get("ackResourceMetadata"))
    pipeline_name = _str_or_none(spec.get("pipelineName"))
    if pipeline_name and pipeline_name.startswith("arn:"):
        pipeline_name = pipeline_name.rsplit("/", 1)[-1]
    return CrView(
        namespace=_str_or_none(meta.get("namespace")),
        name=_str_or_none(meta.get("name")),
        pipeline_name=pipeline_name,
        execution_arn=_str_or_none(ack_meta.get("arn")) or None,
        status=_str_or_none(status.get("pipelineExecutionStatus")) or None,
        failure_reason=_str_or_none(status.get("failureReason")) or None,
        creation_time=parse_time(status.get("creationTime")) or parse_time(meta.get("creationTimestamp")),
        last_modified=parse_time(status.get("lastModifiedTime")),
        conditions=parse_conditions(status.get("conditions")),
        deleting=bool(meta.get("deletionTimestamp")),
        resource_version=_str_or_none(meta.get("resourceVersion")),
    )


def parse_describe(response: Mapping[str, Any]) -> SageMakerView:
    """Parse a ``DescribePipelineExecution`` response."""
    return SageMakerView(
        execution_arn=str(response.get("PipelineExecutionArn") or ""),
        pipeline_arn=_str_or_none(response.get("PipelineArn")),
        status=str(response.get("PipelineExecutionStatus") or "Unknown"),
        failure_reason=_str_or_none(response.get("FailureReason")) or None,
        creation_time=parse_time(response.get("CreationTime")),
        last_modified=parse_time(response.get("LastModifiedTime")),
    )


def parse_steps(
    items: Iterable[Mapping[str, Any]],
    *,
    planned: Sequence[tuple[str, str]] = (),
    region: str | None = None,
) -> tuple[StepSnapshot, ...]:
    """Steps from ``ListPipelineExecutionSteps`` items (every page), in the definition's order.

    ``planned`` is ``(name, type)`` of every step of the definition, when known: steps that have not
    started yet are listed as ``Pending``, and step types come from it (the API does not say them).
    """
    types = dict(planned)
    seen: dict[str, StepSnapshot] = {}
    for item in items:
        name = str(item.get("StepName") or "")
        if not name:
            continue
        step = _parse_step(item, types.get(name), region)
        earlier = seen.get(name)
        # A retried step is listed once per attempt: keep the most recent one.
        if earlier is None or _later(step, earlier):
            seen[name] = step
    ordered = [seen.pop(name, StepSnapshot(name=name, type=step_type)) for name, step_type in planned]
    started = sorted(seen.values(), key=lambda s: (s.start_time or _EPOCH, s.name))
    return tuple(ordered + started)


def _later(a: StepSnapshot, b: StepSnapshot) -> bool:
    return (a.start_time or _EPOCH, _STEP_RANK.get(a.status, 0)) > (
        b.start_time or _EPOCH,
        _STEP_RANK.get(b.status, 0),
    )


def _parse_step(item: Mapping[str, Any], step_type: str | None, region: str | None) -> StepSnapshot:
    metadata = _mapping(item.get("Metadata"))
    job_arn: str | None = None
    kind: str | None = None
    for key, value in metadata.items():
        if key in _METADATA_KINDS:
            kind = kind or key
            arn = _mapping(value).get("Arn")
            if isinstance(arn, str) and arn:
                job_arn, kind = arn, key
                break
    if step_type is None and kind is not None:
        step_type = _METADATA_KINDS[kind][0]
    console, logs = links(job_arn, kind, region)
    return StepSnapshot(
        name=str(item["StepName"]),
        type=step_type,
        status=str(item.get("StepStatus") or "Pending"),
        start_time=parse_time(item.get("StartTime")),
        end_time=parse_time(item.get("EndTime")),
        failure_reason=_str_or_none(item.get("FailureReason")) or None,
        job_arn=job_arn,
        console_url=console,
        logs_url=logs,
    )


# -- links ------------------------------------------------------------------------------------------


def arn_parts(arn: str) -> tuple[str, str, str] | None:
    """``(partition, region, resource)`` of an ARN, or None."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[1], parts[3], parts[5]


def console_base(region: str, partition: str = "aws") -> str:
    domain = _CONSOLE_DOMAINS.get(partition, "console.aws.amazon.com")
    return f"https://{region}.{domain}"


def links(
    job_arn: str | None, metadata_kind: str | None, region: str | None = None
) -> tuple[str | None, str | None]:
    """The SageMaker console page and the CloudWatch logs of a step's job, when it has them."""
    if not job_arn or metadata_kind not in _METADATA_KINDS:
        return None, None
    parts = arn_parts(job_arn)
    if parts is None:
        return None, None
    partition, arn_region, resource = parts
    region = arn_region or region
    if not region:
        return None, None
    _, console_path, log_group = _METADATA_KINDS[metadata_kind]
    job_name = resource.split("/", 1)[-1] if "/" in resource else resource.rsplit(":", 1)[-1]
    base = console_base(region, partition)
    console = f"{base}/sagemaker/home?region={region}#/{console_path}/{job_name}" if console_path else None
    logs = None
    if log_group == "/aws/lambda":
        function = resource.split(":", 1)[-1].split(":", 1)[0]
        logs = cloudwatch_logs_url(region, f"/aws/lambda/{function}", None, partition)
    elif log_group:
        logs = cloudwatch_logs_url(region, log_group, job_name, partition)
    return console, logs


def cloudwatch_logs_url(region: str, group: str, stream_prefix: str | None, partition: str = "aws") -> str:
    """A CloudWatch Logs console link to a log group, filtered to streams starting with ``stream_prefix``."""

    def enc(text: str) -> str:
        # The console's fragment encoding: percent-encode, then write each '%' as '$25'.
        return quote(text, safe="").replace("%", "$25")

    target = enc(group)
    if stream_prefix:
        target += "$3FlogStreamNameFilter$3D" + enc(stream_prefix)
    base = console_base(region, partition)
    return f"{base}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{target}"


def execution_console_url(execution_arn: str) -> str | None:
    """The SageMaker console page of a pipeline execution."""
    parts = arn_parts(execution_arn)
    if parts is None:
        return None
    partition, region, resource = parts
    pieces = resource.split("/")
    if len(pieces) != 4 or pieces[0] != "pipeline" or pieces[2] != "execution":
        return None
    base = console_base(region, partition)
    return f"{base}/sagemaker/home?region={region}#/pipelines/{pieces[1]}/executions/{pieces[3]}"


# -- outcome ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How a run ended (``value`` None while it has not), and why."""

    value: str | None
    failure_reason: str | None = None


def find_condition(conditions: Iterable[Condition], kind: str) -> Condition | None:
    for condition in conditions:
        if condition.type == kind:
            return condition
    return None


def fatal_condition(conditions: Iterable[Condition]) -> Condition | None:
    """The condition that means the controller will not get any further on its own, if any.

    ``ACK.Terminal=True`` is permanent; ``ACK.Recoverable=True`` is retried by the controller, except that
    a ``ValidationException`` never heals by retrying.
    """
    conditions = tuple(conditions)
    terminal = find_condition(conditions, TERMINAL)
    if terminal is not None and terminal.is_true:
        return terminal
    recoverable = find_condition(conditions, RECOVERABLE)
    if (
        recoverable is not None
        and recoverable.is_true
        and "ValidationException" in (recoverable.message or "")
    ):
        return recoverable
    return None


def decide_outcome(
    status: str | None,
    failure_reason: str | None = None,
    conditions: Iterable[Condition] = (),
    *,
    status_is_fresh: bool = False,
) -> Outcome:
    """The outcome of a run from its execution status, failure reason and ACK conditions.

    Never from ``ACK.ResourceSynced`` or ``Ready`` alone: Synced is True for Failed and Stopped runs too,
    and Ready is True for a Failed run. ``status_is_fresh`` says the status came from SageMaker itself: then
    a fatal condition on the (lagging) CR does not override a run SageMaker reports as still going.
    """
    if status in FINAL_STATUSES:
        reason = failure_reason if status == "Failed" else None
        return Outcome(status, reason or ("The execution failed." if status == "Failed" else None))
    fatal = fatal_condition(conditions)
    if fatal is not None and not (status_is_fresh and status in ("Executing", "Stopping")):
        return Outcome("Failed", clean_ack_message(fatal.message) or f"{fatal.type} is True.")
    return Outcome(None)


def clean_ack_message(message: str | None) -> str | None:
    """An ACK condition message without the Go SDK's ``\\n\\tstatus code: 0, request id: `` tail."""
    if not message:
        return None
    head = message.split("\n\tstatus code:", 1)[0].strip()
    return head or message.strip()


# -- merging ----------------------------------------------------------------------------------------


def merge(
    cr: CrView | None,
    sagemaker: SageMakerView | None,
    steps: Sequence[StepSnapshot] | None = None,
    *,
    now: datetime | None = None,
    namespace: str | None = None,
    name: str | None = None,
    pipeline_name: str | None = None,
    previous: RunSnapshot | None = None,
) -> RunSnapshot:
    """One snapshot from whatever the sources said last.

    SageMaker is fresher, the CR lags it; a run never goes back to an earlier status, so the furthest
    status either source reported wins (SageMaker's on a tie), and ``previous`` keeps it from regressing
    when one source answers late.
    """
    now = now or datetime.now(timezone.utc)
    sources: list[str] = []
    candidates: list[tuple[int, int, str, str | None]] = []
    if cr is not None:
        sources.append("cr")
        cr_status = cr.status or "Pending"
        candidates.append((_RUN_RANK.get(cr_status, 0), 0, cr_status, cr.failure_reason))
    if sagemaker is not None:
        sources.append("sagemaker")
        candidates.append((_RUN_RANK.get(sagemaker.status, 0), 1, sagemaker.status, sagemaker.failure_reason))
    if previous is not None and previous.status != "Unknown":
        candidates.append((_RUN_RANK.get(previous.status, 0), -1, previous.status, previous.failure_reason))
    if candidates:
        _, _, status, failure_reason = max(candidates)
    else:
        status, failure_reason = "Unknown", None
    conditions = cr.conditions if cr is not None else ()
    outcome = decide_outcome(
        status,
        failure_reason,
        conditions,
        status_is_fresh=sagemaker is not None and status == sagemaker.status,
    )
    if outcome.value == "Failed" and status not in FINAL_STATUSES:
        status = "Failed"
    step_list = tuple(steps) if steps is not None else (previous.steps if previous is not None else ())
    if previous is not None and steps is not None:
        step_list = _no_step_regression(step_list, previous.steps)
    start = _first(sagemaker.creation_time if sagemaker else None, cr.creation_time if cr else None)
    end = None
    if outcome.value is not None:
        ends = [s.end_time for s in step_list if s.end_time is not None]
        last_modified = _first(
            sagemaker.last_modified if sagemaker else None, cr.last_modified if cr else None
        )
        end = max(ends) if ends else last_modified
        if last_modified is not None and end is not None and status in FINAL_STATUSES:
            end = max(end, last_modified)
    return RunSnapshot(
        namespace=(cr.namespace if cr and cr.namespace else None) or namespace,
        name=(cr.name if cr else None) or name,
        pipeline_name=_first(cr.pipeline_name if cr else None, _pipeline_of(sagemaker), pipeline_name),
        execution_arn=_first(
            sagemaker.execution_arn if sagemaker else None, cr.execution_arn if cr else None
        ),
        status=status,
        outcome=outcome.value,
        failure_reason=outcome.failure_reason if outcome.value == "Failed" else failure_reason,
        start_time=start,
        end_time=end,
        updated_at=now,
        sources=tuple(sources),
        conditions=conditions,
        steps=step_list,
    )


def _no_step_regression(
    steps: Sequence[StepSnapshot], before: Sequence[StepSnapshot]
) -> tuple[StepSnapshot, ...]:
    earlier = {s.name: s for s in before}
    out = []
    for step in steps:
        old = earlier.get(step.name)
        if old is not None and _STEP_RANK.get(old.status, 0) > _STEP_RANK.get(step.status, 0):
            step = old
        out.append(step)
    return tuple(out)


def _pipeline_of(view: SageMakerView | None) -> str | None:
    arn = (view.pipeline_arn if view else None) or (view.execution_arn if view else None)
    return pipeline_name_of_arn(arn) if arn else None


def pipeline_name_of_arn(arn: str) -> str | None:
    """``arn:...:pipeline/NAME[/execution/ID]`` -> ``NAME`` (SageMaker keeps ARNs lower case)."""
    parts = arn_parts(arn)
    if parts is None or not parts[2].startswith("pipeline/"):
        return None
    return parts[2].split("/")[1]


# -- the polling policy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PollPolicy:
    """How often to ask SageMaker about one execution, and how to back off (botocore-waiter style: data).

    A poll is one DescribePipelineExecution plus ceil(steps/100) ListPipelineExecutionSteps pages. The
    delay between polls is ``interval``, stretched to ``long_step_interval`` while every running step has
    run longer than ``long_step_after``, stretched again to keep within ``max_polls_per_minute`` and
    ``max_calls_per_minute``, and multiplied by ``throttle_backoff`` per consecutive throttled poll.
    """

    name: str
    interval: float
    long_step_after: float
    long_step_interval: float
    throttle_backoff: float = 2.0
    max_backoff: float = 120.0
    max_polls_per_minute: float | None = None
    max_calls_per_minute: float | None = None
    steps_per_page: int = 100
    watch_timeout: int = 300
    reconnect_initial: float = 0.5
    reconnect_max: float = 30.0

    def calls_per_poll(self, steps: int) -> int:
        return 1 + max(1, math.ceil(steps / self.steps_per_page))

    def delay(self, *, steps: int = 0, running_for: float | None = None, throttled: int = 0) -> float:
        """Seconds until the next poll.

        ``steps``: how many steps the run has listed; ``running_for``: how long the most recently started
        running step has run (None when none runs); ``throttled``: consecutive throttled polls.
        """
        wait = self.interval
        if running_for is not None and running_for >= self.long_step_after:
            wait = max(wait, self.long_step_interval)
        if self.max_polls_per_minute:
            wait = max(wait, 60.0 / self.max_polls_per_minute)
        if self.max_calls_per_minute:
            wait = max(wait, 60.0 * self.calls_per_poll(steps) / self.max_calls_per_minute)
        if throttled > 0:
            wait = max(wait, min(self.max_backoff, wait * self.throttle_backoff**throttled))
        return wait

    def reconnect_delay(self, failures: int) -> float:
        """Seconds before re-opening a dropped watch after ``failures`` consecutive failures."""
        if failures <= 0:
            return 0.0
        return float(min(self.reconnect_max, self.reconnect_initial * 2 ** (failures - 1)))


POLICIES: dict[str, PollPolicy] = {
    # Real AWS: at most 12 polls and 30 API calls a minute per execution in steady state.
    "aws": PollPolicy(
        name="aws",
        interval=5.0,
        long_step_after=300.0,
        long_step_interval=30.0,
        throttle_backoff=2.0,
        max_backoff=120.0,
        max_polls_per_minute=12,
        max_calls_per_minute=30,
    ),
    # The local emulators: poll fast, steps take fractions of a second.
    "sandbox": PollPolicy(
        name="sandbox",
        interval=0.2,
        long_step_after=30.0,
        long_step_interval=1.0,
        throttle_backoff=2.0,
        max_backoff=3.0,
        watch_timeout=60,
        reconnect_initial=0.1,
        reconnect_max=2.0,
    ),
}


def poll_policy(name: str | PollPolicy | None) -> PollPolicy:
    """The named policy (``aws`` when unset); an unknown name is a mistake the user can fix."""
    if isinstance(name, PollPolicy):
        return name
    try:
        return POLICIES[name or "aws"]
    except KeyError:
        from .errors import UserError

        raise UserError(
            f"Unknown status polling policy '{name}'.",
            f"Set SAGEMAKER_ACK_POLL_POLICY to one of: {', '.join(POLICIES)}.",
        ) from None


def running_for(steps: Sequence[StepSnapshot], now: datetime) -> float | None:
    """How long the most recently started running step has been running (None when none runs)."""
    starts = [s.start_time for s in steps if s.status in ("Starting", "Executing") and s.start_time]
    if not starts:
        return None
    return max(0.0, (now - max(starts)).total_seconds())


# -- helpers ----------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_time(value: Any) -> datetime | None:
    """A datetime from what the APIs give: datetime (boto3), RFC 3339 text (Kubernetes), epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, (int, float)):
        parsed = datetime.fromtimestamp(float(value), tz=timezone.utc)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    if parsed.year <= _GO_ZERO_YEAR:
        return None
    return parsed.astimezone(timezone.utc)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _first(*values: Any) -> Any:
    for value in values:
        if value:
            return value
    return None
