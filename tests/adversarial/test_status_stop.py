"""Adversarial cases of status, stop and runs: unknown and malformed runs, finished runs, stopping twice,
stopping a run that has not started, AccessDenied injected into SageMaker, waits that time out, and a
Kubernetes API that cannot be reached.

Every case runs the real CLI against the sandbox (or no cluster at all) and asserts the exit code the README
promises (``status``: 0 Succeeded, 1 Failed, 3 Stopped, 4 still running; 2 a user mistake with one
``error:`` and one ``fix:`` line), that no traceback escapes, and what must (not) exist afterwards.
"""

from __future__ import annotations

import copy
import itertools
import os
import secrets
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from .conftest import assert_no_traceback, assert_user_error, cli

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
UNKNOWN_ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/nothing-here/execution/abc123def456"
DENIED = "User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: sagemaker:{op}"
_names = itertools.count(1)


# -- the stage: one namespace of the sandbox, runs made to order ----------------------------------------


@pytest.fixture
def ns(sandbox: Any, sandbox_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh namespace of the sandbox, set as this test's default namespace."""
    from kubernetes import client, config

    name = f"adv-status-{secrets.token_hex(4)}"
    api = config.new_client_from_config(config_file=sandbox_env["KUBECONFIG"])
    try:
        client.CoreV1Api(api).create_namespace({"metadata": {"name": name}})
        monkeypatch.setenv("SAGEMAKER_ACK_NAMESPACE", name)
        yield name
        client.CoreV1Api(api).delete_namespace(name)
    finally:
        api.close()


def _emulator(sandbox: Any, update: dict[str, Any]) -> dict[str, Any]:
    from jupyter_sagemaker_ack.sandbox.sagemaker import configure_remote

    return configure_remote(sandbox.endpoints["sagemaker"], update)


@pytest.fixture
def emulator(sandbox: Any) -> Iterator[Any]:
    """Change the sandbox's SageMaker emulator for one test; its settings are restored afterwards."""
    before = _emulator(sandbox, {})
    yield lambda update: _emulator(sandbox, update)
    _emulator(
        sandbox,
        {
            "durations": before["durations"],
            "failures": dict.fromkeys(_emulator(sandbox, {})["failures"]) | before["failures"],
            "apiErrors": dict.fromkeys(_emulator(sandbox, {})["apiErrors"]),
        },
    )


def _settings() -> Any:
    from jupyter_sagemaker_ack.config import resolve_settings

    return resolve_settings()


def _rendered(steps: int = 1) -> Any:
    from jupyter_sagemaker_ack.core.definition import parse_definition
    from jupyter_sagemaker_ack.examples.synthetic import chain_definition
    from jupyter_sagemaker_ack.services.render import render

    name = f"adv-{os.getpid()}-{next(_names)}-{secrets.token_hex(2)}"
    return render(
        parse_definition(chain_definition(steps)),
        _settings(),
        pipeline_name=name,
        role_arn=ROLE,
        execution=True,
    )


def _submit(wait: bool = False, steps: int = 1) -> tuple[Any, str]:
    """A new run (its Pipeline first); returns (rendered, PipelineExecution name)."""
    from jupyter_sagemaker_ack.services import submit

    rendered = _rendered(steps)
    result = submit.submit(rendered.docs, _settings(), wait=wait)
    return rendered, result.execution_names[0]


def _finished(sandbox: Any, emulator: Any, outcome: str) -> str:
    """A run of this namespace that already ended with ``outcome``."""
    from jupyter_sagemaker_ack.services import watch

    if outcome == "Failed":
        emulator({"failures": {"Step-00000": "AlgorithmError: out of memory"}})
    _, run = _submit()
    final = list(watch.watch_run(None, run, _settings()))[-1]
    assert final.outcome == outcome
    return run


def _cr_exists(name: str) -> bool:
    from jupyter_sagemaker_ack.adapters.kube import KubeObjects, connect
    from jupyter_sagemaker_ack.core import ack

    cluster = connect(_settings())
    try:
        return KubeObjects(cluster).get(ack.EXECUTION_KIND, cluster.namespace, name) is not None
    finally:
        cluster.close()


def _sagemaker_status(arn: str) -> str:
    import boto3

    client = boto3.client("sagemaker")
    return str(client.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"])


def _unreachable_kubeconfig(tmp_path: Path) -> str:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        "clusters: [{name: gone, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        "contexts: [{name: gone, context: {cluster: gone, user: u, namespace: default}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
    )
    return str(path)


# -- user mistakes: exit 2, one error and one fix, nothing changed ---------------------------------------

MISTAKES = [
    # (id, args, environment change, words the error or fix must say)
    ("status-unknown-run", ["status", "no-such-run"], {}, ["no-such-run", "sagemaker-ack runs"]),
    ("status-watch-unknown-run", ["status", "no-such-run", "--watch"], {}, ["no-such-run"]),
    ("status-json-unknown-run", ["status", "no-such-run", "--json"], {}, ["no-such-run"]),
    ("stop-unknown-run", ["stop", "no-such-run"], {}, ["no-such-run", "runs"]),
    ("stop-no-wait-unknown-run", ["stop", "no-such-run", "--no-wait"], {}, ["no-such-run"]),
    ("status-unknown-arn", ["status", UNKNOWN_ARN], {}, []),
    ("status-watch-unknown-arn", ["status", UNKNOWN_ARN, "--watch"], {}, []),
    ("stop-unknown-arn", ["stop", UNKNOWN_ARN], {}, []),
    (
        "status-unknown-namespace",
        ["status", "some-run", "-n", "no-such-namespace"],
        {},
        ["no-such-namespace"],
    ),
    ("stop-unknown-namespace", ["stop", "some-run", "-n", "no-such-namespace"], {}, []),
    ("status-upper-case-name", ["status", "Not_A_Name"], {}, []),
    ("stop-upper-case-name", ["stop", "Not_A_Name"], {}, []),
    (
        "status-unknown-poll-policy",
        ["status", "some-run", "-w"],
        {"SAGEMAKER_ACK_POLL_POLICY": "fast"},
        ["poll"],
    ),
    ("stop-unknown-poll-policy", ["stop", "some-run"], {"SAGEMAKER_ACK_POLL_POLICY": "fast"}, ["poll"]),
    ("runs-no-cluster-no-pipeline", ["runs"], {"KUBECONFIG": "/nonexistent/kubeconfig"}, ["pipeline"]),
    ("status-no-cluster", ["status", "some-run"], {"KUBECONFIG": "/nonexistent/kubeconfig"}, ["kubeconfig"]),
    ("stop-no-cluster", ["stop", "some-run"], {"KUBECONFIG": "/nonexistent/kubeconfig"}, []),
    (
        "status-arn-without-credentials",
        ["status", UNKNOWN_ARN, "--watch"],
        {
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_EC2_METADATA_DISABLED": "true",
        },
        ["credentials"],
    ),
]


@pytest.mark.parametrize(("args", "env", "mentions"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_a_mistake_is_one_error_and_one_fix(
    ns: str, args: list[str], env: dict[str, str], mentions: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in env.items():
        if value:
            monkeypatch.setenv(key, value)
        else:
            monkeypatch.delenv(key, raising=False)
    outcome = cli(*args)
    assert_user_error(outcome, *mentions)


@pytest.mark.parametrize("args", [["status", "some-run"], ["status", "some-run", "-w"], ["stop", "some-run"],
                                  ["runs"], ["runs", "some-pipeline", "--json"]],
                         ids=["status", "status-watch", "stop", "runs", "runs-json"])  # fmt: skip
def test_an_unreachable_kubernetes_api_is_one_error_and_one_fix(
    sandbox_env: dict[str, str], tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", _unreachable_kubeconfig(tmp_path))
    started = time.monotonic()
    outcome = cli(*args)
    assert_user_error(outcome)
    assert time.monotonic() - started < 60, "an unreachable API must not hang the command"


# -- runs that already ended -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "args", "exit_code"),
    [
        ("Succeeded", ["status"], 0),
        ("Succeeded", ["status", "--watch"], 0),
        ("Succeeded", ["stop"], 0),
        ("Failed", ["status"], 1),
        ("Failed", ["status", "--watch", "--json"], 1),
        ("Failed", ["stop"], 1),
    ],
    ids=[
        "succeeded-status",
        "succeeded-watch",
        "succeeded-stop",
        "failed-status",
        "failed-watch",
        "failed-stop",
    ],
)
def test_a_finished_run_is_reported_as_it_ended_and_stop_deletes_nothing(
    sandbox: Any, ns: str, emulator: Any, outcome: str, args: list[str], exit_code: int
) -> None:
    run = _finished(sandbox, emulator, outcome)
    result = cli(args[0], run, *args[1:])
    assert_no_traceback(result)
    assert result.exit_code == exit_code, result.output
    assert outcome in result.stdout
    assert _cr_exists(run), "stop deleted the CR of a run that had already ended"


# -- stop: right after submit, twice, by ARN ---------------------------------------------------------------


@pytest.mark.parametrize("no_wait", [False, True], ids=["wait", "no-wait"])
def test_stop_right_after_submit_reports_a_definite_outcome(
    sandbox: Any, ns: str, emulator: Any, no_wait: bool
) -> None:
    emulator({"durations": {"default": 30.0}})
    _, run = _submit()
    result = cli("stop", run, *(["--no-wait"] if no_wait else []), "--json")
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    import json

    snap = json.loads(result.stdout)
    if not no_wait:
        assert snap["outcome"] == "Stopped"
        if snap["executionArn"]:
            assert _sagemaker_status(snap["executionArn"]) == "Stopped"
        assert not _cr_exists(run)


def test_stopping_twice_says_the_run_is_gone(sandbox: Any, ns: str, emulator: Any) -> None:
    emulator({"durations": {"default": 30.0}})
    _, run = _submit(wait=True)
    first = cli("stop", run)
    assert first.exit_code == 0, first.output
    assert f"{run}: Stopped" in first.stdout
    again = cli("stop", run)
    assert_user_error(again, run, "runs")


def test_a_run_stopped_by_arn_then_watched_exits_3(sandbox: Any, ns: str, emulator: Any) -> None:
    emulator({"durations": {"default": 30.0}})
    from jupyter_sagemaker_ack.services import submit

    rendered = _rendered()
    result = submit.submit(rendered.docs, _settings(), wait=True)
    arn = result.executions[0].arn
    stopped = cli("stop", arn)
    assert stopped.exit_code == 0, stopped.output
    watched = cli("status", arn, "--watch")
    assert_no_traceback(watched)
    assert watched.exit_code == 3, watched.output
    assert _sagemaker_status(arn) == "Stopped"


# -- AccessDenied injected into SageMaker --------------------------------------------------------------------


def test_access_denied_on_start_shows_the_reason_and_status_exits_4(
    sandbox: Any, ns: str, emulator: Any
) -> None:
    """The controller retries a Recoverable AccessDenied: status says the run still waits, and why."""
    denied = {"code": "AccessDeniedException", "message": DENIED.format(op="StartPipelineExecution")}
    emulator({"apiErrors": {"StartPipelineExecution": denied}})
    _, run = _submit()
    deadline = time.monotonic() + 15
    while True:
        result = cli("status", run)
        if "waiting:" in result.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert_no_traceback(result)
    assert result.exit_code == 4, result.output
    assert "not authorized to perform: sagemaker:StartPipelineExecution" in result.stdout
    stopped = cli("stop", run)  # stop still ends it: it never started in SageMaker
    assert stopped.exit_code == 0, stopped.output
    assert "stopped before it started" in stopped.stdout


@pytest.mark.parametrize(
    ("operation", "command"),
    [("DescribePipelineExecution", "status"), ("StopPipelineExecution", "stop")],
    ids=["describe-denied-status", "stop-denied-stop"],
)
def test_access_denied_to_us_by_arn_is_one_error_and_one_fix(
    sandbox: Any, ns: str, emulator: Any, operation: str, command: str
) -> None:
    emulator({"durations": {"default": 30.0}})
    from jupyter_sagemaker_ack.services import submit

    result = submit.submit(_rendered().docs, _settings(), wait=True)
    arn = result.executions[0].arn
    emulator(
        {"apiErrors": {operation: {"code": "AccessDeniedException", "message": DENIED.format(op=operation)}}}
    )
    outcome = cli(command, arn)
    emulator({"apiErrors": {operation: None}})
    assert_user_error(outcome)
    assert "not authorized" in outcome.stderr
    assert _sagemaker_status(arn) == "Executing", "a refused stop must leave the run as it was"


# -- waits that time out (a small waiter spec) ----------------------------------------------------------------


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The sandbox policy with one-second waits, as the CLI reads it (``SAGEMAKER_ACK_POLL_POLICY``)."""
    from jupyter_sagemaker_ack.core.status import waiting

    base = waiting.POLICIES["sandbox"]
    waits = base.waiters
    quick = replace(
        base,
        waiters=replace(
            waits,
            run_ended=waits.run_ended.with_timeout(1.0),
            run_stopped=waits.run_stopped.with_timeout(1.0),
            run_identity=waits.run_identity.with_timeout(1.0),
        ),
    )
    monkeypatch.setitem(waiting.POLICIES, "sandbox", quick)
    return quick


def test_status_watch_that_times_out_exits_4(sandbox: Any, ns: str, emulator: Any, impatient: Any) -> None:
    emulator({"durations": {"default": 30.0}})
    _, run = _submit(wait=True)
    started = time.monotonic()
    result = cli("status", run, "--watch")
    assert_no_traceback(result)
    assert result.exit_code == 4, result.output
    assert time.monotonic() - started < 15
    assert _cr_exists(run)
    cli("stop", run)


def test_stop_that_times_out_while_stopping_exits_4(
    sandbox: Any, ns: str, emulator: Any, impatient: Any
) -> None:
    emulator({"durations": {"default": 30.0, "stop": 5.0}})
    _, run = _submit(wait=True)
    result = cli("stop", run)
    assert_no_traceback(result)
    assert result.exit_code == 4, result.output
    assert "still stopping" in result.stdout


def test_stop_of_a_run_that_never_gets_an_arn_ends_it_before_it_started(
    sandbox: Any, ns: str, impatient: Any
) -> None:
    """A run the controller only reads (read-only): no ARN ever comes; stop's one-second wait ends."""
    rendered = _rendered()
    execution = copy.deepcopy(rendered.execution)
    execution["metadata"].setdefault("annotations", {})["services.k8s.aws/read-only"] = "true"
    from jupyter_sagemaker_ack.services import submit

    submit.submit([rendered.pipeline, execution], _settings())
    run = execution["metadata"]["name"]
    result = cli("stop", run)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    assert f"{run}: Stopped" in result.stdout
    assert "stopped before it started" in result.stdout
    assert not _cr_exists(run)
