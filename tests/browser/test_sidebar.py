"""The runs sidebar a user can rely on, in a real browser on the sandbox.

A stopped run stays listed (and in `sagemaker-ack runs`), tagged as known only to SageMaker once its CR is
gone; two runs of one pipeline show the run ids that tell them apart and their start times; when the
cluster stops answering, the sidebar says which API is unreachable and suggests `sagemaker-ack sandbox up`
(no urllib3 text) and marks the rows it still shows as stale; two pages watching one run share one feed.
Screenshots land in each test's tmp dir.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.config import resolve_settings
from jupyter_sagemaker_ack.core.errors import UserError
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
from tests.fixtures.sandbox import default_step_seconds

# The browser and a fresh page per test, as the other browser tests have them.
browser = lab_tests.browser
page = lab_tests.page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# jupyter_core prefers the environment's share/jupyter over the user's data dir inside a virtualenv, so an
# installed copy of the extension would win over the build under test that start_lab links in.
USER_PATHS_FIRST = {"JUPYTER_PREFER_ENV_PATH": "0"}
CLIENT_TEXT = ("MaxRetryError", "HTTPConnectionPool", "NewConnectionError", "urllib3")
ROW = f"{SIDEBAR} .jp-SageMakerAck-runRow"


def _lab_env(sandbox: Any, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "AWS_PROFILE")}
    return {**env, **sandbox.env, **USER_PATHS_FIRST, **extra}


@pytest.fixture(scope="module")
def sandbox_lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Lab, Any]]:
    """A `jupyter lab` with this checkout's build of the extension, its server talking to the sandbox."""
    _needs_browser_stack()
    sandbox = request.getfixturevalue("sandbox")
    process, lab = start_lab(tmp_path_factory.mktemp("sidebar-lab"), _lab_env(sandbox))
    try:
        yield lab, sandbox
    finally:
        stop_lab(process)


def _settings(sandbox: Any) -> Any:
    return resolve_settings(env={**os.environ, **sandbox.env})


def _wait_until_cr_gone(sandbox: Any, run: str, timeout: float = 60.0) -> None:
    from jupyter_sagemaker_ack.services.runs import get_run

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            get_run("default", run, _settings(sandbox))
        except UserError as error:
            if "No PipelineExecution" in error.problem:
                return
            raise
        time.sleep(0.5)
    raise AssertionError(f"the CR of {run} is still there after {timeout} s")


def _show_sidebar(page: Any, lab: Lab) -> None:
    open_lab(page, lab)
    page.locator(SIDEBAR_TAB).click()
    page.locator(SIDEBAR).wait_for(state="visible")


def test_a_stopped_run_stays_in_the_sidebar_marked_as_from_sagemaker(
    page: Any, sandbox_lab: tuple[Lab, Any], tmp_path: Path
) -> None:
    from jupyter_sagemaker_ack.services.stop import stop_run

    lab, sandbox = sandbox_lab
    pipeline = f"lab-gone-{os.getpid()}"
    with default_step_seconds(sandbox, 20.0):
        run = submit_abalone_run(sandbox, pipeline)
        _show_sidebar(page, lab)
        page.locator(f'{SIDEBAR} .jp-SageMakerAck-pipelineRow[data-pipeline="{pipeline}"]').click()
        page.locator(f'{ROW}[data-run="default/{run}"][data-status="Executing"]').wait_for()
        stopped = stop_run("default", run, _settings(sandbox), wait=True)
    assert stopped.outcome == "Stopped"
    arn = stopped.execution_arn
    assert arn
    _wait_until_cr_gone(sandbox, run)

    # SageMaker's list is asked again within seconds while it shows a run no CR owns still running.
    row = page.locator(f'{ROW}[data-arn="{arn}"][data-origin="sagemaker"][data-status="Stopped"]')
    row.wait_for(timeout=30_000)
    assert "SageMaker \u00b7 CR gone" in row.inner_text()
    shown = "".join(row.locator(f".jp-SageMakerAck-name{part}").inner_text() for part in ("Prefix", "Suffix"))
    assert shown == run, "SageMaker's display name is the name the run had"
    header = page.locator(f"{SIDEBAR} .jp-SageMakerAck-runsHeader").inner_text()
    assert header.startswith(f"Runs of {pipeline} (1)"), "the stopped run still counts"
    assert page.locator(f'{ROW}[data-run="default/{run}"]').count() == 0, "no second row for the same run"
    page.screenshot(path=str(tmp_path / "stopped-run-stays.png"))

    listed = subprocess.run(
        [sys.executable, "-m", "jupyter_sagemaker_ack", "runs", pipeline],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **sandbox.env},
    )
    assert listed.returncode == 0, listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if arn in line]
    assert "Stopped" in line
    assert "SageMaker (no CR)" in line


