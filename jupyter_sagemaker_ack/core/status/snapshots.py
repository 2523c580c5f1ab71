"""What a run looks like at one moment: conditions, steps, progress and the merged run snapshot.

These are the values every face draws (CLI, panel, sidebar) and the JSON wire shape of docs/CONTRACTS.md.
They hold no rules: how they are parsed lives in :mod:`.parse`, how they are merged and how a run ended in
:mod:`.outcome`, when to stop waiting in :mod:`.waiting`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

FINAL_STATUSES = ("Succeeded", "Failed", "Stopped")
RUN_STATUSES = ("Pending", "Executing", "Stopping", "Stopped", "Failed", "Succeeded", "Unknown")
STEP_STATUSES = ("Pending", "Starting", "Executing", "Stopping", "Stopped", "Failed", "Succeeded")
TERMINAL = "ACK.Terminal"
RECOVERABLE = "ACK.Recoverable"
SYNCED = "ACK.ResourceSynced"
# How far a run has got: a run never moves back down this order, whichever source reported it last.
RUN_RANK = {
    "Unknown": -1,
    "Pending": 0,
    "Executing": 1,
    "Stopping": 2,
    "Stopped": 3,
    "Failed": 3,
    "Succeeded": 3,
}
STEP_RANK = {
    "Pending": 0,
    "Starting": 1,
    "Executing": 2,
    "Stopping": 3,
    "Stopped": 4,
    "Failed": 4,
    "Succeeded": 4,
}


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


def find_condition(conditions: Iterable[Condition], kind: str) -> Condition | None:
    for condition in conditions:
        if condition.type == kind:
            return condition
    return None


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
    # A step a selective execution (a retry) did not run but took from this earlier execution.
    reused_from: str | None = None

    @property
    def reused(self) -> bool:
        return self.reused_from is not None

    def to_wire(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "failureReason": self.failure_reason,
            "jobArn": self.job_arn,
            "consoleUrl": self.console_url,
            "logsUrl": self.logs_url,
            "reused": self.reused,
            "sourceExecutionArn": self.reused_from,
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
    """One pipeline run at one moment, merged from the CR and SageMaker (CONTRACTS.md wire shape).

    ``waiting_reason``: while the run has no outcome, why it is not getting further (a Recoverable error the
    controller retries, with the AWS message); drawn by the faces, derived from ``conditions`` on the wire.
    ``origin`` (set by run listings, and only then on the wire, with ``displayName``): ``"cluster"`` when the
    run has its PipelineExecution CR, ``"sagemaker"`` when only SageMaker's execution list knows it (its CR
    was deleted, as a stop does, or it never had one); ``display_name`` is SageMaker's name for the run.
    """

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
    waiting_reason: str | None = None
    display_name: str | None = None
    origin: str | None = None

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
            "startTime": iso(self.start_time),
            "endTime": iso(self.end_time),
            "updatedAt": iso(self.updated_at),
            "sources": list(self.sources),
            "conditions": [c.to_wire() for c in self.conditions],
        }
        if steps:
            wire["steps"] = [s.to_wire() for s in self.steps]
        wire["progress"] = self.progress.to_wire()
        if self.origin is not None:  # a listed run
            wire["displayName"] = self.display_name
            wire["origin"] = self.origin
        return wire

    def same_state(self, other: RunSnapshot | None) -> bool:
        """True when nothing a user could see differs (``updatedAt`` aside)."""
        return other is not None and self == other


def iso(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z``, as the wire shape writes times."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
