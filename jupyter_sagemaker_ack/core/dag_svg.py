"""A pipeline's DAG as a small standalone SVG, for a bundle's reviewer page (no browser, no faces).

Steps are placed in columns by their longest path from a start step, edges drawn as straight lines. It is
a picture to glance at beside the README, not the interactive graph of the panel.
"""

from __future__ import annotations

from html import escape

from .dag import Dag

_W, _H, _GAP_X, _GAP_Y = 180, 28, 60, 14
_MAX_LABEL = 24


def dag_svg(dag: Dag, title: str = "") -> str:
    """The SVG text of ``dag``; a cycle falls back to the steps' own order."""
    try:
        order = dag.topological_order()
    except ValueError:
        order = list(dag.nodes)
    column: dict[str, int] = {}
    for name in order:
        column[name] = max((column.get(p, 0) + 1 for p in dag.predecessors(name) if p in column), default=0)
    rows: dict[int, int] = {}
    place: dict[str, tuple[int, int]] = {}
    for name in order:
        c = column[name]
        r = rows.get(c, 0)
        rows[c] = r + 1
        place[name] = (20 + c * (_W + _GAP_X), 40 + r * (_H + _GAP_Y))
    width = 40 + (max(column.values(), default=0) + 1) * (_W + _GAP_X)
    height = 60 + max(rows.values(), default=1) * (_H + _GAP_Y)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<text x="20" y="22" font-weight="bold">{escape(title)}</text>',
    ]
    for edge in dag.edges:
        if edge.source in place and edge.target in place:
            (x1, y1), (x2, y2) = place[edge.source], place[edge.target]
            out.append(
                f'<line x1="{x1 + _W}" y1="{y1 + _H // 2}" x2="{x2}" y2="{y2 + _H // 2}" stroke="#888"/>'
            )
    for name in order:
        x, y = place[name]
        label = name if len(name) <= _MAX_LABEL else name[: _MAX_LABEL - 1] + "\u2026"
        out.append(
            f'<g><title>{escape(name)}</title><rect x="{x}" y="{y}" width="{_W}" height="{_H}" rx="4" '
            f'fill="#eef3fb" stroke="#3b6fb6"/><text x="{x + 8}" y="{y + 18}">{escape(label)}</text></g>'
        )
    out.append("</svg>\n")
    return "\n".join(out)
