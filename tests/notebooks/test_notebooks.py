"""The two example notebooks run end to end on the sandbox, headless, as CI runs them (nbclient)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.sandbox import slow_steps

from .conftest import pictures, require

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
CELL_TIMEOUT = 300


def _execute(name: str, workdir: Path) -> Any:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    shutil.copy(NOTEBOOKS / name, workdir / name)
    notebook = nbformat.read(workdir / name, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute()  # raises CellExecutionError, with the failing cell, on any error
    return notebook


def _text(notebook: Any) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append((output.get("data") or {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["quickstart.ipynb", "devops-review.ipynb"])
def test_notebooks_are_stored_without_outputs(name):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


@pytest.mark.slow
def test_quickstart_runs_end_to_end_on_the_sandbox(sandbox, sandbox_env, tmp_path):
    pytest.importorskip("sagemaker")
    require("jupyter_sagemaker_ack.services.submit", "submit")
    with slow_steps(
        sandbox, 3, "AbaloneTrain", step_type="Training"
    ):  # the second run is still going when stopped
        notebook = _execute("quickstart.ipynb", tmp_path)
    text = _text(notebook)
    assert "No lint findings." in text
    assert re.search(r"(Published|Already published \(unchanged\)): s3://\S+\?versionId=", text)
    assert "outcome: Succeeded" in text
    assert "outcome: Stopped" in text
    assert (tmp_path / "abalone-ack.yaml").read_text().startswith("---")
    build = next(c for c in notebook.cells if "build_abalone_pipeline(" in c.source)
    assert [o for o in build.outputs if o.get("output_type") == "stream"] == []  # a quiet build cell
    waited = next(c for c in notebook.cells if c.cell_type == "code" and "--wait" in c.source)
    runs = [
        o["data"] for o in waited.outputs if "application/vnd.sagemaker-ack.run+json" in o.get("data", {})
    ]
    assert [r["application/vnd.sagemaker-ack.run+json"]["outcome"] for r in runs] == ["Succeeded"]
    # The panel's cell holds the widget and, beside it, the panel's last state for a kernel-less reopen.
    panel_cell = notebook.cells[-1]
    assert [o for o in panel_cell.outputs if o.get("output_type") == "stream"] == []
    widget_output, saved_output = (o["data"] for o in panel_cell.outputs)
    assert "application/vnd.jupyter.widget-view+json" in widget_output
    assert "application/vnd.sagemaker-ack.dag+json" in saved_output
    assert "<svg" in "".join(pictures(saved_output["text/html"]))


@pytest.mark.slow
def test_devops_review_runs_end_to_end_on_the_sandbox(sandbox_env, tmp_path):
    require("jupyter_sagemaker_ack.services.watch", "watch_run")
    notebook = _execute("devops-review.ipynb", tmp_path)
    text = _text(notebook)
    assert "verified: the YAML is what was published" in text
    assert "~ parameter MseThreshold: default 6.0 -> 5.0" in text
    assert "condition met" in text
    assert ": Succeeded (6/6 steps)" in text
