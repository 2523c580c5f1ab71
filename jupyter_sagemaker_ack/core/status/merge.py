"""One snapshot from two sources: the lagging CR and fresh SageMaker, merged so a run never goes back.

SageMaker is fresher, the CR lags it; a run never returns to an earlier status, so the furthest status
either source reported wins (SageMaker's on a tie), and the previous snapshot keeps it from regressing
when one source answers late. The outcome comes from :func:`~.outcome.decide_outcome`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .links import pipeline_name_of_arn
from .outcome import decide_outcome
from .parse import CrView, SageMakerView
from .snapshots import FINAL_STATUSES, RUN_RANK, STEP_RANK, RunSnapshot, StepSnapshot

# SageMaker's FailureReason for a run whose step failed; the step's own reason is only on the step, so the
# run's reason names each failed step and its reason after it.
SAGEMAKER_STEP_FAILURE = "Step failure: One or multiple steps failed."


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
    """One snapshot from whatever the sources said last (``previous``: the snapshot before this one)."""
    now = now or datetime.now(timezone.utc)
    sources: list[str] = []
    candidates: list[tuple[int, int, str, str | None]] = []
    if cr is not None:
        sources.append("cr")
        cr_status = cr.status or "Pending"
        candidates.append((RUN_RANK.get(cr_status, 0), 0, cr_status, cr.failure_reason))
    if sagemaker is not None:
        sources.append("sagemaker")
        candidates.append((RUN_RANK.get(sagemaker.status, 0), 1, sagemaker.status, sagemaker.failure_reason))
    if previous is not None and previous.status != "Unknown":
        candidates.append((RUN_RANK.get(previous.status, 0), -1, previous.status, previous.failure_reason))
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
    reason = outcome.failure_reason if outcome.value == "Failed" else failure_reason
    if outcome.value == "Failed" and reason == SAGEMAKER_STEP_FAILURE:
        named = [
            f"{s.name}: {s.failure_reason}" for s in step_list if s.status == "Failed" and s.failure_reason
        ]
        reason = " ".join([reason, *named])
    return RunSnapshot(
        namespace=(cr.namespace if cr and cr.namespace else None) or namespace,
        name=(cr.name if cr else None) or name,
        pipeline_name=_first(cr.pipeline_name if cr else None, _pipeline_of(sagemaker), pipeline_name),
        execution_arn=_first(
            sagemaker.execution_arn if sagemaker else None, cr.execution_arn if cr else None
        ),
        status=status,
        outcome=outcome.value,
        failure_reason=reason,
        start_time=start,
        end_time=end,
        updated_at=now,
        sources=tuple(sources),
        conditions=conditions,
        steps=step_list,
        waiting_reason=outcome.waiting_reason,
    )


def _no_step_regression(
    steps: Sequence[StepSnapshot], before: Sequence[StepSnapshot]
) -> tuple[StepSnapshot, ...]:
    earlier = {s.name: s for s in before}
    out = []
    for step in steps:
        old = earlier.get(step.name)
        if old is not None and STEP_RANK.get(old.status, 0) > STEP_RANK.get(step.status, 0):
            step = old
        out.append(step)
    return tuple(out)


def _pipeline_of(view: SageMakerView | None) -> str | None:
    arn = (view.pipeline_arn if view else None) or (view.execution_arn if view else None)
    return pipeline_name_of_arn(arn) if arn else None


def _first(*values: Any) -> Any:
    for value in values:
        if value:
            return value
    return None
