"""The quickstart notebook and its panel in JupyterLab, in headless Chromium, against the sandbox.

Run the whole notebook in the page, then use the panel as a person would: click Publish, click Submit and
see the run reach Succeeded, submit a second run, click Stop and see Stopped. Live status arrives from the
panel's feeder thread while the kernel is idle, so this is the path ipywidgets#4001 is about.
A screenshot of the panel lands in the test's tmp dir (and in $SAGEMAKER_ACK_SCREENSHOTS when set).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
LABEXTENSION = ROOT / "jupyter_sagemaker_ack" / "labextension"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TOKEN = "sagemaker-ack-panel-test"
USER_SETTINGS = {
    "apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
NOTEBOOK_SECONDS = 120  # the whole quickstart, SDK import and two runs included
RUN_SECONDS = 120
TRAINING_SECONDS = 5
PANEL = ".sma-panel"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_lab(
    base: Path, env: Mapping[str, str], notebooks: Sequence[Path]
) -> tuple[subprocess.Popen[bytes], str]:
    """`jupyter lab` on 127.0.0.1 serving copies of ``notebooks``, every Jupyter directory under ``base``."""
    root = base / "root"
    root.mkdir(parents=True, exist_ok=True)
    for notebook in notebooks:
        shutil.copy(notebook, root / notebook.name)
    for plugin, values in USER_SETTINGS.items():
        path = base / "settings" / "@jupyterlab" / plugin
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    # This tree's build of the front end, ahead of any installed in the venv.
    (base / "data" / "labextensions").mkdir(parents=True, exist_ok=True)
    (base / "data" / "labextensions" / "jupyter-sagemaker-ack").symlink_to(
        LABEXTENSION, target_is_directory=True
    )
    lab_env = {
        **env,
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_PREFER_ENV_PATH": "0",
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "XDG_CONFIG_HOME": str(base / "xdg"),
        "XDG_CACHE_HOME": str(base / "xdg" / "cache"),
        "YARN_GLOBAL_FOLDER": str(base / "yarn"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    port = _free_port()
    with (base / "lab.log").open("wb") as log:
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
            ],
            cwd=root,
            env=lab_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            request = urllib.request.Request(url + "api/status", headers={"Authorization": f"token {TOKEN}"})
            urllib.request.urlopen(request, timeout=2).close()
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_lab(process)
                raise RuntimeError(
                    f"jupyter lab did not start:\n{(base / 'lab.log').read_text()[-3000:]}"
                ) from None
            time.sleep(0.2)


def stop_lab(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def open_notebook(page: Any, url: str, name: str) -> None:
    """Open ``name`` and wait until its kernel is idle (accepting the kernel dialog if it comes)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(f"{url}lab/tree/{name}?token={TOKEN}&reset")
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    with contextlib.suppress(PlaywrightTimeout):  # no dialog: the kernel started without asking
        page.locator(".jp-Dialog button.jp-mod-accept").click(timeout=15_000)
    _wait_for_idle_kernel(url)


