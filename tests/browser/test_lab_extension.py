"""The JupyterLab front end in a real browser (system Chromium driven by Playwright) on a real `jupyter lab`.

A saved notebook's DAG output renders with no kernel at all; the sidebar and the palette commands work; the
review view of an exported ACK YAML file shows findings and the DAG; with the sandbox, a submitted run is
seen progressing to Succeeded in the sidebar. Screenshots land in each test's tmp dir.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.dag import build_dag
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition
from tests.fixtures.sandbox import default_step_seconds

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LABEXTENSION = ROOT / "jupyter_sagemaker_ack" / "labextension"
SERVER_CONFIG = ROOT / "jupyter-config" / "server-config" / "jupyter_sagemaker_ack.json"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "sagemaker-ack-browser-test"
SIDEBAR = "#jp-SageMakerAck-sidebar"
# No news pop-up; every notebook cell drawn even when scrolled out of view.
USER_SETTINGS = {
    "apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
SIDEBAR_TAB = '.jp-SideBar .lm-TabBar-tab[data-id="jp-SageMakerAck-sidebar"]'


@dataclass(frozen=True)
class Lab:
    url: str
    root: Path

    def page_url(self, path: str = "lab") -> str:
        """A page of a fresh workspace (``reset``), so no test sees what the previous one left open."""
        return f"{self.url}{path}?token={TOKEN}&reset"

    def api(self, path: str) -> Any:
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


def _needs_browser_stack() -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs the system Chromium at /usr/bin/chromium (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="needs playwright (the project's `test` extra)")
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (the project's `test` extra)")
    if not (LABEXTENSION / "package.json").exists():
        pytest.skip("the labextension is not built: run `jlpm install && jlpm build:prod` in labextension/")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_lab(base: Path, extra_env: Mapping[str, str] | None = None) -> tuple[subprocess.Popen[bytes], Lab]:
    """`jupyter lab` on 127.0.0.1 with every Jupyter directory in ``base`` and the built extension linked in.

    No kernelspec is allowed, so a notebook opened here provably renders from its saved outputs alone.
    """
    root, data, config = base / "root", base / "data", base / "config"
    settings = base / "settings" / "@jupyterlab"
    for folder in (root, data / "labextensions", config / "jupyter_server_config.d"):
        folder.mkdir(parents=True, exist_ok=True)
    for plugin, values in USER_SETTINGS.items():
        (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
        (settings / plugin).write_text(json.dumps(values))
    (data / "labextensions" / "jupyter-sagemaker-ack").symlink_to(LABEXTENSION, target_is_directory=True)
    shutil.copy(SERVER_CONFIG, config / "jupyter_server_config.d" / SERVER_CONFIG.name)
    env = {
        **os.environ,
        **(extra_env or {}),
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(data),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "XDG_CONFIG_HOME": str(base / "xdg"),
        "XDG_CACHE_HOME": str(base / "xdg" / "cache"),
        "XDG_DATA_HOME": str(base / "xdg" / "data"),
        "YARN_GLOBAL_FOLDER": str(base / "yarn"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    port = _free_port()
    log = (base / "lab.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.allow_root=True",
            f"--IdentityProvider.token={TOKEN}",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={root}",
            "--LabApp.extension_manager=readonly",
            "--FileContentsManager.delete_to_trash=False",
            "--KernelSpecManager.allowed_kernelspecs=no-kernel-in-browser-tests",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    lab = Lab(url=f"http://127.0.0.1:{port}/", root=root)
    deadline = time.monotonic() + 60
    while True:
        try:
            lab.api("api/status")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_lab(process)
                raise RuntimeError(f"jupyter lab did not start; see {base / 'lab.log'}") from None
            time.sleep(0.2)
    return process, lab


def stop_lab(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    _needs_browser_stack()
    process, server = start_lab(tmp_path_factory.mktemp("lab"))
    try:
        yield server
    finally:
        stop_lab(process)


@pytest.fixture(scope="module")
def sandbox_lab(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Lab, Any]]:
    """A second `jupyter lab` whose server extension talks to the session's sandbox."""
    _needs_browser_stack()
    sandbox = request.getfixturevalue("sandbox")
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "AWS_PROFILE")}
    process, server = start_lab(tmp_path_factory.mktemp("sandbox-lab"), {**env, **sandbox.env})
    try:
        yield server, sandbox
    finally:
        stop_lab(process)


def submit_abalone_run(sandbox: Any, pipeline_name: str) -> str:
    """Render and apply the Abalone pipeline and one execution into the sandbox; the execution's name."""
    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.services import render, submit

    settings = resolve_settings(env={**os.environ, **sandbox.env})
    definition = parse_definition(abalone_definition())
    rendered = render.render(definition, settings, pipeline_name=pipeline_name, execution=True)
    (run,) = submit.submit(rendered.docs, settings).execution_names
    return str(run)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _needs_browser_stack()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        yield page
    finally:
        page.screenshot(path=str(tmp_path / "last.png"))
        context.close()


