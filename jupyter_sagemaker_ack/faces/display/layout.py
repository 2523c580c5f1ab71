"""Place the steps of a DAG on a grid by layers, in pure Python, for the server-side SVG picture.

The picture has to work where no JavaScript runs (Notebook 7 without the extension, VS Code, a static
HTML export), so the layout is computed here: each step sits one layer below its deepest predecessor,
and a barycentre sweep orders each layer to keep edges short. Good enough for pipelines of a few hundred
steps; the JupyterLab extension draws a richer picture itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

NODE_WIDTH = 180
NODE_HEIGHT = 36
LAYER_GAP = 48
NODE_GAP = 20
MARGIN = 12


@dataclass(frozen=True)
class Box:
    """Where one step is drawn: top-left corner, size and layer."""

    name: str
    x: int
    y: int
    layer: int
    width: int = NODE_WIDTH
    height: int = NODE_HEIGHT

    @property
    def top(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y)

    @property
    def bottom(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height)


@dataclass(frozen=True)
class Layout:
    boxes: Mapping[str, Box]
    edges: tuple[tuple[str, str, str], ...]
    width: int
    height: int


def layers_of(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Layer of each node: 0 for sources, else one more than its deepest predecessor.

    Edges that would close a cycle are ignored (the picture still shows every node; lint reports the cycle).
    """
    known = set(nodes)
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in edges:
        if source in known and target in known and source != target:
            preds[target].append(source)
    layer: dict[str, int] = {}
    visiting: set[str] = set()
    for start in nodes:
        stack = [start]
        while stack:
            node = stack[-1]
            if node in layer:
                stack.pop()
                continue
            visiting.add(node)
            pending = [p for p in preds[node] if p not in layer and p not in visiting]
            if pending:
                stack.extend(pending)
                continue
            done = [layer[p] for p in preds[node] if p in layer]
            layer[node] = max(done) + 1 if done else 0
            visiting.discard(node)
            stack.pop()
    return layer


def layout_dag(nodes: Sequence[str], edges: Sequence[tuple[str, str, str]]) -> Layout:
    """Positions for ``nodes`` (definition order) joined by ``edges`` (source, target, kind), top down."""
    layer = layers_of(nodes, ((s, t) for s, t, _ in edges))
    rows: dict[int, list[str]] = {}
    for name in nodes:
        rows.setdefault(layer[name], []).append(name)
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target, _ in edges:
        if source in preds and target in preds:
            preds[target].append(source)
    slot: dict[str, float] = {}
    for depth in sorted(rows):
        row = rows[depth]
        order = {name: i for i, name in enumerate(row)}

        def centre(name: str, order: Mapping[str, int] = order) -> tuple[float, int]:
            placed = [slot[p] for p in preds[name] if p in slot]
            return (sum(placed) / len(placed) if placed else float(order[name]), order[name])

        row.sort(key=centre)
        for i, name in enumerate(row):
            slot[name] = float(i)
    widest = max((len(r) for r in rows.values()), default=0)
    total_width = 2 * MARGIN + widest * NODE_WIDTH + max(widest - 1, 0) * NODE_GAP
    boxes: dict[str, Box] = {}
    for depth, row in rows.items():
        row_width = len(row) * NODE_WIDTH + (len(row) - 1) * NODE_GAP
        left = (total_width - row_width) // 2
        for i, name in enumerate(row):
            boxes[name] = Box(
                name=name,
                x=left + i * (NODE_WIDTH + NODE_GAP),
                y=MARGIN + depth * (NODE_HEIGHT + LAYER_GAP),
                layer=depth,
            )
    depth_count = len(rows)
    height = 2 * MARGIN + depth_count * NODE_HEIGHT + max(depth_count - 1, 0) * LAYER_GAP
    kept = tuple((s, t, k) for s, t, k in edges if s in boxes and t in boxes and s != t)
    return Layout(boxes=boxes, edges=kept, width=max(total_width, 2 * MARGIN), height=max(height, 2 * MARGIN))
