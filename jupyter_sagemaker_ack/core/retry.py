"""Which steps a retry runs again, and which it takes from the run it retries (SageMaker selective execution).

A retry of a Failed or Stopped run selects the failed and stopped steps (or the step the user names) and
everything downstream of them, then adds what SageMaker requires of a selective execution: every input of a
selected step comes from a selected step or from one that succeeded in the source run (so a step that never
ran there is selected too, and a ConditionStep whose outcome did not lead to a selected branch step), and
every step on a path between two selected steps is selected (downstream closure gives that). The other
steps that ran in the source are reused: SageMaker lists them with ``SelectiveExecutionResult``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .dag import Dag
from .errors import UserError

RETRYABLE = ("Failed", "Stopped")
MAX_SELECTED_STEPS = 50  # SelectiveExecutionConfig.SelectedSteps holds at most 50 items
_RESTART = frozenset({"Failed", "Stopped", "Stopping"})


@dataclass(frozen=True)
class RetryPlan:
    """The steps a retry selects (in run order) and the steps it reuses from the source run."""

    selected: tuple[str, ...]
    reused: tuple[str, ...]
    not_run: tuple[str, ...]  # neither selected nor reused: branches the source did not take, say

    def to_wire(self) -> dict[str, list[str]]:
        return {"selected": list(self.selected), "reused": list(self.reused), "notRun": list(self.not_run)}


def check_retryable(run: str, outcome: str | None, status: str) -> None:
    """Refuse a retry of a run that is not Failed or Stopped."""
    if outcome in RETRYABLE:
        return
    if outcome == "Succeeded":
        raise UserError(
            f"Run '{run}' Succeeded: there is nothing to retry.",
            "Start a new run instead (sagemaker-ack apply), or retry a Failed or Stopped run.",
        )
    raise UserError(
        f"Run '{run}' has not ended (it is {status}): only a Failed or Stopped run can be retried.",
        f"Wait for it to end (sagemaker-ack status {run} -w), or stop it first (sagemaker-ack stop {run}).",
    )


def plan_retry(
    dag: Dag,
    source_steps: Mapping[str, str],
    *,
    from_step: str | None = None,
    outcomes: Mapping[str, bool] | None = None,
) -> RetryPlan:
    """The retry of a run whose steps ended as ``source_steps`` (step name -> status, steps it listed).

    ``outcomes``: condition step -> its outcome in the source. ``from_step`` selects that step and
    everything downstream instead of the failed and stopped steps.
    """
    outcomes = outcomes or {}
    branch_of = {
        e.target: (e.source, e.kind == "condition_if") for e in dag.edges if e.kind.startswith("condition_")
    }

    def input_ok(step: str, pred: str) -> bool:
        if source_steps.get(pred) != "Succeeded":
            return False
        branch = branch_of.get(step)
        return branch is None or branch[0] != pred or outcomes.get(pred) is branch[1]

    known = set(dag.nodes)
    if from_step is not None:
        if from_step not in known:
            raise UserError(
                f"Step '{from_step}' is not a step of the pipeline.",
                f"Name one of: {', '.join(dag.nodes)}.",
            )
        roots = {from_step}
    else:
        roots = {name for name, status in source_steps.items() if status in _RESTART and name in known}
        if not roots:
            # A run stopped between steps: the steps that could have started next.
            roots = {
                n
                for n in dag.nodes
                if n not in source_steps and all(input_ok(n, p) for p in dag.predecessors(n))
            }
        if not roots:
            raise UserError(
                "The run has no failed, stopped or unstarted step to run again.",
                "Retry from a step: pass --from-step STEP.",
            )
    selected = _downstream_closed(dag, roots)
    changed = True
    while changed:  # select each input SageMaker could not take from the source run, and its downstream
        changed = False
        for name in list(selected):
            for pred in dag.predecessors(name):
                if pred not in selected and not input_ok(name, pred):
                    selected |= _downstream_closed(dag, {pred})
                    changed = True
    order = [n for n in dag.topological_order() if n in selected]
    if len(order) > MAX_SELECTED_STEPS:
        raise UserError(
            f"The retry would run {len(order)} steps; SageMaker selects at most {MAX_SELECTED_STEPS}.",
            "Retry from a later step with --from-step, or start a new run.",
        )
    reused = tuple(n for n in dag.topological_order() if n not in selected and n in source_steps)
    not_run = tuple(n for n in dag.nodes if n not in selected and n not in source_steps)
    return RetryPlan(selected=tuple(order), reused=reused, not_run=not_run)


def _downstream_closed(dag: Dag, roots: set[str]) -> set[str]:
    seen = set(roots)
    pending = list(roots)
    while pending:
        for nxt in dag.successors(pending.pop()):
            if nxt not in seen:
                seen.add(nxt)
                pending.append(nxt)
    return seen
