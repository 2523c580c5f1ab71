"""Adversarial cases of `retry` and `compare`: each is one error and one fix, exit 2, no traceback, and no
PipelineExecution is created by a refused retry."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition
from tests.adversarial.conftest import assert_user_error, cli
from tests.fixtures.sandbox import _sagemaker_config

from .test_retry_e2e import _apply, _executions, kubectl

ARN = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/retrymistakes/execution/abcdef123456"


@pytest.fixture(scope="module")
def world(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A Succeeded, a Failed and a still running run of one pipeline, on the sandbox."""
    env = {**os.environ, **sandbox.env}
    env.pop("AWS_ENDPOINT_URL", None)
    tmp = tmp_path_factory.mktemp("mistakes")
    defn = parse_definition(
        json.loads(json.dumps(chain_definition(2, fan_out=1)).replace("Step-0000", "Mist-"))
    )
    pipe = manifests.render_pipeline(defn, manifests.PipelineOptions("RetryMistakes", ROLE))
    _apply(env, tmp, [pipe], "pipeline")
    kubectl(
        env,
        "wait",
        "--for=condition=ACK.ResourceSynced",
        "--timeout=60s",
        f"pipeline/{pipe['metadata']['name']}",
    )
    names = {}
    for run_id, setting, status in (
        ("ok", {"failures": {"Mist-1": None}}, "Succeeded"),
        ("bad", {"failures": {"Mist-1": "AlgorithmError: boom"}}, "Failed"),
        ("slow", {"failures": {"Mist-1": None}, "durations": {"byStep": {"Mist-0": 300}}}, "Executing"),
    ):
        _sagemaker_config(sandbox, setting)
        run = manifests.render_execution(manifests.ExecutionOptions("RetryMistakes", run_id), defn)
        _apply(env, tmp, [run], run_id)
        names[run_id] = run["metadata"]["name"]
        kubectl(env, "wait", f"--for=jsonpath={{.status.pipelineExecutionStatus}}={status}", "--timeout=90s",
                f"pipelineexecution/{names[run_id]}")  # fmt: skip
    _sagemaker_config(sandbox, {"failures": {"Mist-1": None}})
    try:
        yield {"env": env, **names}
    finally:
        kubectl(env, "delete", "pipelineexecution", names["slow"], "--wait=false")
        _sagemaker_config(sandbox, {"durations": {"byStep": {"Mist-0": 0.3}}})


NO_CLUSTER = {"KUBECONFIG": "/nonexistent/kubeconfig"}
MISTAKES = [
    # (id, args with {ok}/{bad}/{slow} for the runs, environment change, words the error or fix must say)
    ("retry-succeeded-run", ["retry", "{ok}", "--yes"], {}, ["Succeeded", "nothing to retry"]),
    ("retry-running-run", ["retry", "{slow}", "--yes"], {}, ["has not ended", "stop"]),
    ("retry-unknown-run", ["retry", "no-such-run", "--yes"], {}, ["no-such-run", "runs"]),
    ("retry-from-unknown-step", ["retry", "{bad}", "--from-step", "Trian", "--yes"], {}, ["Trian", "Mist-0"]),
    ("retry-from-step-bad-chars", ["retry", "{bad}", "--from-step", "a;b", "--yes"], {}, ["a;b"]),
    ("retry-bad-run-name", ["retry", "Not_A_Name", "--yes"], {}, []),
    ("retry-by-arn", ["retry", ARN, "--yes"], {}, ["ARN", "PipelineExecution"]),
    ("retry-no-cluster", ["retry", "{bad}", "--yes"], NO_CLUSTER, ["kubeconfig"]),
    (
        "retry-unknown-namespace",
        ["retry", "{bad}", "-n", "no-such-namespace", "--yes"],
        {},
        ["no-such-namespace"],
    ),
    ("retry-without-yes-on-a-pipe", ["retry", "{bad}"], {}, ["--yes", "not a terminal"]),
    ("retry-succeeded-dry-run", ["retry", "{ok}", "--dry-run"], {}, ["nothing to retry"]),
    ("compare-unknown-run", ["compare", "{ok}", "no-such-run"], {}, ["no-such-run"]),
    ("compare-bad-name", ["compare", "{ok}", "Bad_Name"], {}, []),
    ("compare-no-cluster", ["compare", "{ok}", "{bad}"], NO_CLUSTER, ["kubeconfig"]),
]


@pytest.mark.parametrize(("args", "env", "mentions"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_a_retry_or_compare_mistake_is_one_error_and_one_fix_and_creates_nothing(
    world: dict[str, Any],
    args: list[str],
    env: dict[str, str],
    mentions: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for key, value in world["env"].items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    before = set(_executions(world["env"]))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    outcome = cli(*[a.format(**world) if "{" in a else a for a in args])
    assert_user_error(outcome, *mentions)
    assert set(_executions(world["env"])) == before
