"""The notebook experience: `%load_ext jupyter_sagemaker_ack` costs at most 150 ms over a bare IPython shell,
and the panel of a 200-step pipeline first renders in JupyterLab within 1 s.

1. load_ext: fresh interpreters side by side (interleaved), each starting an IPython shell, with and without
   `%load_ext jupyter_sagemaker_ack` (+ `%sagemaker_ack --help`); median over the runs. Also the time of the
   magic itself, measured inside the process.
2. First render: JupyterLab in headless Chromium; a notebook whose cells each display
   `SageMakerAckPanel(chain_definition(200))`; from Shift+Enter on a cell until its DAG shows all 200 steps
   (kernel work, widget messages and drawing), per cell; the first cell of the kernel is reported apart.

    python benchmarks/bench_notebook.py [--runs 7] [--cells 5] [--skip-browser]

The browser part needs the system Chromium, playwright and jupyterlab.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import finish, missing, report, sized

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHELL = "from IPython.core.interactiveshell import InteractiveShell\nshell = InteractiveShell.instance()\n"
LOAD = (
    "import time\n"
    "start = time.perf_counter()\n"
    "shell.run_line_magic('load_ext', 'jupyter_sagemaker_ack')\n"
    "print(f'MAGIC_MS={(time.perf_counter() - start) * 1000:.2f}')\n"
)
STEPS = 200
SETUP_DONE = "() => document.querySelector('.jp-CodeCell .jp-InputPrompt')?.textContent.includes('1')"
ALL_STEPS_DRAWN = (
    "([index, steps]) => document.querySelectorAll('.jp-Notebook .jp-CodeCell')[index]"
    "?.querySelectorAll('.sma-panel g.sma-node').length >= steps"
)


def _wall(code: str) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def load_ext_cost(runs: int) -> tuple[float, float, float]:
    """(median bare ms, median with extension ms, median in-process %load_ext ms)."""
    bare, loaded, magic = [], [], []
    _wall(SHELL)  # warm the file cache
    for _ in range(runs):
        bare.append(_wall(SHELL)[0])
        seconds, out = _wall(SHELL + LOAD)
        loaded.append(seconds)
        magic.append(float(out.split("MAGIC_MS=")[1].split()[0]))
    return statistics.median(bare) * 1000, statistics.median(loaded) * 1000, statistics.median(magic)


def _notebook(path: Path, cells: int) -> None:
    import nbformat

    setup = (
        "from jupyter_sagemaker_ack import SageMakerAckPanel\n"
        "from jupyter_sagemaker_ack.examples.synthetic import chain_definition\n\n"
        f"definition = chain_definition({STEPS})"
    )
    show = 'SageMakerAckPanel(definition, name="Chain200")'
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(setup)] + [nbformat.v4.new_code_cell(show) for _ in range(cells)],
        metadata={
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
        },
    )
    nbformat.write(notebook, path)


def first_render_seconds(cells: int) -> list[float]:
    """Seconds from Shift+Enter to all 200 steps drawn, for each panel cell in turn."""
    import os

    from playwright.sync_api import sync_playwright

    from tests.browser.test_notebook_panel import CHROMIUM, CHROMIUM_ARGS, open_notebook, start_lab, stop_lab

    with tempfile.TemporaryDirectory(prefix="bench-notebook-") as tmp:
        base = Path(tmp)
        _notebook(base / "panel200.ipynb", cells)
        process, url = start_lab(base, dict(os.environ), [base / "panel200.ipynb"])
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    open_notebook(page, url, "panel200.ipynb")
                    cell_nodes = page.locator(".jp-Notebook .jp-CodeCell")
                    cell_nodes.nth(0).locator(".jp-InputPrompt").click()
                    page.keyboard.press("Shift+Enter")
                    page.wait_for_function(SETUP_DONE, timeout=60_000)
                    seconds = []
                    for index in range(1, cells + 1):
                        cell_nodes.nth(index).locator(".jp-InputPrompt").click()
                        start = time.perf_counter()
                        page.keyboard.press("Shift+Enter")
                        page.wait_for_function(ALL_STEPS_DRAWN, arg=[index, STEPS], timeout=60_000)
                        seconds.append(time.perf_counter() - start)
                finally:
                    browser.close()
        finally:
            stop_lab(process)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=sized(7, 2))
    parser.add_argument("--cells", type=int, default=sized(5, 1))
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()

    bare, loaded, magic = load_ext_cost(args.runs)
    print(
        f"IPython shell: {bare:.1f} ms; with %load_ext jupyter_sagemaker_ack: {loaded:.1f} ms "
        f"(the magic itself: {magic:.1f} ms in process; median of {args.runs})"
    )
    results = [report(f"%load_ext cost over a bare shell (median of {args.runs})", loaded - bare, 150, "ms")]
    if not args.skip_browser:
        from tests.browser.test_notebook_panel import CHROMIUM

        if not CHROMIUM.exists():
            missing(
                str(CHROMIUM), "apt-get install chromium (scripts/test.sh does it), or pass --skip-browser"
            )
        seconds = first_render_seconds(args.cells)
        print(
            "panel of 200 steps, Shift+Enter to drawn, per cell: "
            + ", ".join(f"{s * 1000:.0f} ms" for s in seconds)
        )
        print(f"first cell of the kernel: {seconds[0] * 1000:.0f} ms")
        results.append(
            report(
                f"panel first render, 200 steps (median of {len(seconds)})", statistics.median(seconds), 1.0
            )
        )
        results.append(report("panel first render, 200 steps (first cell)", seconds[0], 1.0))
    finish(results)


if __name__ == "__main__":
    main()
