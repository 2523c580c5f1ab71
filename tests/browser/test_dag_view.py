"""Big DAGs in the extension's DAG view, in a real browser: fit, zoom, pan, follow, routes, label sizes.

Saved outputs of a 45-step chain with skip edges, a 42-step fan-out and a 200-step run are opened with no
kernel; each check is measured from the page's geometry (bounding boxes, SVG path points, font sizes), and
the screenshots land in the test's tmp dir for the eye.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.core.dag import build_dag
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from tests.browser.test_lab_extension import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Lab,
    _needs_browser_stack,
    dismiss_kernel_dialog,
    open_lab,
    start_lab,
    stop_lab,
    write_notebook,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DAG_MIME = "application/vnd.sagemaker-ack.dag+json"
OUTPUTS = ".jp-OutputArea-output.jp-SageMakerAck-renderer"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """`jupyter lab` serving this checkout's built extension, even when the venv holds another build of it
    (in a virtualenv Jupyter prefers the environment's copy unless told otherwise)."""
    _needs_browser_stack()
    process, server = start_lab(tmp_path_factory.mktemp("lab"), {"JUPYTER_PREFER_ENV_PATH": "0"})
    try:
        yield server
    finally:
        stop_lab(process)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    _needs_browser_stack()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def tab(chromium: Any, tmp_path: Path) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        yield page
    finally:
        page.screenshot(path=str(tmp_path / "last.png"))
        context.close()


def chain_dag(n: int, fan_out: int = 3) -> dict[str, Any]:
    definition = parse_definition(chain_definition(n, fan_out=fan_out))
    return build_dag(definition).to_wire(definition, f"chain-{n}")


def fan_out_dag(n: int) -> dict[str, Any]:
    nodes = [{"name": "Root", "type": "Processing", "parent": None, "branch": None}]
    nodes += [{"name": f"Leaf-{i:02d}", "type": "Training", "parent": None, "branch": None} for i in range(n)]
    edges = [{"source": "Root", "target": f"Leaf-{i:02d}", "kind": "depends_on"} for i in range(n)]
    return {"pipelineName": "fan-out", "nodes": nodes, "edges": edges}


def live_run(dag: dict[str, Any], running: int) -> dict[str, Any]:
    names = [n["name"] for n in dag["nodes"]]
    steps = [{"name": name, "status": "Succeeded"} for name in names[:running]]
    steps.append({"name": names[running], "status": "Executing"})
    return {
        "namespace": "default",
        "name": "big-run",
        "pipelineName": dag["pipelineName"],
        "status": "Executing",
        "outcome": None,
        "startTime": "2026-11-28T10:00:00Z",
        "updatedAt": "2026-11-28T10:30:00Z",
        "steps": steps,
    }


# Geometry measured in the page: every edge path sampled along its length against every other node's box.
CROSSINGS_JS = """
svg => {
  const boxes = [...svg.querySelectorAll('g.jp-SageMakerAck-node')].map(g => {
    const [, x, y] = /translate\\(([-\\d.]+),([-\\d.]+)\\)/.exec(g.getAttribute('transform'));
    const r = g.querySelector('rect');
    return { name: g.dataset.step, x: +x, y: +y, w: +r.getAttribute('width'), h: +r.getAttribute('height') };
  });
  const crossings = [];
  let edges = 0;
  for (const path of svg.querySelectorAll('path.jp-SageMakerAck-edge')) {
    edges++;
    const ends = [path.dataset.source, path.dataset.target];
    const length = path.getTotalLength();
    for (let d = 0; d <= length; d += 4) {
      const p = path.getPointAtLength(d);
      const hit = boxes.find(b => !ends.includes(b.name) &&
        p.x > b.x + 0.5 && p.x < b.x + b.w - 0.5 && p.y > b.y + 0.5 && p.y < b.y + b.h - 0.5);
      if (hit) { crossings.push(`${ends.join(' -> ')} crosses ${hit.name}`); break; }
    }
  }
  return { edges, crossings };
}
"""

# The smallest step-name size on screen: the font size times the SVG's zoom (its width over its viewBox).
SCREEN_FONT_JS = """
svg => {
  const zoom = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize));
  const names = [...svg.querySelectorAll('.jp-SageMakerAck-nodeName')]
    .map(t => parseFloat(getComputedStyle(t).fontSize));
  return { zoom, minAt100: Math.min(...sizes), minName: Math.min(...names) * zoom };
}
"""

INSIDE_JS = """
([node, viewport]) => {
  const a = node.getBoundingClientRect(), b = viewport.getBoundingClientRect();
  return a.left >= b.left - 1 && a.top >= b.top - 1 && a.right <= b.right + 1 && a.bottom <= b.bottom + 1;
}
"""


def _inside(page: Any, output: Any, step: str) -> bool:
    node = output.locator(f'g.jp-SageMakerAck-node[data-step="{step}"]').element_handle()
    viewport = output.locator(".jp-SageMakerAck-dagViewport").element_handle()
    return bool(page.evaluate(INSIDE_JS, [node, viewport]))


def _scale(output: Any) -> float:
    return float(output.locator(".jp-SageMakerAck-dagViewport").get_attribute("data-scale") or "0")


def test_big_dags_fit_zoom_pan_follow_and_route_edges_around_boxes(
    tab: Any, lab: Lab, tmp_path: Path
) -> None:
    page = tab
    chain, fan, big = chain_dag(45), fan_out_dag(42), chain_dag(200, fan_out=5)
    write_notebook(
        lab.root / "big-dags.ipynb",
        [
            {DAG_MIME: chain, "text/plain": "<chain>"},
            {DAG_MIME: fan, "text/plain": "<fan-out>"},
            {DAG_MIME: {**big, "run": live_run(big, 150)}, "text/plain": "<200 steps>"},
        ],
    )
    open_lab(page, lab, "lab/tree/big-dags.ipynb")
    dismiss_kernel_dialog(page)
    outputs = page.locator(OUTPUTS)
    outputs.nth(2).locator("g.jp-SageMakerAck-node").first.wait_for()
    page.wait_for_function(
        "els => [...els].every(el => parseFloat(el.dataset.scale) > 0)",
        arg=page.locator(".jp-SageMakerAck-dagViewport").element_handles(),
    )
    chain_out, fan_out, big_out = outputs.nth(0), outputs.nth(1), outputs.nth(2)

    # Every edge of the chain (skip edges included) and of the 200 steps keeps out of the boxes in between.
    for output, dag in ((chain_out, chain), (big_out, big)):
        found = page.evaluate(CROSSINGS_JS, output.locator("svg.jp-SageMakerAck-dagSvg").element_handle())
        assert found["edges"] >= len(dag["nodes"]) - 1
        assert found["crossings"] == [], found["crossings"][:5]

    # Fit: the fan-out's root is on screen, in a box no taller than the view allows; labels stay readable.
    chain_out.scroll_into_view_if_needed()
    chain_out.locator(".jp-SageMakerAck-dagPanel").screenshot(path=str(tmp_path / "chain-45.png"))
    fan_out.scroll_into_view_if_needed()
    assert _inside(page, fan_out, "Root")
    fan_out.locator(".jp-SageMakerAck-dagPanel").screenshot(path=str(tmp_path / "fan-out-42-fit.png"))
    viewport_box = fan_out.locator(".jp-SageMakerAck-dagViewport").bounding_box()
    assert viewport_box["height"] <= 522
    for output in (chain_out, fan_out, big_out):
        fonts = page.evaluate(SCREEN_FONT_JS, output.locator("svg.jp-SageMakerAck-dagSvg").element_handle())
        assert fonts["minAt100"] >= 11, fonts
        assert fonts["minName"] >= 10.9, fonts
    assert fan_out.locator(".jp-SageMakerAck-minimap").is_visible(), (
        "a minimap when the DAG is bigger than its box"
    )

    # Zoom buttons, ctrl + wheel and a drag.
    before = _scale(fan_out)
    fan_out.locator(".jp-mod-zoomIn").click()
    assert _scale(fan_out) == pytest.approx(before * 1.25, rel=0.01)
    fan_out.locator(".jp-mod-zoomOut").click()
    fan_out.locator(".jp-mod-zoomOut").click()
    assert _scale(fan_out) == pytest.approx(before / 1.25, rel=0.01)
    box = fan_out.locator(".jp-SageMakerAck-dagViewport").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*centre)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    page.wait_for_timeout(200)
    assert _scale(fan_out) > before / 1.25 * 1.5
    viewport = fan_out.locator(".jp-SageMakerAck-dagViewport")
    left = viewport.evaluate("el => el.scrollLeft")
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] - 300, centre[1], steps=5)
    page.mouse.up()
    assert viewport.evaluate("el => el.scrollLeft") > left + 100, "a drag pans"
    fan_out.locator(".jp-mod-fit").click()
    assert _inside(page, fan_out, "Root")

    # The chain's minimap moves the view: a click near its bottom shows the chain's last steps.
    chain_out.locator(".jp-SageMakerAck-dagViewport").scroll_into_view_if_needed()
    minimap = chain_out.locator(".jp-SageMakerAck-minimap").bounding_box()
    page.mouse.click(minimap["x"] + minimap["width"] / 2, minimap["y"] + minimap["height"] - 3)
    assert _inside(page, chain_out, chain["nodes"][-1]["name"])
    chain_out.locator(".jp-SageMakerAck-dagViewport").focus()
    chain_scale = _scale(chain_out)
    page.keyboard.press("-")
    assert _scale(chain_out) == pytest.approx(chain_scale / 1.25, rel=0.01), "- zooms out"

    # Follow: the running step of the 200-step run is in view; an update keeps the zoom and moves the view
    # on to the next running step.
    big_out.scroll_into_view_if_needed()
    names = [n["name"] for n in big["nodes"]]
    assert _inside(page, big_out, names[150])
    assert big_out.locator(".jp-SageMakerAck-follow").is_checked()
    big_out.locator(".jp-SageMakerAck-dagPanel").screenshot(path=str(tmp_path / "run-200-follow.png"))
    big_out.locator(".jp-mod-zoomIn").click()
    zoomed = _scale(big_out)
    view = big_out.locator(".jp-SageMakerAck-dagView")
    timing = view.evaluate(
        """(el, run) => { const t = performance.now(); el.dagViewer.update(run); return performance.now() - t; }""",
        live_run(big, 60),
    )
    assert _scale(big_out) == pytest.approx(zoomed)
    assert big_out.locator(f'g[data-step="{names[60]}"]').get_attribute("data-state") == "Executing"
    assert _inside(page, big_out, names[60])
    assert "60/200 steps (1 running)" in big_out.locator(".jp-SageMakerAck-progressLabel").inner_text()

    # Full render times in this browser, 10 / 45 / 200 steps (layout, SVG, table).
    renders = view.evaluate(
        """(el, dags) => dags.map(dag => {
             const Viewer = el.dagViewer.constructor;
             const t = performance.now();
             for (let i = 0; i < 3; i++) { new Viewer(dag, null, {}); }
             return (performance.now() - t) / 3;
           })""",
        [chain_dag(10, fan_out=5), chain_dag(45, fan_out=5), big],
    )
    (tmp_path / "render-ms.txt").write_text(f"update-200 {timing:.1f}\nrender-10/45/200 {renders}\n")
    assert renders[2] < 2000, renders
