"""The panel's Retry button and runs table against the sandbox: a run failed at a middle step is retried
from the panel (the plan first, then the confirmation), the new run follows live, and the runs table lists
both runs with the retry link."""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from jupyter_sagemaker_ack.faces.panel.widget import SageMakerAckPanel
from tests.fixtures.sandbox import _sagemaker_config

RUN_TIMEOUT = 90
FAILING = "TrainAbaloneModel"


def _settle(panel: SageMakerAckPanel, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while panel.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not panel.busy, "the action did not finish"


def _execution(env: dict[str, str], name: str) -> dict[str, Any]:
    done = subprocess.run(
        ["kubectl", "get", "pipelineexecution", name, "-o", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_retry_shows_the_plan_then_creates_a_selective_run_and_the_runs_table_links_it(
    sandbox: Any, sandbox_env: dict[str, str], monkeypatch: Any, tmp_path: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    panel = SageMakerAckPanel(
        abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"]), name="PanelRetry"
    )
    panel.publish()
    _sagemaker_config(sandbox, {"failures": {FAILING: "AlgorithmError: out of memory"}})
    try:
        first = panel.submit()
        failed = panel.wait(RUN_TIMEOUT)
    finally:
        _sagemaker_config(sandbox, {"failures": {FAILING: None}})
    assert failed is not None, panel._message.value
    assert failed["outcome"] == "Failed", panel._message.value
    assert not panel.buttons["Retry"].disabled  # a Failed run can be retried
    before = _execution(sandbox_env, first)

    panel.buttons["Retry"].click()
    _settle(panel)
    assert panel._retry_box.layout.display == "flex", panel._message.value  # the plan, asked first
    plan = panel.proposal.to_wire()
    assert plan["reused"] == ["PreprocessAbaloneData"]
    assert plan["selected"][0] == FAILING
    shown = panel._retry_text.value
    for named in (plan["name"], FAILING, "PreprocessAbaloneData"):
        assert named in shown
    new_name = plan["name"]
    assert (
        subprocess.run(
            ["kubectl", "get", "pipelineexecution", new_name], capture_output=True, env=sandbox_env
        ).returncode
        != 0
    )  # the plan alone creates nothing

    panel._confirm_retry.click()
    _settle(panel)
    assert panel._retry_box.layout.display == "none"
    assert panel.run_name == new_name, panel._message.value
    final = panel.wait(RUN_TIMEOUT)
    assert final is not None, panel._message.value
    assert final["outcome"] == "Succeeded", panel._message.value
    reused = {s["name"]: bool(s.get("reused")) for s in final["steps"]}
    assert reused["PreprocessAbaloneData"] is True
    assert reused[FAILING] is False
    assert "reused" in panel._steps.value
    assert panel.buttons["Retry"].disabled  # a Succeeded run is not retried

    created = _execution(sandbox_env, new_name)
    arn = before["status"]["ackResourceMetadata"]["arn"]
    assert created["spec"]["selectiveExecutionConfig"]["sourcePipelineExecutionARN"] == arn
    assert created["spec"]["selectiveExecutionConfig"]["selectedSteps"][0] == {"stepName": FAILING}
    assert _execution(sandbox_env, first)["spec"] == before["spec"]  # the old run is never edited

    panel._refresh_runs.click()
    _settle(panel)
    rows = {entry.run.name: entry for entry in panel.history}
    assert {first, new_name} <= set(rows)
    assert rows[new_name].retry_of == first
    table = panel._runs.value
    assert 'class="sma-history"' in table
    assert table.index(new_name) < table.index(first)  # newest first
    assert f"<code>{first}</code>" in table.split(new_name, 1)[1]  # the retry-of column names the source
    assert panel._details.selected_index == 3  # the Runs section opened

    compared = panel.compare(first, new_name).to_wire()
    by_step = {row["name"]: row for row in compared["steps"]}
    assert by_step[FAILING]["a"]["status"] == "Failed"
    assert by_step[FAILING]["b"]["status"] == "Succeeded"
    assert by_step["PreprocessAbaloneData"]["b"]["reused"] is True
    shown = panel._runs.value
    assert 'class="sma-compare"' in shown
    assert f"{first} vs {new_name}" in shown
    assert "(reused)" in shown


def test_retry_cancel_creates_nothing_and_without_a_run_the_button_is_off() -> None:
    panel = SageMakerAckPanel(abalone_definition(), name="PanelRetryOff")
    assert panel.buttons["Retry"].disabled
    panel._hide_retry()
    assert panel._retry_box.layout.display == "none"
