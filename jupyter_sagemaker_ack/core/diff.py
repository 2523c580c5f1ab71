"""Semantic diff of two pipeline definitions: what a reviewer needs to know, not which bytes moved.

Steps are matched by name, parameters by name, edges by (source, target, kind) from the DAG. Key order and
formatting never show up; a changed step lists the field paths that differ (``Arguments.ProcessingResources
.ClusterConfig.InstanceType``), a changed parameter its old and new type, default or allowed values.
Used by ``sagemaker-ack diff`` and by verify to name what differs (:meth:`DefinitionDiff.describe`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .dag import Edge, build_dag
from .definition import CONDITION_STEP, Definition, Parameter, Step

_BRANCH_KEYS = ("IfSteps", "ElseSteps")
_TOP_LEVEL_HANDLED = ("Steps", "Parameters")
MAX_PATHS_PER_STEP = 20


@dataclass(frozen=True)
class StepChange:
    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ParameterChange:
    name: str
    fields: tuple[str, ...]
    before: Mapping[str, Any]
    after: Mapping[str, Any]


@dataclass(frozen=True)
class DefinitionDiff:
    steps_added: tuple[str, ...] = ()
    steps_removed: tuple[str, ...] = ()
    steps_changed: tuple[StepChange, ...] = ()
    parameters_added: tuple[str, ...] = ()
    parameters_removed: tuple[str, ...] = ()
    parameters_changed: tuple[ParameterChange, ...] = ()
    edges_added: tuple[Edge, ...] = ()
    edges_removed: tuple[Edge, ...] = ()
    other_changed: tuple[str, ...] = ()

    @property
    def identical(self) -> bool:
        return not any(
            (
                self.steps_added,
                self.steps_removed,
                self.steps_changed,
                self.parameters_added,
                self.parameters_removed,
                self.parameters_changed,
                self.edges_added,
                self.edges_removed,
                self.other_changed,
            )
        )

    @property
    def steps_that_differ(self) -> tuple[str, ...]:
        """Every step added, removed or changed, in that order."""
        return (*self.steps_added, *self.steps_removed, *(c.name for c in self.steps_changed))

    def describe(self) -> list[str]:
        """Every change in words, parameters included: ``parameter MseThreshold: default 6.0 -> 5.0``.

        What a reviewer reads when two definitions differ; never empty unless they are identical.
        """
        out = [f"step {name} added" for name in self.steps_added]
        out += [f"step {name} removed" for name in self.steps_removed]
        out += [f"step {c.name} changed: {', '.join(c.fields)}" for c in self.steps_changed]
        out += [f"parameter {name} added" for name in self.parameters_added]
        out += [f"parameter {name} removed" for name in self.parameters_removed]
        for change in self.parameters_changed:
            details = ", ".join(
                f"{f} {_show(change.before.get(f))} -> {_show(change.after.get(f))}" for f in change.fields
            )
            out.append(f"parameter {change.name}: {details}")
        out += [f"edge {_edge_text(e)} added" for e in self.edges_added]
        out += [f"edge {_edge_text(e)} removed" for e in self.edges_removed]
        out += [f"top-level field {key} changed" for key in self.other_changed]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "identical": self.identical,
            "summary": self.describe(),
            "steps": {
                "added": list(self.steps_added),
                "removed": list(self.steps_removed),
                "changed": [{"name": c.name, "fields": list(c.fields)} for c in self.steps_changed],
            },
            "parameters": {
                "added": list(self.parameters_added),
                "removed": list(self.parameters_removed),
                "changed": [
                    {
                        "name": c.name,
                        "fields": list(c.fields),
                        "before": dict(c.before),
                        "after": dict(c.after),
                    }
                    for c in self.parameters_changed
                ],
            },
            "edges": {
                "added": [_edge_dict(e) for e in self.edges_added],
                "removed": [_edge_dict(e) for e in self.edges_removed],
            },
            "other": list(self.other_changed),
        }

    def lines(self) -> list[str]:
        """The diff for a terminal, one change per line, ``+``/``-``/``~`` like diff's markers."""
        out = [f"+ step {name}" for name in self.steps_added]
        out += [f"- step {name}" for name in self.steps_removed]
        out += [f"~ step {c.name}: {', '.join(c.fields)}" for c in self.steps_changed]
        out += [f"+ parameter {name}" for name in self.parameters_added]
        out += [f"- parameter {name}" for name in self.parameters_removed]
        for change in self.parameters_changed:
            details = ", ".join(
                f"{f} {_show(change.before.get(f))} -> {_show(change.after.get(f))}" for f in change.fields
            )
            out.append(f"~ parameter {change.name}: {details}")
        out += [f"+ edge {_edge_text(e)}" for e in self.edges_added]
        out += [f"- edge {_edge_text(e)}" for e in self.edges_removed]
        out += [f"~ {key}" for key in self.other_changed]
        return out


