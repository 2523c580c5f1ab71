"""Runs outlive their CRs: a stopped run stays in the runs list (server and CLI), marked as from SageMaker.

And when a service is down the answer says which one, where, and (for the sandbox's 127.0.0.1 endpoints)
to start the sandbox, with no client text such as ``MaxRetryError`` or ``HTTPConnectionPool``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_sagemaker_ack.config import resolve_settings
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.services import runs as runs_service
from jupyter_sagemaker_ack.services import stop as stop_service
from tests.fixtures.sandbox import default_step_seconds
from tests.server.test_runs import _json, _submit

CLIENT_TEXT = ("MaxRetryError", "HTTPConnectionPool", "NewConnectionError", "urllib3")


def _wait_until_cr_gone(run: str, timeout: float = 60.0) -> None:
    settings = resolve_settings()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            runs_service.get_run("default", run, settings)
        except UserError as error:
            if "No PipelineExecution" in error.problem:
                return
            raise
        time.sleep(0.5)
    raise AssertionError(f"the CR of {run} is still there after {timeout} s")


def _stopped_run(sandbox: Any) -> tuple[str, str, str]:
    """A run stopped mid-way whose CR is gone: (pipeline, CR name, execution ARN)."""
    with default_step_seconds(sandbox, 20.0):
        pipeline, run = _submit()
        stopped = stop_service.stop_run("default", run, resolve_settings(), wait=True)
    assert stopped.outcome == "Stopped"
    assert stopped.execution_arn
    _wait_until_cr_gone(run)
    return pipeline, run, stopped.execution_arn


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_sagemaker_ack", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env or dict(os.environ),
    )


async def test_a_stopped_run_stays_listed_from_sagemaker_once_its_cr_is_gone(jp_fetch, sandbox_ready):
    pipeline, _run, arn = _stopped_run(sandbox_ready)
    _, running = _submit()  # a second run of another pipeline, with its CR

    answer = await _json(jp_fetch, "sagemaker-ack", "runs")
    by_arn = {r["executionArn"]: r for r in answer["runs"]}
    assert arn in by_arn, "the stopped run is still listed"
    gone = by_arn[arn]
    assert gone["origin"] == "sagemaker"
    assert gone["sources"] == ["sagemaker"]
    assert gone["name"] is None, "no CR carries its name any more"
    assert gone["status"] == "Stopped"
    assert gone["outcome"] == "Stopped"
    assert gone["pipelineName"] == pipeline
    assert gone["namespace"] == "default"
    assert gone["displayName"], "SageMaker's display name names it"
    assert gone["startTime"]
    with_cr = [r for r in answer["runs"] if r["name"] == running]
    assert [r["origin"] for r in with_cr] == ["cluster"]
    assert answer["problems"] == []

    listed = cli("runs", pipeline)
    assert listed.returncode == 0, listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if arn in line]
    assert "Stopped" in line
    assert "SageMaker (no CR)" in line
    assert gone["displayName"] in line
    as_json = [json.loads(line) for line in cli("runs", pipeline, "--json").stdout.splitlines()]
    assert [(r["executionArn"], r["origin"]) for r in as_json] == [(arn, "sagemaker")]


async def test_sagemaker_down_leaves_the_crs_listed_with_the_reason(
    jp_fetch, sandbox_ready, monkeypatch: pytest.MonkeyPatch
):
    _, run = _submit()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:9")  # nothing listens there
    answer = await _json(jp_fetch, "sagemaker-ack", "runs")
    assert run in {r["name"] for r in answer["runs"]}
    (problem,) = answer["problems"]
    assert problem["problem"] == "SageMaker at http://127.0.0.1:9 is not answering."
    assert "sagemaker-ack sandbox up" in problem["fix"]

    listed = cli("runs")
    assert listed.returncode == 0
    assert run in listed.stdout
    assert "note: SageMaker at http://127.0.0.1:9 is not answering." in listed.stderr
    assert not any(text in listed.stderr + listed.stdout for text in CLIENT_TEXT)


def _dead_kubeconfig(tmp_path: Path) -> str:
    path = tmp_path / "dead-kubeconfig"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:9"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u", "namespace": "default"}}],
                "current-context": "x",
            }
        )
    )
    return str(path)


async def test_an_unreachable_cluster_is_named_with_the_sandbox_fix(
    jp_fetch, sandbox_ready, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("KUBECONFIG", _dead_kubeconfig(tmp_path))
    for path in (("runs",), ("runs", "default", "some-run")):
        with pytest.raises(HTTPClientError) as caught:
            await jp_fetch("sagemaker-ack", *path)
        assert caught.value.code == 400
        answer = json.loads(caught.value.response.body)
        assert answer["problem"] == "The Kubernetes API at http://127.0.0.1:9 is not answering.", answer
        assert (
            answer["fix"]
            == "The settings point at the local sandbox: start it with `sagemaker-ack sandbox up`."
        )
        assert not any(text in json.dumps(answer) for text in CLIENT_TEXT)
