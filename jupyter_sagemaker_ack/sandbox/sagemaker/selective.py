"""Selective execution: which steps of a new run execute, and which are reused from a source run.

SageMaker's documented rules (API reference of ``SelectiveExecutionConfig`` and the developer guide's
"Selective execution of pipeline steps"):

- every selected step names a step of the definition, and every step on a path between two selected steps
  is selected too;
- the source run belongs to the same pipeline and has finished;
- without a source ARN, the pipeline's latest execution is the reference;
- non-selected steps are reused from the source run; non-selected steps downstream of a selected step do
  not run at all.

Where the documentation is silent, the emulator chooses (and the project's report lists):

- a finished source is Succeeded, Failed **or Stopped** (the reference says "Failed or Success"; a stopped
  run is as good a reference for the steps that did succeed in it);
- a selected step whose input (DependsOn, property reference or its ConditionStep) comes from a step that
  is neither selected nor Succeeded in the source is a ValidationException naming both steps;
- a selected step in a branch of a ConditionStep that is not selected runs only on the branch the source's
  outcome chose: selecting a step of the other branch is a ValidationException;
- a reused step is listed with the source's status, times and metadata (its job ARNs: so property
  references to it resolve to the source run's values), plus ``SelectiveExecutionResult``; only steps the
  source run listed are reused, and a reused step that had failed does not fail the new run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import validation_error
from .graph import ELSE_BRANCH, IF_BRANCH, PipelineGraph

FINISHED = frozenset({"Succeeded", "Failed", "Stopped"})


class SourceStep(Protocol):
    status: str
    outcome: bool | None


class SourceRun(Protocol):
    arn: str
    pipeline_arn: str
    status: str

    @property
    def steps(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Selection:
    """What a selective run executes and what it takes from its source."""

    source_arn: str
    selected: frozenset[str]
    selected_order: tuple[str, ...]  # as the request listed them
    reused: tuple[str, ...]  # names listed in the source and not downstream of a selected step


def _downstream(graph: PipelineGraph, roots: Iterable[str]) -> set[str]:
    after: dict[str, set[str]] = {s.name: set() for s in graph.steps}
    for link in graph.links:
        after[link.source].add(link.target)
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        for nxt in after[pending.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                pending.append(nxt)
    return seen


def _upstream(graph: PipelineGraph, roots: Iterable[str]) -> set[str]:
    before: dict[str, set[str]] = {s.name: set() for s in graph.steps}
    for link in graph.links:
        before[link.target].add(link.source)
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        for prev in before[pending.pop()]:
            if prev not in seen:
                seen.add(prev)
                pending.append(prev)
    return seen


def select(
    graph: PipelineGraph, config: Mapping[str, Any], pipeline_arn: str, source: SourceRun | None
) -> Selection:
    """Check a ``SelectiveExecutionConfig`` against the definition and the source; raise like SageMaker."""
    names = [str(item.get("StepName", "")) for item in config.get("SelectedSteps") or []]
    if not names:
        raise validation_error("SelectiveExecutionConfig.SelectedSteps must name at least one step.")
    known = {s.name for s in graph.steps}
    for name in names:
        if name not in known:
            raise validation_error(f"Selected step '{name}' does not exist in the pipeline definition.")
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        raise validation_error(f"Selected step '{duplicate}' is given more than once.")
    if source is None:
        raise validation_error(
            "SelectiveExecutionConfig needs a SourcePipelineExecutionArn: the pipeline has no earlier "
            "execution to reuse the outputs of non-selected steps from."
        )
    if source.pipeline_arn.lower() != pipeline_arn.lower():
        raise validation_error(
            f"Source pipeline execution '{source.arn}' does not belong to pipeline '{pipeline_arn}'."
        )
    if source.status not in FINISHED:
        raise validation_error(
            f"Source pipeline execution '{source.arn}' is in {source.status} status; "
            "it must be Succeeded, Failed or Stopped to be the source of a selective execution."
        )
    selected = frozenset(names)
    below = _downstream(graph, selected)
    above = _upstream(graph, selected)
    for step in graph.steps:
        if step.name not in selected and step.name in below and step.name in above:
            raise validation_error(
                f"Step '{step.name}' lies on a path between selected steps and must be selected too."
            )
    for link in graph.links:
        if link.target not in selected or link.source in selected:
            continue
        reference = source.steps.get(link.source)
        if reference is None or reference.status != "Succeeded":
            state = "did not run" if reference is None else f"is {reference.status}"
            raise validation_error(
                f"Selected step '{link.target}' needs the outputs of step '{link.source}', which is not "
                f"selected and {state} in source pipeline execution '{source.arn}'."
            )
        if link.kind in (IF_BRANCH, ELSE_BRANCH):
            wanted = link.kind == IF_BRANCH
            if reference.outcome is not wanted:
                raise validation_error(
                    f"Selected step '{link.target}' is in a branch that condition step '{link.source}' "
                    f"did not take in source pipeline execution '{source.arn}'; select '{link.source}' too."
                )
    reused = tuple(
        name for name in source.steps if name in known and name not in selected and name not in below
    )
    # Echoed in the order given: ACK compares the read-back list with its spec as is.
    return Selection(source_arn=source.arn, selected=selected, selected_order=tuple(names), reused=reused)
