"""The step graph of a definition: explicit, implicit and branch edges, order and cycles.

SageMaker orders steps by three kinds of dependency: ``DependsOn`` lists, property references
(``{"Get": "Steps.Train.Properties..."}``, PropertyFiles read by ``JsonGet``) and the if/else branches of
a ConditionStep. The picture, the lint rules and the status views need the same graph, so it lives here.
The sandbox's SageMaker emulator walks definitions with its own code: a missed edge here cannot hide by
agreeing with itself.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .definition import Definition

EDGE_KINDS = ("depends_on", "property", "condition_if", "condition_else")
_STEP_REFERENCE = re.compile(r"^Steps\.([^.\[\]]+)")
_PARAMETER_REFERENCE = re.compile(r"^Parameters\.([^.\[\]]+)$")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str


@dataclass(frozen=True)
class DanglingReference:
    """A step that names another step which the definition does not have."""

    step: str
    reference: str
    kind: str


@dataclass(frozen=True)
class Dag:
    nodes: tuple[str, ...]
    edges: tuple[Edge, ...]
    dangling: tuple[DanglingReference, ...] = ()
    _preds: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _succs: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def predecessors(self, name: str) -> tuple[str, ...]:
        return self._preds.get(name, ())

    def successors(self, name: str) -> tuple[str, ...]:
        return self._succs.get(name, ())

    def topological_order(self) -> list[str]:
        """Steps in an order that respects every edge, ties broken by definition order.

        Raises ``ValueError`` naming a cycle when there is one.
        """
        position = {name: i for i, name in enumerate(self.nodes)}
        indegree = {name: len(set(self.predecessors(name))) for name in self.nodes}
        ready = [(position[name], name) for name, degree in indegree.items() if degree == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            _, name = heapq.heappop(ready)
            order.append(name)
            for succ in set(self.successors(name)):
                indegree[succ] -= 1
                if indegree[succ] == 0:
                    heapq.heappush(ready, (position[succ], succ))
        if len(order) != len(self.nodes):
            cycle = self.find_cycle() or []
            raise ValueError("the steps form a cycle: " + " -> ".join(cycle))
        return order

    def find_cycle(self) -> list[str] | None:
        """One cycle as a closed path (first name repeated at the end), or None."""
        white, grey, black = 0, 1, 2
        colour = dict.fromkeys(self.nodes, white)
        for start in self.nodes:
            if colour[start] != white:
                continue
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(self.successors(start)))]
            path = [start]
            colour[start] = grey
            while stack:
                node, children = stack[-1]
                child = next(children, None)
                if child is None:
                    colour[node] = black
                    stack.pop()
                    path.pop()
                elif colour[child] == grey:
                    return [*path[path.index(child) :], child]
                elif colour[child] == white:
                    colour[child] = grey
                    path.append(child)
                    stack.append((child, iter(self.successors(child))))
        return None

    def to_wire(self, definition: Definition, pipeline_name: str | None = None) -> dict[str, Any]:
        """The DAG wire shape of docs/CONTRACTS.md (MIME bundle, server extension, labextension)."""
        return {
            "pipelineName": pipeline_name,
            "nodes": [
                {"name": s.name, "type": s.type, "parent": s.parent, "branch": s.branch}
                for s in definition.steps
            ],
            "edges": [{"source": e.source, "target": e.target, "kind": e.kind} for e in self.edges],
        }


def build_dag(definition: Definition) -> Dag:
    names = definition.step_names
    known = set(names)
    edges: dict[tuple[str, str, str], Edge] = {}
    dangling: list[DanglingReference] = []

    def add(source: str, target: str, kind: str) -> None:
        if source == target and kind == "property":
            return  # a step may read its own properties in its own arguments (e.g. a PropertyFile path)
        if source not in known:
            dangling.append(DanglingReference(step=target, reference=source, kind=kind))
            return
        edges.setdefault((source, target, kind), Edge(source, target, kind))

    for step in definition.steps:
        for dep in step.depends_on:
            add(dep, step.name, "depends_on")
        for ref in sorted(step_references(step.arguments)):
            add(ref, step.name, "property")
        if step.parent is not None:
            add(step.parent, step.name, f"condition_{step.branch}")

    preds: dict[str, list[str]] = {name: [] for name in names}
    succs: dict[str, list[str]] = {name: [] for name in names}
    for edge in edges.values():
        preds.setdefault(edge.target, []).append(edge.source)
        succs.setdefault(edge.source, []).append(edge.target)
    return Dag(
        nodes=names,
        edges=tuple(edges.values()),
        dangling=tuple(dangling),
        _preds={k: tuple(v) for k, v in preds.items()},
        _succs={k: tuple(v) for k, v in succs.items()},
    )


def step_references(value: Any) -> set[str]:
    """Names of the steps that ``{"Get": "Steps.<name>..."}`` expressions inside ``value`` read.

    The branches of a ConditionStep are not followed: nested steps carry their own references.
    """
    return _get_references(value, _STEP_REFERENCE, follow_branches=False)


def parameter_references(value: Any) -> set[str]:
    """Names of the parameters that ``{"Get": "Parameters.<name>"}`` expressions inside ``value`` read,
    condition branches included."""
    return _get_references(value, _PARAMETER_REFERENCE, follow_branches=True)


def _get_references(value: Any, pattern: re.Pattern[str], *, follow_branches: bool) -> set[str]:
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            get = item.get("Get")
            if isinstance(get, str):
                match = pattern.match(get)
                if match:
                    found.add(match.group(1))
            for key, child in item.items():
                if follow_branches or key not in ("IfSteps", "ElseSteps"):
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return found
