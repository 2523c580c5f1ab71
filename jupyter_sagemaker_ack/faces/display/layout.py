"""Place the steps of a DAG by the extension's layout rules, in pure Python, for the static SVG picture.

The live views draw with the JupyterLab extension's TypeScript DAG view; this picture is the fallback where
no JavaScript runs (a saved notebook in nbconvert, a static viewer). It follows the same rules, from the
same table (``states.json``: box sizes, gaps), step for step as ``labextension/src/layout.ts`` does, so
both draw the same picture (a test compares ranks and positions on the example pipelines): ranks by
:func:`rank_steps`, a slot for an edge in every rank it skips, order by barycentre sweeps, positions pulled
towards the neighbours, and edge routes through those slots, so an edge never crosses a box.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .states import table

_SIZES = table()["layout"]
NODE_HEIGHT: int = _SIZES["nodeHeight"]
NODE_SEP: float = _SIZES["nodeSep"]
EDGE_SEP: float = _SIZES["edgeSep"]
RANK_SEP: float = _SIZES["rankSep"]
MARGIN: float = _SIZES["margin"]
MAX_LABEL: int = _SIZES["maxLabelChars"]
_SWEEPS = 4

Point = tuple[float, float]


def truncate_label(text: str, max_chars: int = MAX_LABEL) -> str:
    """A label no wider than the box allows, with an ellipsis when cut (as the extension cuts it)."""
    return text if len(text) <= max_chars else text[: max_chars - 1] + "\u2026"


def node_width(name: str, type_: str) -> int:
    """The box width for a step's name and its second line, by the extension's formula."""
    name_width = len(truncate_label(name)) * _SIZES["nameCharWidth"]
    line_width = max(len(truncate_label(type_)), _SIZES["minLineChars"]) * _SIZES["lineCharWidth"]
    return max(int(_SIZES["minNodeWidth"]), _ceil(max(name_width, line_width) + _SIZES["padding"]))


def _ceil(value: float) -> int:
    whole = int(value)
    return whole if whole == value else whole + 1


@dataclass(frozen=True)
class Box:
    """Where one step is drawn: top-left corner, size and rank (``layer``)."""

    name: str
    x: float
    y: float
    layer: int
    width: float = 128
    height: float = NODE_HEIGHT

    @property
    def centre(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height / 2)

    @property
    def top(self) -> Point:
        return (self.x + self.width / 2, self.y)

    @property
    def bottom(self) -> Point:
        return (self.x + self.width / 2, self.y + self.height)


@dataclass(frozen=True)
class Route:
    """One drawn edge: every kind linking the pair, its points, and whether it closes a cycle."""

    source: str
    target: str
    kinds: tuple[str, ...]
    points: tuple[Point, ...]
    back: bool = False


@dataclass(frozen=True)
class Layout:
    boxes: Mapping[str, Box]
    edges: tuple[tuple[str, str, str], ...]
    width: float
    height: float
    routes: tuple[Route, ...] = field(default=())


def drawable_edges(
    names: Sequence[str], edges: Iterable[tuple[str, str, str]]
) -> list[tuple[str, str, list[str]]]:
    """One edge per ordered pair of known, distinct steps, carrying every kind that links them."""
    known = set(names)
    pairs: dict[tuple[str, str], list[str]] = {}
    for source, target, kind in edges:
        if source in known and target in known and source != target:
            kinds = pairs.setdefault((source, target), [])
            if kind not in kinds:
                kinds.append(kind)
    return [(s, t, k) for (s, t), k in pairs.items()]


def rank_steps(
    names: Sequence[str], edges: Iterable[tuple[str, str]]
) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """The ranking rule shared with the extension (``rankSteps`` in labextension/src/layout.ts).

    1. Edges that close a cycle are set aside: depth first from each step in definition order, successors
       in edge order; an edge to a step still on the path closes a cycle.
    2. Every step sits one rank below its deepest predecessor (sources at rank 0).
    3. A source with successors moves down to just above its nearest successor.
    Returns the rank of every step and the set-aside edges.
    """
    successors: dict[str, list[str]] = {n: [] for n in names}
    for source, target in edges:
        if source in successors and target in successors and source != target:
            successors[source].append(target)
    back: set[tuple[str, str]] = set()
    done: set[str] = set()
    on_path: set[str] = set()
    order: list[str] = []
    for start in names:
        if start in done:
            continue
        stack = [(start, iter(successors[start]))]
        on_path.add(start)
        while stack:
            node, pending = stack[-1]
            nxt = next(pending, None)
            if nxt is None:
                stack.pop()
                on_path.discard(node)
                done.add(node)
                order.append(node)
            elif nxt in on_path:
                back.add((node, nxt))
            elif nxt not in done:
                on_path.add(nxt)
                stack.append((nxt, iter(successors[nxt])))
    order.reverse()
    predecessors: dict[str, list[str]] = {n: [] for n in names}
    for source, targets in successors.items():
        for target in targets:
            if (source, target) not in back:
                predecessors[target].append(source)
    ranks: dict[str, int] = {}
    for name in order:
        above = [ranks[p] for p in predecessors[name]]
        ranks[name] = max(above) + 1 if above else 0
    for name in names:
        below = [ranks[t] for t in successors[name] if (name, t) not in back]
        if not predecessors[name] and below:
            ranks[name] = min(below) - 1
    return ranks, back


def layers_of(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Rank of each step (see :func:`rank_steps`); a cycle's closing edge is ignored, every step is kept."""
    return rank_steps(nodes, edges)[0]


