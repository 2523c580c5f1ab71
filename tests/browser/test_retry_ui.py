"""Retry in a real browser on the sandbox: a run failed at a middle step is retried from its run view (the
plan first, in a dialog), the new run opens, succeeds with its upstream steps marked reused, a notification
says it ended, and the sidebar's history links the retry to its source and compares the two runs.
Screenshots land in the test's tmp dir."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.config import resolve_settings
from tests.browser import test_lab_extension as lab_tests
from tests.browser.test_lab_extension import (
    SIDEBAR,
    SIDEBAR_TAB,
    Lab,
    _needs_browser_stack,
    open_lab,
    start_lab,
    stop_lab,
    submit_abalone_run,
)
from tests.fixtures.sandbox import _sagemaker_config, default_step_seconds

browser = lab_tests.browser
page = lab_tests.page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# So JupyterLab serves this checkout's build of the extension, not a copy installed in the environment.
USER_PATHS_FIRST = {"JUPYTER_PREFER_ENV_PATH": "0"}
FAILING = "TrainAbaloneModel"
UPSTREAM = "PreprocessAbaloneData"


@pytest.fixture(scope="module")
def sandbox_lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Lab, Any]]:
    _needs_browser_stack()
    sandbox = request.getfixturevalue("sandbox")
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "AWS_PROFILE")}
    process, lab = start_lab(tmp_path_factory.mktemp("retry-lab"), {**env, **sandbox.env, **USER_PATHS_FIRST})
    try:
        yield lab, sandbox
    finally:
        stop_lab(process)


def _failed_run(sandbox: Any, pipeline: str, timeout: float = 90) -> str:
    from jupyter_sagemaker_ack.services.runs import get_run

    settings = resolve_settings(env={**os.environ, **sandbox.env})
    _sagemaker_config(sandbox, {"failures": {FAILING: "AlgorithmError: out of memory"}})
    try:
        run = submit_abalone_run(sandbox, pipeline)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            snapshot = get_run("default", run, settings)
            if snapshot.outcome:
                assert snapshot.outcome == "Failed"
                return run
            time.sleep(0.5)
    finally:
        _sagemaker_config(sandbox, {"failures": {FAILING: None}})
    raise AssertionError(f"{run} did not fail within {timeout} s")


def test_retry_in_the_run_view_reuses_upstream_steps_and_notifies_when_it_ends(
    page: Any, sandbox_lab: tuple[Lab, Any], tmp_path: Path
) -> None:
    lab, sandbox = sandbox_lab
    pipeline = f"lab-retry-{os.getpid()}"
    source = _failed_run(sandbox, pipeline)

    open_lab(page, lab)
    page.locator(SIDEBAR_TAB).click()
    page.locator(f'{SIDEBAR} .jp-SageMakerAck-pipelineRow[data-pipeline="{pipeline}"]').click()
    page.locator(f'{SIDEBAR} .jp-SageMakerAck-runRow[data-run="default/{source}"]').click()
    old_view = page.locator(f"#jp-SageMakerAck-run-default-{source}")
    old_view.locator('.jp-SageMakerAck-runSummary .jp-SageMakerAck-badge[data-state="Failed"]').wait_for()
    retry = old_view.locator("button.jp-SageMakerAck-retry")
    assert retry.is_enabled()

    with default_step_seconds(sandbox, 3.0):  # long enough to see the new run running, then end
        retry.click()
        dialog = page.locator(".jp-Dialog")
        plan = dialog.locator(".jp-SageMakerAck-retryPlan")
        plan.wait_for()
        again = plan.locator(".jp-SageMakerAck-retry-selected").inner_text()
        reused = plan.locator(".jp-SageMakerAck-retry-reused").inner_text()
        assert FAILING in again
        assert UPSTREAM not in again
        assert UPSTREAM in reused
        new_run = plan.locator("code").inner_text()
        assert new_run
        assert new_run != source
        page.screenshot(path=str(tmp_path / "plan.png"))
        dialog.locator("button", has_text="Retry run").click()

        new_view = page.locator(f"#jp-SageMakerAck-run-default-{new_run}")
        new_view.locator(
            '.jp-SageMakerAck-runSummary .jp-SageMakerAck-badge[data-state="Succeeded"]'
        ).wait_for(timeout=90_000)
    row = new_view.locator(f'.jp-SageMakerAck-stepTable tr[data-step="{UPSTREAM}"]')
    assert row.get_attribute("data-reused") == "true"
    assert row.locator(".jp-SageMakerAck-reusedTag").inner_text() == "reused"
    failing_row = new_view.locator(f'.jp-SageMakerAck-stepTable tr[data-step="{FAILING}"]')
    assert failing_row.get_attribute("data-reused") == "false"
    assert failing_row.get_attribute("data-state") == "Succeeded"
    node = new_view.locator(f'g.jp-SageMakerAck-node[data-step="{UPSTREAM}"]')
    assert node.get_attribute("data-reused") == "true"
    assert "(reused)" in node.locator(".jp-SageMakerAck-nodeType").text_content()

    toast = page.locator(".Toastify__toast", has_text=new_run)
    toast.wait_for(timeout=30_000)
    assert "Succeeded" in toast.inner_text()
    page.screenshot(path=str(tmp_path / "retried.png"))
    toast.locator("button", has_text="Open run").click()
    assert new_view.is_visible()

    # The sidebar (still open) shows the pipeline's history: the retry linked to its source; compare the two.
    history = page.locator(f"{SIDEBAR} .jp-SageMakerAck-history")
    retry_row = history.locator(f'tr[data-run="{new_run}"][data-status="Succeeded"]')
    retry_row.wait_for()  # no click: the end of a run of this pipeline reloads its history
    assert retry_row.get_attribute("data-retry-of") == source
    assert retry_row.locator(".jp-SageMakerAck-historyRetryOf").inner_text() == source
    retry_row.locator("input[type=checkbox]").check()
    history.locator(f'tr[data-run="{source}"] input[type=checkbox]').check()
    history.locator("button.jp-SageMakerAck-compare").click()
    compare = page.locator(".jp-SageMakerAck-compareView")
    failing = compare.locator(f'.jp-SageMakerAck-compareSteps tr[data-step="{FAILING}"]')
    failing.wait_for()
    cells = failing.locator("td").all_inner_texts()
    assert cells[1].startswith("Failed")
    assert cells[2].startswith("Succeeded")
    upstream = compare.locator(
        f'.jp-SageMakerAck-compareSteps tr[data-step="{UPSTREAM}"] td'
    ).all_inner_texts()
    assert upstream[2].endswith("(reused)")
    assert "The same parameters." in compare.locator(".jp-SageMakerAck-compareParameters").inner_text()
    page.screenshot(path=str(tmp_path / "compare.png"))
