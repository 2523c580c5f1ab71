"""The server-side DAG picture and the HTML fragments: layers, colours, tables, links, downloads."""

from __future__ import annotations

import base64
import itertools
import re

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition, chain_definition
from jupyter_sagemaker_ack.faces.display.layout import layers_of, layout_dag
from jupyter_sagemaker_ack.faces.display.picture import DagPicture
from jupyter_sagemaker_ack.faces.display.snapshots import duration, progress
from jupyter_sagemaker_ack.faces.display.states import STATE_COLOURS
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
