"""A saved notebook shows its last DAG and run state with no kernel: in JupyterLab, trusted or not, and as HTML.

A notebook with a panel and ``%sagemaker_ack submit --wait`` is executed headless (nbclient) against the
sandbox and saved, then opened in a `jupyter lab` that may start no kernel at all, once signed (trusted)
and once not, and exported with nbconvert. In JupyterLab the extension's MIME renderer must win over the
HTML fallback (its rank) and render in an untrusted notebook (it is safe); in the HTML export, the DAG is
an ``<img>`` data URL (sanitizers strip inline SVG) next to tables of the run and its steps.
Screenshots land in each test's tmp dir (and in $SAGEMAKER_ACK_SCREENSHOTS when set).
"""

from __future__ import annotations

import base64
import copy
import json
import os
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from tests.browser import test_lab_extension as lab_extension
from tests.browser.test_lab_extension import Lab, dismiss_kernel_dialog, open_lab, start_lab, stop_lab

# The browser and page of the extension's browser tests, shared as they are.
browser = lab_extension.browser
page = lab_extension.page
# In a virtualenv Jupyter looks in the environment before JUPYTER_DATA_DIR: without this, the lab would
# serve the extension installed in the venv, not the one built from this tree.
THIS_BUILD = {"JUPYTER_PREFER_ENV_PATH": "0"}

pytestmark = [pytest.mark.browser, pytest.mark.slow]

RUN_SECONDS = 120
PIPELINE = "SavedOutputs"
PANEL_PIPELINE = "SavedPanel"
CELLS = [
    "%load_ext jupyter_sagemaker_ack\n"
    "import os\n"
    "from jupyter_sagemaker_ack.examples.synthetic import abalone_definition\n"
    "pipeline = abalone_definition(bucket=os.environ['SAGEMAKER_ACK_BUCKET'])",
    f"run = %sagemaker_ack submit pipeline --name {PIPELINE} --wait\nprint('outcome:', run['outcome'])",
    "from jupyter_sagemaker_ack import SageMakerAckPanel\n"
    f"panel = SageMakerAckPanel(pipeline, name='{PANEL_PIPELINE}')\n"
    "panel",
    f"panel.submit()\nfinal = panel.wait({RUN_SECONDS})\nprint('panel outcome:', final['outcome'])",
]
RENDERER = ".jp-SageMakerAck-renderer"
SAVED_PANEL = ".jp-SageMakerAck-savedPanel"


