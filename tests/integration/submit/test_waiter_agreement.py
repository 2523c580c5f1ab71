"""Submit, watch and status agree on a Recoverable AccessDenied: the controller retries it, so every wait
goes on, shows the AWS message, and ends when it heals or at its timeout (issue 12, item 10)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from jupyter_sagemaker_ack.config import Settings
from jupyter_sagemaker_ack.core import ack
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.core.status.waiting import poll_policy
from jupyter_sagemaker_ack.services import runs, submit, watch

from .conftest import Stack
from .helpers import cluster_objects, rendered_run
from .test_cli import cli

DENIED = (
    "User: arn:aws:sts::123456789012:assumed-role/ack/x is not authorized to perform: "
    "sagemaker:StartPipelineExecution"
)


def _deny_start(stack: Stack) -> None:
    stack.sagemaker.configure(
        {"apiErrors": {"StartPipelineExecution": {"code": "AccessDeniedException", "message": DENIED}}}
    )


def _allow_start(stack: Stack) -> None:
    stack.sagemaker.configure({"apiErrors": {"StartPipelineExecution": None}})


def _wait_for_cr(stack: Stack, namespace: str, name: str) -> None:
    for _ in range(200):
        objects = cluster_objects(str(stack.kubeconfig), ack.EXECUTION_KIND, namespace)
        if any(o["metadata"]["name"] == name for o in objects):
            return
        time.sleep(0.05)
    raise AssertionError(f"{name} was never created")


def test_access_denied_is_waited_out_by_submit_and_watch_until_it_heals(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    rendered = rendered_run(settings, steps=2)
    assert rendered.execution is not None
    submit.submit([rendered.pipeline], settings)
    run = rendered.execution["metadata"]["name"]
    _deny_start(stack)
    submitted: dict[str, Any] = {}

    def submit_and_wait() -> None:
        try:
            submitted["result"] = submit.submit([rendered.execution], settings, wait=True, timeout=60)
        except Exception as exc:
            submitted["error"] = exc

    waiter = threading.Thread(target=submit_and_wait, daemon=True)
    try:
        waiter.start()
        _wait_for_cr(stack, namespace, run)
        snaps = []
        for snap in watch.watch_run(namespace, run, settings):
            snaps.append(snap)
            if snap.waiting_reason and "error" not in submitted and waiter.is_alive():
                _allow_start(stack)  # the permission is granted: the controller's next retry starts the run
    finally:
        _allow_start(stack)
        waiter.join(30)

    assert "error" not in submitted, submitted.get("error")
    (started,) = submitted["result"].executions
    waiting = [s for s in snaps if s.waiting_reason]
    assert waiting, "watch never showed why the run was waiting"
    assert all(s.outcome is None for s in waiting)
    assert "not authorized to perform: sagemaker:StartPipelineExecution" in (waiting[0].waiting_reason or "")
    assert snaps[-1].outcome == "Succeeded"
    assert started.arn == snaps[-1].execution_arn


def test_access_denied_that_never_heals_ends_every_wait_at_its_timeout(
    stack: Stack, namespace: str, settings: Settings, stack_env: dict[str, str]
) -> None:
    rendered = rendered_run(settings, steps=1)
    assert rendered.execution is not None
    submit.submit([rendered.pipeline], settings)
    run = rendered.execution["metadata"]["name"]
    _deny_start(stack)
    try:
        started = time.monotonic()
        with pytest.raises(UserError) as caught:
            submit.submit([rendered.execution], settings, wait=True, timeout=2)
        assert time.monotonic() - started >= 2, "submit gave up before its timeout"
        spec = poll_policy("sandbox").waiters.run_ended.with_timeout(1.5)
        snaps = list(watch.watch_run(namespace, run, settings, spec=spec))
        now = runs.get_run(namespace, run, settings)
        shown = cli(stack_env, "status", run)
    finally:
        _allow_start(stack)

    assert "ACK.Recoverable" in caught.value.problem
    assert "not authorized to perform: sagemaker:StartPipelineExecution" in caught.value.problem
    assert "iam:PassRole" in caught.value.fix
    assert snaps
    assert all(s.outcome is None for s in snaps)
    assert "not authorized" in (snaps[-1].waiting_reason or "")
    assert (now.outcome, now.status) == (None, "Pending")
    assert "not authorized" in (now.waiting_reason or "")
    assert shown.returncode == 4, shown.stdout + shown.stderr  # still running: the controller retries
    assert "waiting: " in shown.stdout
