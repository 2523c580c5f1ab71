"""The status conditions the ACK runtime writes, rebuilt the way it builds them.

These rules come from ACK runtime v0.62 (``pkg/condition``, ``reconciler.ensureConditions``) and the code the
ACK code generator writes for the SageMaker controller (``updateConditions``, ``SetSyncedCondition``):

- every reconcile that syncs starts from an empty list;
- a successful AWS call adds no Synced condition itself; ``ensureConditions`` then sets
  ``ACK.ResourceSynced=True`` "Resource synced successfully" (reason "") when no hook set it; a
  PipelineExecution's read sets it from the run status ("PipelineExecution is in Executing status.", False
  while Executing or Stopping, True otherwise, so a Failed run is Synced);
- an error with a terminal AWS code sets ``ACK.Terminal=True``, any other error ``ACK.Recoverable=True``;
  Synced is then False ("Resource not synced") after a terminal error and Unknown after any other;
- ``Ready`` is False with the Terminal or Recoverable message when one is True, else it mirrors Synced.

Conditions without a transition time are the ones the generated ``updateConditions`` creates; the runtime's
setters stamp one.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

SYNCED = "ACK.ResourceSynced"
TERMINAL = "ACK.Terminal"
RECOVERABLE = "ACK.Recoverable"
READY = "Ready"

NOT_MANAGED_MESSAGE = "Resource already exists"
NOT_MANAGED_REASON = (
    "This resource already exists but is not managed by ACK. To bring the resource under ACK management, "
    "you should explicitly adopt the resource by enabling the ResourceAdoption feature gate and populating "
    "the `services.k8s.aws/adoption-policy` and `services.k8s.aws/adoption-fields` annotations."
)
UNKNOWN_SYNCED_MESSAGE = "Unable to determine if desired resource state matches latest observed state"
NOT_SYNCED_MESSAGE = "Resource not synced"
TERMINAL_ERROR = "resource is in terminal condition"
MODIFYING_EXECUTION_STATUSES = ("Executing", "Stopping")


def now_rfc3339() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def find(conditions: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    for item in conditions:
        if item.get("type") == kind:
            return item
    return None


def set_condition(
    conditions: list[dict[str, Any]],
    kind: str,
    status: str,
    message: str | None = None,
    reason: str | None = None,
) -> None:
    """The runtime's ``SetSynced``/``SetReady``/``SetTerminal``: update or append, stamping the time."""
    item = find(conditions, kind)
    if item is None:
        item = {"type": kind}
        conditions.append(item)
    item.clear()
    item.update({"type": kind, "status": status, "lastTransitionTime": now_rfc3339()})
    if message is not None:
        item["message"] = message
    if reason is not None:
        item["reason"] = reason


def set_execution_synced(conditions: list[dict[str, Any]], execution_status: str | None) -> None:
    """The SageMaker controller's ``SetSyncedCondition`` for a PipelineExecution read."""
    if execution_status is None:
        return
    status = "False" if execution_status in MODIFYING_EXECUTION_STATUSES else "True"
    set_condition(conditions, SYNCED, status, f"PipelineExecution is in {execution_status} status.")


def on_success(conditions: list[dict[str, Any]]) -> None:
    """Generated ``updateConditions(onSuccess=true)``: clear Terminal/Recoverable (it never adds Synced)."""
    for kind in (TERMINAL, RECOVERABLE):
        item = find(conditions, kind)
        if item is not None:
            item["status"] = "False"
            item.pop("message", None)


def on_error(conditions: list[dict[str, Any]], message: str, terminal: bool) -> None:
    """Generated ``updateConditions(onSuccess=false, err)``: a Terminal or a Recoverable condition."""
    kind = TERMINAL if terminal else RECOVERABLE
    if not terminal:
        item = find(conditions, TERMINAL)
        if item is not None:
            item["status"] = "False"
            item.pop("message", None)
    item = find(conditions, kind)
    if item is None:
        item = {"type": kind}
        conditions.append(item)
    item["status"] = "True"
    item["message"] = message


def ensure(conditions: list[dict[str, Any]], error: str | None, terminal: bool) -> None:
    """The runtime's ``ensureConditions`` at the end of a sync: Synced if nothing set it, then Ready."""
    if find(conditions, SYNCED) is None:
        if error is None:
            set_condition(conditions, SYNCED, "True", "Resource synced successfully", "")
        elif terminal:
            set_condition(conditions, SYNCED, "False", NOT_SYNCED_MESSAGE, TERMINAL_ERROR)
        else:
            set_condition(conditions, SYNCED, "Unknown", UNKNOWN_SYNCED_MESSAGE, error)
    terminal_item = find(conditions, TERMINAL)
    recoverable_item = find(conditions, RECOVERABLE)
    synced = find(conditions, SYNCED)
    if terminal_item is not None and terminal_item.get("status") == "True":
        set_condition(conditions, READY, "False", terminal_item.get("message"), TERMINAL)
    elif recoverable_item is not None and recoverable_item.get("status") == "True":
        set_condition(conditions, READY, "False", recoverable_item.get("message"), RECOVERABLE)
    elif synced is not None:
        set_condition(conditions, READY, str(synced["status"]), synced.get("message"), synced.get("reason"))
    else:
        set_condition(conditions, READY, "Unknown", UNKNOWN_SYNCED_MESSAGE)
