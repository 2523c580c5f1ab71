"""The DAG as a self-contained SVG string: nodes coloured by step state, edges styled by kind.

Used by the panel, the magics' rich output and every front end without the JupyterLab extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from .layout import Layout
from .states import colours

MAX_LABEL = 24
EDGE_STYLES: dict[str, str] = {
    "depends_on": 'stroke="#6b7280"',
    "property": 'stroke="#6b7280" stroke-dasharray="5 3"',
    "condition_if": 'stroke="#16a34a"',
    "condition_else": 'stroke="#dc2626"',
}


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "\u2026"


def render_svg(
    layout: Layout,
    states: Mapping[str, str] | None = None,
    types: Mapping[str, str] | None = None,
) -> str:
    """SVG of ``layout``; ``states`` maps step name -> state (colour), ``types`` step name -> step type."""
    states = states or {}
    types = types or {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sma-dag" width="{layout.width}" '
        f'height="{layout.height}" viewBox="0 0 {layout.width} {layout.height}" '
        'font-family="sans-serif" font-size="12" role="img" aria-label="pipeline steps">',
        '<defs><marker id="sma-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7280"/>'
        "</marker></defs>",
    ]
    for source, target, kind in layout.edges:
        a, b = layout.boxes[source], layout.boxes[target]
        (x1, y1), (x2, y2) = a.bottom, b.top
        if b.layer <= a.layer:  # an edge back up (only in a cyclic definition): route beside the boxes
            x1, y1 = a.x + a.width, a.y + a.height / 2
            x2, y2 = b.x + b.width, b.y + b.height / 2
        mid = (y1 + y2) / 2
        style = EDGE_STYLES.get(kind, EDGE_STYLES["depends_on"])
        parts.append(
            f'<path d="M {x1:.0f} {y1:.0f} C {x1:.0f} {mid:.0f}, {x2:.0f} {mid:.0f}, {x2:.0f} {y2:.0f}" '
            f'fill="none" {style} stroke-width="1.3" marker-end="url(#sma-arrow)"/>'
        )
    for name, box in layout.boxes.items():
        state = states.get(name)
        fill, stroke, text = colours(state)
        title = escape(name) + (f" ({escape(types[name])})" if name in types else "")
        if state:
            title += f": {escape(state)}"
        parts.append(
            f'<g class="sma-node" data-step="{escape(name)}" data-state="{escape(state or "")}">'
            f"<title>{title}</title>"
            f'<rect x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
            f'<text x="{box.x + box.width / 2:.0f}" y="{box.y + 15}" text-anchor="middle" fill="{text}" '
            f'font-weight="600">{escape(_label(name))}</text>'
            f'<text x="{box.x + box.width / 2:.0f}" y="{box.y + 29}" text-anchor="middle" fill="{text}" '
            f'font-size="10">{escape(state or types.get(name, ""))}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
