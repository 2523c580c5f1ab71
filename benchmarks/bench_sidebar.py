"""The JupyterLab sidebar in a real browser against the sandbox: 100 runs render within 1 s, and a run's
status change shows in the sidebar within 2 s of the SageMaker emulator making it.

1. Render: 100 PipelineExecutions in the sandbox cluster; the page is loaded, the sidebar tab clicked, and
   the time until 100 run rows are in the DOM is measured in the page (median of 5 fresh page loads). Shown
   split into the server's answer (GET /sagemaker-ack/runs, from the resource timing) and the drawing.
2. Latency: runs of the Abalone pipeline with 1 s steps; a MutationObserver in the page stamps when each run
   row first shows Executing and Succeeded; the emulator's own CreationTime / LastModifiedTime (same
   machine clock) say when it made those changes. p50 / p95 over the changes seen.

    python benchmarks/bench_sidebar.py [--runs 100] [--latency-runs 5]

Needs the system Chromium, playwright, jupyterlab, the built labextension and the sandbox's extras.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from _common import finish, missing, report, sized

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jupyter_sagemaker_ack.config import Settings, resolve_settings  # noqa: E402
from jupyter_sagemaker_ack.core.definition import parse_definition  # noqa: E402
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition  # noqa: E402
from tests.browser.test_lab_extension import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    LABEXTENSION,
    SIDEBAR,
    SIDEBAR_TAB,
    Lab,
    start_lab,
    stop_lab,
)

RECORDER = """
() => {
  window.__ackSeen = [];
  const record = row => window.__ackSeen.push([Date.now(), row.dataset.run, row.dataset.status]);
  const list = document.querySelector('.jp-SageMakerAck-runs');
  new MutationObserver(mutations => {
    for (const m of mutations) {
      for (const node of m.addedNodes) {
        if (node.classList && node.classList.contains('jp-SageMakerAck-runRow')) record(node);
      }
    }
  }).observe(list, { childList: true });
  list.querySelectorAll('.jp-SageMakerAck-runRow').forEach(record);
}
"""


def set_step_seconds(sandbox: Any, seconds: float) -> None:
    body = json.dumps({"durations": {"default": seconds}}).encode()
    request = urllib.request.Request(
        sandbox.endpoints["sagemaker"] + "/_emulator/config",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def submit_runs(settings: Settings, pipeline_name: str, count: int) -> list[str]:
    """One Pipeline and ``count`` PipelineExecutions of it, applied through the submit service."""
    from jupyter_sagemaker_ack.services import render, submit

    definition = parse_definition(abalone_definition())
    first = render.render(definition, settings, pipeline_name=pipeline_name, execution=True)
    docs = list(first.docs)
    for index in range(1, count):
        docs.append(
            render.render(
                definition, settings, pipeline_name=pipeline_name, execution=True, run_id=f"r{index:04d}"
            ).execution
        )
    return [str(name) for name in submit.submit(docs, settings).execution_names]


def measure_render(
    browser: Any, lab: Lab, runs: int, repeat: int = sized(5, 2)
) -> tuple[list[float], list[float]]:
    totals, answers = [], []
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(lab.page_url())
        page.locator(SIDEBAR_TAB).wait_for()
        page.evaluate("() => performance.clearResourceTimings()")
        started = page.evaluate("() => performance.now()")
        page.locator(SIDEBAR_TAB).click()
        page.wait_for_function(
            f"() => document.querySelectorAll('{SIDEBAR} .jp-SageMakerAck-runRow').length >= {runs}",
            timeout=60_000,
        )
        drawn = page.evaluate("() => performance.now()")
        answer = page.evaluate(
            "() => Math.max(...performance.getEntriesByType('resource')"
            ".filter(e => e.name.includes('/sagemaker-ack/runs')).map(e => e.responseEnd))"
        )
        totals.append((drawn - started) / 1000)
        answers.append(max(0.0, (answer - started) / 1000))
        context.close()
    return totals, answers


def measure_latency(browser: Any, lab: Lab, settings: Settings, sandbox: Any, runs: int) -> list[float]:
    import boto3

    client = boto3.client("sagemaker", endpoint_url=sandbox.endpoints["sagemaker"], region_name="us-east-1")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(lab.page_url())
    page.locator(SIDEBAR_TAB).click()
    page.locator(f"{SIDEBAR} .jp-SageMakerAck-runs").wait_for()
    page.evaluate(RECORDER)
    set_step_seconds(sandbox, 1.0)
    latencies: list[float] = []
    try:
        for index in range(runs):
            (run,) = submit_runs(settings, f"latency-{os.getpid()}-{index}", 1)
            key = f"default/{run}"
            page.wait_for_function(
                "key => window.__ackSeen.some(([, run, status]) => run === key && status === 'Succeeded')",
                arg=key,
                timeout=120_000,
            )
            seen = [
                (stamp / 1000, status)
                for stamp, row, status in page.evaluate("() => window.__ackSeen")
                if row == key
            ]
            arn = _execution_arn(lab, run)
            described = client.describe_pipeline_execution(PipelineExecutionArn=arn)
            made = {
                "Executing": described["CreationTime"].timestamp(),
                "Succeeded": described["LastModifiedTime"].timestamp(),
            }
            for status, when in made.items():
                shown = next((stamp for stamp, s in seen if s == status), None)
                if shown is not None:
                    latencies.append(shown - when)
                    print(
                        f"  run {index}: {status:<9} shown {shown - when:+.2f} s after the emulator made it"
                    )
    finally:
        context.close()
    return latencies


def _execution_arn(lab: Lab, run: str) -> str:
    return str(lab.api(f"sagemaker-ack/runs/default/{run}")["executionArn"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=sized(100, 10))
    parser.add_argument("--latency-runs", type=int, default=sized(5, 1))
    args = parser.parse_args()
    if not CHROMIUM.exists():
        missing(str(CHROMIUM), "apt-get install chromium (scripts/test.sh does it)")
    if not (LABEXTENSION / "package.json").exists():
        missing("the built labextension", "pip install -e . builds it (or jlpm build:prod in labextension/)")
    from playwright.sync_api import sync_playwright

    from jupyter_sagemaker_ack.sandbox import stack

    with tempfile.TemporaryDirectory(prefix="bench-sidebar-") as temp:
        base = Path(temp)
        sandbox = stack.up(base / "sandbox")
        process = None
        try:
            env = {**os.environ, **sandbox.env}
            env.pop("AWS_ENDPOINT_URL", None)
            settings = resolve_settings(env=env)
            os.environ.update(sandbox.env)
            started = time.perf_counter()
            submit_runs(settings, f"many-{os.getpid()}", args.runs)
            print(f"{args.runs} runs submitted to the sandbox in {time.perf_counter() - started:.1f} s")
            process, lab = start_lab(base / "lab", env)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    totals, answers = measure_render(browser, lab, args.runs)
                    draw = statistics.median(t - a for t, a in zip(totals, answers, strict=True))
                    total, answer = statistics.median(totals), statistics.median(answers)
                    print(
                        f"sidebar with {args.runs} runs: click -> rows {total:.3f} s median "
                        f"(server answer {answer:.3f} s, drawing {draw:.3f} s)"
                    )
                    latencies = measure_latency(browser, lab, settings, sandbox, args.latency_runs)
                finally:
                    browser.close()
        finally:
            if process is not None:
                stop_lab(process)
            stack.down(base / "sandbox")
    p95 = (
        statistics.quantiles(latencies, n=20)[-1]
        if len(latencies) >= 2
        else max(latencies, default=float("inf"))
    )
    p50 = statistics.median(latencies) if latencies else float("inf")
    print(f"status change -> sidebar: p50 {p50:.2f} s, p95 {p95:.2f} s over {len(latencies)} changes")
    finish(
        [
            report(
                f"sidebar with {args.runs} runs renders (click -> rows, median of {len(totals)})",
                statistics.median(totals),
                1.0,
            ),
            report("status changes seen in the sidebar", len(latencies), 1, "changes", lower_is_better=False),
            report("status change shows in the sidebar (p95)", p95, 2.0),
        ]
    )


if __name__ == "__main__":
    main()
