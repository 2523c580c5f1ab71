"""The DAG as a self-contained SVG string: the static fallback of the extension's DAG view.

Drawn like the live view (labextension/src/dagview.ts) from the same tables: boxes coloured by step state
and labelled with the state's icon and name (so state never rests on colour alone), edges styled by kind
and routed around the boxes. Used where no JavaScript runs: saved outputs in nbconvert, static viewers.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from .layout import Layout, path_of, truncate_label
from .states import colours, edge_style, style_of, table

_SIZES = table()["layout"]
NAME_FONT_PX: int = _SIZES["nameFontPx"]
LINE_FONT_PX: int = _SIZES["lineFontPx"]
EDGE_KIND_ORDER = ("condition_if", "condition_else", "property")


def main_kind(kinds: tuple[str, ...]) -> str:
    """The kind that decides how an edge with several kinds is drawn (as the extension decides it)."""
    for kind in EDGE_KIND_ORDER:
        if kind in kinds:
            return kind
    return kinds[0] if kinds else "depends_on"


def second_line(state: str | None, type_: str, branch: str | None = None) -> str:
    """Icon and state under a run; the step type (and branch) without one."""
    if state:
        return f"{style_of(state).icon} {state}"
    return f"{type_} ({branch})" if branch else type_


def render_svg(
    layout: Layout,
    states: Mapping[str, str] | None = None,
    types: Mapping[str, str] | None = None,
    branches: Mapping[str, str] | None = None,
) -> str:
    """SVG of ``layout``; ``states`` maps step name -> state, ``types`` step -> type, ``branches`` step -> if/else."""
    states = states or {}
    types = types or {}
    branches = branches or {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sma-dag" width="{layout.width}" '
        f'height="{layout.height}" viewBox="0 0 {layout.width} {layout.height}" '
        f'font-family="sans-serif" font-size="{NAME_FONT_PX}" role="img" aria-label="pipeline steps">',
        '<defs><marker id="sma-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#616161"/>'
        "</marker></defs>",
    ]
    for route in layout.routes:
        kind = main_kind(route.kinds)
        stroke, dash = edge_style(kind)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<path class="sma-edge sma-edge-{kind}" d="{path_of(route)}" fill="none" stroke="{stroke}"{dashed} '
            f'stroke-width="1.5" marker-end="url(#sma-arrow)" data-source="{escape(route.source)}" '
            f'data-target="{escape(route.target)}"><title>{escape(route.source)} \u2192 {escape(route.target)} '
            f"({escape(', '.join(route.kinds))})</title></path>"
        )
    for name, box in layout.boxes.items():
        state = states.get(name)
        fill, stroke, text = colours(state)
        title = escape(name) + (f" ({escape(types[name])})" if types.get(name) else "")
        if state:
            title += f": {escape(state)}"
        line = second_line(state, truncate_label(types.get(name, "")), branches.get(name))
        running = state is not None and style_of(state).tone == "running"
        parts.append(
            f'<g class="sma-node" data-step="{escape(name)}" data-state="{escape(state or "")}">'
            f"<title>{title}</title>"
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width}" height="{box.height}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{2.5 if running else 1.5}"/>'
            f'<text x="{box.x + box.width / 2:.1f}" y="{box.y + 20:.1f}" text-anchor="middle" fill="{text}" '
            f'font-size="{NAME_FONT_PX}" font-weight="600">{escape(truncate_label(name))}</text>'
            f'<text x="{box.x + box.width / 2:.1f}" y="{box.y + 37:.1f}" text-anchor="middle" '
            f'fill="{text if state else "#546e7a"}" font-size="{LINE_FONT_PX}">{escape(line)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
