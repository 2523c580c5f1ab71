"""``%sagemaker_ack retry`` and ``compare`` in a real IPython shell against the sandbox."""

from __future__ import annotations

import json
from typing import Any

from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from tests.fixtures.sandbox import _sagemaker_config
from tests.notebooks.conftest import ip, rich  # noqa: F401  (ip is a fixture)

from .test_retry_e2e import _executions, _start_failing_run


def test_the_magic_shows_the_plan_then_retries_and_compares(
    ip: Any,  # noqa: F811
    sandbox: Any,
    sandbox_env: dict[str, str],
    tmp_path: Any,
) -> None:
    text = json.dumps(chain_definition(3, fan_out=1)).replace("Step-0000", "MagicRetry-")
    _sagemaker_config(sandbox, {"failures": {"MagicRetry-1": "AlgorithmError: boom"}})
    try:
        name = _start_failing_run(sandbox_env, tmp_path, json.loads(text), "RetryMagic", {})
    finally:
        _sagemaker_config(sandbox, {"failures": {"MagicRetry-1": None}})
    before = set(_executions(sandbox_env))

    plan, _, _ = rich(ip, f"retry {name}")
    assert plan["selected"] == ["MagicRetry-1", "MagicRetry-2"]
    assert plan["reused"] == ["MagicRetry-0"]
    assert "--yes" in repr(plan)
    assert set(_executions(sandbox_env)) == before  # the plan alone creates nothing

    done, _, _ = rich(ip, f"retry {name} --yes --wait")
    assert done["outcome"] == "Succeeded"
    reused = {s["name"]: s["reused"] for s in done["steps"]}
    assert reused == {"MagicRetry-0": True, "MagicRetry-1": False, "MagicRetry-2": False}
    assert done["steps"][0]["sourceExecutionArn"] == plan["sourceExecutionArn"]

    compared, _, _ = rich(ip, f"compare {name} {done['name']}")
    rows = {row["name"]: row for row in compared["steps"]}
    assert rows["MagicRetry-1"]["a"]["status"] == "Failed"
    assert rows["MagicRetry-1"]["b"]["status"] == "Succeeded"
    assert rows["MagicRetry-0"]["b"]["reused"] is True
    assert compared["parameters"] == []
