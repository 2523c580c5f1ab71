"""The status model: CR and SageMaker parsing, the outcome rules, merging, links, the polling policy and the
waiter spec (one rule for ACK conditions, acceptors, delays and timeouts).

The CR states and SDK answers are the ACK controller's own test fixtures (shared/ack/samples/status-fixtures).
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from jupyter_sagemaker_ack.core import status as st
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.core.status import waiting as wt
from jupyter_sagemaker_ack.core.status.merge import merge
from jupyter_sagemaker_ack.core.status.outcome import decide_outcome, fatal_condition
from jupyter_sagemaker_ack.core.status.parse import CrView
from jupyter_sagemaker_ack.core.status.snapshots import RECOVERABLE, SYNCED, TERMINAL, Condition

ARN = "arn:aws:sagemaker:us-west-2:123456789:pipeline/test-pipeline/execution/tufkd9rv07w2"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


def fixture(shared_dir: Path, name: str) -> Any:
    path = shared_dir / "ack" / "samples" / "status-fixtures" / name
    text = path.read_text()
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)


def cr_view(shared_dir: Path, name: str) -> st.CrView:
    return st.parse_execution_cr(fixture(shared_dir, name))


# -- the outcome rules on the controller's own fixtures ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("pipelineexecution_after_create.yaml", None),  # Synced=True but no status: not an outcome
        ("pipelineexecution_executing.yaml", None),
        ("pipelineexecution_stopping.yaml", None),
        ("pipelineexecution_succeeded.yaml", "Succeeded"),
        ("pipelineexecution_create_terminal.yaml", "Failed"),
        ("pipelineexecution_recoverable_error.yaml", None),  # ServiceUnavailable: the controller retries
    ],
)
def test_outcome_from_cr_fixtures(shared_dir: Path, name: str, outcome: str | None) -> None:
    snap = st.merge(cr_view(shared_dir, name), None)
    assert snap.outcome == outcome
    assert snap.sources == ("cr",)


def test_synced_true_alone_is_not_success(shared_dir: Path) -> None:
    view = cr_view(shared_dir, "pipelineexecution_after_create.yaml")
    assert st.find_condition(view.conditions, st.SYNCED).is_true
    assert st.decide_outcome(view.status, view.failure_reason, view.conditions).value is None
    assert st.merge(view, None).status == "Pending"


def test_terminal_gives_the_aws_message_without_go_noise(shared_dir: Path) -> None:
    snap = st.merge(cr_view(shared_dir, "pipelineexecution_create_terminal.yaml"), None)
    assert snap.status == "Failed"
    assert (
        snap.failure_reason
        == "InvalidParameterValue: The Pipeline name must not include a special character."
    )


def test_recoverable_validation_exception_is_fatal() -> None:
    conditions = (
        st.Condition(
            st.RECOVERABLE, "True", message="api error ValidationException: Parameter 'X' is not defined"
        ),
    )
    outcome = st.decide_outcome(None, None, conditions)
    assert outcome.value == "Failed"
    assert "ValidationException" in (outcome.failure_reason or "")


def test_recoverable_access_denied_is_not_an_outcome() -> None:
    conditions = (
        st.Condition(st.RECOVERABLE, "True", message="api error AccessDeniedException: not authorized"),
    )
    assert st.decide_outcome("Executing", None, conditions).value is None


def test_failed_run_with_ready_true_is_failed() -> None:
    conditions = (st.Condition(st.SYNCED, "True"), st.Condition("Ready", "True"))
    outcome = st.decide_outcome("Failed", "Step Train failed: AlgorithmError", conditions)
    assert outcome == st.Outcome("Failed", "Step Train failed: AlgorithmError")


def test_fresh_sagemaker_status_outranks_a_stale_terminal_condition() -> None:
    conditions = (st.Condition(st.TERMINAL, "True", message="InvalidParameterValue: x"),)
    assert st.decide_outcome("Executing", None, conditions, status_is_fresh=True).value is None
    assert st.decide_outcome("Executing", None, conditions).value == "Failed"


# -- parsing the SDK's answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("sdk_describe_pipeline_execution_executing.json", "Executing"),
        ("sdk_describe_pipeline_execution_stopping.json", "Stopping"),
        ("sdk_describe_pipeline_execution_succeeded.json", "Succeeded"),
    ],
)
def test_describe_fixtures(shared_dir: Path, name: str, status: str) -> None:
    view = st.parse_describe(fixture(shared_dir, name))
    assert view.status == status
    assert view.execution_arn == ARN
    assert view.creation_time == datetime(2022, 10, 7, 6, 39, 45, 629000, tzinfo=timezone.utc)
    assert st.pipeline_name_of_arn(view.execution_arn) == "test-pipeline"


def test_sagemaker_is_fresher_than_the_lagging_cr(shared_dir: Path) -> None:
    cr = cr_view(shared_dir, "pipelineexecution_executing.yaml")
    sm = st.parse_describe(fixture(shared_dir, "sdk_describe_pipeline_execution_succeeded.json"))
    snap = st.merge(cr, sm, ())
    assert (snap.status, snap.outcome, snap.sources) == ("Succeeded", "Succeeded", ("cr", "sagemaker"))


def test_status_never_goes_back(shared_dir: Path) -> None:
    sm_stopping = st.parse_describe(fixture(shared_dir, "sdk_describe_pipeline_execution_stopping.json"))
    first = st.merge(None, sm_stopping, ())
    cr_executing = cr_view(shared_dir, "pipelineexecution_executing.yaml")
    later = st.merge(cr_executing, None, None, previous=first)
    assert later.status == "Stopping"


def test_go_zero_times_are_no_times(shared_dir: Path) -> None:
    assert st.parse_time("0001-01-01T00:00:00Z") is None
    assert st.parse_time("2022-10-07T06:39:45Z") == datetime(2022, 10, 7, 6, 39, 45, tzinfo=timezone.utc)


# -- steps ------------------------------------------------------------------------------------------


def _item(name: str, status: str, start: int, **extra: Any) -> dict[str, Any]:
    return {"StepName": name, "StepStatus": status, "StartTime": T0 + timedelta(seconds=start), **extra}


def test_steps_in_definition_order_with_pending_ones_and_job_links() -> None:
    job = "arn:aws:sagemaker:us-east-1:123456789012:training-job/pipelines-abc-train-xyz"
    items = [
        _item("Train", "Executing", 10, Metadata={"TrainingJob": {"Arn": job}}),
        _item("Prep", "Succeeded", 0, EndTime=T0 + timedelta(seconds=9)),
    ]
    planned = (("Prep", "Processing"), ("Train", "Training"), ("Eval", "Processing"))
    steps = st.parse_steps(items, planned=planned)
    assert [(s.name, s.type, s.status) for s in steps] == [
        ("Prep", "Processing", "Succeeded"),
        ("Train", "Training", "Executing"),
        ("Eval", "Processing", "Pending"),
    ]
    train = steps[1]
    assert train.job_arn == job
    assert train.console_url == (
        "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/pipelines-abc-train-xyz"
    )
    assert train.logs_url is not None
    assert "$252Faws$252Fsagemaker$252FTrainingJobs" in train.logs_url
    assert "logStreamNameFilter$3Dpipelines-abc-train-xyz" in train.logs_url
    wire = st.RunSnapshot("ns", "run", "p", None, "Executing", steps=steps).to_wire()
    assert wire["progress"] == {"total": 3, "succeeded": 1, "failed": 0, "running": 1}


def test_step_type_from_metadata_when_the_definition_is_unknown() -> None:
    job = "arn:aws:sagemaker:eu-west-1:123456789012:processing-job/pipelines-x-prep"
    (step,) = st.parse_steps(
        [
            _item(
                "Prep",
                "Failed",
                0,
                FailureReason="ClientError: bad",
                Metadata={"ProcessingJob": {"Arn": job}},
            )
        ]
    )
    assert (step.type, step.failure_reason) == ("Processing", "ClientError: bad")
    assert step.console_url is not None
    assert step.console_url.endswith("#/processing-jobs/pipelines-x-prep")


def test_a_retried_step_shows_its_latest_attempt() -> None:
    items = [_item("Train", "Failed", 0), _item("Train", "Executing", 30)]
    (step,) = st.parse_steps(items)
    assert step.status == "Executing"


def test_wire_shape_matches_the_contract() -> None:
    snap = st.RunSnapshot(
        namespace="default",
        name="run-1",
        pipeline_name="p",
        execution_arn=ARN,
        status="Failed",
        outcome="Failed",
        failure_reason="boom",
        start_time=T0,
        end_time=T0 + timedelta(minutes=1),
        updated_at=T0,
        sources=("cr", "sagemaker"),
        conditions=(st.Condition("ACK.ResourceSynced", "True"),),
        steps=(st.StepSnapshot("A", "Processing", "Failed", T0, T0, "boom"),),
    )
    wire = snap.to_wire()
    assert list(wire) == [
        "namespace", "name", "pipelineName", "executionArn", "status", "outcome", "failureReason",
        "startTime", "endTime", "updatedAt", "sources", "conditions", "steps", "progress",
    ]  # fmt: skip
    assert wire["startTime"] == "2026-01-01T12:00:00Z"
    assert wire["conditions"] == [
        {"type": "ACK.ResourceSynced", "status": "True", "reason": None, "message": None}
    ]
    assert set(wire["steps"][0]) == {
        "name", "type", "status", "startTime", "endTime", "failureReason", "jobArn", "consoleUrl", "logsUrl",
        "reused", "sourceExecutionArn",
    }  # fmt: skip
    assert wire["steps"][0]["reused"] is False
    assert "steps" not in snap.to_wire(steps=False)
    json.dumps(wire)


def test_execution_console_url() -> None:
    assert st.execution_console_url(ARN) == (
        "https://us-west-2.console.aws.amazon.com/sagemaker/home?region=us-west-2"
        "#/pipelines/test-pipeline/executions/tufkd9rv07w2"
    )


# -- the polling policy -----------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [1, 50, 100, 101, 150, 250, 1000])
def test_aws_policy_stays_within_budget(steps: int) -> None:
    policy = st.POLICIES["aws"]
    delay = policy.delay(steps=steps)
    polls_per_minute = 60 / delay
    assert polls_per_minute <= 12
    assert polls_per_minute * policy.calls_per_poll(steps) <= 30
    assert policy.calls_per_poll(steps) == 1 + math.ceil(steps / 100)


def test_policy_slows_while_steps_are_long_and_backs_off_on_throttling() -> None:
    policy = st.POLICIES["aws"]
    base = policy.delay(steps=3, running_for=10)
    assert policy.delay(steps=3, running_for=3600) > base
    backoffs = [policy.delay(steps=3, throttled=n) for n in range(6)]
    assert backoffs == sorted(backoffs)
    assert backoffs[1] > backoffs[0]
    assert max(backoffs) <= policy.max_backoff


def test_sandbox_policy_polls_fast() -> None:
    assert st.poll_policy("sandbox").delay(steps=5) <= 0.25
    assert st.poll_policy(None).name == "aws"


def test_unknown_policy_is_a_user_error() -> None:
    with pytest.raises(UserError, match="Unknown status polling policy"):
        st.poll_policy("fast")


def test_running_for_uses_the_most_recent_running_step() -> None:
    steps = (
        st.StepSnapshot("A", status="Executing", start_time=T0),
        st.StepSnapshot("B", status="Executing", start_time=T0 + timedelta(seconds=50)),
        st.StepSnapshot("C", status="Succeeded", start_time=T0 + timedelta(seconds=90)),
    )
    assert st.running_for(steps, T0 + timedelta(seconds=60)) == 10
    assert st.running_for(steps[2:], T0) is None


# -- the waiter spec: one outcome rule for conditions, acceptors, delays --------------------------------


GO_TAIL = "\n\tstatus code: 400, request id: 0000"
CONDITION_CASES = [
    # (conditions, the rule's state, the deciding acceptor)
    ([(TERMINAL, "True", "InvalidParameterValue: bad name")], "failure", "terminal"),
    ([(TERMINAL, "True", "Resource already exists")], "failure", "not-managed"),
    (
        [(RECOVERABLE, "True", "api error ValidationException: Steps must be a list")],
        "failure",
        "invalid-request",
    ),
    (
        [(RECOVERABLE, "True", "error: field MaxParallelExecutionSteps is of type int32")],
        "failure",
        "invalid-request",
    ),
    ([(RECOVERABLE, "True", "AccessDeniedException: not authorized" + GO_TAIL)], "retry", "recoverable"),
    ([(RECOVERABLE, "True", "api error ThrottlingException: Rate exceeded")], "retry", "recoverable"),
    ([(RECOVERABLE, "True", "ServiceUnavailable: try later")], "retry", "recoverable"),
    ([(RECOVERABLE, "False", "AccessDeniedException: old")], None, None),
    ([(TERMINAL, "False", None), (SYNCED, "True", None)], None, None),
    ([], None, None),
]


def _conditions(items: list[tuple[str, str, str | None]]) -> tuple[Condition, ...]:
    return tuple(Condition(kind, status, message=message) for kind, status, message in items)


@pytest.mark.parametrize(("items", "state", "acceptor"), CONDITION_CASES)
def test_every_wait_reads_a_condition_the_same_way(
    items: list[tuple[str, str, str | None]], state: str | None, acceptor: str | None
) -> None:
    """submit's waits, watch's outcome and stop's wait share one rule: none of them can disagree."""
    seen = wt.Observation(conditions=_conditions(items))
    for acceptors in (wt.PIPELINE_SYNCED, wt.EXECUTION_STARTED, wt.RUN_ENDED):
        decision = wt.decide(acceptors, seen)
        assert decision.state == state, acceptors
        assert (decision.acceptor.name if decision.acceptor else None) == acceptor
    outcome = decide_outcome(None, None, _conditions(items))
    assert outcome.value == ("Failed" if state == "failure" else None)
    assert (fatal_condition(_conditions(items)) is not None) == (state == "failure")
    if state == "retry":
        assert outcome.waiting_reason is not None
        assert "status code" not in outcome.waiting_reason  # the Go SDK's tail is cut