@pytest.fixture
def lab(tmp_path, sandbox_env) -> Iterator[str]:
    """JupyterLab serving the quickstart, with the sandbox's environment (the notebook finds the sandbox)."""
    if not CHROMIUM.exists():
        pytest.skip("needs the system Chromium at /usr/bin/chromium (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="needs playwright (the project's `test` extra)")
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (the project's `test` extra)")
    if not (LABEXTENSION / "package.json").exists():
        pytest.skip("the labextension is not built: run `jlpm install && jlpm build:prod` in labextension/")
    if importlib.util.find_spec("sagemaker") is None:
        pytest.skip("the quickstart builds the pipeline with the SageMaker SDK, which is not installed")
    process, url = start_lab(tmp_path, sandbox_env, [ROOT / "notebooks" / "quickstart.ipynb"])
    try:
        yield url
    finally:
        stop_lab(process)


def _wait_for_idle_kernel(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = urllib.request.Request(url + "api/sessions", headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            sessions = json.loads(response.read())
        if any((s.get("kernel") or {}).get("execution_state") == "idle" for s in sessions):
            return
        time.sleep(0.3)
    pytest.fail("the notebook's kernel did not start")


def _screenshot(page: Any, path: Path, selector: str | None = PANEL) -> None:
    if selector is None:
        page.screenshot(path=str(path), full_page=True)
    else:
        page.locator(selector).screenshot(path=str(path))
    target = os.environ.get("SAGEMAKER_ACK_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def test_quickstart_panel_publishes_runs_and_stops_in_jupyterlab(lab, sandbox, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from tests.fixtures.sandbox import slow_steps

    # Training takes a few seconds, so a run is still going when a cell is run or Stop is clicked.
    with (
        slow_steps(sandbox, TRAINING_SECONDS, "AbaloneTrain", step_type="Training"),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            open_notebook(page, lab, "quickstart.ipynb")
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()

            panel = page.locator(PANEL)
            panel.wait_for(timeout=NOTEBOOK_SECONDS * 1000)
            panel.scroll_into_view_if_needed()
            outputs = page.locator(".jp-OutputArea-output")
            expect(outputs.filter(has_text="outcome: Succeeded")).to_have_count(1, timeout=10_000)
            expect(outputs.filter(has_text="outcome: Stopped")).to_have_count(1, timeout=10_000)
            # The --wait cell keeps its run, drawn by the extension with the DAG's edges, not an empty cell.
            waited = page.locator(".jp-Cell", has_text="--wait").locator(".jp-SageMakerAck-renderer")
            expect(waited).to_have_count(1)
            expect(waited.locator('.jp-SageMakerAck-runSummary [data-state="Succeeded"]')).to_be_visible()
            assert waited.locator("svg path.jp-SageMakerAck-edge").count() > 0
            # The panel's DAG is the extension's view (the widget front end), not the Python SVG.
            dag = panel.locator(".jp-SageMakerAck-dagWidget")
            expect(dag.locator("svg g.jp-SageMakerAck-node").first).to_be_visible(timeout=30_000)
            assert panel.locator("svg.sma-dag").count() == 0
            # Its saved state beside it stays hidden while the widget lives.
            expect(page.locator(".jp-SageMakerAck-savedPanel")).to_be_hidden()

            panel.locator(".sma-button-publish").click()
            message = panel.locator(".sma-message")
            expect(message).to_contain_text("s3://", timeout=60_000)
            panel.locator(".sma-button-export-yaml").click()
            expect(message).to_contain_text("Rendered", timeout=60_000)
            expect(message).to_contain_text(".yaml")  # the file it wrote, and where
            expect(panel.locator(".sma-yaml pre")).to_be_visible()  # the section it points at is open
            download = panel.locator(".sma-yaml a.sma-download")
            expect(download).to_have_attribute("href", re.compile(r"^data:application/yaml;base64,"))
            expect(download).to_have_attribute("download", re.compile(r"\.yaml$"))

            panel.locator(".sma-button-submit").click()
            # The run is followed from a thread: the kernel answers a new cell meanwhile.
            page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt").last.click()
            page.keyboard.press("Escape")
            page.keyboard.press("b")
            editor = page.locator(".jp-Notebook .jp-Cell.jp-mod-active .cm-content")
            expect(editor).to_have_count(1, timeout=10_000)
            editor.click()
            expect(editor).to_be_focused(timeout=10_000)
            page.keyboard.type("print(6 * 7)")
            page.keyboard.press("Shift+Enter")
            expect(outputs.filter(has_text=re.compile(r"^\s*42\s*$"))).to_have_count(1, timeout=30_000)
            status = panel.locator(".sma-run-status")
            expect(status).to_have_attribute("data-state", "Succeeded", timeout=RUN_SECONDS * 1000)
            succeeded = dag.locator("svg g.jp-SageMakerAck-node[data-state='Succeeded']")
            expect(succeeded.first).to_be_visible()
            first_run = panel.locator(".sma-run-name").inner_text()
            # The hidden saved state beside the widget followed the run too: saving now keeps this run.
            saved = page.locator(".jp-SageMakerAck-savedPanel")
            expect(saved.locator(".jp-SageMakerAck-runSummary [data-state='Succeeded']")).to_have_count(1)
            expect(saved.locator(".jp-SageMakerAck-runName")).to_contain_text(first_run)
            _screenshot(page, tmp_path / "panel-succeeded.png")

            panel.locator(".sma-button-submit").click()
            expect(panel.locator(".sma-run-name")).not_to_have_text(first_run, timeout=60_000)
            stop = panel.locator(".sma-button-stop")
            expect(stop).to_be_enabled(timeout=60_000)
            stop.click()
            confirm = panel.locator(".sma-button-confirm-stop")
            expect(confirm).to_be_visible()  # Stop asks first
            expect(status).not_to_have_attribute("data-state", "Stopping")
            confirm.click()
            expect(confirm).to_be_hidden()
            expect(status).to_have_attribute("data-state", "Stopped", timeout=RUN_SECONDS * 1000)
            expect(dag.locator("svg g.jp-SageMakerAck-node[data-state='Stopped']").first).to_be_visible()
            _screenshot(page, tmp_path / "panel-stopped.png")
        except Exception:
            _screenshot(page, tmp_path / "failure.png", selector=None)
            raise
        finally:
            browser.close()
