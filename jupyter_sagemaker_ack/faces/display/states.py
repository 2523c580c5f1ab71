"""Step and run states: their colours and which of them are finished, shared by the picture and the table."""

from __future__ import annotations

# state -> (fill, stroke, text colour); unknown states are drawn like Pending
STATE_COLOURS: dict[str, tuple[str, str, str]] = {
    "Pending": ("#f3f4f6", "#9ca3af", "#374151"),
    "Starting": ("#dbeafe", "#3b82f6", "#1e3a8a"),
    "Executing": ("#bfdbfe", "#2563eb", "#1e3a8a"),
    "Stopping": ("#fef3c7", "#d97706", "#78350f"),
    "Stopped": ("#fde68a", "#b45309", "#78350f"),
    "Failed": ("#fecaca", "#dc2626", "#7f1d1d"),
    "Succeeded": ("#bbf7d0", "#16a34a", "#14532d"),
    "Not run": ("#ffffff", "#d1d5db", "#9ca3af"),
}
NO_STATE = ("#ffffff", "#6b7280", "#111827")
FINISHED = frozenset({"Succeeded", "Failed", "Stopped"})
RUNNING = frozenset({"Starting", "Executing", "Stopping"})


def colours(state: str | None) -> tuple[str, str, str]:
    if state is None:
        return NO_STATE
    return STATE_COLOURS.get(state, STATE_COLOURS["Pending"])
