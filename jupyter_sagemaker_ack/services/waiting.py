"""Waiting for one ACK object by watch, decided by a core waiter spec (``core.status.waiting``).

Submit waits for a Pipeline to be synced and for a new run's ARN; stop waits for a just-created run's ARN
before deleting it. Each is one :func:`wait_for_object` with its own :class:`~..core.status.WaiterSpec`:
the spec says how long, how often to look again without news, and which observation ends the wait.
What an observation means in words (the error and fix a user reads) stays with the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..adapters.kube import KubeCluster, follow
from ..core.status.parse import parse_conditions
from ..core.status.waiting import Decision, Observation, WaiterSpec


@dataclass(frozen=True)
class WaitResult:
    """How a wait ended: the deciding ``decision`` (state None when it timed out), the last object seen
    (None once gone), and the last ``retry`` reason shown while waiting."""

    decision: Decision
    obj: Mapping[str, Any] | None
    waiting_reason: str | None = None

    @property
    def timed_out(self) -> bool:
        return not self.decision.done


def observe_cr(obj: Mapping[str, Any] | None, status_field: str) -> Observation:
    """An ACK CR as a waiter sees it: its ARN, its status field, its conditions (gone when None)."""
    if obj is None:
        return Observation(gone=True)
    status = obj.get("status") or {}
    arn = (status.get("ackResourceMetadata") or {}).get("arn")
    return Observation(
        status=str(status.get(status_field)) if status.get(status_field) else None,
        arn=str(arn) if arn else None,
        conditions=parse_conditions(status.get("conditions")),
    )


def wait_for_object(
    cluster: KubeCluster,
    kind: str,
    namespace: str,
    name: str,
    spec: WaiterSpec,
    *,
    status_field: str,
    current: Mapping[str, Any] | None = None,
    counts: Callable[[Mapping[str, Any], bool, float], bool] = lambda obj, event, elapsed: event,
    on_wait: Callable[[str], None] | None = None,
) -> WaitResult:
    """Follow the object until ``spec``'s acceptors decide, or its timeout.

    ``counts(obj, is_event, elapsed)`` says whether an observation is current enough to decide on (a quiet
    look re-judges the last object seen); ``on_wait`` hears each new ``retry`` reason.
    """
    started = time.monotonic()
    last: Mapping[str, Any] | None = current
    reason: str | None = None
    for event in follow(cluster, kind, namespace, name, timeout=spec.timeout, delay=spec.delay_for):
        elapsed = time.monotonic() - started
        if event is not None:
            if event.type == "DELETED" or event.obj is None:
                return WaitResult(spec.decide(Observation(gone=True)), None, reason)
            last = event.obj
        if last is None or not counts(last, event is not None, elapsed):
            continue
        decision = spec.decide(observe_cr(last, status_field))
        if decision.done:
            return WaitResult(decision, last, reason)
        if decision.state == "retry" and decision.message != reason:
            reason = decision.message
            if on_wait is not None and reason:
                on_wait(reason)
    return WaitResult(Decision(None), last, reason)
