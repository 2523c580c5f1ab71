"""Reading the two sources of a run into plain values: the ACK CR and SageMaker's API answers.

The ``PipelineExecution`` CR (conditions, the execution ARN, a status that lags SageMaker by up to 30 s, no
step detail) becomes a :class:`CrView`; ``DescribePipelineExecution`` a :class:`SageMakerView`;
``ListPipelineExecutionSteps`` items :class:`~.snapshots.StepSnapshot` values. Anything missing or of the
wrong type reads as absent, never as an error: both sources are outside our control.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .links import METADATA_KINDS, links
from .snapshots import STEP_RANK, Condition, StepSnapshot

# The zero time Go writes for an unset metav1.Time.
_GO_ZERO_YEAR = 1
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


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
    started = sorted(seen.values(), key=lambda s: (s.start_time or EPOCH, s.name))
    return tuple(ordered + started)


def _later(a: StepSnapshot, b: StepSnapshot) -> bool:
    return (a.start_time or EPOCH, STEP_RANK.get(a.status, 0)) > (
        b.start_time or EPOCH,
        STEP_RANK.get(b.status, 0),
    )


def _parse_step(item: Mapping[str, Any], step_type: str | None, region: str | None) -> StepSnapshot:
    metadata = _mapping(item.get("Metadata"))
    job_arn: str | None = None
    kind: str | None = None
    for key, value in metadata.items():
        if key in METADATA_KINDS:
            kind = kind or key
            arn = _mapping(value).get("Arn")
            if isinstance(arn, str) and arn:
                job_arn, kind = arn, key
                break
    if step_type is None and kind is not None:
        step_type = METADATA_KINDS[kind][0]
    console, logs = links(job_arn, kind, region)
    reused = _mapping(item.get("SelectiveExecutionResult")).get("SourcePipelineExecutionArn")
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
        reused_from=reused if isinstance(reused, str) and reused else None,
    )


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


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def clean_ack_message(message: str | None) -> str | None:
    """An ACK condition message without the Go SDK's ``\\n\\tstatus code: 0, request id: `` tail."""
    if not message:
        return None
    head = message.split("\n\tstatus code:", 1)[0].strip()
    return head or message.strip()