def open_lab(page: Any, lab: Lab, path: str = "lab") -> None:
    """Load JupyterLab and wait until it has started: our sidebar tab is there and the theme is applied."""
    page.goto(lab.page_url(path))
    page.locator(SIDEBAR_TAB).wait_for()
    page.locator("body[data-jp-theme-name]").wait_for(state="attached")


def dismiss_kernel_dialog(page: Any) -> None:
    """Answer JupyterLab's "Select Kernel" question with "No Kernel" if it asks."""
    button = page.locator(".jp-Dialog button", has_text="No Kernel")
    try:
        button.wait_for(timeout=10_000)
    except Exception:
        return
    button.click()


# --- fixtures of content -----------------------------------------------------------------------------------


def abalone_dag() -> dict[str, Any]:
    definition = parse_definition(abalone_definition())
    return build_dag(definition).to_wire(definition, "abalone")


def run_snapshot(dag: Mapping[str, Any], succeeded: int, failed_step: str | None = None) -> dict[str, Any]:
    """A run snapshot (CONTRACTS.md wire shape): the first ``succeeded`` steps done, the next one running."""
    names = [node["name"] for node in dag["nodes"]]
    steps = [
        {
            "name": name,
            "type": None,
            "status": "Succeeded",
            "startTime": f"2026-11-28T10:0{i}:00Z",
            "endTime": f"2026-11-28T10:0{i}:50Z",
            "failureReason": None,
            "jobArn": None,
            "consoleUrl": "https://console.aws.amazon.com/sagemaker/home",
            "logsUrl": None,
        }
        for i, name in enumerate(names[:succeeded])
    ]
    steps.append(
        {
            "name": names[succeeded],
            "type": None,
            "status": "Failed" if failed_step else "Executing",
            "startTime": f"2026-11-28T10:0{succeeded}:00Z",
            "endTime": None,
            "failureReason": "AlgorithmError: out of memory" if failed_step else None,
            "jobArn": None,
            "consoleUrl": None,
            "logsUrl": None,
        }
    )
    return {
        "namespace": "default",
        "name": "abalone-20261128-100000-ab12",
        "pipelineName": "abalone",
        "executionArn": "arn:aws:sagemaker:us-east-1:123456789012:pipeline/abalone/execution/ab12",
        "status": "Failed" if failed_step else "Executing",
        "outcome": "Failed" if failed_step else None,
        "failureReason": "Step failed" if failed_step else None,
        "startTime": "2026-11-28T10:00:00Z",
        "endTime": None,
        "updatedAt": "2026-11-28T10:09:00Z",
        "sources": ["cr", "sagemaker"],
        "conditions": [],
        "steps": steps,
        "progress": {
            "total": len(names),
            "succeeded": succeeded,
            "failed": 1 if failed_step else 0,
            "running": 0 if failed_step else 1,
        },
    }


def write_notebook(path: Path, outputs: list[dict[str, Any]]) -> None:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, data in enumerate(outputs, start=1):
        cell = nbformat.v4.new_code_cell(source="panel", execution_count=i)
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    nbformat.write(notebook, str(path))


# --- tests -----------------------------------------------------------------------------------------------


def test_a_saved_notebook_shows_its_dag_with_no_kernel(page: Any, lab: Lab, tmp_path: Path) -> None:
    dag = abalone_dag()
    running = run_snapshot(dag, succeeded=2)
    failed = run_snapshot(dag, succeeded=1, failed_step="TrainAbaloneModel")
    write_notebook(
        lab.root / "saved-dag.ipynb",
        [
            {
                "application/vnd.sagemaker-ack.dag+json": {**dag, "run": running},
                "text/plain": "<abalone DAG>",
            },
            {"application/vnd.sagemaker-ack.run+json": {**failed, "dag": dag}, "text/plain": "<abalone run>"},
        ],
    )
    open_lab(page, lab, "lab/tree/saved-dag.ipynb")
    dismiss_kernel_dialog(page)

    outputs = page.locator(".jp-OutputArea-output.jp-SageMakerAck-renderer")
    outputs.nth(1).locator("svg g.jp-SageMakerAck-node").first.wait_for()
    first, second = outputs.nth(0), outputs.nth(1)
    assert first.locator("svg g.jp-SageMakerAck-node").count() == len(dag["nodes"])
    assert first.locator("svg path.jp-SageMakerAck-edge").count() >= 5
    states = {
        node.get_attribute("data-step"): node.get_attribute("data-state")
        for node in first.locator("svg g.jp-SageMakerAck-node").all()
    }
    assert states["PreprocessAbaloneData"] == "Succeeded"
    assert states["EvaluateAbaloneModel"] == "Executing"
    assert states["AbaloneMSEFail"] == "Pending"
    fill = {
        step: first.locator(f'g.jp-SageMakerAck-node[data-step="{step}"] rect').get_attribute("fill")
        for step in ("PreprocessAbaloneData", "EvaluateAbaloneModel", "AbaloneMSEFail")
    }
    assert len(set(fill.values())) == 3, f"each state has its own colour: {fill}"
    assert "2/6 steps (1 running)" in first.locator(".jp-SageMakerAck-progressLabel").inner_text()

    failed_row = second.locator('.jp-SageMakerAck-stepTable tr[data-step="TrainAbaloneModel"]')
    assert "AlgorithmError: out of memory" in failed_row.inner_text()
    assert (
        second.locator('g.jp-SageMakerAck-node[data-step="AbaloneMSEFail"]').get_attribute("data-state")
        == "Not run"
    )

    assert lab.api("api/kernels") == [], "nothing but the saved outputs drew this"
    page.screenshot(path=str(tmp_path / "saved-dag.png"))


