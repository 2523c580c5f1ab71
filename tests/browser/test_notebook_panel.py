"""The quickstart notebook and its panel in JupyterLab, in headless Chromium, against the sandbox.

Run the whole notebook in the page, then use the panel as a person would: click Publish, click Submit and
see the run reach Succeeded, submit a second run, click Stop and see Stopped. Live status arrives from the
panel's feeder thread while the kernel is idle, so this is the path ipywidgets#4001 is about.
A screenshot of the panel lands in the test's tmp dir (and in $SAGEMAKER_ACK_SCREENSHOTS when set).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
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
PANEL = ".sma-panel"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def lab(tmp_path, sandbox_env) -> Iterator[str]:
    """`jupyter lab` on 127.0.0.1 serving a copy of the quickstart, every Jupyter directory under tmp_path."""
    if not CHROMIUM.exists():
        pytest.skip("needs the system Chromium at /usr/bin/chromium (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="needs playwright (the project's `test` extra)")
    pytest.importorskip("jupyterlab", reason="needs jupyterlab (the project's `test` extra)")
    if importlib.util.find_spec("sagemaker") is None:
        pytest.skip("the quickstart builds the pipeline with the SageMaker SDK, which is not installed")
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / "quickstart.ipynb", root / "quickstart.ipynb")
    for plugin, values in USER_SETTINGS.items():
        path = tmp_path / "settings" / "@jupyterlab" / plugin
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {
        **sandbox_env,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg" / "cache"),
        "YARN_GLOBAL_FOLDER": str(tmp_path / "yarn"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    port = _free_port()
    log = (tmp_path / "lab.log").open("wb")
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
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(url + "api/status", headers={"Authorization": f"token {TOKEN}"})
                urllib.request.urlopen(request, timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


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


def test_quickstart_panel_publishes_runs_and_stops_in_jupyterlab(lab, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{lab}lab/tree/quickstart.ipynb?token={TOKEN}&reset")
            page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
            choose_kernel = page.locator(".jp-Dialog button.jp-mod-accept")
            try:
                choose_kernel.click(timeout=15_000)  # "Select Kernel": the notebook's own, Python 3
            except PlaywrightTimeout:
                pass  # the kernel started without asking
            _wait_for_idle_kernel(lab)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()

            panel = page.locator(PANEL)
            panel.wait_for(timeout=NOTEBOOK_SECONDS * 1000)
            panel.scroll_into_view_if_needed()
            outputs = page.locator(".jp-OutputArea-output")
            expect(outputs.filter(has_text="outcome: Succeeded")).to_have_count(1, timeout=10_000)
            expect(outputs.filter(has_text="outcome: Stopped")).to_have_count(1, timeout=10_000)

            panel.locator(".sma-button-publish").click()
            message = panel.locator(".sma-message")
            expect(message).to_contain_text("s3://", timeout=60_000)

            panel.locator(".sma-button-submit").click()
            status = panel.locator(".sma-run-status")
            expect(status).to_have_attribute("data-state", "Succeeded", timeout=RUN_SECONDS * 1000)
            expect(panel.locator(".sma-dag g.sma-node[data-state='Succeeded']").first).to_be_visible()
            first_run = panel.locator(".sma-run-name").inner_text()
            _screenshot(page, tmp_path / "panel-succeeded.png")

            panel.locator(".sma-button-submit").click()
            expect(panel.locator(".sma-run-name")).not_to_have_text(first_run, timeout=60_000)
            stop = panel.locator(".sma-button-stop")
            expect(stop).to_be_enabled(timeout=60_000)
            stop.click()
            expect(status).to_have_attribute("data-state", "Stopped", timeout=RUN_SECONDS * 1000)
            _screenshot(page, tmp_path / "panel-stopped.png")
        except Exception:
            _screenshot(page, tmp_path / "failure.png", selector=None)
            raise
        finally:
            browser.close()
