"""core.retry: the steps a retry selects and reuses, as SageMaker's selective execution requires."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_sagemaker_ack.core.dag import build_dag
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.core.retry import check_retryable, plan_retry


def _step(name: str, kind: str = "Processing", after: list[str] | None = None, **args: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"Name": name, "Type": kind, "Arguments": args}
    if after:
        item["DependsOn"] = after
    return item


def _dag(*steps: dict[str, Any]) -> Any:
    return build_dag(parse_definition({"Version": "2020-12-01", "Parameters": [], "Steps": list(steps)}))


CHAIN = _dag(
    _step("Prep"),
    _step("Train", "Training", Input={"Get": "Steps.Prep.ProcessingOutputConfig.Outputs"}),
    _step("Evaluate", after=["Train"]),
    _step("Report", after=["Evaluate"]),
)
CONDITIONAL = _dag(
    _step("Prep"),
    _step("Train", "Training", after=["Prep"]),
    _step(
        "Check", "Condition", after=["Train"], Conditions=[],
        IfSteps=[_step("Register", "RegisterModel")], ElseSteps=[_step("Alarm", "Fail")],
    ),
)  # fmt: skip


def test_a_failed_middle_step_is_selected_with_its_downstream_and_upstream_is_reused() -> None:
    plan = plan_retry(CHAIN, {"Prep": "Succeeded", "Train": "Failed"})
    assert plan.selected == ("Train", "Evaluate", "Report")
    assert plan.reused == ("Prep",)
    assert plan.not_run == ()


def test_from_step_selects_that_step_and_downstream() -> None:
    steps = dict.fromkeys(("Prep", "Train", "Evaluate", "Report"), "Succeeded")
    plan = plan_retry(CHAIN, steps, from_step="Evaluate")
    assert plan.selected == ("Evaluate", "Report")
    assert plan.reused == ("Prep", "Train")


def test_from_step_whose_input_did_not_succeed_selects_that_input_too() -> None:
    plan = plan_retry(CHAIN, {"Prep": "Succeeded", "Train": "Failed"}, from_step="Report")
    assert plan.selected == ("Train", "Evaluate", "Report")


def test_an_unknown_from_step_is_a_user_error_naming_the_steps() -> None:
    with pytest.raises(UserError) as caught:
        plan_retry(CHAIN, {"Prep": "Succeeded"}, from_step="Trian")
    assert "Prep, Train, Evaluate, Report" in caught.value.fix


def test_a_failure_upstream_of_a_condition_selects_the_condition_and_both_branches() -> None:
    plan = plan_retry(CONDITIONAL, {"Prep": "Succeeded", "Train": "Failed"})
    assert plan.selected == ("Train", "Check", "Register", "Alarm")
    assert plan.reused == ("Prep",)


def test_a_failed_branch_step_is_retried_alone_when_the_source_outcome_took_its_branch() -> None:
    steps = {"Prep": "Succeeded", "Train": "Succeeded", "Check": "Succeeded", "Register": "Failed"}
    plan = plan_retry(CONDITIONAL, steps, outcomes={"Check": True})
    assert plan.selected == ("Register",)
    assert plan.reused == ("Prep", "Train", "Check")
    assert plan.not_run == ("Alarm",)


def test_a_branch_step_the_source_outcome_did_not_take_brings_its_condition() -> None:
    steps = {"Prep": "Succeeded", "Train": "Succeeded", "Check": "Succeeded", "Register": "Succeeded"}
    plan = plan_retry(CONDITIONAL, steps, from_step="Alarm", outcomes={"Check": True})
    assert plan.selected == ("Check", "Register", "Alarm")


def test_a_run_stopped_between_steps_selects_the_steps_that_could_start_next() -> None:
    plan = plan_retry(CHAIN, {"Prep": "Succeeded", "Train": "Succeeded"})
    assert plan.selected == ("Evaluate", "Report")


def test_a_parallel_step_that_never_ran_is_selected_when_a_selected_step_needs_it() -> None:
    dag = _dag(_step("A"), _step("B"), _step("C", after=["A", "B"]))
    plan = plan_retry(dag, {"A": "Failed"})
    assert plan.selected == ("A", "B", "C")
    assert plan.reused == ()


def test_more_than_fifty_selected_steps_is_refused() -> None:
    dag = _dag(*[_step(f"S{i}", after=[f"S{i - 1}"] if i else None) for i in range(60)])
    with pytest.raises(UserError, match="at most 50"):
        plan_retry(dag, {"S0": "Failed"})


@pytest.mark.parametrize(
    ("outcome", "status", "words"),
    [("Succeeded", "Succeeded", "nothing to retry"), (None, "Executing", "has not ended")],
)
def test_only_failed_or_stopped_runs_are_retryable(outcome: str | None, status: str, words: str) -> None:
    with pytest.raises(UserError, match=words):
        check_retryable("run-1", outcome, status)
    check_retryable("run-1", "Failed", "Failed")
    check_retryable("run-1", "Stopped", "Stopped")
