"""Retry, history and compare over the server extension's REST routes, served from the sandbox."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from tests.fixtures.sandbox import _sagemaker_config


def _failed_run(sandbox: Any) -> tuple[str, str]:
    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.core.definition import parse_definition
    from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition
    from jupyter_sagemaker_ack.services import render, submit, watch

    settings = resolve_settings()
    name = f"route-retry-{os.getpid()}"  # its own pipeline: other tests retry lab-retry-PID
    definition = json.loads(json.dumps(chain_definition(3, fan_out=1)).replace("Step-0000", "LabRetry-"))
    rendered = render.render(
        parse_definition(definition), settings, pipeline_name=name, role_arn=ROLE, execution=True
    )
    _sagemaker_config(sandbox, {"failures": {"LabRetry-1": "AlgorithmError: boom"}})
    try:
        (run,) = submit.submit(rendered.docs, settings).execution_names
        for _ in watch.watch_run("default", run, settings):
            pass
    finally:
        _sagemaker_config(sandbox, {"failures": {"LabRetry-1": None}})
    return name, run


async def _json(jp_fetch: Any, *parts: str, **kwargs: Any) -> Any:
    response = await jp_fetch(*parts, **kwargs)
    assert response.code == 200
    return json.loads(response.body)


async def test_retry_plan_then_create_then_history_and_compare(jp_fetch: Any, sandbox_ready: Any) -> None:
    pipeline, run = _failed_run(sandbox_ready)
    route = ("sagemaker-ack", "runs", "default", run, "retry")

    plan = await _json(jp_fetch, *route, method="POST", body=json.dumps({"fromStep": None}))
    assert plan["created"] is False
    assert plan["plan"]["selected"] == ["LabRetry-1", "LabRetry-2"]
    assert plan["plan"]["reused"] == ["LabRetry-0"]
    history = (await _json(jp_fetch, "sagemaker-ack", "history", params={"pipeline": pipeline}))["runs"]
    assert [r["name"] for r in history] == [run]

    made = await _json(jp_fetch, *route, method="POST", body=json.dumps({"confirm": True}))
    assert made["created"] is True
    new = made["plan"]["name"]
    history = (await _json(jp_fetch, "sagemaker-ack", "history", params={"pipeline": pipeline}))["runs"]
    assert {r["name"]: r["retryOf"] for r in history} == {run: None, new: run}

    compared = await _json(jp_fetch, "sagemaker-ack", "compare", params={"a": run, "b": new})
    assert [row["name"] for row in compared["steps"]][:3] == ["LabRetry-0", "LabRetry-1", "LabRetry-2"]
    assert compared["steps"][1]["a"]["status"] == "Failed"


@pytest.mark.parametrize(
    ("parts", "kwargs", "words"),
    [
        (("runs", "default", "no-such-run", "retry"), {"method": "POST", "body": "{}"}, "no-such-run"),
        (("runs", "default", "some-run", "retry"), {"method": "POST", "body": "[1]"}, "body"),
        (("history",), {}, "pipeline"),
        (("compare",), {"params": {"a": "x"}}, "both runs"),
    ],
    ids=["unknown-run", "bad-body", "history-without-pipeline", "compare-one-run"],
)
async def test_a_bad_request_is_a_problem(
    jp_fetch: Any, sandbox_ready: Any, parts: tuple[str, ...], kwargs: dict[str, Any], words: str
) -> None:
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("sagemaker-ack", *parts, **kwargs)
    assert caught.value.code == 400
    assert words in json.loads(caught.value.response.body)["problem"]
