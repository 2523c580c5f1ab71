"""The one waiter specification: how often and how long to wait for a Pipeline or a run, and what ends it.

Like botocore's waiters, a wait is data, not scattered sleeps. A :class:`WaiterSpec` has a ``delay`` between
looks (stretched by ``backoff`` up to ``max_delay``), a ``timeout`` (None: until an acceptor decides) and
``acceptors``: each maps something observed (a status, an ARN, a condition, the object gone) to
``success`` (what we waited for happened), ``failure`` (it will not happen: stop and say why) or ``retry``
(keep waiting, and show why). The first acceptor that matches decides; when none does, the wait goes on
quietly. Every wait of the project reads its spec from :attr:`PollPolicy.waiters` of the named policy
(``aws`` or ``sandbox``, ``SAGEMAKER_ACK_POLL_POLICY``):

- ``pipeline_synced``: submit, until a Pipeline has its ARN and ``ACK.ResourceSynced=True``;
- ``execution_started``: ``submit --wait``, until a new run has its execution ARN;
- ``run_identity``: stop, until a just-created run has its ARN, so stop knows which run it stops;
- ``run_ended``: watch (``status --watch``, the panel, the sidebar), until Succeeded, Failed or Stopped;
- ``run_stopped``: stop, following the run until it has ended;
- ``cr_released``: stop, after that, until the controller has let the deleted CR go (its finalizer removed),
  so that ``kubectl get`` agrees with what stop printed.

SageMaker's own polling pace (rate budget, long steps, throttling) is the rest of :class:`PollPolicy`.

**The outcome rule for ACK conditions** (one rule, used by every wait above and by
:func:`~.outcome.decide_outcome`; from notes/ack-controller.md):

- ``ACK.Terminal=True`` is a failure: the controller does nothing more until the spec changes. With
  "already exists" it is the not-managed case (the SageMaker pipeline exists outside ACK: adopt it).
- ``ACK.Recoverable=True`` whose message says the request itself is invalid is a failure, because it never
  resolves by itself: a ``ValidationException``, or the int32 error of ``maxParallelExecutionSteps``.
- Any other ``ACK.Recoverable=True`` (AccessDenied, throttling, service errors...) is **retry**: the
  controller retries it, and it heals once its cause is fixed (a permission granted), so the wait goes on
  and shows the AWS message until the timeout; a wait that times out fails with that message.
- A condition is read from the CR, which lags SageMaker: when SageMaker itself says the run is Executing
  or Stopping, no condition decides.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from ..errors import UserError
from .parse import clean_ack_message
from .snapshots import FINAL_STATUSES, RECOVERABLE, SYNCED, TERMINAL, Condition, StepSnapshot, find_condition

WaitState = Literal["success", "failure", "retry"]
Matcher = Literal["status", "arn", "synced", "condition", "gone"]
RUNNING_STATUSES = ("Executing", "Stopping")


@dataclass(frozen=True)
class Observation:
    """One look at the object waited for.

    ``status``: the run's (or Pipeline's) status; ``arn``: its ARN once it has one; ``gone``: the object was
    deleted; ``status_is_fresh``: the status came from SageMaker itself, not the lagging CR.
    """

    status: str | None = None
    arn: str | None = None
    conditions: tuple[Condition, ...] = ()
    gone: bool = False
    status_is_fresh: bool = False


@dataclass(frozen=True)
class Acceptor:
    """One rule of a waiter: when ``matcher`` matches ``expected``, the wait is in ``state``.

    Matchers: ``status`` (the status is one of ``expected``), ``arn`` (it has an ARN), ``synced`` (an ARN
    and ``ACK.ResourceSynced=True``), ``gone`` (deleted), ``condition`` (the condition ``condition`` is True
    and, when ``expected`` is given, its message or reason holds one of them, case-insensitively).
    """

    name: str
    state: WaitState
    matcher: Matcher
    expected: tuple[str, ...] = ()
    condition: str | None = None

    def match(self, seen: Observation) -> Condition | bool:
        """The matching condition (for ``condition``), True for another match, False for none."""
        if self.matcher == "status":
            return seen.status in self.expected
        if self.matcher == "arn":
            return bool(seen.arn)
        if self.matcher == "gone":
            return seen.gone
        if self.matcher == "synced":
            synced = find_condition(seen.conditions, SYNCED)
            return bool(seen.arn) and synced is not None and synced.is_true
        if seen.status_is_fresh and seen.status in RUNNING_STATUSES:
            return False
        found = find_condition(seen.conditions, self.condition or "")
        if found is None or not found.is_true:
            return False
        if not self.expected:
            return found
        said = f"{found.message or ''} {found.reason or ''}".lower()
        return found if any(marker.lower() in said for marker in self.expected) else False


@dataclass(frozen=True)
class Decision:
    """What the acceptors made of one observation (``state`` None: nothing matched, keep waiting)."""

    state: WaitState | None
    acceptor: Acceptor | None = None
    condition: Condition | None = None

    @property
    def done(self) -> bool:
        return self.state in ("success", "failure")

    @property
    def message(self) -> str | None:
        """The AWS message of the deciding condition, without the Go SDK's noise."""
        if self.condition is None:
            return None
        return clean_ack_message(self.condition.message) or f"{self.condition.type} is True."


