"""boto3 against the emulator: selective execution reuses a source run's steps by SageMaker's rules."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import create, step, steps_by_name, wait_for

QUICK = {"default": 0.05, "startingFraction": 0.0}


def _chain(client: Any, name: str = "chain") -> None:
    create(
        client,
        name,
        [
            step("Prep"),
            step("Train", "Training", Input={"Get": "Steps.Prep.ProcessingOutputConfig.Outputs"}),
            step("Evaluate", depends_on=["Train"]),
            step("Report", depends_on=["Evaluate"]),
        ],
    )


def _conditional(client: Any, name: str = "cond") -> None:
    create(
        client,
        name,
        [
            step("Prep"),
            step("Train", "Training", depends_on=["Prep"]),
            step(
                "Check",
                "Condition",
                depends_on=["Train"],
                Conditions=[
                    {"Type": "GreaterThan", "LeftValue": {"Get": "Steps.Train.FinalMetricDataList[0].Value"},
                     "RightValue": 0.5}
                ],
                IfSteps=[step("Register", "RegisterModel")],
                ElseSteps=[step("Alarm", "Fail", ErrorMessage="too low")],
            ),
        ],
    )  # fmt: skip


def _run(client: Any, pipeline: str, **extra: Any) -> str:
    arn = client.start_pipeline_execution(PipelineName=pipeline, **extra)["PipelineExecutionArn"]
    wait_for(client, arn)
    return str(arn)


def _selective(source: str | None, *names: str) -> dict[str, Any]:
    config: dict[str, Any] = {"SelectedSteps": [{"StepName": n} for n in names]}
    if source is not None:
        config["SourcePipelineExecutionArn"] = source
    return {"SelectiveExecutionConfig": config}


def _error(client: Any, pipeline: str, config: dict[str, Any]) -> str:
    with pytest.raises(ClientError) as caught:
        client.start_pipeline_execution(PipelineName=pipeline, **config)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    return str(caught.value.response["Error"]["Message"])


def test_selected_steps_run_and_upstream_steps_are_reused_with_the_source_metadata(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations=QUICK, failures={"Train": "AlgorithmError: out of memory"})
    _chain(sagemaker_client)
    failed = _run(sagemaker_client, "chain")
    before = steps_by_name(sagemaker_client, failed)
    assert before["Train"]["StepStatus"] == "Failed"
    sagemaker_emulator.configure(failures={"Train": None})

    retry = _run(sagemaker_client, "chain", **_selective(failed, "Train", "Evaluate", "Report"))

    described = sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=retry)
    assert described["PipelineExecutionStatus"] == "Succeeded"
    assert described["SelectiveExecutionConfig"] == {
        "SourcePipelineExecutionArn": failed,
        "SelectedSteps": [{"StepName": "Train"}, {"StepName": "Evaluate"}, {"StepName": "Report"}],
    }
    after = steps_by_name(sagemaker_client, retry)
    assert {n: s["StepStatus"] for n, s in after.items()} == dict.fromkeys(
        ("Prep", "Train", "Evaluate", "Report"), "Succeeded"
    )
    assert after["Prep"]["SelectiveExecutionResult"] == {"SourcePipelineExecutionArn": failed}
    assert after["Prep"]["Metadata"] == before["Prep"]["Metadata"]
    assert after["Prep"]["StartTime"] == before["Prep"]["StartTime"]
    for name in ("Train", "Evaluate", "Report"):
        assert "SelectiveExecutionResult" not in after[name]
    assert (
        after["Train"]["Metadata"]["TrainingJob"]["Arn"] != before["Train"]["Metadata"]["TrainingJob"]["Arn"]
    )


def test_describe_echoes_the_selected_steps_in_the_order_given(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations=QUICK)
    _chain(sagemaker_client)
    source = _run(sagemaker_client, "chain")
    retry = _run(sagemaker_client, "chain", **_selective(source, "Report", "Train", "Evaluate"))
    described = sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=retry)
    assert [s["StepName"] for s in described["SelectiveExecutionConfig"]["SelectedSteps"]] == [
        "Report", "Train", "Evaluate"
    ]  # fmt: skip


def test_non_selected_steps_downstream_of_a_selected_step_do_not_run(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations=QUICK)
    _chain(sagemaker_client)
    source = _run(sagemaker_client, "chain")
    retry = _run(sagemaker_client, "chain", **_selective(source, "Train"))
    after = steps_by_name(sagemaker_client, retry)
    assert set(after) == {"Prep", "Train"}
    assert "SelectiveExecutionResult" in after["Prep"]


def test_without_a_source_arn_the_latest_execution_is_the_reference(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations=QUICK)
    _chain(sagemaker_client)
    _run(sagemaker_client, "chain")
    latest = _run(sagemaker_client, "chain")
    retry = _run(sagemaker_client, "chain", **_selective(None, "Evaluate", "Report"))
    described = sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=retry)
    assert described["SelectiveExecutionConfig"]["SourcePipelineExecutionArn"] == latest
    assert steps_by_name(sagemaker_client, retry)["Train"]["SelectiveExecutionResult"] == {
        "SourcePipelineExecutionArn": latest
    }


def test_the_source_must_have_finished(sagemaker_emulator: Any, sagemaker_client: Any) -> None:
    sagemaker_emulator.configure(durations={"default": 30.0})
    _chain(sagemaker_client)
    running = sagemaker_client.start_pipeline_execution(PipelineName="chain")["PipelineExecutionArn"]
    message = _error(sagemaker_client, "chain", _selective(running, "Train"))
    assert "Executing" in message
    assert "Succeeded, Failed or Stopped" in message
    assert (
        len(sagemaker_client.list_pipeline_executions(PipelineName="chain")["PipelineExecutionSummaries"])
        == 1
    )


def test_a_stopped_run_can_be_the_source(sagemaker_emulator: Any, sagemaker_client: Any) -> None:
    sagemaker_emulator.configure(durations={"default": 0.05, "byStep": {"Train": 30.0}, "stop": 0.05})
    _chain(sagemaker_client)
    source = sagemaker_client.start_pipeline_execution(PipelineName="chain")["PipelineExecutionArn"]
    wait_for(sagemaker_client, source, ("Executing",))
    deadline = time.monotonic() + 5
    while "Train" not in steps_by_name(sagemaker_client, source) and time.monotonic() < deadline:
        time.sleep(0.02)
    sagemaker_client.stop_pipeline_execution(PipelineExecutionArn=source)
    wait_for(sagemaker_client, source)
    assert steps_by_name(sagemaker_client, source)["Train"]["StepStatus"] == "Stopped"
    sagemaker_emulator.configure(durations={**QUICK, "byStep": {"Train": 0.05}})
    retry = _run(sagemaker_client, "chain", **_selective(source, "Train", "Evaluate", "Report"))
    assert (
        sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=retry)["PipelineExecutionStatus"]
        == "Succeeded"
    )


def test_the_source_must_belong_to_the_same_pipeline(sagemaker_emulator: Any, sagemaker_client: Any) -> None:
    sagemaker_emulator.configure(durations=QUICK)
    _chain(sagemaker_client, "chain")
    _chain(sagemaker_client, "other")
    foreign = _run(sagemaker_client, "other")
    message = _error(sagemaker_client, "chain", _selective(foreign, "Train"))
    assert "does not belong to pipeline" in message


def test_an_unknown_source_or_step_is_refused(sagemaker_emulator: Any, sagemaker_client: Any) -> None:
    sagemaker_emulator.configure(durations=QUICK)
    _chain(sagemaker_client)
    source = _run(sagemaker_client, "chain")
    missing = source.rsplit("/", 1)[0] + "/doesnotexist"
    assert "does not exist" in _error(sagemaker_client, "chain", _selective(missing, "Train"))
    assert "'Trian' does not exist" in _error(sagemaker_client, "chain", _selective(source, "Trian"))
    assert "more than once" in _error(sagemaker_client, "chain", _selective(source, "Train", "Train"))


def test_every_step_between_two_selected_steps_must_be_selected(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations=QUICK)
    _chain(sagemaker_client)
    source = _run(sagemaker_client, "chain")
    message = _error(sagemaker_client, "chain", _selective(source, "Train", "Report"))
    assert "'Evaluate' lies on a path between selected steps" in message


def test_a_selected_step_whose_input_did_not_succeed_in_the_source_is_refused(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations=QUICK, failures={"Train": "AlgorithmError: boom"})
    _chain(sagemaker_client)
    failed = _run(sagemaker_client, "chain")
    message = _error(sagemaker_client, "chain", _selective(failed, "Evaluate", "Report"))
    assert "'Evaluate' needs the outputs of step 'Train'" in message
    assert "is Failed" in message
    message = _error(sagemaker_client, "chain", _selective(failed, "Report"))
    assert "step 'Evaluate', which is not selected and did not run" in message


def test_a_pipeline_without_runs_needs_a_source(sagemaker_emulator: Any, sagemaker_client: Any) -> None:
    _chain(sagemaker_client)
    assert "needs a SourcePipelineExecutionArn" in _error(sagemaker_client, "chain", _selective(None, "Prep"))


def test_a_failure_upstream_of_a_condition_is_retried_through_the_condition_and_its_branches(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(
        durations=QUICK, failures={"Train": "AlgorithmError: boom"}, condition_outcomes={"Check": True}
    )
    _conditional(sagemaker_client)
    failed = _run(sagemaker_client, "cond")
    assert set(steps_by_name(sagemaker_client, failed)) == {"Prep", "Train"}
    sagemaker_emulator.configure(failures={"Train": None})
    retry = _run(sagemaker_client, "cond", **_selective(failed, "Train", "Check", "Register", "Alarm"))
    after = steps_by_name(sagemaker_client, retry)
    assert (
        sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=retry)["PipelineExecutionStatus"]
        == "Succeeded"
    )
    assert {n: s["StepStatus"] for n, s in after.items()} == dict.fromkeys(
        ("Prep", "Train", "Check", "Register"), "Succeeded"
    )
    assert after["Check"]["Metadata"]["Condition"] == {"Outcome": "True"}
    assert "SelectiveExecutionResult" in after["Prep"]
    assert "SelectiveExecutionResult" not in after["Check"]


def test_a_branch_step_without_its_condition_follows_the_source_outcome(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(
        durations=QUICK,
        failures={"Register": "ValidationError: bad package"},
        condition_outcomes={"Check": True},
    )
    _conditional(sagemaker_client)
    failed = _run(sagemaker_client, "cond")
    sagemaker_emulator.configure(failures={"Register": None})
    retry = _run(sagemaker_client, "cond", **_selective(failed, "Register"))
    after = steps_by_name(sagemaker_client, retry)
    assert after["Register"]["StepStatus"] == "Succeeded"
    assert after["Check"]["SelectiveExecutionResult"] == {"SourcePipelineExecutionArn": failed}
    assert after["Check"]["Metadata"]["Condition"] == {"Outcome": "True"}
    message = _error(sagemaker_client, "cond", _selective(failed, "Alarm"))
    assert "branch that condition step 'Check' did not take" in message


def test_a_reused_failed_step_off_the_selected_path_does_not_fail_the_new_run(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations=QUICK, failures={"Side": "AlgorithmError: side"})
    create(
        sagemaker_client,
        "fork",
        [step("Prep"), step("Side", depends_on=["Prep"]), step("Main", depends_on=["Prep"])],
    )
    failed = _run(sagemaker_client, "fork")
    retry = _run(sagemaker_client, "fork", **_selective(failed, "Main"))
    after = steps_by_name(sagemaker_client, retry)
    assert after["Side"]["StepStatus"] == "Failed"
    assert after["Side"]["SelectiveExecutionResult"] == {"SourcePipelineExecutionArn": failed}
    assert (
        sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=retry)["PipelineExecutionStatus"]
        == "Succeeded"
    )
