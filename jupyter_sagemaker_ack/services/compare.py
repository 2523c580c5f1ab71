"""Compare two runs: what they ran with (parameters, definitions) and how each step went, side by side.

Each run is read as ``status`` reads it (its CR and SageMaker's steps). Its definition is the one SageMaker
ran (DescribePipelineDefinitionForExecution), else its Pipeline CR's; its parameters are the CR's values over
the definition's defaults, so a value left to its default compares as that default. The definitions are
compared with the semantic diff of :mod:`..core.diff`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..adapters.kube import KubeObjects
from ..config import Settings
from ..core import ack, manifests, names
from ..core.definition import Definition, parse_definition
from ..core.diff import DefinitionDiff, diff_definitions
from ..core.errors import UserError
from ..core.status.snapshots import RunSnapshot, StepSnapshot
from .runs import get_run
from .watch_sources import is_execution_arn, open_sources


@dataclass(frozen=True)
class StepSide:
    status: str
    duration_seconds: float | None
    reused: bool

    def to_wire(self) -> dict[str, Any]:
        return {"status": self.status, "durationSeconds": self.duration_seconds, "reused": self.reused}


@dataclass(frozen=True)
class StepRow:
    name: str
    a: StepSide | None
    b: StepSide | None

    def to_wire(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "a": self.a.to_wire() if self.a else None,
            "b": self.b.to_wire() if self.b else None,
        }


@dataclass(frozen=True)
class RunComparison:
    a: RunSnapshot
    b: RunSnapshot
    parameters: Mapping[str, tuple[str | None, str | None]]  # only the parameters that differ
    definition: DefinitionDiff | None  # None when a definition could not be read
    steps: tuple[StepRow, ...]

    def to_wire(self) -> dict[str, Any]:
        return {
            "a": self.a.to_wire(steps=False),
            "b": self.b.to_wire(steps=False),
            "parameters": [{"name": k, "a": va, "b": vb} for k, (va, vb) in self.parameters.items()],
            "definition": self.definition.to_dict() if self.definition is not None else None,
            "steps": [row.to_wire() for row in self.steps],
        }


@dataclass(frozen=True)
class _Side:
    snapshot: RunSnapshot
    parameters: dict[str, str]
    definition: Definition | None


def compare_runs(namespace: str | None, run_a: str, run_b: str, settings: Settings) -> RunComparison:
    """Parameters that differ, the semantic diff of the definitions and every step side by side."""
    for run in (run_a, run_b):
        names.check_run(run)
    a = _read(namespace, run_a, settings)
    b = _read(namespace, run_b, settings)
    keys = sorted(set(a.parameters) | set(b.parameters))
    parameters = {
        k: (a.parameters.get(k), b.parameters.get(k))
        for k in keys
        if a.parameters.get(k) != b.parameters.get(k)
    }
    definition = (
        diff_definitions(a.definition, b.definition)
        if a.definition is not None and b.definition is not None
        else None
    )
    return RunComparison(a.snapshot, b.snapshot, parameters, definition, side_by_side(a.snapshot, b.snapshot))


def side_by_side(a: RunSnapshot, b: RunSnapshot) -> tuple[StepRow, ...]:
    """One row per step of either run: A's order first, then the steps only B has."""
    in_a = {s.name: s for s in a.steps}
    in_b = {s.name: s for s in b.steps}
    order = [s.name for s in a.steps] + [s.name for s in b.steps if s.name not in in_a]
    return tuple(StepRow(n, _side(in_a.get(n)), _side(in_b.get(n))) for n in order)


def _side(step: StepSnapshot | None) -> StepSide | None:
    if step is None:
        return None
    seconds = None
    if step.start_time is not None and step.end_time is not None:
        seconds = max(0.0, (step.end_time - step.start_time).total_seconds())
    return StepSide(step.status, seconds, step.reused)


def _read(namespace: str | None, run: str, settings: Settings) -> _Side:
    snapshot = get_run(namespace, run, settings)
    given: dict[str, str] = {}
    definition: Definition | None = None
    sources = open_sources(settings, namespace, run)
    try:
        if sources.cluster is not None and not is_execution_arn(run):
            objects = KubeObjects(sources.cluster)
            cr = objects.get(ack.EXECUTION_KIND, str(sources.namespace), run) or {}
            spec = cr.get("spec") or {}
            given = {str(p.get("name")): str(p.get("value")) for p in spec.get("pipelineParameters") or []}
        if sources.sagemaker is not None and snapshot.execution_arn:
            try:
                definition = parse_definition(
                    sources.sagemaker.definition_for_execution(snapshot.execution_arn)
                )
            except UserError:
                definition = None
        if definition is None and sources.cluster is not None and snapshot.pipeline_name:
            definition = _pipeline_definition(
                KubeObjects(sources.cluster), str(sources.namespace), snapshot.pipeline_name
            )
    finally:
        sources.close()
    return _Side(snapshot, _effective(definition, given), definition)


def _pipeline_definition(objects: KubeObjects, ns: str, pipeline_name: str) -> Definition | None:
    items, _ = objects.list_objects(ack.PIPELINE_KIND, ns)
    for item in items:
        if str((item.get("spec") or {}).get("pipelineName") or "").lower() == pipeline_name.lower():
            return manifests.definition_from_manifest(item)
    return None


def _effective(definition: Definition | None, given: Mapping[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    if definition is not None:
        for parameter in definition.parameters:
            if parameter.default is not None:
                values[parameter.name] = manifests.parameter_value(parameter.default)
    values.update(given)
    return values