def test_access_denied_is_a_reason_to_wait_shown_on_the_snapshot() -> None:
    cr = CrView("ns", "run", "p", None, None, None, None, None,
                _conditions([(RECOVERABLE, "True", "AccessDeniedException: not authorized" + GO_TAIL)]))  # fmt: skip
    snap = merge(cr, None)
    assert (snap.status, snap.outcome) == ("Pending", None)
    assert snap.waiting_reason == "AccessDeniedException: not authorized"
    assert "waitingReason" not in snap.to_wire()  # the wire carries the conditions it comes from


def test_a_fresh_running_status_outranks_every_condition_of_the_lagging_cr() -> None:
    conditions = _conditions([(TERMINAL, "True", "InvalidParameterValue: x")])
    fresh = wt.Observation(status="Executing", conditions=conditions, status_is_fresh=True)
    assert wt.decide(wt.RUN_ENDED, fresh).state is None
    assert (
        wt.decide(wt.RUN_ENDED, wt.Observation(status="Executing", conditions=conditions)).state == "failure"
    )


def test_a_pipeline_with_a_recoverable_error_is_not_synced_yet() -> None:
    """A failed UpdatePipeline leaves Synced=True beside Recoverable=True: the new definition is not in."""
    arn = "arn:aws:sagemaker:us-east-1:1:pipeline/p"
    synced = (Condition(SYNCED, "True"),)
    denied = (*synced, Condition(RECOVERABLE, "True", message="AccessDeniedException: UpdatePipeline"))
    assert wt.decide(wt.PIPELINE_SYNCED, wt.Observation(arn=arn, conditions=synced)).state == "success"
    assert wt.decide(wt.PIPELINE_SYNCED, wt.Observation(arn=arn, conditions=denied)).state == "retry"
    assert wt.decide(wt.PIPELINE_SYNCED, wt.Observation(conditions=synced)).state is None  # no ARN yet
    assert wt.decide(wt.PIPELINE_SYNCED, wt.Observation(gone=True)).state == "failure"