def test_two_runs_of_one_pipeline_show_their_run_ids_and_start_times(
    page: Any, sandbox_lab: tuple[Lab, Any], tmp_path: Path
) -> None:
    lab, sandbox = sandbox_lab
    pipeline = f"lab-twin-runs-of-a-long-pipeline-name-{os.getpid()}"
    first = submit_abalone_run(sandbox, pipeline)
    time.sleep(1.1)  # run ids carry the second they were made
    second = submit_abalone_run(sandbox, pipeline)
    _show_sidebar(page, lab)
    page.locator(f'{SIDEBAR} .jp-SageMakerAck-pipelineRow[data-pipeline="{pipeline}"]').click()
    rows = [page.locator(f'{ROW}[data-run="default/{run}"]') for run in (first, second)]
    for row in rows:
        row.locator(".jp-SageMakerAck-runDetails", has_text="started ").wait_for()
    suffixes = [row.locator(".jp-SageMakerAck-nameSuffix") for row in rows]
    for run, suffix in zip((first, second), suffixes, strict=True):
        assert run.endswith(suffix.inner_text())
        assert suffix.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), "the run id is not cut off"
        box, row_box = suffix.bounding_box(), rows[0].bounding_box()
        assert box is not None
        assert row_box is not None
        assert box["x"] + box["width"] <= row_box["x"] + row_box["width"] + 1, "the run id is in view"
    assert suffixes[0].inner_text() != suffixes[1].inner_text()
    prefix = rows[0].locator(".jp-SageMakerAck-namePrefix")
    assert prefix.evaluate("el => el.scrollWidth > el.clientWidth"), "the long pipeline part is what is cut"
    details = [row.locator(".jp-SageMakerAck-runDetails").inner_text() for row in rows]
    assert all("started 20" in text for text in details), details
    page.screenshot(path=str(tmp_path / "two-runs.png"))


class Switch:
    """A TCP relay to the sandbox's Kubernetes API that the test can cut, as if the sandbox went down."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        self.down = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.down.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.upstream))
            except OSError:
                client.close()
                continue
            self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):  # the other direction closed it first
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.down.set()
        self.listener.close()
        for conn in self.open:
            with contextlib.suppress(OSError):  # already shut by its pump
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


@pytest.fixture
def cuttable_lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Lab, Any, Switch]]:
    """A `jupyter lab` that reaches the sandbox's Kubernetes API through a relay the test can cut."""
    _needs_browser_stack()
    sandbox = request.getfixturevalue("sandbox")
    kube_port = int(sandbox.endpoints["kubernetes"].rsplit(":", 1)[1].rstrip("/"))
    switch = Switch(kube_port)
    base = tmp_path_factory.mktemp("cuttable-lab")
    kubeconfig = base / "kubeconfig"
    config = sandbox.kubeconfig.read_text().replace(f"127.0.0.1:{kube_port}", f"127.0.0.1:{switch.port}")
    kubeconfig.write_text(config)
    process, lab = start_lab(base, _lab_env(sandbox, KUBECONFIG=str(kubeconfig)))
    try:
        yield lab, sandbox, switch
    finally:
        switch.cut()
        stop_lab(process)