def _edge_dict(edge: Edge) -> dict[str, str]:
    return {"source": edge.source, "target": edge.target, "kind": edge.kind}


def _edge_text(edge: Edge) -> str:
    return f"{edge.source} -> {edge.target} ({edge.kind})"


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def diff_definitions(before: Definition, after: Definition) -> DefinitionDiff:
    """What changed from ``before`` to ``after``."""
    old_steps = _by_name(before.steps)
    new_steps = _by_name(after.steps)
    changed = []
    for name in [n for n in new_steps if n in old_steps]:
        paths = tuple(changed_paths(_comparable(old_steps[name]), _comparable(new_steps[name])))
        if paths:
            changed.append(StepChange(name=name, fields=_capped(paths)))

    old_params = {p.name: _parameter_fields(p) for p in before.parameters}
    new_params = {p.name: _parameter_fields(p) for p in after.parameters}
    parameter_changes = []
    for name in [n for n in new_params if n in old_params]:
        fields = tuple(k for k in new_params[name] if old_params[name].get(k) != new_params[name].get(k))
        if fields:
            parameter_changes.append(ParameterChange(name, fields, old_params[name], new_params[name]))

    old_edges = set(build_dag(before).edges)
    new_edges = set(build_dag(after).edges)
    other = sorted(
        key
        for key in set(before.raw) | set(after.raw)
        if key not in _TOP_LEVEL_HANDLED and before.raw.get(key) != after.raw.get(key)
    )
    return DefinitionDiff(
        steps_added=tuple(n for n in new_steps if n not in old_steps),
        steps_removed=tuple(n for n in old_steps if n not in new_steps),
        steps_changed=tuple(changed),
        parameters_added=tuple(n for n in new_params if n not in old_params),
        parameters_removed=tuple(n for n in old_params if n not in new_params),
        parameters_changed=tuple(parameter_changes),
        edges_added=tuple(sorted(new_edges - old_edges, key=_edge_order)),
        edges_removed=tuple(sorted(old_edges - new_edges, key=_edge_order)),
        other_changed=tuple(other),
    )


def _edge_order(edge: Edge) -> tuple[str, str, str]:
    return (edge.source, edge.target, edge.kind)


def _by_name(steps: tuple[Step, ...]) -> dict[str, Step]:
    found: dict[str, Step] = {}
    for step in steps:
        found.setdefault(step.name, step)
    return found


def _parameter_fields(parameter: Parameter) -> dict[str, Any]:
    return {
        "type": parameter.type,
        "default": parameter.default,
        "enum": list(parameter.enum_values) if parameter.enum_values is not None else None,
    }


def _comparable(step: Step) -> Any:
    """A step's own content: a ConditionStep's branches reduced to the names of the steps in them."""
    raw: dict[str, Any] = dict(step.raw)
    if step.type == CONDITION_STEP and isinstance(raw.get("Arguments"), Mapping):
        arguments = dict(raw["Arguments"])
        for key in _BRANCH_KEYS:
            branch = arguments.get(key)
            if isinstance(branch, list):
                arguments[key] = [s.get("Name") if isinstance(s, Mapping) else s for s in branch]
        raw["Arguments"] = arguments
    return raw


def changed_paths(before: Any, after: Any, path: str = "") -> Iterator[str]:
    """Dotted paths (``A.B[2].C``) of the values that differ; key order is ignored."""
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        for key in sorted(set(before) | set(after), key=str):
            child = f"{path}.{key}" if path else str(key)
            if key not in before or key not in after:
                yield child
            else:
                yield from changed_paths(before[key], after[key], child)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from changed_paths(old, new, f"{path}[{index}]")
    elif type(before) is not type(after) or before != after:
        yield path or "(whole value)"


def _capped(paths: tuple[str, ...]) -> tuple[str, ...]:
    if len(paths) <= MAX_PATHS_PER_STEP:
        return paths
    return (*paths[:MAX_PATHS_PER_STEP], f"... {len(paths) - MAX_PATHS_PER_STEP} more")
