"""boto3 against the emulator: paging, throttling and SageMaker's error codes and shapes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import ROLE, create, definition, step, wait_for


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_150_steps_page_newest_first_with_max_results_and_next_token(
    sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations={"default": 0.01})
    create(sagemaker_client, "many", [step(f"Step{i:03d}") for i in range(150)])
    arn = sagemaker_client.start_pipeline_execution(PipelineName="many")["PipelineExecutionArn"]
    wait_for(sagemaker_client, arn)

    first = sagemaker_client.list_pipeline_execution_steps(PipelineExecutionArn=arn, MaxResults=100)
    assert len(first["PipelineExecutionSteps"]) == 100
    second = sagemaker_client.list_pipeline_execution_steps(
        PipelineExecutionArn=arn, MaxResults=100, NextToken=first["NextToken"]
    )
    assert len(second["PipelineExecutionSteps"]) == 50
    assert "NextToken" not in second
    items = first["PipelineExecutionSteps"] + second["PipelineExecutionSteps"]
    assert sorted(s["StepName"] for s in items) == [f"Step{i:03d}" for i in range(150)]
    starts = [s["StartTime"] for s in items]
    assert starts == sorted(starts, reverse=True)

    ascending = sagemaker_client.get_paginator("list_pipeline_execution_steps").paginate(
        PipelineExecutionArn=arn, SortOrder="Ascending", PaginationConfig={"PageSize": 40}
    )
    pages = [page["PipelineExecutionSteps"] for page in ascending]
    assert [len(p) for p in pages] == [40, 40, 40, 30]
    assert [s["StepName"] for p in pages for s in p] == [s["StepName"] for s in reversed(items)]

    with pytest.raises(ClientError) as error:
        sagemaker_client.list_pipeline_execution_steps(PipelineExecutionArn=arn, MaxResults=101)
    assert _code(error) == "ValidationException"


def test_pages_stay_whole_while_new_steps_start(sagemaker_emulator: Any, sagemaker_client: Any) -> None:
    sagemaker_emulator.configure(durations={"default": 0.05, "byStep": {"Gate": 1.5}})
    steps = [step("Gate")] + [step(f"Late{i}", depends_on=["Gate"]) for i in range(5)]
    steps += [step(f"Early{i}") for i in range(5)]
    create(sagemaker_client, "growing", steps)
    arn = sagemaker_client.start_pipeline_execution(PipelineName="growing")["PipelineExecutionArn"]
    first = sagemaker_client.list_pipeline_execution_steps(PipelineExecutionArn=arn, MaxResults=3)
    wait_for(sagemaker_client, arn)  # the Late steps start between the two pages
    rest = sagemaker_client.get_paginator("list_pipeline_execution_steps").paginate(
        PipelineExecutionArn=arn, PaginationConfig={"StartingToken": first["NextToken"]}
    )
    names = [s["StepName"] for s in first["PipelineExecutionSteps"]]
    names += [s["StepName"] for page in rest for s in page["PipelineExecutionSteps"]]
    assert len(names) == len(set(names)) == 6
    assert set(names) == {"Gate", *(f"Early{i}" for i in range(5))}


def test_list_pipelines_pages_and_filters(sagemaker_client: Any) -> None:
    for i in range(7):
        create(sagemaker_client, f"team-a-{i}", [step("A")])
    create(sagemaker_client, "team-b", [step("A")])
    pages = sagemaker_client.get_paginator("list_pipelines").paginate(
        PipelineNamePrefix="team-a", SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 3}
    )
    names = [p["PipelineName"] for page in pages for p in page["PipelineSummaries"]]
    assert names == [f"team-a-{i}" for i in range(7)]


def test_throttling_is_answered_and_retries_get_through(
    sagemaker_emulator: Any, sagemaker_client: Any, make_sagemaker_client: Any
) -> None:
    no_retries = make_sagemaker_client(retries={"mode": "standard", "total_max_attempts": 1})
    sagemaker_emulator.configure(throttle={"next": 2})
    with pytest.raises(ClientError) as error:
        no_retries.list_pipelines()
    assert _code(error) == "ThrottlingException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    retrying = make_sagemaker_client(retries={"mode": "standard", "total_max_attempts": 4})
    answer = retrying.list_pipelines()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1

    sagemaker_emulator.configure(throttle={"enabled": True, "rate": 0.001, "burst": 1})
    no_retries.list_pipelines()
    with pytest.raises(ClientError) as error:
        no_retries.list_pipelines()
    assert _code(error) == "ThrottlingException"
    sagemaker_emulator.configure(throttle={"enabled": False})
    no_retries.list_pipelines()

    sagemaker_emulator.configure(throttle={"next": 1, "operations": ["DescribePipeline"]})
    no_retries.list_pipelines()  # other operations neither throttled nor counted
    for expected in ("ThrottlingException", "ResourceNotFound"):
        with pytest.raises(ClientError) as error:
            no_retries.describe_pipeline(PipelineName="absent")
        assert _code(error) == expected


def test_not_found_conflict_and_validation_codes(sagemaker_client: Any) -> None:
    create(sagemaker_client, "exists", [step("A")], [{"Name": "Count", "Type": "Integer", "DefaultValue": 1}])
    missing_execution = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/exists/execution/000000000000"
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("ResourceNotFound", lambda: sagemaker_client.describe_pipeline(PipelineName="absent")),
        ("ResourceNotFound", lambda: sagemaker_client.start_pipeline_execution(PipelineName="absent")),
        ("ResourceNotFound", lambda: sagemaker_client.delete_pipeline(PipelineName="absent")),
        (
            "ResourceNotFound",
            lambda: sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=missing_execution),
        ),
        ("ConflictException", lambda: create(sagemaker_client, "exists", [step("A")])),
        ("ValidationException", lambda: create(sagemaker_client, "bad_name", [step("A")])),
        ("ValidationException", lambda: create(sagemaker_client, "dupes", [step("A"), step("A")])),
        (
            "ValidationException",
            lambda: create(sagemaker_client, "dangling", [step("A", depends_on=["Nope"])]),
        ),
        (
            "ValidationException",
            lambda: create(
                sagemaker_client, "cycle", [step("A", depends_on=["B"]), step("B", depends_on=["A"])]
            ),
        ),
        ("ValidationException", lambda: create(sagemaker_client, "badtype", [step("A", "Teleport")])),
        (
            "ValidationException",
            lambda: create(
                sagemaker_client, "badcond", [step("C", "Condition", Conditions=[{"Type": "Maybe"}])]
            ),
        ),
        (
            "ValidationException",
            lambda: create(sagemaker_client, "noparam", [step("A", Count={"Get": "Parameters.Missing"})]),
        ),
        (
            "ValidationException",
            lambda: sagemaker_client.create_pipeline(
                PipelineName="notjson", PipelineDefinition="{not json", RoleArn=ROLE
            ),
        ),
        (
            "ValidationException",
            lambda: sagemaker_client.create_pipeline(
                PipelineName="badrole",
                PipelineDefinition=definition([step("A")]),
                RoleArn="arn:aws:iam::1:role/x",
            ),
        ),
        (
            "ValidationException",
            lambda: sagemaker_client.start_pipeline_execution(
                PipelineName="exists", PipelineParameters=[{"Name": "Unknown", "Value": "1"}]
            ),
        ),
        (
            "ValidationException",
            lambda: sagemaker_client.start_pipeline_execution(
                PipelineName="exists", PipelineParameters=[{"Name": "Count", "Value": "many"}]
            ),
        ),
    ]
    for expected, call in cases:
        with pytest.raises(ClientError) as error:
            call()
        assert _code(error) == expected, error.value
        assert error.value.response["Error"]["Message"]


def test_errors_have_the_json_11_shape_on_the_wire(sagemaker_emulator: Any, sagemaker_client: Any) -> None:
    request = urllib.request.Request(
        sagemaker_emulator.url + "/",
        data=json.dumps({"PipelineName": "absent"}).encode(),
        headers={"X-Amz-Target": "SageMaker.DescribePipeline", "Content-Type": "application/x-amz-json-1.1"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code == 400
    assert error.value.headers["Content-Type"].startswith("application/x-amz-json-1.1")
    body = json.loads(error.value.read())
    assert body == {
        "__type": "ResourceNotFound",
        "message": "Pipeline 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/absent' does not exist.",
    }
