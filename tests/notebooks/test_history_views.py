"""The panel's runs table and retry plan as HTML: every column a user reads, and hostile text escaped."""

from __future__ import annotations

from jupyter_sagemaker_ack.faces.display.views import history_html, retry_plan_html, steps_html


def test_the_runs_table_shows_each_column_newest_first_and_escapes_names() -> None:
    html = history_html(
        [
            {
                "namespace": "ml",
                "name": "train-b",
                "status": "Succeeded",
                "outcome": "Succeeded",
                "startTime": "2026-01-01T00:02:00Z",
                "durationSeconds": 125.4,
                "parameters": {"Threshold": "<b>5</b>", "Count": "2"},
                "definitionDigest": "sha256:0123456789abcdef",
                "definitionVersionId": "v42",
                "retryOf": "train-a",
            },
            {"namespace": "ml", "name": "train-a", "status": "Failed", "durationSeconds": 7},
        ]
    )
    assert html.index("train-b") < html.index("<code>train-a</code>")
    assert "2m 05s" in html
    assert "7s" in html
    assert "Count=2, Threshold=&lt;b&gt;5&lt;/b&gt;" in html
    assert "<b>5</b>" not in html
    assert "0123456789ab v42" in html
    assert "<code>train-a</code></td></tr>" in html  # the retry-of column of the retry names its source
    for header in ("status", "started", "duration", "parameters", "version", "retry of"):
        assert f">{header}</th>" in html
    assert "No runs" in history_html([])


def test_the_retry_plan_names_the_new_run_and_both_step_lists() -> None:
    html = retry_plan_html(
        {
            "source": "train-a",
            "sourceStatus": "Failed",
            "name": "train-<x>",
            "selected": ["Train", "Eval"],
            "reused": [],
        }
    )
    assert "train-&lt;x&gt;" in html
    assert "run again (2)" in html
    assert "Train, Eval" in html
    assert "reused (0)" in html
    assert "<i>none</i>" in html


def test_a_reused_step_is_marked_reused_in_the_steps_table() -> None:
    html = steps_html(
        {
            "outcome": "Succeeded",
            "steps": [
                {"name": "Prep", "status": "Succeeded", "reused": True},
                {"name": "Train", "status": "Succeeded", "reused": False},
            ],
        }
    )
    prep, train = html.split("Prep", 1)[1].split("Train", 1)
    assert 'class="sma-reused"' in prep
    assert "sma-reused" not in train
