"""Pipelines, runs, one run, its event stream and stop, served from the sandbox through the real services."""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError
from tornado.websocket import WebSocketClientConnection

from tests.fixtures.sandbox import default_step_seconds

_names = itertools.count(1)
SNAPSHOT_KEYS = {
    "namespace",
    "name",
    "pipelineName",
    "status",
    "outcome",
    "startTime",
    "updatedAt",
    "progress",
}


def _submit() -> tuple[str, str]:
    """Render and apply the Abalone pipeline with one execution; (pipeline name, execution CR name)."""
    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.core.definition import parse_definition
    from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
    from jupyter_sagemaker_ack.services import render, submit

    settings = resolve_settings()
    name = f"lab-{os.getpid()}-{next(_names)}"
    rendered = render.render(
        parse_definition(abalone_definition()), settings, pipeline_name=name, execution=True
    )
    (run,) = submit.submit(rendered.docs, settings).execution_names
    return name, run


async def _json(jp_fetch: Any, *parts: str, **kwargs: Any) -> Any:
    response = await jp_fetch(*parts, **kwargs)
    assert response.code == 200
    return json.loads(response.body)


async def _events(jp_ws_fetch: Any, run: str) -> list[dict[str, Any]]:
    socket: WebSocketClientConnection = await jp_ws_fetch("sagemaker-ack", "runs", "default", run, "events")
    messages = []
    while (message := await socket.read_message()) is not None:
        messages.append(json.loads(message))
    return messages


async def test_pipelines_runs_and_one_run_come_from_the_cluster(jp_fetch, sandbox_ready):
    pipeline, run = _submit()

    pipelines = (await _json(jp_fetch, "sagemaker-ack", "pipelines"))["pipelines"]
    assert pipeline in {p["pipelineName"] for p in pipelines}

    runs = (await _json(jp_fetch, "sagemaker-ack", "runs", params={"pipeline": pipeline}))["runs"]
    assert [r["name"] for r in runs] == [run]
    assert set(runs[0]) >= SNAPSHOT_KEYS
    assert "steps" not in runs[0], "the list carries no per-step detail"

    one = await _json(jp_fetch, "sagemaker-ack", "runs", "default", run)
    assert one["name"] == run
    assert one["pipelineName"] == pipeline
    assert isinstance(one["steps"], list)
    assert one["dag"]["pipelineName"] == pipeline
    assert {n["name"] for n in one["dag"]["nodes"]} >= {s["name"] for s in one["steps"]}
    assert one["dag"]["edges"], "the run view draws the pipeline's edges"


async def test_the_event_stream_follows_a_run_to_succeeded(jp_fetch, jp_ws_fetch, sandbox_ready):
    _, run = _submit()
    messages = await _events(jp_ws_fetch, run)
    assert messages, "at least one snapshot"
    assert all(set(m) >= SNAPSHOT_KEYS for m in messages)
    final = messages[-1]
    assert final["outcome"] == "Succeeded"
    statuses = [step["status"] for step in final["steps"]]
    assert statuses.count("Succeeded") == final["progress"]["succeeded"] >= 5, statuses
    assert set(statuses) <= {"Succeeded", "Pending"}, "only the branch the condition did not take never ran"


async def test_stop_answers_with_the_stopping_run_and_the_stream_ends_stopped(
    jp_fetch, jp_ws_fetch, sandbox_ready
):
    with default_step_seconds(sandbox_ready, 5.0):
        _, run = _submit()
        answer = await _json(
            jp_fetch, "sagemaker-ack", "runs", "default", run, "stop", method="POST", body="{}"
        )
        assert answer["name"] == run
        assert answer["status"] in {"Stopping", "Stopped", "Executing"}
        messages = await _events(jp_ws_fetch, run)
    assert messages[-1]["outcome"] == "Stopped"


async def test_an_unknown_run_is_a_problem_with_a_fix(jp_fetch, sandbox_ready):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("sagemaker-ack", "runs", "default", "no-such-run")
    assert caught.value.code == 400
    answer = json.loads(caught.value.response.body)
    assert "no-such-run" in answer["problem"]
    assert answer["fix"]