def test_the_palette_opens_the_sidebar_which_shows_the_servers_answer(page: Any, lab: Lab) -> None:
    open_lab(page, lab)
    # A fresh workspace opens a launcher, which takes the focus (and would close the palette) when it lands.
    page.locator(".jp-Launcher .jp-LauncherCard").first.wait_for()
    page.locator(".lm-MenuBar-item", has_text="View").click()
    page.locator(".lm-Menu-item", has_text="Activate Command Palette").click()
    page.locator("#modal-command-palette .lm-CommandPalette-input").fill("SageMaker")
    page.locator(".lm-CommandPalette-item", has_text="Refresh SageMaker Pipelines").wait_for()
    # With no YAML document in front, reviewing "the current file" is offered but disabled.
    review_current = page.locator('.lm-CommandPalette-item[data-command="sagemaker-ack:review-current"]')
    assert "lm-mod-disabled" in (review_current.get_attribute("class") or "")
    page.locator(".lm-CommandPalette-item", has_text="Show SageMaker Pipelines").click()

    sidebar = page.locator(SIDEBAR)
    sidebar.wait_for(state="visible")
    status = sidebar.locator(".jp-SageMakerAck-status")
    page.wait_for_function(
        "el => el.textContent && !el.textContent.startsWith('Loading')", arg=status.element_handle()
    )
    # Either the cluster's runs, or the server's explanation (problem and fix) of why it cannot list them.
    assert status.inner_text().startswith("Updated") or sidebar.locator(".jp-SageMakerAck-error").count() == 1


def test_the_review_view_of_an_exported_yaml_file(page: Any, lab: Lab, tmp_path: Path) -> None:
    definition = parse_definition(abalone_definition())
    pipeline = manifests.render_pipeline(
        definition, manifests.PipelineOptions("abalone", ROLE, namespace="default")
    )
    folder = lab.root / "exported"
    folder.mkdir(exist_ok=True)
    (folder / "pipeline.yaml").write_text(manifests.dump_yaml([pipeline]))
    broken = manifests.dump_yaml([pipeline]).replace("\n  pipelineName:", "\n\tpipelineName:", 1)
    (folder / "broken.yaml").write_text(broken)

    open_lab(page, lab, "lab/tree/exported")
    item = page.locator('.jp-DirListing-item[data-file-type="yaml"]', has_text="pipeline.yaml")
    item.click(button="right")
    page.locator(".lm-Menu-item", has_text="Review ACK pipeline").click()

    review = page.locator(".jp-SageMakerAck-reviewView").filter(has_text="Review of exported/pipeline.yaml")
    review.locator("svg g.jp-SageMakerAck-node").first.wait_for()
    assert review.locator("svg g.jp-SageMakerAck-node").count() == len(definition.steps)
    assert "error" not in review.locator(".jp-SageMakerAck-findingsSummary").inner_text()
    assert "pins no published S3 version" in review.locator(".jp-SageMakerAck-verification").inner_text()
    page.screenshot(path=str(tmp_path / "review.png"))

    page.locator('.jp-DirListing-item[data-file-type="yaml"]', has_text="broken.yaml").click(button="right")
    page.locator(".lm-Menu-item", has_text="Review ACK pipeline").click()
    broken_review = page.locator(".jp-SageMakerAck-reviewView").filter(
        has_text="Review of exported/broken.yaml"
    )
    broken_review.locator(".jp-SageMakerAck-findings").wait_for()
    assert "error" in broken_review.locator(".jp-SageMakerAck-findingsSummary").inner_text()
    assert broken_review.locator('.jp-SageMakerAck-findings tr[data-severity="error"]').count() >= 1