def test_a_cluster_that_stops_answering_is_named_and_the_rows_marked_stale(
    page: Any, cuttable_lab: tuple[Lab, Any, Switch], tmp_path: Path
) -> None:
    lab, sandbox, switch = cuttable_lab
    run = submit_abalone_run(sandbox, f"lab-stale-{os.getpid()}")
    _show_sidebar(page, lab)
    row = page.locator(f'{ROW}[data-run="default/{run}"]')
    row.wait_for()
    assert row.get_attribute("data-stale") == "false"
    status = page.locator(f"{SIDEBAR} .jp-SageMakerAck-status")
    assert status.inner_text().startswith("Updated")

    switch.cut()
    page.locator(f"{SIDEBAR} .jp-SageMakerAck-status.jp-SageMakerAck-error").wait_for(timeout=30_000)
    said = status.inner_text()
    assert f"The Kubernetes API at http://127.0.0.1:{switch.port} is not answering." in said, said
    assert "sagemaker-ack sandbox up" in said
    assert "Showing the runs as of" in said
    assert not any(text in said for text in CLIENT_TEXT), said
    page.locator(f'{ROW}[data-run="default/{run}"][data-stale="true"]').wait_for()
    assert "stale \u00b7 as of" in row.inner_text()
    sidebar_text = page.locator(SIDEBAR).inner_text()
    assert not any(text in sidebar_text for text in CLIENT_TEXT)
    page.screenshot(path=str(tmp_path / "cluster-down.png"))
    assert json.dumps(lab.api("sagemaker-ack/debug/feeds"))  # the server itself still answers


def test_two_pages_watching_one_run_share_one_feed(
    browser: Any, sandbox_lab: tuple[Lab, Any], tmp_path: Path
) -> None:
    lab, sandbox = sandbox_lab
    with default_step_seconds(sandbox, 20.0):
        pipeline = f"lab-one-feed-{os.getpid()}"
        run = submit_abalone_run(sandbox, pipeline)
        contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(2)]
        try:
            views = []
            for context in contexts:
                tab = context.new_page()
                _show_sidebar(tab, lab)
                tab.locator(f'{SIDEBAR} .jp-SageMakerAck-pipelineRow[data-pipeline="{pipeline}"]').click()
                tab.locator(f'{ROW}[data-run="default/{run}"]').click()
                view = tab.locator(".jp-SageMakerAck-runView").filter(has_text=run)
                view.locator(
                    '.jp-SageMakerAck-runSummary .jp-SageMakerAck-badge[data-state="Executing"]'
                ).wait_for()
                views.append((tab, view))
            # Each page's sidebar and run view share one socket; the server one feed for both pages.
            deadline = time.monotonic() + 10
            while True:
                feeds = [f for f in lab.api("sagemaker-ack/debug/feeds")["feeds"] if f["name"] == run]
                if (feeds and feeds[0]["viewers"] == 2) or time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            assert [(f["name"], f["viewers"]) for f in feeds] == [(run, 2)]
            step = views[0][1].locator('.jp-SageMakerAck-stepTable tr[data-step="PreprocessAbaloneData"]')
            other = views[1][1].locator('.jp-SageMakerAck-stepTable tr[data-step="PreprocessAbaloneData"]')
            assert step.get_attribute("data-state") == other.get_attribute("data-state")
            views[0][0].screenshot(path=str(tmp_path / "one-feed.png"))
        finally:
            for context in contexts:
                context.close()
    deadline = time.monotonic() + 15
    while [f for f in lab.api("sagemaker-ack/debug/feeds")["feeds"] if f["name"] == run]:
        assert time.monotonic() < deadline, "the feed ends when the last page leaves"
        time.sleep(0.2)
