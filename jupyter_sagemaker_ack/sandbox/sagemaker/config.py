"""Run-time settings a user or a test can tune: step durations, failures, condition outcomes, throttling.

The same settings arrive as JSON on ``POST /_emulator/config`` and as keyword arguments of
``SageMakerEmulator.configure``; an update merges into the current settings.

JSON shape (every key optional)::

    {"durations": {"default": 0.3, "byType": {"Training": 0.5}, "byStep": {"Train": 1.0},
                   "stop": 0.3, "startingFraction": 0.2},
     "failures": {"Train": "AlgorithmError: out of memory",
                  "Prep": {"reason": "CapacityError: no ml.m5.xlarge", "exceptionType": "SageMaker.CAPACITY_ERROR",
                           "attempts": 2}},
     "conditionOutcomes": {"CheckAccuracy": false},
     "throttle": {"enabled": true, "rate": 5.0, "burst": 5, "next": 2,
                  "operations": ["ListPipelineExecutionSteps"]},
     "apiErrors": {"CreatePipeline": {"code": "AccessDeniedException", "message": "... not authorized ..."}}}

A failure given as text fails every attempt of the step with that reason, as an exception no retry policy
covers. Given as an object, ``exceptionType`` is the exception the failing attempts raise (so a step's
``RetryPolicies`` decide whether it is retried) and ``attempts`` how many attempts fail before one succeeds
(absent: all of them). ``durations.retryScale`` multiplies the waits of retry policies (default 1: the
documented seconds).

``throttle.operations`` limits throttling (both kinds) to those operations; null or [] means all.
``apiErrors`` makes every call of an operation fail with that error code (HTTP 400) until set to null,
as IAM does when a permission is missing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .errors import validation_error

# Control-flow steps take no real time in SageMaker; job steps take the default.
_QUICK_TYPES = {"Condition": 0.05, "Fail": 0.05}


@dataclass
class Throttle:
    """Token bucket plus "throttle the next N requests", both off by default."""

    enabled: bool = False
    rate: float = 5.0
    burst: float = 5.0
    next: int = 0
    operations: frozenset[str] = frozenset()
    _tokens: float = 0.0
    _stamp: float = field(default_factory=time.monotonic)

    def allow(self, operation: str) -> bool:
        if self.operations and operation not in self.operations:
            return True
        if self.next > 0:
            self.next -= 1
            return False
        if not self.enabled:
            return True
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


@dataclass(frozen=True)
class InjectedFailure:
    """What a configured failure does to a step: its reason, exception type and how many attempts fail."""

    reason: str
    exception_type: str | None = None
    attempts: int | None = None

    def fails(self, attempt: int) -> bool:
        return self.attempts is None or attempt <= self.attempts

    def to_json(self) -> str | dict[str, Any]:
        if self.exception_type is None and self.attempts is None:
            return self.reason
        return {"reason": self.reason, "exceptionType": self.exception_type, "attempts": self.attempts}


def _failure(value: Any) -> InjectedFailure:
    if isinstance(value, str):
        return InjectedFailure(value)
    if not isinstance(value, dict) or not isinstance(value.get("reason", ""), str):
        raise validation_error(f"A failure is a reason or {{reason, exceptionType, attempts}}, not {value!r}")
    attempts = value.get("attempts")
    if attempts is not None and (isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1):
        raise validation_error(f"failures.attempts must be a positive whole number, not {attempts!r}")
    kind = value.get("exceptionType")
    return InjectedFailure(str(value.get("reason", "")), str(kind) if kind is not None else None, attempts)


@dataclass
class EmulatorConfig:
    default_duration: float = 0.3
    durations_by_type: dict[str, float] = field(default_factory=dict)
    durations_by_step: dict[str, float] = field(default_factory=dict)
    stop_seconds: float = 0.3
    starting_fraction: float = 0.2
    retry_scale: float = 1.0
    failures: dict[str, InjectedFailure] = field(default_factory=dict)
    condition_outcomes: dict[str, bool] = field(default_factory=dict)
    throttle: Throttle = field(default_factory=Throttle)
    api_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reset(self) -> None:
        """Back to the defaults, in place (the running executions keep this object)."""
        fresh = EmulatorConfig()
        with self.lock:
            for name in ("default_duration", "durations_by_type", "durations_by_step", "stop_seconds",
                         "starting_fraction", "retry_scale", "failures", "condition_outcomes", "throttle",
                         "api_errors"):  # fmt: skip
                setattr(self, name, getattr(fresh, name))

    def duration(self, step_name: str, step_type: str) -> float:
        if step_name in self.durations_by_step:
            return self.durations_by_step[step_name]
        if step_type in self.durations_by_type:
            return self.durations_by_type[step_type]
        return _QUICK_TYPES.get(step_type, self.default_duration)

    def api_error(self, operation: str) -> tuple[str, str] | None:
        with self.lock:
            return self.api_errors.get(operation)

    def allow_request(self, operation: str) -> bool:
        with self.lock:
            return self.throttle.allow(operation)

    def update(self, data: dict[str, Any]) -> None:
        """Merge a JSON settings document (shape in the module docstring)."""
        unknown = set(data) - {"durations", "failures", "conditionOutcomes", "throttle", "apiErrors"}
        if unknown:
            raise validation_error(f"Unknown emulator settings: {sorted(unknown)}")
        with self.lock:
            durations = data.get("durations") or {}
            if "default" in durations:
                self.default_duration = _seconds(durations["default"])
            if "stop" in durations:
                self.stop_seconds = _seconds(durations["stop"])
            if "startingFraction" in durations:
                self.starting_fraction = min(1.0, _seconds(durations["startingFraction"]))
            if "retryScale" in durations:
                self.retry_scale = _seconds(durations["retryScale"])
            self.durations_by_type.update({k: _seconds(v) for k, v in durations.get("byType", {}).items()})
            self.durations_by_step.update({k: _seconds(v) for k, v in durations.get("byStep", {}).items()})
            for step, reason in (data.get("failures") or {}).items():
                if reason is None:
                    self.failures.pop(step, None)
                else:
                    self.failures[step] = _failure(reason)
            for step, outcome in (data.get("conditionOutcomes") or {}).items():
                if outcome is None:
                    self.condition_outcomes.pop(step, None)
                else:
                    self.condition_outcomes[step] = bool(outcome)
            for operation, error in (data.get("apiErrors") or {}).items():
                if error is None:
                    self.api_errors.pop(operation, None)
                else:
                    self.api_errors[operation] = (str(error["code"]), str(error.get("message", "")))
            throttle = data.get("throttle") or {}
            if "enabled" in throttle:
                self.throttle.enabled = bool(throttle["enabled"])
                self.throttle._tokens = self.throttle.burst
            if "rate" in throttle:
                self.throttle.rate = _seconds(throttle["rate"])
            if "burst" in throttle:
                self.throttle.burst = max(1.0, _seconds(throttle["burst"]))
                self.throttle._tokens = self.throttle.burst
            if "next" in throttle:
                self.throttle.next = int(throttle["next"])
            if "operations" in throttle:
                self.throttle.operations = frozenset(throttle["operations"] or ())

    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "durations": {
                    "default": self.default_duration,
                    "byType": dict(self.durations_by_type),
                    "byStep": dict(self.durations_by_step),
                    "stop": self.stop_seconds,
                    "startingFraction": self.starting_fraction,
                    "retryScale": self.retry_scale,
                },
                "failures": {step: failure.to_json() for step, failure in self.failures.items()},
                "conditionOutcomes": dict(self.condition_outcomes),
                "throttle": {
                    "enabled": self.throttle.enabled,
                    "rate": self.throttle.rate,
                    "burst": self.throttle.burst,
                    "next": self.throttle.next,
                    "operations": sorted(self.throttle.operations),
                },
                "apiErrors": {op: {"code": c, "message": m} for op, (c, m) in self.api_errors.items()},
            }


def _seconds(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise validation_error(f"Expected a number of seconds, got {value!r}") from None
    if number < 0:
        raise validation_error(f"Expected a non-negative number, got {value!r}")
    return number