@dataclass
class _Item:
    """A step, or a slot an edge takes in a rank it skips (``edge`` set, no width)."""

    key: str
    rank: int
    width: float
    edge: tuple[str, str] | None = None
    up: list[_Item] = field(default_factory=list)
    down: list[_Item] = field(default_factory=list)
    x: float = 0.0
    pos: float = 0.0


def _separation(a: _Item, b: _Item) -> float:
    gap_a = EDGE_SEP if a.edge else NODE_SEP
    gap_b = EDGE_SEP if b.edge else NODE_SEP
    return a.width / 2 + gap_a / 2 + gap_b / 2 + b.width / 2


def _order(rows: list[list[_Item]]) -> None:
    """Barycentre sweeps, down then up: each item moves to the mean position of its neighbours."""

    def reorder(row: list[_Item], neighbours_of: str) -> None:
        def key(item: _Item) -> tuple[float, float]:
            near: list[_Item] = getattr(item, neighbours_of)
            return (sum(n.pos for n in near) / len(near) if near else item.pos, item.pos)

        row.sort(key=key)
        for i, item in enumerate(row):
            item.pos = float(i)

    for row in rows:
        for i, item in enumerate(row):
            item.pos = float(i)
    for _ in range(_SWEEPS):
        for row in rows[1:]:
            reorder(row, "up")
        for row in reversed(rows[:-1]):
            reorder(row, "down")


def _place(rows: list[list[_Item]]) -> None:
    """x of every item: packed, then pulled towards its neighbours' mean while keeping the gaps."""

    def settle(row: list[_Item], desired: list[float]) -> None:
        left = list(desired)
        for i in range(1, len(row)):
            left[i] = max(desired[i], left[i - 1] + _separation(row[i - 1], row[i]))
        right = list(desired)
        for i in range(len(row) - 2, -1, -1):
            right[i] = min(desired[i], right[i + 1] - _separation(row[i], row[i + 1]))
        # both keep every gap, so their mean does
        for i, item in enumerate(row):
            item.x = (left[i] + right[i]) / 2

    for row in rows:
        settle(row, [0.0] * len(row))
    for sweep in range(2 * _SWEEPS):
        ordered = rows[1:] if sweep % 2 == 0 else list(reversed(rows[:-1]))
        side = "up" if sweep % 2 == 0 else "down"
        for row in ordered:
            desired = []
            for item in row:
                near: list[_Item] = getattr(item, side)
                desired.append(sum(n.x for n in near) / len(near) if near else item.x)
            settle(row, desired)


