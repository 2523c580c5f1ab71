"""Run snapshots as the faces use them: plain dicts in the wire shape of docs/CONTRACTS.md.

The watch service yields ``RunSnapshot`` objects; the panel, the magics and the MIME bundle all want the
JSON shape, so every snapshot passes through :func:`as_wire` once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .states import NOT_RUN, is_final, tone_of


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


def shown_state(status: Any, outcome: Any) -> str:
    """A step's state as shown: still Pending when the run has ended means it never ran (the other branch)."""
    state = str(status or "Pending")
    return NOT_RUN if outcome and tone_of(state) == "pending" else state


def _over(snapshot: Mapping[str, Any]) -> bool:
    return bool(snapshot.get("outcome")) or is_final(snapshot.get("status"))


def step_states(snapshot: Mapping[str, Any] | None, names: Sequence[str] = ()) -> dict[str, str]:
    """The state of every step as the extension shows it (``stepStates`` in snapshots.ts): the reported one,
    else Pending while the run is live and Not run once it is over; nothing without a run."""
    if not snapshot:
        return {}
    over = _over(snapshot)
    states = dict.fromkeys(names, NOT_RUN if over else "Pending")
    for s in snapshot.get("steps") or []:
        states[str(s.get("name"))] = shown_state(s.get("status"), over)
    return states


_STARTED = frozenset({"running", "stopping", "succeeded", "failed", "stopped"})


def not_taken(
    nodes: Sequence[Mapping[str, Any]], snapshot: Mapping[str, Any], states: Mapping[str, str]
) -> set[str]:
    """The steps a run passed by, the extension's rule (``notTakenSteps`` in snapshots.ts): once the run has
    succeeded, every step that never ran; while it runs, the steps of one branch of a condition that
    succeeded when a step of its other branch has started."""

    def waiting(name: str) -> bool:
        return tone_of(states.get(name)) not in _STARTED

    outcome = snapshot.get("outcome")
    succeeded = outcome == "Succeeded" or (not outcome and tone_of(snapshot.get("status")) == "succeeded")
    skipped: set[str] = set()
    for node in nodes:
        name = str(node.get("name"))
        if not waiting(name):
            continue
        parent = node.get("parent")
        if succeeded or (
            parent
            and tone_of(states.get(str(parent))) == "succeeded"
            and any(
                o.get("parent") == parent
                and o.get("branch") != node.get("branch")
                and not waiting(str(o.get("name")))
                for o in nodes
            )
        ):
            skipped.add(name)
    return skipped


def progress(
    snapshot: Mapping[str, Any] | None,
    total_steps: int = 0,
    nodes: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[int, int]:
    """(done steps, total steps) for the progress bar: finished steps and steps in a branch not taken.

    With the DAG's ``nodes`` it counts as the extension does; without, from the snapshot's counts.
    """
    if not snapshot:
        return 0, total_steps or len(nodes or ())
    steps = snapshot.get("steps") or []
    if nodes:
        states = step_states(snapshot, [str(n.get("name")) for n in nodes])
        finished = sum(1 for n in nodes if tone_of(states.get(str(n.get("name")))) in ("succeeded", "failed"))
        return finished + len(not_taken(nodes, snapshot, states)), len(nodes)
    counts = snapshot.get("progress") or {}
    total = int(counts.get("total") or 0) or total_steps or len(steps)
    if counts:
        done = int(counts.get("succeeded") or 0) + int(counts.get("failed") or 0)
    else:
        done = sum(1 for s in steps if tone_of(s.get("status")) in ("succeeded", "failed"))
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