@pytest.mark.parametrize(
    ("seen", "state", "acceptor"),
    [
        (wt.Observation(), None, None),  # just created: keep waiting quietly
        (wt.Observation(arn=ARN), "success", "started"),
        (wt.Observation(arn=ARN, conditions=(Condition(RECOVERABLE, "True"),)), "success", "started"),
        (wt.Observation(status="Failed"), "success", "ended"),
        (wt.Observation(gone=True), "failure", "deleted"),
        (wt.Observation(conditions=_conditions([(TERMINAL, "True", "ResourceNotFound: x")])), "failure", "terminal"),
    ],
)  # fmt: skip
def test_execution_started_acceptors(seen: wt.Observation, state: str | None, acceptor: str | None) -> None:
    decision = wt.decide(wt.EXECUTION_STARTED, seen)
    assert (decision.state, decision.acceptor.name if decision.acceptor else None) == (state, acceptor)
    assert decision.done == (state in ("success", "failure"))


def test_waiter_delay_backs_off_to_its_cap_and_times_out() -> None:
    spec = wt.WaiterSpec("w", wt.RUN_ENDED, delay=0.5, max_delay=3.0, backoff=2.0, timeout=10.0)
    assert [spec.delay_for(n) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert not spec.expired(9.9)
    assert spec.expired(10.0)
    assert spec.with_timeout(None) is spec
    assert spec.with_timeout(1.0).timeout == 1.0
    unbounded = wt.WaiterSpec("w", wt.RUN_ENDED, delay=1.0)
    assert not unbounded.expired(1e9)
    assert unbounded.delay_for(100) == 1.0


@pytest.mark.parametrize("name", sorted(wt.POLICIES))
def test_every_policy_names_every_wait(name: str) -> None:
    waits = wt.poll_policy(name).waiters
    assert waits.run_ended.timeout is None  # status --watch follows a run until it ends
    for spec in (waits.pipeline_synced, waits.execution_started, waits.run_identity, waits.run_stopped):
        assert spec.timeout is not None
        assert 0 < spec.delay <= spec.timeout
    assert waits.pipeline_synced.acceptors == wt.PIPELINE_SYNCED
    assert waits.run_identity.acceptors == waits.execution_started.acceptors == wt.EXECUTION_STARTED
    assert waits.run_stopped.acceptors == waits.run_ended.acceptors == wt.RUN_ENDED
    # Stop's wait for a new run's ARN is short: a person pressed Stop.
    assert waits.run_identity.timeout <= 30  # type: ignore[operator]