def layout_dag(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str, str]],
    types: Mapping[str, str] | None = None,
) -> Layout:
    """Positions for ``nodes`` (definition order) joined by ``edges`` (source, target, kind), top down."""
    types = types or {}
    names = list(dict.fromkeys(nodes))
    pairs = drawable_edges(names, edges)
    ranks, back = rank_steps(names, ((s, t) for s, t, _ in pairs))
    items = {n: _Item(n, ranks[n], node_width(n, types.get(n, ""))) for n in names}
    rows: list[list[_Item]] = [[] for _ in range(max(ranks.values(), default=-1) + 1)]
    for name in names:
        rows[ranks[name]].append(items[name])
    chains: dict[tuple[str, str], list[_Item]] = {}
    for source, target, _ in pairs:
        if (source, target) in back:
            continue
        previous = items[source]
        chain: list[_Item] = []
        for rank in range(ranks[source] + 1, ranks[target]):
            slot = _Item(f"{source}\u0000{target}\u0000{rank}", rank, 0.0, edge=(source, target))
            rows[rank].append(slot)
            chain.append(slot)
            previous.down.append(slot)
            slot.up.append(previous)
            previous = slot
        previous.down.append(items[target])
        items[target].up.append(previous)
        chains[(source, target)] = chain
    _order(rows)
    _place(rows)
    everything = [item for row in rows for item in row]
    left = min((i.x - i.width / 2 for i in everything), default=0.0)
    right = max((i.x + i.width / 2 for i in everything), default=0.0)
    shift = MARGIN - left

    def centre_y(rank: int) -> float:
        return MARGIN + rank * (NODE_HEIGHT + RANK_SEP) + NODE_HEIGHT / 2

    boxes = {
        n: Box(
            name=n,
            x=round(items[n].x + shift - items[n].width / 2, 1),
            y=centre_y(ranks[n]) - NODE_HEIGHT / 2,
            layer=ranks[n],
            width=items[n].width,
        )
        for n in names
    }
    routes: list[Route] = []
    for source, target, kinds in pairs:
        a, b = boxes[source], boxes[target]
        if (source, target) in back:
            ay = a.centre[1]
            by = b.centre[1]
            bulge = max(a.x + a.width, b.x + b.width) + 40
            points: tuple[Point, ...] = ((a.x + a.width, ay), (bulge, (ay + by) / 2), (b.x + b.width, by))
            routes.append(Route(source, target, tuple(kinds), points, back=True))
            continue
        route: list[Point] = [a.bottom]
        for slot in chains[(source, target)]:
            y = centre_y(slot.rank)
            route += [(slot.x + shift, y - NODE_HEIGHT / 2), (slot.x + shift, y + NODE_HEIGHT / 2)]
        route.append(b.top)
        routes.append(Route(source, target, tuple(kinds), tuple(route)))
    depth = len(rows)
    height = 2 * MARGIN + depth * NODE_HEIGHT + max(depth - 1, 0) * RANK_SEP
    width = right - left + 2 * MARGIN + (48 if back else 0)
    kept = tuple((s, t, k) for s, t, k in edges if s in boxes and t in boxes and s != t)
    return Layout(
        boxes=boxes,
        edges=kept,
        width=max(_ceil(width), 2 * MARGIN) if names else 0,
        height=max(_ceil(height), 2 * MARGIN) if names else 0,
        routes=tuple(routes),
    )


def _fmt(p: Point) -> str:
    return f"{p[0]:.1f},{p[1]:.1f}"


def routed_path(points: Sequence[Point]) -> str:
    """The SVG path of a routed edge, as the extension draws it: S-bends between ranks whose control points
    stay between the ranks, straight runs through the ranks it skips."""
    if not points:
        return ""
    d = f"M{_fmt(points[0])}"
    for i in range(1, len(points)):
        a, b = points[i - 1], points[i]
        if i % 2 == 0:
            d += f" L{_fmt(b)}"
        else:
            mid = (a[1] + b[1]) / 2
            d += f" C{_fmt((a[0], mid))} {_fmt((b[0], mid))} {_fmt(b)}"
    return d


def edge_path(points: Sequence[Point]) -> str:
    """An SVG path through any points: straight first and last segments, smooth in between."""
    if not points:
        return ""
    if len(points) < 3:
        return "M" + " L".join(_fmt(p) for p in points)
    d = f"M{_fmt(points[0])}"
    for i in range(1, len(points) - 1):
        nxt = points[i + 1] if i == len(points) - 2 else _mid(points[i], points[i + 1])
        d += f" Q{_fmt(points[i])} {_fmt(nxt)}"
    return d


def _mid(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def path_of(route: Route) -> str:
    return edge_path(route.points) if route.back else routed_path(route.points)
