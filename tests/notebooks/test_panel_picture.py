"""The static DAG picture and the HTML fragments: ranks shared with the extension, routes around boxes, colours
from the one state table, progress that counts a branch not taken, tables, links, downloads."""

from __future__ import annotations

import base64
import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition, chain_definition
from jupyter_sagemaker_ack.faces.display.layout import Layout, layers_of, layout_dag, rank_steps
from jupyter_sagemaker_ack.faces.display.picture import DagPicture
from jupyter_sagemaker_ack.faces.display.snapshots import duration, progress
from jupyter_sagemaker_ack.faces.display.states import STATE_COLOURS, colours, table
from jupyter_sagemaker_ack.faces.display.views import steps_html, yaml_html


def _picture(data=None) -> DagPicture:
    return DagPicture.from_definition(parse_definition(data or abalone_definition()), "AbalonePipeline")


def test_each_step_sits_below_all_its_predecessors():
    picture = _picture()
    boxes = picture.layout.boxes
    assert set(boxes) == {n["name"] for n in picture.nodes}
    for edge in picture.edges:
        assert boxes[edge["source"]].y < boxes[edge["target"]].y, edge


def test_steps_of_one_layer_do_not_overlap():
    layout = layout_dag(["a", "b", "c", "d"], [("a", "b", "x"), ("a", "c", "x"), ("a", "d", "x")])
    row = sorted((layout.boxes[n] for n in "bcd"), key=lambda b: b.x)
    assert all(left.x + left.width <= right.x for left, right in itertools.pairwise(row))
    assert layout.width >= 3 * row[0].width


