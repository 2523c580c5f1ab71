"""Step and run states: their colours, icons and which of them are finished, for the static picture and tables.

The table itself is ``states.json`` beside this module, the one the JupyterLab extension is generated from
(``labextension/src/statetable.ts``), so the static SVG and the live view colour and name states alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

NOT_RUN = "Not run"


@dataclass(frozen=True)
class StateStyle:
    """How one tone is drawn: box fill, border, text colour, a glyph and a label that say it without colour."""

    tone: str
    fill: str
    stroke: str
    text: str
    icon: str
    label: str


@cache
def table() -> dict[str, Any]:
    """The shared state table (states.json), read once."""
    text = resources.files(__package__).joinpath("states.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def tone_of(state: str | None) -> str:
    """The tone of a run or step state as the wire spells it (case-insensitive; anything else is unknown)."""
    if not state:
        return "unknown"
    lowered = {name.lower(): tone for name, tone in table()["states"].items()}
    return str(lowered.get(state.lower(), "unknown"))


def style_of(state: str | None) -> StateStyle:
    tone = tone_of(state)
    entry = table()["tones"][tone]
    return StateStyle(tone, entry["fill"], entry["stroke"], entry["text"], entry["icon"], entry["label"])


def colours(state: str | None) -> tuple[str, str, str]:
    """(fill, stroke, text colour) of a state; no state at all is a pipeline's structure without a run."""
    if state is None:
        none = table()["noState"]
        return none["fill"], none["stroke"], none["text"]
    style = style_of(state)
    return style.fill, style.stroke, style.text


def edge_style(kind: str) -> tuple[str, str]:
    """(stroke colour, dash pattern) of an edge kind; unknown kinds are drawn like ``depends_on``."""
    edges = table()["edges"]
    entry = edges.get(kind, edges["depends_on"])
    return entry["stroke"], entry["dash"]


def is_final(state: str | None) -> bool:
    return tone_of(state) in table()["final"]


# Kept for callers that colour a known state by name (fill, stroke, text).
STATE_COLOURS: dict[str, tuple[str, str, str]] = {name: colours(name) for name in table()["states"]}
NO_STATE = colours(None)
FINISHED = frozenset(name for name in table()["states"] if is_final(name))
RUNNING = frozenset(name for name, tone in table()["states"].items() if tone in ("running", "stopping"))
