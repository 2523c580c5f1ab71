"""boto3 against the emulator: executions walk their DAG, branch, fail, stop, respect parallelism."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import create, step, steps_by_name, wait_for


def test_execution_goes_from_executing_to_succeeded_with_step_states_and_times(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations={"byStep": {"Prep": 1.5, "Train": 0.3, "Evaluate": 0.2}})
    create(
        sagemaker_client,
        "progress",
        [
            step("Prep"),
            step("Train", "Training", InputUri={"Get": "Steps.Prep.ProcessingOutputConfig.Outputs"}),
            step("Evaluate", depends_on=["Train"]),
        ],
    )
    arn = sagemaker_client.start_pipeline_execution(PipelineName="progress")["PipelineExecutionArn"]

    first = sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=arn)
    early = steps_by_name(sagemaker_client, arn)
    assert first["PipelineExecutionStatus"] == "Executing"
    assert list(early) == ["Prep"]
    assert early["Prep"]["StepStatus"] in ("Starting", "Executing")
    assert "EndTime" not in early["Prep"]

    seen = wait_for(sagemaker_client, arn)
    assert seen[-1]["PipelineExecutionStatus"] == "Succeeded"
    assert "FailureReason" not in seen[-1]
    final = steps_by_name(sagemaker_client, arn)
    assert {name: s["StepStatus"] for name, s in final.items()} == dict.fromkeys(
        ("Prep", "Train", "Evaluate"), "Succeeded"
    )
    prep, train, evaluate = final["Prep"], final["Train"], final["Evaluate"]
    assert (
        prep["StartTime"] < prep["EndTime"] <= train["StartTime"] < train["EndTime"] <= evaluate["StartTime"]
    )
    assert seen[-1]["LastModifiedTime"] >= evaluate["EndTime"]
    assert prep["Metadata"]["ProcessingJob"]["Arn"].startswith(
        "arn:aws:sagemaker:us-east-1:123456789012:processing-job/"
    )
    assert train["Metadata"]["TrainingJob"]["Arn"].startswith(
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/"
    )


def _max_overlap(steps: dict[str, dict[str, Any]]) -> int:
    events = sorted(
        [(s["StartTime"], 1) for s in steps.values()] + [(s["EndTime"], -1) for s in steps.values()]
    )
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


def test_parallelism_caps_concurrent_steps_and_an_execution_can_override_it(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations={"default": 0.1})
    create(
        sagemaker_client,
        "wide",
        [step(f"S{i}") for i in range(6)],
        ParallelismConfiguration={"MaxParallelExecutionSteps": 2},
    )
    capped = sagemaker_client.start_pipeline_execution(PipelineName="wide")["PipelineExecutionArn"]
    wider = sagemaker_client.start_pipeline_execution(
        PipelineName="wide", ParallelismConfiguration={"MaxParallelExecutionSteps": 3}
    )["PipelineExecutionArn"]
    wait_for(sagemaker_client, capped)
    wait_for(sagemaker_client, wider)
    assert _max_overlap(steps_by_name(sagemaker_client, capped)) == 2
    assert _max_overlap(steps_by_name(sagemaker_client, wider)) == 3
    described = sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=wider)
    assert described["ParallelismConfiguration"] == {"MaxParallelExecutionSteps": 3}


CONDITION_PARAMETERS: list[dict[str, Any]] = [
    {"Name": "Accuracy", "Type": "Float", "DefaultValue": 0.5},
    {"Name": "Stage", "Type": "String", "DefaultValue": "dev", "EnumValues": ["dev", "prod", "test"]},
    {"Name": "Force", "Type": "Boolean", "DefaultValue": False},
]
CONDITIONS: list[dict[str, Any]] = [
    {
        "Type": "Or",
        "Conditions": [
            {"Type": "GreaterThanOrEqualTo", "LeftValue": {"Get": "Parameters.Accuracy"}, "RightValue": 0.8},
            {"Type": "Equals", "LeftValue": {"Get": "Parameters.Force"}, "RightValue": True},
        ],
    },
    {
        "Type": "Not",
        "Expression": {"Type": "In", "QueryValue": {"Get": "Parameters.Stage"}, "Values": ["test"]},
    },
    {
        "Type": "Equals",
        "LeftValue": {"Std:Join": {"On": "-", "Values": ["env", {"Get": "Parameters.Stage"}]}},
        "RightValue": {"Std:Join": {"On": "-", "Values": ["env", {"Get": "Parameters.Stage"}]}},
    },
]


@pytest.mark.parametrize(
    ("parameters", "taken", "outcome"),
    [
        ([{"Name": "Accuracy", "Value": "0.93"}], "Register", "True"),
        ([{"Name": "Accuracy", "Value": "0.2"}], "Notify", "False"),
        ([{"Name": "Accuracy", "Value": "0.2"}, {"Name": "Force", "Value": "true"}], "Register", "True"),
        ([{"Name": "Accuracy", "Value": "0.93"}, {"Name": "Stage", "Value": "test"}], "Notify", "False"),
    ],
)
def test_condition_takes_the_branch_its_parameters_select(
    sagemaker_emulator: Any, sagemaker_client: Any, parameters: list[dict[str, Any]], taken: str, outcome: str
) -> None:
    sagemaker_emulator.configure(durations={"default": 0.05})
    create(
        sagemaker_client,
        "branching",
        [
            step("Train", "Training"),
            step(
                "Check",
                "Condition",
                depends_on=["Train"],
                Conditions=CONDITIONS,
                IfSteps=[step("Register", "RegisterModel"), step("Deploy", "Model", depends_on=["Register"])],
                ElseSteps=[step("Notify", "Lambda")],
            ),
        ],
        CONDITION_PARAMETERS,
    )
    arn = sagemaker_client.start_pipeline_execution(PipelineName="branching", PipelineParameters=parameters)[
        "PipelineExecutionArn"
    ]
    assert wait_for(sagemaker_client, arn)[-1]["PipelineExecutionStatus"] == "Succeeded"
    steps = steps_by_name(sagemaker_client, arn)
    expected = {"Train", "Check", taken} | ({"Deploy"} if taken == "Register" else set())
    assert set(steps) == expected
    assert steps["Check"]["Metadata"]["Condition"]["Outcome"] == outcome


@pytest.mark.parametrize(("configured", "taken"), [(None, "Register"), (False, "Retrain")])
def test_condition_on_step_outputs_uses_the_configured_outcome(
    sagemaker_emulator: Any, sagemaker_client: Any, configured: bool | None, taken: str
) -> None:
    sagemaker_emulator.configure(durations={"default": 0.05})
    if configured is not None:
        sagemaker_emulator.configure(condition_outcomes={"CheckMse": configured})
    json_get = {
        "Std:JsonGet": {
            "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
            "Path": "regression_metrics.mse.value",
        }
    }
    create(
        sagemaker_client,
        "jsonget",
        [
            step("Evaluate"),
            step(
                "CheckMse",
                "Condition",
                Conditions=[{"Type": "LessThanOrEqualTo", "LeftValue": json_get, "RightValue": 6.0}],
                IfSteps=[step("Register", "RegisterModel")],
                ElseSteps=[step("Retrain", "Training")],
            ),
        ],
    )
    arn = sagemaker_client.start_pipeline_execution(PipelineName="jsonget")["PipelineExecutionArn"]
    wait_for(sagemaker_client, arn)
    assert set(steps_by_name(sagemaker_client, arn)) == {"Evaluate", "CheckMse", taken}


def test_injected_failure_fails_the_run_and_the_step_with_its_reason_and_starts_nothing_after(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(
        durations={"default": 0.05, "byStep": {"Side": 0.3}},
        failures={"Train": "AlgorithmError: ExecuteUserScriptError: out of memory"},
    )
    create(
        sagemaker_client,
        "failing",
        [step("Train", "Training"), step("Side"), step("After", depends_on=["Train"])],
    )
    arn = sagemaker_client.start_pipeline_execution(PipelineName="failing")["PipelineExecutionArn"]
    final = wait_for(sagemaker_client, arn)[-1]
    assert final["PipelineExecutionStatus"] == "Failed"
    assert final["FailureReason"] == "Step failure: One or multiple steps failed."
    steps = steps_by_name(sagemaker_client, arn)
    assert steps["Train"]["StepStatus"] == "Failed"
    assert steps["Train"]["FailureReason"] == "AlgorithmError: ExecuteUserScriptError: out of memory"
    assert steps["Side"]["StepStatus"] == "Succeeded"  # already running: it finishes
    assert "After" not in steps
    summary = sagemaker_client.list_pipeline_executions(PipelineName="failing")["PipelineExecutionSummaries"][
        0
    ]
    assert summary["PipelineExecutionFailureReason"] == final["FailureReason"]


def test_fail_step_fails_the_run_and_shows_its_rendered_message_on_the_step(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations={"default": 0.05})
    message = {"Std:Join": {"On": " ", "Values": ["MSE above threshold", {"Get": "Parameters.Threshold"}]}}
    create(
        sagemaker_client,
        "failstep",
        [
            step(
                "Check",
                "Condition",
                Conditions=[
                    {"Type": "GreaterThan", "LeftValue": {"Get": "Parameters.Threshold"}, "RightValue": 10}
                ],
                IfSteps=[step("Register", "RegisterModel")],
                ElseSteps=[step("Stop", "Fail", ErrorMessage=message)],
            )
        ],
        [{"Name": "Threshold", "Type": "Integer", "DefaultValue": 5}],
    )
    arn = sagemaker_client.start_pipeline_execution(PipelineName="failstep")["PipelineExecutionArn"]
    final = wait_for(sagemaker_client, arn)[-1]
    assert final["PipelineExecutionStatus"] == "Failed"
    assert final["FailureReason"] == "Step failure: One or multiple steps failed."
    stop_step = steps_by_name(sagemaker_client, arn)["Stop"]
    assert stop_step["StepStatus"] == "Failed"
    assert stop_step["FailureReason"] == "MSE above threshold 5"
    assert stop_step["Metadata"]["Fail"]["ErrorMessage"] == "MSE above threshold 5"


def test_stop_moves_executing_to_stopping_then_stopped(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations={"byStep": {"Long": 60.0, "LongToo": 60.0}, "stop": 0.3})
    create(
        sagemaker_client,
        "stoppable",
        [step("Long", "Training"), step("LongToo"), step("Next", depends_on=["Long"])],
    )
    arn = sagemaker_client.start_pipeline_execution(PipelineName="stoppable")["PipelineExecutionArn"]

    assert sagemaker_client.stop_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionArn"] == arn
    stopping = sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert stopping["PipelineExecutionStatus"] == "Stopping"
    assert {s["StepStatus"] for s in steps_by_name(sagemaker_client, arn).values()} == {"Stopping"}
    sagemaker_client.stop_pipeline_execution(PipelineExecutionArn=arn)  # again while stopping: accepted

    assert wait_for(sagemaker_client, arn)[-1]["PipelineExecutionStatus"] == "Stopped"
    steps = steps_by_name(sagemaker_client, arn)
    assert set(steps) == {"Long", "LongToo"}
    assert all(s["StepStatus"] == "Stopped" and "EndTime" in s for s in steps.values())
    with pytest.raises(ClientError) as error:
        sagemaker_client.stop_pipeline_execution(PipelineExecutionArn=arn)
    assert error.value.response["Error"]["Code"] == "ConflictException"


def test_update_keeps_versions_and_an_execution_keeps_its_definition_and_parameters(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations={"default": 0.05})
    parameters: list[dict[str, Any]] = [
        {"Name": "Count", "Type": "Integer", "DefaultValue": 1},
        {"Name": "Mode", "Type": "String", "DefaultValue": "fast"},
    ]
    create(sagemaker_client, "versioned", [step("A")], parameters)
    first = sagemaker_client.start_pipeline_execution(
        PipelineName="versioned", PipelineParameters=[{"Name": "Count", "Value": "3"}]
    )["PipelineExecutionArn"]
    new_definition = json.dumps(
        {"Version": "2020-12-01", "Parameters": parameters, "Steps": [step("A"), step("B")]}
    )
    updated = sagemaker_client.update_pipeline(PipelineName="versioned", PipelineDefinition=new_definition)
    assert updated["PipelineVersionId"] == 2
    second = sagemaker_client.start_pipeline_execution(PipelineName="versioned")["PipelineExecutionArn"]

    old = json.loads(
        sagemaker_client.describe_pipeline_definition_for_execution(PipelineExecutionArn=first)[
            "PipelineDefinition"
        ]
    )
    assert [s["Name"] for s in old["Steps"]] == ["A"]
    assert (
        sagemaker_client.describe_pipeline(PipelineName="versioned")["PipelineDefinition"] == new_definition
    )
    assert sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=second)["PipelineVersionId"] == 2
    listed = sagemaker_client.list_pipeline_parameters_for_execution(PipelineExecutionArn=first)[
        "PipelineParameters"
    ]
    assert listed == [{"Name": "Count", "Value": "3"}, {"Name": "Mode", "Value": "fast"}]
    summaries = sagemaker_client.list_pipeline_executions(PipelineName="versioned")[
        "PipelineExecutionSummaries"
    ]
    assert [s["PipelineExecutionArn"] for s in summaries] == [second, first]


def test_region_comes_from_the_client(make_sagemaker_client: Any, sagemaker_client: Any) -> None:
    west = make_sagemaker_client(region="us-west-2")
    arn = create(west, "regional", [step("A")])
    assert arn == "arn:aws:sagemaker:us-west-2:123456789012:pipeline/regional"
    assert [p["PipelineName"] for p in west.list_pipelines()["PipelineSummaries"]] == ["regional"]
    assert sagemaker_client.list_pipelines()["PipelineSummaries"] == []
