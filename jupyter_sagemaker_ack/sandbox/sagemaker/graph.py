"""The emulator's own reading of a pipeline definition: steps, parameters and the edges an execution follows.

Written from SageMaker's documented definition format, not from the project's core, on purpose: the emulator
is the oracle the client is tested against, so a dependency the core misses must not be missed here too. A
step waits for the steps it names in ``DependsOn``, for every step whose properties it reads
(``{"Get": "Steps.<name>...."}`` anywhere in its arguments, including inside ``Std:Join`` and the
``PropertyFile`` of ``Std:JsonGet``), and for the ConditionStep whose ``IfSteps``/``ElseSteps`` hold it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

# The edge kinds, named as the project's DAG wire shape names them so the two can be compared.
AFTER = "depends_on"
READS = "property"
IF_BRANCH = "condition_if"
ELSE_BRANCH = "condition_else"
_BRANCH_KEYS = (("IfSteps", IF_BRANCH), ("ElseSteps", ELSE_BRANCH))


class DefinitionShapeError(ValueError):
    """The JSON is not shaped like a pipeline definition (message is SageMaker-style text)."""


@dataclass(frozen=True)
class StepNode:
    name: str
    type: str
    arguments: Mapping[str, Any]
    depends_on: tuple[str, ...]
    parent: str | None
    branch: str | None
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class ParameterSpec:
    name: str
    type: str
    default: Any
    enum_values: tuple[Any, ...] | None


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    kind: str


@dataclass(frozen=True)
class PipelineGraph:
    steps: tuple[StepNode, ...]
    parameters: tuple[ParameterSpec, ...]
    links: tuple[Link, ...]
    missing: tuple[tuple[str, str], ...]  # (step, name it refers to that is not a step)

    def step(self, name: str) -> StepNode:
        return next(s for s in self.steps if s.name == name)

    def incoming(self) -> dict[str, list[Link]]:
        found: dict[str, list[Link]] = {s.name: [] for s in self.steps}
        for link in self.links:
            found[link.target].append(link)
        return found

    def cycle(self) -> list[str] | None:
        """A closed path of steps (first name repeated at the end) when the edges loop, else None."""
        after: dict[str, list[str]] = {s.name: [] for s in self.steps}
        for link in self.links:
            after[link.source].append(link.target)
        state: dict[str, int] = {}  # 1 = on the current path, 2 = fully explored
        for root in after:
            if root in state:
                continue
            path = [root]
            pending = [iter(after[root])]
            state[root] = 1
            while pending:
                nxt = next(pending[-1], None)
                if nxt is None:
                    state[path.pop()] = 2
                    pending.pop()
                elif state.get(nxt) == 1:
                    return [*path[path.index(nxt) :], nxt]
                elif nxt not in state:
                    state[nxt] = 1
                    path.append(nxt)
                    pending.append(iter(after[nxt]))
        return None

    def order(self) -> list[str]:
        """Every step after the steps it waits for; among ready steps, the one defined first."""
        waiting = {name: {link.source for link in links} for name, links in self.incoming().items()}
        done: list[str] = []
        placed: set[str] = set()
        while len(done) < len(self.steps):
            ready = next((s.name for s in self.steps if s.name not in placed and not waiting[s.name]), None)
            if ready is None:
                raise DefinitionShapeError("the steps form a cycle")
            done.append(ready)
            placed.add(ready)
            for blockers in waiting.values():
                blockers.discard(ready)
        return done


def read_graph(raw: Mapping[str, Any]) -> PipelineGraph:
    """The graph of a parsed definition; raises :class:`DefinitionShapeError` on a malformed one."""
    steps_value = raw.get("Steps")
    if not isinstance(steps_value, list):
        raise DefinitionShapeError("The definition has no Steps list.")
    steps = tuple(_steps(steps_value, None, None))
    names = {s.name for s in steps}
    links: dict[tuple[str, str, str], Link] = {}
    missing: list[tuple[str, str]] = []

    def link(source: str, target: str, kind: str) -> None:
        if kind == READS and source == target:
            return  # a step may name its own property files in its own arguments
        if source not in names:
            missing.append((target, source))
        else:
            links.setdefault((source, target, kind), Link(source, target, kind))

    for step in steps:
        for name in step.depends_on:
            link(name, step.name, AFTER)
        for name in sorted(_read_steps(step.arguments)):
            link(name, step.name, READS)
        if step.parent is not None and step.branch is not None:
            link(step.parent, step.name, step.branch)
    return PipelineGraph(
        steps=steps, parameters=tuple(_parameters(raw.get("Parameters"))), links=tuple(links.values()),
        missing=tuple(missing),
    )  # fmt: skip


def _steps(items: list[Any], parent: str | None, branch: str | None) -> Iterator[StepNode]:
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str):
            raise DefinitionShapeError("Every step needs a Name.")
        arguments = item.get("Arguments")
        arguments = arguments if isinstance(arguments, Mapping) else {}
        depends = item.get("DependsOn") or []
        if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
            raise DefinitionShapeError(f"DependsOn of step '{item['Name']}' must be a list of step names.")
        node = StepNode(
            name=item["Name"], type=str(item.get("Type", "")), arguments=arguments, depends_on=tuple(depends),
            parent=parent, branch=branch, raw=item,
        )  # fmt: skip
        yield node
        if node.type == "Condition":
            for key, kind in _BRANCH_KEYS:
                nested = arguments.get(key) or []
                if not isinstance(nested, list):
                    raise DefinitionShapeError(f"{key} of step '{node.name}' must be a list of steps.")
                yield from _steps(nested, node.name, kind)


def _parameters(value: Any) -> Iterator[ParameterSpec]:
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("Name"), str):
            enum = item.get("EnumValues")
            yield ParameterSpec(
                name=item["Name"], type=str(item.get("Type", "String")), default=item.get("DefaultValue"),
                enum_values=tuple(enum) if isinstance(enum, list) else None,
            )  # fmt: skip


def _gets(value: Any, *, into_branches: bool) -> Iterator[str]:
    """Every ``Get`` path inside ``value``; a ConditionStep's nested steps are skipped unless asked."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, Mapping):
            if isinstance(item.get("Get"), str):
                yield item["Get"]
            pending.extend(v for k, v in item.items() if into_branches or k not in ("IfSteps", "ElseSteps"))


def _read_steps(arguments: Mapping[str, Any]) -> set[str]:
    found = set()
    for path in _gets(arguments, into_branches=False):
        head, _, rest = path.partition(".")
        if head == "Steps" and rest:
            found.add(rest.split(".", 1)[0].split("[", 1)[0])
    return found


def referenced_parameters(value: Any) -> set[str]:
    """Names read with ``{"Get": "Parameters.<name>"}`` anywhere in ``value``, nested steps included."""
    found = set()
    for path in _gets(value, into_branches=True):
        head, _, rest = path.partition(".")
        if head == "Parameters" and rest and "." not in rest and "[" not in rest:
            found.add(rest)
    return found
