"""Rules for the step graph: unique, valid step names; references to steps that exist; no cycles."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ...dag import build_dag
from ...definition import Definition
from ..positions import JsonPath
from ..sink import Sink
from ..step_index import StepIndex
from ..walk import walk_mappings

_STEP_NAME_CHARS = re.compile(r"^[A-Za-z0-9\-_]+$")
MAX_STEP_NAME = 64


def check_step_names(sink: Sink, definition: Definition, index: StepIndex) -> None:
    counts = Counter(definition.step_names)
    reported: set[str] = set()
    for step in definition.steps:
        path = index.paths.get(id(step.raw), ("Steps",))
        if counts[step.name] > 1 and step.name not in reported:
            reported.add(step.name)
            sink.add(
                "SMA309",
                f"{counts[step.name]} steps are named '{step.name}'.",
                path=(*path, "Name"),
                step=step.name,
            )
        if len(step.name) > MAX_STEP_NAME:
            sink.add(
                "SMA313",
                f"Step name '{step.name[:20]}...' has {len(step.name)} characters (at most 64).",
                path=(*path, "Name"),
                step=step.name,
            )
        if step.name and not _STEP_NAME_CHARS.fullmatch(step.name):
            bad = sorted({c for c in step.name if not re.match(r"[A-Za-z0-9\-_]", c)})
            sink.add(
                "SMA314",
                f"Step name '{step.name}' contains {', '.join(repr(c) for c in bad)}.",
                path=(*path, "Name"),
                step=step.name,
            )


def check_graph(sink: Sink, definition: Definition, index: StepIndex) -> None:
    dag = build_dag(definition)
    by_name = {s.name: s for s in definition.steps}
    for ref in dag.dangling:
        step = by_name.get(ref.step)
        path = index.paths.get(id(step.raw), ("Steps",)) if step is not None else ("Steps",)
        if ref.kind == "depends_on":
            position = step.depends_on.index(ref.reference) if step is not None else 0
            sink.add(
                "SMA306",
                f"Step '{ref.step}' depends on '{ref.reference}', which is not a step of this pipeline.",
                path=(*path, "DependsOn", position),
                step=ref.step,
            )
        else:
            sink.add(
                "SMA307",
                f"Step '{ref.step}' reads properties of '{ref.reference}', "
                "which is not a step of this pipeline.",
                path=_reference_path(step.raw if step else {}, path, ref.reference),
                step=ref.step,
            )
    cycle = dag.find_cycle()
    if cycle:
        first = by_name.get(cycle[0])
        path = index.paths.get(id(first.raw), ("Steps",)) if first is not None else ("Steps",)
        sink.add("SMA308", "The steps form a cycle: " + " -> ".join(cycle) + ".", path=path, step=cycle[0])


def _reference_path(raw: Mapping[str, Any], path: JsonPath, reference: str) -> JsonPath:
    prefix = f"Steps.{reference}"
    for sub, mapping in walk_mappings(raw):
        get = mapping.get("Get")
        if isinstance(get, str) and (get == prefix or get.startswith((prefix + ".", prefix + "["))):
            if "IfSteps" in sub or "ElseSteps" in sub:
                continue
            return (*path, *sub, "Get")
    return path