def test_a_sandbox_run_progresses_to_succeeded_in_the_sidebar(
    page: Any, sandbox_lab: tuple[Lab, Any], tmp_path: Path
) -> None:
    lab, sandbox = sandbox_lab
    with default_step_seconds(sandbox, 2.0):
        run = submit_abalone_run(sandbox, f"lab-browser-{os.getpid()}")
        open_lab(page, lab)
        page.locator(SIDEBAR_TAB).click()
        row = page.locator(f'{SIDEBAR} .jp-SageMakerAck-runRow[data-run="default/{run}"]')
        row.wait_for()
        seen: list[str] = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = row.get_attribute("data-status") or ""
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in ("Succeeded", "Failed", "Stopped"):
                break
            time.sleep(0.1)
    assert seen[-1] == "Succeeded", seen
    assert "Executing" in seen, f"the run was never seen running: {seen}"
    page.screenshot(path=str(tmp_path / "sidebar-succeeded.png"))

    row.click()
    view = page.locator(".jp-SageMakerAck-runView").filter(has_text=run)
    view.locator('.jp-SageMakerAck-runSummary .jp-SageMakerAck-badge[data-state="Succeeded"]').wait_for()
    rows = view.locator(".jp-SageMakerAck-stepTable tbody tr")
    states = {r.get_attribute("data-step"): r.get_attribute("data-state") for r in rows.all()}
    assert states["TrainAbaloneModel"] == "Succeeded"
    assert states.get("AbaloneMSEFail") == "Not run", states
    assert view.locator("button", has_text="Stop").is_disabled()
    page.screenshot(path=str(tmp_path / "run-view.png"))


def test_the_review_view_shows_the_s3_verification_of_a_published_manifest(
    page: Any, sandbox_lab: tuple[Lab, Any], sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.services import publish, render

    lab, _ = sandbox_lab
    settings = resolve_settings()  # sandbox_env points this process (boto3 too) at the sandbox
    definition = parse_definition(abalone_definition())
    publication = publish.publish(definition, settings, pipeline_name="abalone-published")
    rendered = render.render(
        definition, settings, pipeline_name="abalone-published", provenance=publication.provenance()
    )
    (lab.root / "published.yaml").write_text(rendered.yaml)

    open_lab(page, lab)
    page.locator('.jp-DirListing-item[data-file-type="yaml"]', has_text="published.yaml").click(
        button="right"
    )
    page.locator(".lm-Menu-item", has_text="Review ACK pipeline").click()
    verification = page.locator(".jp-SageMakerAck-reviewView .jp-SageMakerAck-verification")
    verification.locator(".jp-SageMakerAck-verdict").wait_for()
    assert verification.get_attribute("data-ok") == "true"
    assert "matches the published S3 version" in verification.inner_text()
    assert verification.locator('.jp-SageMakerAck-checks tr[data-status="fail"]').count() == 0
    page.screenshot(path=str(tmp_path / "review-verified.png"))


def test_stop_in_the_run_view_stops_the_run(page: Any, sandbox_lab: tuple[Lab, Any], tmp_path: Path) -> None:
    lab, sandbox = sandbox_lab
    with default_step_seconds(sandbox, 10.0):
        pipeline = f"lab-stop-{os.getpid()}"
        run = submit_abalone_run(sandbox, pipeline)
        open_lab(page, lab)
        page.locator(SIDEBAR_TAB).click()
        page.locator(f'{SIDEBAR} .jp-SageMakerAck-pipelineRow[data-pipeline="{pipeline}"]').click()
        assert (
            page.locator(f"{SIDEBAR} .jp-SageMakerAck-runsHeader")
            .inner_text()
            .startswith(f"Runs of {pipeline} (1)")
        )
        page.locator(f'{SIDEBAR} .jp-SageMakerAck-runRow[data-run="default/{run}"]').click()

        view = page.locator(".jp-SageMakerAck-runView").filter(has_text=run)
        stop = view.locator("button", has_text="Stop")
        view.locator('.jp-SageMakerAck-runSummary .jp-SageMakerAck-badge[data-state="Executing"]').wait_for()
        stop.click()
        page.locator(".jp-Dialog button", has_text="Stop run").click()
        # The POST went through the page's own XSRF-protected request path and the run ended Stopped.
        view.locator('.jp-SageMakerAck-runSummary .jp-SageMakerAck-badge[data-state="Stopped"]').wait_for(
            timeout=60_000
        )
        assert stop.is_disabled()
        assert view.locator(".jp-SageMakerAck-message.jp-SageMakerAck-error").count() == 0
    page.screenshot(path=str(tmp_path / "stopped.png"))
