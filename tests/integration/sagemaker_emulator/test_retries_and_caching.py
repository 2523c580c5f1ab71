"""Retry policies, step caching and the run's FailureReason, seen through boto3 as a sandbox user sees them."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import create, step, steps_by_name, wait_for

GENERIC = "Step failure: One or multiple steps failed."
CAPACITY = {"reason": "CapacityError: Unable to provision requested ML compute capacity.",
            "exceptionType": "SageMaker.CAPACITY_ERROR"}  # fmt: skip


def retrying(name: str, *policies: dict[str, Any], step_type: str = "Training") -> dict[str, Any]:
    item = step(name, step_type)
    item["RetryPolicies"] = list(policies)
    return item


def cached(name: str, expire: str | None = None, **arguments: Any) -> dict[str, Any]:
    item = step(name, "Processing", **arguments)
    item["CacheConfig"] = {"Enabled": True, **({"ExpireAfter": expire} if expire else {})}
    return item


def seconds(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


@pytest.fixture
def fast(sagemaker_client: Any, sagemaker_emulator: Any) -> Any:
    """Short steps and retry waits at 1/100 of the policy's seconds (after the client's reset)."""
    sagemaker_emulator.configure(durations={"default": 0.05, "retryScale": 0.01})
    return sagemaker_emulator


def test_a_covered_failure_is_retried_until_an_attempt_succeeds(fast: Any, sagemaker_client: Any) -> None:
    fast.configure(failures={"Train": {**CAPACITY, "attempts": 2}})
    policy = {"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "IntervalSeconds": 10, "BackoffRate": 2.0,
              "MaxAttempts": 5}  # fmt: skip
    create(sagemaker_client, "retry-ok", [retrying("Train", policy)])
    arn = sagemaker_client.start_pipeline_execution(PipelineName="retry-ok")["PipelineExecutionArn"]
    final = wait_for(sagemaker_client, arn)[-1]
    train = steps_by_name(sagemaker_client, arn)["Train"]
    assert final["PipelineExecutionStatus"] == "Succeeded"
    assert (train["StepStatus"], train["AttemptCount"]) == ("Succeeded", 3)
    assert "FailureReason" not in train
    # two waits of 10 s then 20 s, scaled by 0.01, between three attempts of 0.05 s
    assert seconds(train["EndTime"]) - seconds(train["StartTime"]) >= 0.3 + 3 * 0.05 - 0.01


def test_attempts_count_up_while_the_step_retries(fast: Any, sagemaker_client: Any) -> None:
    fast.configure(
        durations={"retryScale": 0.5, "byStep": {"Train": 0.5}},
        failures={"Train": {**CAPACITY, "attempts": 1}},
    )
    policy = {"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "IntervalSeconds": 1, "MaxAttempts": 3}
    create(sagemaker_client, "retry-seen", [retrying("Train", policy)])
    arn = sagemaker_client.start_pipeline_execution(PipelineName="retry-seen")["PipelineExecutionArn"]
    seen = set()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        train = steps_by_name(sagemaker_client, arn)["Train"]
        seen.add((train["StepStatus"], train["AttemptCount"]))
        if train["StepStatus"] == "Succeeded":
            break
        time.sleep(0.05)
    assert ("Succeeded", 2) in seen
    assert any(attempt == 1 and status in ("Starting", "Executing") for status, attempt in seen)
    assert any(attempt == 2 and status in ("Starting", "Executing") for status, attempt in seen)


def test_retries_stop_at_max_attempts_and_the_run_fails_with_the_generic_reason(
    fast: Any, sagemaker_client: Any
) -> None:
    fast.configure(failures={"Train": CAPACITY})
    policy = {"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "IntervalSeconds": 1, "MaxAttempts": 2}
    create(sagemaker_client, "retry-out", [retrying("Train", policy)])
    arn = sagemaker_client.start_pipeline_execution(PipelineName="retry-out")["PipelineExecutionArn"]
    final = wait_for(sagemaker_client, arn)[-1]
    train = steps_by_name(sagemaker_client, arn)["Train"]
    assert (final["PipelineExecutionStatus"], final["FailureReason"]) == ("Failed", GENERIC)
    assert (train["StepStatus"], train["AttemptCount"]) == ("Failed", 3), "the first attempt and 2 retries"
    assert train["FailureReason"] == CAPACITY["reason"]
    summary = sagemaker_client.list_pipeline_executions(PipelineName="retry-out")[
        "PipelineExecutionSummaries"
    ][0]
    assert summary["PipelineExecutionFailureReason"] == GENERIC


def test_expire_after_min_bounds_retries_by_time(fast: Any, sagemaker_client: Any) -> None:
    fast.configure(failures={"Train": CAPACITY})
    # waits 60, 120, 240 s (scaled): the third retry would start after 7 minutes, past ExpireAfterMin=5
    policy = {"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "IntervalSeconds": 60, "BackoffRate": 2.0,
              "ExpireAfterMin": 5}  # fmt: skip
    create(sagemaker_client, "retry-expire", [retrying("Train", policy)])
    arn = sagemaker_client.start_pipeline_execution(PipelineName="retry-expire")["PipelineExecutionArn"]
    wait_for(sagemaker_client, arn, timeout=30)
    train = steps_by_name(sagemaker_client, arn)["Train"]
    assert (train["StepStatus"], train["AttemptCount"]) == ("Failed", 3)


def test_a_failure_no_policy_covers_is_not_retried(fast: Any, sagemaker_client: Any) -> None:
    fast.configure(
        failures={"Train": {**CAPACITY, "exceptionType": "SageMaker.JOB_INTERNAL_ERROR"}, "Plain": "boom"}
    )
    policy = {"ExceptionType": ["SageMaker.CAPACITY_ERROR"], "MaxAttempts": 5}
    create(sagemaker_client, "retry-other", [retrying("Train", policy), retrying("Plain", policy)])
    arn = sagemaker_client.start_pipeline_execution(PipelineName="retry-other")["PipelineExecutionArn"]
    wait_for(sagemaker_client, arn)
    steps = steps_by_name(sagemaker_client, arn)
    assert [(steps[n]["StepStatus"], steps[n]["AttemptCount"]) for n in ("Train", "Plain")] == [
        ("Failed", 1)
    ] * 2


@pytest.mark.parametrize(
    ("policy", "complaint"),
    [
        ({"ExceptionType": ["SageMaker.OUT_OF_LUCK"], "MaxAttempts": 2}, "unknown ExceptionType"),
        ({"IntervalSeconds": 1, "MaxAttempts": 2}, "needs an ExceptionType"),
        ({"ExceptionType": ["Step.THROTTLING"], "MaxAttempts": 21}, "MaxAttempts"),
        ({"ExceptionType": ["Step.THROTTLING"], "IntervalSeconds": -1}, "IntervalSeconds"),
    ],
)
def test_a_malformed_retry_policy_is_refused_on_create(
    sagemaker_client: Any, policy: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ClientError) as raised:
        create(sagemaker_client, "bad-policy", [retrying("Train", policy)])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert complaint in raised.value.response["Error"]["Message"]
    assert sagemaker_client.list_pipelines()["PipelineSummaries"] == []


def _run(client: Any, name: str, **parameters: str) -> str:
    given = [{"Name": k, "Value": v} for k, v in parameters.items()]
    arn = client.start_pipeline_execution(PipelineName=name, PipelineParameters=given)["PipelineExecutionArn"]
    wait_for(client, arn)
    return str(arn)


def test_a_second_run_with_identical_arguments_reuses_the_cached_step(
    fast: Any, sagemaker_client: Any
) -> None:
    source = {"Get": "Parameters.Source"}
    create(
        sagemaker_client,
        "caching",
        [cached("Prep", "PT1H", Input=source), step("Train", "Training", depends_on=["Prep"])],
        [{"Name": "Source", "Type": "String", "DefaultValue": "s3://bucket/a.csv"}],
    )
    first = _run(sagemaker_client, "caching")
    second = _run(sagemaker_client, "caching")
    third = _run(sagemaker_client, "caching", Source="s3://bucket/b.csv")
    one, two, three = (steps_by_name(sagemaker_client, arn) for arn in (first, second, third))
    assert "CacheHitResult" not in one["Prep"]
    assert two["Prep"]["CacheHitResult"] == {"SourcePipelineExecutionArn": first}
    assert two["Prep"]["StepStatus"] == "Succeeded"
    assert two["Prep"]["Metadata"]["ProcessingJob"]["Arn"] == one["Prep"]["Metadata"]["ProcessingJob"]["Arn"]
    assert "CacheHitResult" not in two["Train"], "a step without CacheConfig always runs"
    assert "CacheHitResult" not in three["Prep"], "a changed parameter changes the arguments"


def test_a_failed_step_is_never_a_cache_source(fast: Any, sagemaker_client: Any) -> None:
    create(sagemaker_client, "cache-fail", [cached("Prep", "P30D")])
    fast.configure(failures={"Prep": "boom"})
    _run(sagemaker_client, "cache-fail")
    fast.configure(failures={"Prep": None})
    second = _run(sagemaker_client, "cache-fail")
    third = _run(sagemaker_client, "cache-fail")
    assert "CacheHitResult" not in steps_by_name(sagemaker_client, second)["Prep"]
    assert steps_by_name(sagemaker_client, third)["Prep"]["CacheHitResult"] == {
        "SourcePipelineExecutionArn": second
    }


def test_an_expired_cache_entry_runs_the_step_again(fast: Any, sagemaker_client: Any) -> None:
    create(sagemaker_client, "cache-expire", [cached("Prep", "PT0.2S")])
    _run(sagemaker_client, "cache-expire")
    time.sleep(0.3)
    again = _run(sagemaker_client, "cache-expire")
    assert "CacheHitResult" not in steps_by_name(sagemaker_client, again)["Prep"]


def test_a_malformed_expire_after_is_refused_on_create(sagemaker_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        create(sagemaker_client, "cache-bad", [cached("Prep", "one hour")])
    assert "ISO 8601" in raised.value.response["Error"]["Message"]