def decide(acceptors: Sequence[Acceptor], seen: Observation) -> Decision:
    """The first acceptor that matches decides."""
    for acceptor in acceptors:
        matched = acceptor.match(seen)
        if matched is not False:
            condition = matched if isinstance(matched, Condition) else None
            return Decision(acceptor.state, acceptor, condition)
    return Decision(None)


# The outcome rule for ACK conditions (see the module docstring).
CONDITION_FAILURES: tuple[Acceptor, ...] = (
    Acceptor("not-managed", "failure", "condition", ("already exists",), TERMINAL),
    Acceptor("terminal", "failure", "condition", (), TERMINAL),
    Acceptor(
        "invalid-request", "failure", "condition", ("ValidationException", "is of type int32"), RECOVERABLE
    ),
)
CONDITION_RETRIES: tuple[Acceptor, ...] = (Acceptor("recoverable", "retry", "condition", (), RECOVERABLE),)

# A Pipeline with a Recoverable error is not synced yet (a failed UpdatePipeline leaves Synced True).
PIPELINE_SYNCED = (
    *CONDITION_FAILURES,
    Acceptor("deleted", "failure", "gone"),
    *CONDITION_RETRIES,
    Acceptor("synced", "success", "synced"),
)
EXECUTION_STARTED = (
    *CONDITION_FAILURES,
    Acceptor("started", "success", "arn"),
    Acceptor("ended", "success", "status", FINAL_STATUSES),
    Acceptor("deleted", "failure", "gone"),
    *CONDITION_RETRIES,
)
RUN_ENDED = (
    Acceptor("ended", "success", "status", FINAL_STATUSES),
    *CONDITION_FAILURES,
    *CONDITION_RETRIES,
)
CR_RELEASED = (Acceptor("released", "success", "gone"),)


@dataclass(frozen=True)
class WaiterSpec:
    """One wait: its acceptors, the delay between looks, its timeout (None: no limit).

    ``settle``: how long a result from the lagging source waits for the fresh one to confirm it (a
    Pipeline's status from before our change; a run's end reported by the CR before SageMaker's steps).
    """

    name: str
    acceptors: tuple[Acceptor, ...]
    delay: float
    max_delay: float | None = None
    backoff: float = 1.0
    timeout: float | None = None
    settle: float = 0.0

    def decide(self, seen: Observation) -> Decision:
        return decide(self.acceptors, seen)

    def delay_for(self, attempt: int) -> float:
        """Seconds before look number ``attempt`` (0 first) when no news arrives."""
        wait = self.delay * self.backoff ** max(0, attempt)
        return min(wait, self.max_delay) if self.max_delay is not None else wait

    def expired(self, elapsed: float) -> bool:
        return self.timeout is not None and elapsed >= self.timeout

    def with_timeout(self, timeout: float | None) -> WaiterSpec:
        """The same wait with another timeout (None keeps this one)."""
        return self if timeout is None else replace(self, timeout=timeout)


@dataclass(frozen=True)
class Waiters:
    """Every wait of the project, for one environment."""

    pipeline_synced: WaiterSpec
    execution_started: WaiterSpec
    run_identity: WaiterSpec
    run_ended: WaiterSpec
    run_stopped: WaiterSpec
    cr_released: WaiterSpec


def waiters(*, tick: float, synced: float, started: float, identity: float, stopped: float) -> Waiters:
    return Waiters(
        pipeline_synced=WaiterSpec("pipeline_synced", PIPELINE_SYNCED, tick, timeout=synced, settle=10.0),
        execution_started=WaiterSpec("execution_started", EXECUTION_STARTED, tick, timeout=started),
        run_identity=WaiterSpec("run_identity", EXECUTION_STARTED, tick, timeout=identity),
        run_ended=WaiterSpec("run_ended", RUN_ENDED, 1.0, timeout=None, settle=5.0),
        run_stopped=WaiterSpec("run_stopped", RUN_ENDED, 1.0, timeout=stopped, settle=5.0),
        cr_released=WaiterSpec("cr_released", CR_RELEASED, tick, timeout=min(stopped, 60.0)),
    )


@dataclass(frozen=True)
class PollPolicy:
    """A named environment's waits (:attr:`waiters`) and how often to ask SageMaker about one execution.

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
    waiters: Waiters = field(
        default_factory=lambda: waiters(tick=0.5, synced=180.0, started=180.0, identity=30.0, stopped=900.0)
    )

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
    # Real AWS: at most 12 polls and 30 API calls a minute per execution in steady state; a stop may take
    # minutes while SageMaker stops the steps' jobs.
    "aws": PollPolicy(
        name="aws",
        interval=5.0,
        long_step_after=300.0,
        long_step_interval=30.0,
        throttle_backoff=2.0,
        max_backoff=120.0,
        max_polls_per_minute=12,
        max_calls_per_minute=30,
        waiters=waiters(tick=0.5, synced=180.0, started=180.0, identity=30.0, stopped=900.0),
    ),
    # The local emulators: poll fast, steps take fractions of a second, ARNs appear within a second.
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
        waiters=waiters(tick=0.5, synced=180.0, started=180.0, identity=10.0, stopped=120.0),
    ),
}


def poll_policy(name: str | PollPolicy | None) -> PollPolicy:
    """The named policy (``aws`` when unset); an unknown name is a mistake the user can fix."""
    if isinstance(name, PollPolicy):
        return name
    try:
        return POLICIES[name or "aws"]
    except KeyError:
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