def test_a_cycle_still_draws_every_step():
    layers = layers_of(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")])
    assert set(layers) == {"a", "b", "c"}


def test_a_200_step_pipeline_draws_every_step_with_edges_pointing_down():
    picture = _picture(chain_definition(200))
    boxes = picture.layout.boxes
    assert len(boxes) == len(picture.nodes) >= 200
    assert all(boxes[e["source"]].y < boxes[e["target"]].y for e in picture.edges)
    svg = picture.svg()
    assert svg.count('class="sma-node"') == len(picture.nodes)


def test_nodes_are_coloured_by_step_state():
    picture = _picture()
    first, second = picture.nodes[0]["name"], picture.nodes[1]["name"]
    snapshot = {"steps": [{"name": first, "status": "Succeeded"}, {"name": second, "status": "Failed"}]}
    svg = picture.svg(snapshot)
    for name, state in ((first, "Succeeded"), (second, "Failed")):
        node = rf'data-step="{name}" data-state="{state}"><title>[^<]*</title>'
        assert re.search(node + rf'<rect [^>]*fill="{STATE_COLOURS[state][0]}"', svg), state


def test_wire_shape_carries_the_run():
    picture = _picture()
    wire = picture.wire({"name": "run-1", "steps": []})
    assert wire["pipelineName"] == "AbalonePipeline"
    assert {"name", "type", "parent", "branch"} <= set(wire["nodes"][0])
    assert wire["run"]["name"] == "run-1"


def test_step_table_shows_state_failure_and_links():
    snapshot = {
        "steps": [
            {
                "name": "Train",
                "status": "Failed",
                "startTime": "2026-01-01T10:00:00Z",
                "endTime": "2026-01-01T10:01:05Z",
                "failureReason": "AlgorithmError: boom",
                "consoleUrl": "https://console.aws.amazon.com/sagemaker/x",
                "logsUrl": "https://console.aws.amazon.com/cloudwatch/y",
            }
        ]
    }
    html = steps_html(snapshot)
    assert "AlgorithmError: boom" in html
    assert "1m 05s" in html
    assert 'href="https://console.aws.amazon.com/sagemaker/x"' in html
    assert ">logs</a>" in html


def test_links_that_are_not_http_are_dropped():
    html = steps_html({"steps": [{"name": "A", "status": "Pending", "consoleUrl": "javascript:alert(1)"}]})
    assert "javascript:" not in html


def test_progress_counts_finished_steps():
    assert progress({"progress": {"total": 6, "succeeded": 2, "failed": 1, "running": 1}}) == (3, 6)
    assert progress({"outcome": "Succeeded", "progress": {"total": 5, "succeeded": 4}}) == (5, 5)
    assert duration("2026-01-01T10:00:00Z", None) == ""


def test_yaml_download_link_holds_the_whole_text():
    text = "".join(f"line: {i}\n" for i in range(1000))
    html = yaml_html(text, "p.yaml", max_lines=10)
    encoded = re.search(r'href="data:application/yaml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(encoded).decode() == text
    assert "990 more lines" in html


def test_steps_left_pending_by_a_finished_run_show_as_not_run():
    picture = _picture()
    fail_step = picture.nodes[-1]["name"]
    snapshot = {"outcome": "Succeeded", "steps": [{"name": fail_step, "status": "Pending"}]}
    assert f'data-step="{fail_step}" data-state="Not run"' in picture.svg(snapshot)
    assert "Not run" in steps_html(snapshot)
    assert 'data-state="Pending"' in picture.svg({"outcome": None, "steps": snapshot["steps"]})


LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"


def _fan_out(n: int) -> DagPicture:
    nodes = [{"name": "Root", "type": "Processing"}] + [
        {"name": f"Leaf-{i}", "type": "Training"} for i in range(n)
    ]
    edges = [{"source": "Root", "target": f"Leaf-{i}", "kind": "depends_on"} for i in range(n)]
    return DagPicture("FanOut", nodes, edges)


EXAMPLES = {
    "abalone": lambda: _picture(),
    "chain-45": lambda: _picture(chain_definition(45)),
    "chain-200": lambda: _picture(chain_definition(200, fan_out=5)),
    "fan-out-42": lambda: _fan_out(42),
}


def _ts_layouts(pictures: list[DagPicture]) -> list[dict[str, list[float]]]:
    """The extension's layout (labextension/src/layout.ts, compiled for node) of each picture's DAG."""
    node = shutil.which("node")
    if node is None or not (LABEXTENSION / "node_modules" / "@dagrejs" / "dagre").is_dir():
        pytest.skip("needs node and the extension's npm packages (cd labextension && jlpm install)")
    tsc = LABEXTENSION / "node_modules" / "typescript" / "bin" / "tsc"
    subprocess.run([node, str(tsc), "-p", "tsconfig.test.json"], cwd=LABEXTENSION, check=True, timeout=300)
    script = (
        "const { layoutDag } = require('./lib-test/src/layout.js');"
        "const dags = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(dags.map(d => Object.fromEntries("
        "layoutDag(d).nodes.map(n => [n.name, [n.rank, n.x, n.y, n.width]])))));"
    )
    wire = json.dumps([p.wire() for p in pictures])
    done = subprocess.run(
        [node, "-e", script],
        cwd=LABEXTENSION,
        input=wire,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    laid: list[dict[str, list[float]]] = json.loads(done.stdout)
    return laid


def test_the_static_picture_places_steps_like_the_extension_on_the_example_pipelines():
    pictures = [make() for make in EXAMPLES.values()]
    for name, picture, ts in zip(EXAMPLES, pictures, _ts_layouts(pictures), strict=True):
        boxes = picture.layout.boxes
        assert set(ts) == set(boxes), name
        for step, (rank, x, y, width) in ts.items():
            box = boxes[step]
            assert (box.layer, box.y + box.height / 2, box.width) == (rank, y, width), (name, step)
            assert box.x + box.width / 2 == pytest.approx(x, abs=0.1), (name, step, "same order and position")


def test_ranks_pull_a_source_down_to_its_nearest_successor_and_set_a_cycle_aside():
    ranks, back = rank_steps(
        ["A", "B", "C", "D", "Late"], [("A", "B"), ("B", "C"), ("A", "C"), ("C", "D"), ("Late", "D")]
    )
    assert ranks == {"A": 0, "B": 1, "C": 2, "D": 3, "Late": 2}
    assert not back
    assert rank_steps(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")])[1] == {("c", "a")}


def _sample(d: str, per_segment: int = 24) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L, Q and C commands."""
    out: list[tuple[float, float]] = []
    at = (0.0, 0.0)
    for command, args in re.findall(r"([MLQC])([^MLQC]*)", d):
        nums = [float(v) for v in re.split(r"[ ,]+", args.strip())]
        pts = list(zip(nums[::2], nums[1::2], strict=True))
        if command == "M":
            at = (pts[0][0], pts[0][1])
            out.append(at)
            continue
        control = [at, *((p[0], p[1]) for p in pts)]
        for k in range(1, per_segment + 1):
            t = k / per_segment
            level = control
            while len(level) > 1:
                level = [
                    (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t) for a, b in itertools.pairwise(level)
                ]
            out.append(level[0])
        at = control[-1]
    return out


def _crossings(layout: Layout, svg: str) -> list[str]:
    found = []
    edges = re.findall(r'd="(M[^"]*)"[^>]*data-source="([^"]*)" data-target="([^"]*)"', svg)
    assert edges, "edges drawn"
    for d, source, target in edges:
        for point in _sample(d):
            for box in layout.boxes.values():
                if box.name in (source, target):
                    continue
                if (
                    box.x + 0.5 < point[0] < box.x + box.width - 0.5
                    and box.y + 0.5 < point[1] < box.y + box.height - 0.5
                ):
                    found.append(f"{source} -> {target} crosses {box.name}")
                    break
    return found


@pytest.mark.parametrize("example", ["abalone", "chain-45", "chain-200", "fan-out-42"])
def test_no_edge_of_the_static_picture_crosses_a_box(example: str):
    picture = EXAMPLES[example]()
    assert _crossings(picture.layout, picture.svg()) == []


def test_steps_show_their_state_as_text_and_the_table_colours_stopped_unlike_pending():
    picture = _picture()
    first = picture.nodes[0]["name"]
    svg = picture.svg(
        {"status": "Stopped", "outcome": "Stopped", "steps": [{"name": first, "status": "Stopped"}]}
    )
    stopped = table()["tones"]["stopped"]
    assert re.search(rf'data-step="{first}" data-state="Stopped">.*?>{stopped["icon"]} Stopped</text>', svg)
    assert colours("Stopped") != colours("Pending")
    assert 'font-size="9"' not in svg
    assert 'font-size="10"' not in svg
    sizes = {int(v) for v in re.findall(r'font-size="(\d+)"', svg)}
    assert min(sizes) >= 11


def _abalone_branches() -> tuple[DagPicture, str, list[str]]:
    picture = _picture()
    condition = next(n["name"] for n in picture.nodes if n["type"] == "Condition")
    else_steps = [
        n["name"] for n in picture.nodes if n.get("parent") == condition and n.get("branch") == "else"
    ]
    assert else_steps, "the example has an else branch"
    return picture, condition, else_steps


def test_a_succeeded_run_whose_else_branch_was_not_taken_is_complete():
    picture, _, else_steps = _abalone_branches()
    steps: list[dict[str, Any]] = [
        {"name": n["name"], "status": "Succeeded"} for n in picture.nodes if n["name"] not in else_steps
    ]
    snapshot = {"status": "Succeeded", "outcome": "Succeeded", "steps": steps}
    assert picture.progress(snapshot) == (len(picture.nodes), len(picture.nodes))
    live = {
        "status": "Executing",
        "outcome": None,
        "steps": [*steps[:-1], {**steps[-1], "status": "Executing"}],
    }
    done, total = picture.progress(live)
    assert done == total - 1, "the else branch counts as done once the if branch started"
    failed = {
        "status": "Failed",
        "outcome": "Failed",
        "steps": [{"name": picture.nodes[0]["name"], "status": "Failed"}],
    }
    assert picture.progress(failed) == (1, len(picture.nodes))
