"""How a run ended, and why: from its execution status, failure reason and ACK conditions.

Never from ``ACK.ResourceSynced`` or ``Ready`` alone: Synced is True for Failed and Stopped runs too, and
Ready is True for a Failed run (notes/ack-controller.md). The rule for conditions is the waiters' rule, the
``run_ended`` acceptors of :mod:`.waiting`, so a wait and a status can never disagree about a condition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .snapshots import Condition
from .waiting import CONDITION_FAILURES, RUN_ENDED, Observation, decide


@dataclass(frozen=True)
class Outcome:
    """How a run ended (``value`` None while it has not), and why; ``waiting_reason`` while it waits on a
    Recoverable error the controller retries."""

    value: str | None
    failure_reason: str | None = None
    waiting_reason: str | None = None


def fatal_condition(conditions: Iterable[Condition]) -> Condition | None:
    """The condition that means the controller will not get any further on its own, if any."""
    return decide(CONDITION_FAILURES, Observation(conditions=tuple(conditions))).condition


def decide_outcome(
    status: str | None,
    failure_reason: str | None = None,
    conditions: Iterable[Condition] = (),
    *,
    status_is_fresh: bool = False,
) -> Outcome:
    """The outcome of a run from its execution status, failure reason and ACK conditions.

    ``status_is_fresh`` says the status came from SageMaker itself: then a condition on the (lagging) CR
    does not override a run SageMaker reports as still going.
    """
    seen = Observation(status=status, conditions=tuple(conditions), status_is_fresh=status_is_fresh)
    decision = decide(RUN_ENDED, seen)
    if decision.acceptor is not None and decision.acceptor.matcher == "status" and status is not None:
        reason = failure_reason if status == "Failed" else None
        return Outcome(status, reason or ("The execution failed." if status == "Failed" else None))
    if decision.state == "failure":
        return Outcome("Failed", decision.message)
    if decision.state == "retry":
        return Outcome(None, waiting_reason=decision.message)
    return Outcome(None)
