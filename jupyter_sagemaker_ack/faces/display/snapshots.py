"""Run snapshots as the faces use them: plain dicts in the wire shape of docs/CONTRACTS.md.

The watch service yields ``RunSnapshot`` objects; the panel, the magics and the MIME bundle all want the
JSON shape, so every snapshot passes through :func:`as_wire` once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any


def as_wire(snapshot: Any) -> dict[str, Any]:
    """The wire-shape dict of a RunSnapshot (object with ``to_wire``/``to_dict``, dataclass or mapping)."""
    for method in ("to_wire", "to_dict", "to_json"):
        convert = getattr(snapshot, method, None)
        if callable(convert):
            value = convert()
            if isinstance(value, Mapping):
                return dict(value)
    if isinstance(snapshot, Mapping):
        return dict(snapshot)
    if dataclasses.is_dataclass(snapshot) and not isinstance(snapshot, type):
        return dataclasses.asdict(snapshot)
    raise TypeError(f"not a run snapshot: {type(snapshot).__name__}")


NOT_RUN = "Not run"


def shown_state(status: Any, outcome: Any) -> str:
    """A step's state as shown: still Pending when the run has ended means it never ran (the other branch)."""
    state = str(status or "Pending")
    return NOT_RUN if outcome and state == "Pending" else state


def step_states(snapshot: Mapping[str, Any] | None) -> dict[str, str]:
    if not snapshot:
        return {}
    outcome = snapshot.get("outcome")
    return {str(s.get("name")): shown_state(s.get("status"), outcome) for s in snapshot.get("steps") or []}


def progress(snapshot: Mapping[str, Any] | None, total_steps: int = 0) -> tuple[int, int]:
    """(finished steps, total steps) for the progress bar."""
    if not snapshot:
        return 0, total_steps
    counts = snapshot.get("progress") or {}
    steps = snapshot.get("steps") or []
    total = int(counts.get("total") or 0) or total_steps or len(steps)
    if counts:
        done = int(counts.get("succeeded") or 0) + int(counts.get("failed") or 0)
    else:
        done = sum(1 for s in steps if s.get("status") in ("Succeeded", "Failed"))
    if snapshot.get("outcome") == "Succeeded":
        done = total
    return min(done, total), total


def parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def duration(start: Any, end: Any, now: datetime | None = None) -> str:
    """``1m 05s`` between two ISO times (to ``now`` while running); empty when not started."""
    begun = parse_time(start)
    if begun is None:
        return ""
    finished = parse_time(end) or now
    if finished is None:
        return ""
    if finished.tzinfo is None and begun.tzinfo is not None:
        finished = finished.replace(tzinfo=begun.tzinfo)
    seconds = max(int((finished - begun).total_seconds()), 0)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def short_time(value: Any) -> str:
    parsed = parse_time(value)
    return parsed.strftime("%H:%M:%S") if parsed else ""
