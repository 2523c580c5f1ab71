"""Step retry policies (``RetryPolicies`` on a step), as SageMaker Pipelines applies them.

A policy names the exception types it covers (``Step.SERVICE_FAULT``, ``Step.THROTTLING``,
``SageMaker.JOB_INTERNAL_ERROR``, ``SageMaker.CAPACITY_ERROR``, ``SageMaker.RESOURCE_LIMIT``,
``Emr.RESOURCE_LIMIT``), waits ``IntervalSeconds`` (default 1) before the first retry and multiplies the wait
by ``BackoffRate`` (default 2.0) before each next one, and stops after ``MaxAttempts`` retries or once
``ExpireAfterMin`` minutes have passed since the step first started. The first policy that covers the
failing attempt's exception type decides; a failure no policy covers fails the step at once. Each retry
is a new attempt of the same step: ``AttemptCount`` in ListPipelineExecutionSteps counts them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EXCEPTION_TYPES = frozenset(
    {
        "Step.SERVICE_FAULT",
        "Step.THROTTLING",
        "SageMaker.JOB_INTERNAL_ERROR",
        "SageMaker.CAPACITY_ERROR",
        "SageMaker.RESOURCE_LIMIT",
        "Emr.RESOURCE_LIMIT",
    }
)
# The SageMaker SDK's own caps (sagemaker.workflow.retry): 20 retries, 14,400 minutes.
MAX_ATTEMPTS_CAP = 20
MAX_EXPIRE_AFTER_MIN = 14_400


@dataclass(frozen=True)
class RetryPolicy:
    exception_types: frozenset[str]
    interval_seconds: float = 1.0
    backoff_rate: float = 2.0
    max_attempts: int | None = None
    expire_after_min: float | None = None

    def wait_before(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        return float(self.interval_seconds * self.backoff_rate ** (retry - 1))

    def allows(self, retry: int, retry_at: float, first_start: float, scale: float) -> bool:
        """Whether retry number ``retry``, due at ``retry_at``, is still within this policy's bounds."""
        if self.max_attempts is not None and retry > self.max_attempts:
            return False
        if self.expire_after_min is not None and retry_at - first_start > self.expire_after_min * 60 * scale:
            return False
        return retry <= MAX_ATTEMPTS_CAP


def read_policies(step_name: str, value: Any) -> tuple[list[RetryPolicy], list[str]]:
    """The step's policies and the problems that make SageMaker reject the definition."""
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [f"RetryPolicies of step '{step_name}' must be a list."]
    policies: list[RetryPolicy] = []
    problems: list[str] = []
    for item in value:
        if not isinstance(item, Mapping):
            problems.append(f"Each retry policy of step '{step_name}' must be an object.")
            continue
        kinds = item.get("ExceptionType")
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not isinstance(kinds, list) or not kinds:
            problems.append(f"A retry policy of step '{step_name}' needs an ExceptionType.")
            continue
        unknown = sorted(str(k) for k in kinds if k not in EXCEPTION_TYPES)
        if unknown:
            problems.append(f"Step '{step_name}' has a retry policy with unknown ExceptionType {unknown}.")
            continue
        numbers = {}
        for key in ("IntervalSeconds", "BackoffRate", "MaxAttempts", "ExpireAfterMin"):
            number = item.get(key)
            if number is not None and (
                isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0
            ):
                problems.append(
                    f"{key} of a retry policy of step '{step_name}' must be a non-negative number."
                )
            elif number is not None:
                numbers[key] = number
        max_attempts = numbers.get("MaxAttempts")
        if max_attempts is not None and not 1 <= max_attempts <= MAX_ATTEMPTS_CAP:
            problems.append(
                f"MaxAttempts of a retry policy of step '{step_name}' must be 1 to {MAX_ATTEMPTS_CAP}."
            )
        expire = numbers.get("ExpireAfterMin")
        if expire is not None and expire > MAX_EXPIRE_AFTER_MIN:
            problems.append(
                f"ExpireAfterMin of a retry policy of step '{step_name}' must be at most {MAX_EXPIRE_AFTER_MIN}."
            )
        policies.append(
            RetryPolicy(
                exception_types=frozenset(kinds),
                interval_seconds=float(numbers.get("IntervalSeconds", 1)),
                backoff_rate=float(numbers.get("BackoffRate", 2.0)),
                max_attempts=int(max_attempts) if max_attempts is not None else None,
                expire_after_min=float(expire) if expire is not None else None,
            )
        )
    return policies, problems


def covering(policies: list[RetryPolicy], exception_type: str | None) -> RetryPolicy | None:
    if exception_type is None:
        return None
    return next((p for p in policies if exception_type in p.exception_types), None)