def _screenshot(on: Any, path: Path) -> None:
    """A page (whole) or one element of it."""
    if hasattr(on, "goto"):
        on.screenshot(path=str(path), full_page=True)
    else:
        on.screenshot(path=str(path))
    target = os.environ.get("SAGEMAKER_ACK_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


@pytest.fixture(scope="module")
def executed(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The notebook above, run to the end on the sandbox by nbclient, as a user would save it."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    workdir = tmp_path_factory.mktemp("executed")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in sandbox.env.items():
            patch.setenv(key, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        client = nbclient.NotebookClient(
            notebook,
            timeout=RUN_SECONDS,
            kernel_name="python3",
            resources={"metadata": {"path": str(workdir)}},
        )
        client.execute()
    return notebook


@pytest.fixture(scope="module")
def saved_lab(executed: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A kernel-less `jupyter lab` serving the executed notebook twice: signed (trusted) and unsigned."""
    import nbformat
    from nbformat.sign import NotebookNotary

    lab_extension._needs_browser_stack()
    base = tmp_path_factory.mktemp("saved-lab")
    process, lab = start_lab(base, THIS_BUILD)
    try:
        for name in ("trusted.ipynb", "untrusted.ipynb"):
            saved = copy.deepcopy(executed)
            saved.metadata["copy"] = name  # different bytes, so signing one does not trust the other
            nbformat.write(saved, lab.root / name)
        notary = NotebookNotary(data_dir=str(base / "data"))
        trusted = nbformat.read(lab.root / "trusted.ipynb", as_version=4)
        notary.sign(trusted)
        assert notary.check_signature(trusted)
        assert not notary.check_signature(nbformat.read(lab.root / "untrusted.ipynb", as_version=4))
        yield lab
    finally:
        stop_lab(process)


def _outputs(notebook: Any, index: int) -> list[dict[str, Any]]:
    return [dict(output.get("data") or {}) for output in notebook.cells[index].outputs]


def test_the_executed_notebook_keeps_the_final_run_of_the_magic_and_of_the_panel(executed: Any) -> None:
    """What the saved file holds, before any viewer: no empty --wait cell, and the panel's saved state."""
    wait_cell = _outputs(executed, 1)
    rich = [data for data in wait_cell if "application/vnd.sagemaker-ack.run+json" in data]
    assert len(rich) == 1, wait_cell  # the live display, left on the final state; not a second copy as Out
    run = rich[0]["application/vnd.sagemaker-ack.run+json"]
    assert run["outcome"] == "Succeeded"
    assert run["dag"]["edges"], "the magic draws the DAG with its edges, like the panel"
    panel_cell = _outputs(executed, 2)
    assert "application/vnd.jupyter.widget-view+json" in panel_cell[0]
    saved = panel_cell[1]["application/vnd.sagemaker-ack.dag+json"]
    assert saved["savedState"] == "panel"
    assert saved["run"]["outcome"] == "Succeeded"  # updated by the panel's feeder as the run went
    assert "Succeeded" in panel_cell[1]["text/plain"]


@pytest.mark.parametrize("name", ["trusted.ipynb", "untrusted.ipynb"])
def test_a_saved_notebook_shows_the_dag_and_run_state_without_a_kernel(
    page: Any, saved_lab: Lab, name: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    open_lab(page, saved_lab, f"lab/tree/{name}")
    dismiss_kernel_dialog(page)
    notebook = page.locator(".jp-Notebook")
    notebook.wait_for()
    renderers = notebook.locator(f".jp-OutputArea-output{RENDERER}")
    expect(renderers).to_have_count(2, timeout=30_000)  # the --wait cell and the panel's saved state

    magic = renderers.nth(0)
    expect(
        magic.locator('.jp-SageMakerAck-runSummary .jp-SageMakerAck-badge[data-state="Succeeded"]')
    ).to_be_visible()
    assert magic.locator("svg path.jp-SageMakerAck-edge").count() > 0  # the DAG with edges
    assert magic.locator('svg g.jp-SageMakerAck-node[data-state="Succeeded"]').count() >= 1

    saved = notebook.locator(SAVED_PANEL)
    expect(saved).to_be_visible()
    expect(saved.locator('.jp-SageMakerAck-badge[data-state="Succeeded"]').first).to_be_visible()
    nodes = saved.locator("svg g.jp-SageMakerAck-node")
    assert nodes.count() == len(parse_definition(abalone_definition()).steps)
    assert saved.locator('svg g.jp-SageMakerAck-node[data-state="Succeeded"]').count() >= 1
    # The widget cannot be drawn without its kernel: its "model not found" gives way to the saved state.
    expect(notebook.get_by_text("Error displaying widget")).to_have_count(0)
    # The static fallback lost: no sanitized HTML copy of the picture is on the page.
    assert notebook.locator(".sma-static").count() == 0
    _screenshot(page, tmp_path / f"saved-{name.removesuffix('.ipynb')}.png")
    panel_cell = notebook.locator(".jp-CodeCell").nth(2)
    panel_cell.scroll_into_view_if_needed()
    _screenshot(panel_cell, tmp_path / f"saved-panel-{name.removesuffix('.ipynb')}.png")


class _Static(HTMLParser):
    """The DAG images and the rows (header cell, data cells, as text) of the static fallback's tables."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        classes = found.get("class", "").split()
        if tag == "img" and "sma-dag-img" in classes:
            self.images.append(found)
        elif tag == "table" and any(c.startswith("sma-static-") for c in classes):
            self._table = self.tables.setdefault(classes[0], [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("th", "td") and self._table is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._table is not None and self._cell is not None:
            self._table[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_the_html_export_holds_the_dag_as_an_image_with_tables_of_the_run(
    executed: Any, tmp_path: Path
) -> None:
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter().from_notebook_node(executed)
    (tmp_path / "saved.html").write_text(html)
    static = _Static()
    static.feed(html)
    assert len(static.images) == 2, "one picture for the --wait cell, one for the panel's saved state"
    for image in static.images:
        prefix = "data:image/svg+xml;base64,"
        assert image["src"].startswith(prefix)
        svg = base64.b64decode(image["src"][len(prefix) :]).decode("utf-8")
        assert svg.startswith("<svg")
        assert 'data-state="Succeeded"' in svg
        assert "marker-end" in svg  # with its edges
        assert "Succeeded" in image["alt"]  # the picture in words
    summaries = static.tables["sma-static-summary"]
    assert sum(row == ["Status", "Succeeded"] for row in summaries) == 2
    assert sum(row == ["Progress", "6/6 steps (100%)"] for row in summaries) == 2
    steps = static.tables["sma-static-steps"]
    trained = [row for row in steps if row[:1] == ["TrainAbaloneModel"]]
    assert len(trained) == 2
    assert all(row[2] == "Succeeded" for row in trained)
    # No inline <svg> in the outputs: nothing for a sanitizer to strip.
    outputs = "".join(json.dumps(cell.get("outputs", [])) for cell in executed.cells)
    assert "<svg" not in outputs


@pytest.fixture(scope="module")
def sandbox_lab(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Lab, Any]]:
    """A `jupyter lab` of this build whose server extension talks to the session's sandbox."""
    lab_extension._needs_browser_stack()
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "AWS_PROFILE")}
    process, server = start_lab(tmp_path_factory.mktemp("sandbox-lab"), {**env, **sandbox.env, **THIS_BUILD})
    try:
        yield server, sandbox
    finally:
        stop_lab(process)


def test_the_review_names_a_changed_parameter_default_in_its_verification_checklist(
    page: Any, sandbox_lab: tuple[Lab, Any], sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.services import publish, render

    lab, _ = sandbox_lab
    settings = resolve_settings()
    definition = parse_definition(abalone_definition())
    publication = publish.publish(definition, settings, pipeline_name="abalone-review-diff")
    rendered = render.render(
        definition, settings, pipeline_name="abalone-review-diff", provenance=publication.provenance()
    )
    (pipeline,) = [doc for doc in yaml.safe_load_all(rendered.yaml) if doc and doc["kind"] == "Pipeline"]
    inline = json.loads(pipeline["spec"]["pipelineDefinition"])
    next(p for p in inline["Parameters"] if p["Name"] == "MseThreshold")["DefaultValue"] = 5.0
    pipeline["spec"]["pipelineDefinition"] = json.dumps(inline)
    (lab.root / "changed.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))

    open_lab(page, lab)
    page.locator('.jp-DirListing-item[data-file-type="yaml"]', has_text="changed.yaml").click(button="right")
    page.locator(".lm-Menu-item", has_text="Review ACK pipeline").click()
    verification = page.locator(".jp-SageMakerAck-reviewView .jp-SageMakerAck-verification")
    verification.locator(".jp-SageMakerAck-verdict").wait_for()
    assert verification.get_attribute("data-ok") == "false"
    checklist = verification.locator(".jp-SageMakerAck-checklist")
    assert checklist.locator('li[data-status="ok"]').count() >= 1
    failed = checklist.locator('li[data-status="fail"]', has_text="inline definition = S3 object")
    assert "parameter MseThreshold: default 6.0 -> 5.0" in failed.inner_text()
    text = verification.inner_text()
    assert "none (other fields)" not in text
    assert "ok\ttrue" not in text  # no debug table
    assert '{"' not in text  # no minified JSON
    _screenshot(page, tmp_path / "review-changed-parameter.png")
