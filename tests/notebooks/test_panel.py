"""The panel's behaviour: buttons call the services, busy state, messages, live status from the sandbox."""

from __future__ import annotations

import threading
import time

import pytest

from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from jupyter_sagemaker_ack.faces.panel.widget import SageMakerAckPanel
from tests.fixtures.sandbox import slow_steps

from .conftest import pictures, require

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
RUN_TIMEOUT = 90


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    """The Export YAML button writes into the working directory: keep it out of the repository."""
    monkeypatch.chdir(tmp_path)


def _settle(panel: SageMakerAckPanel, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while panel.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not panel.busy, "the action did not finish"


def _panel(**kwargs) -> SageMakerAckPanel:
    return SageMakerAckPanel(abalone_definition(), name="AbalonePipeline", **kwargs)


def test_summary_shows_name_parameters_and_step_count():
    panel = _panel()
    summary = panel._summary.value
    assert "AbalonePipeline" in summary
    assert "ProcessingInstanceCount" in summary
    assert f"{len(panel.picture.nodes)} steps" in summary
    assert panel._dag.value.count('class="sma-node"') == len(panel.picture.nodes)


def test_validate_button_shows_lint_findings():
    panel = _panel()
    panel.buttons["Validate"].click()
    _settle(panel)
    assert panel.findings == []
    assert "No lint findings" in panel._findings.value
    assert "Lint clean" in panel._message.value


def test_validate_judges_the_configured_policy(tmp_path, monkeypatch):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  instanceTypes: ['ml.g5.*']\n"
    )
    monkeypatch.setenv("SAGEMAKER_ACK_POLICY", str(policy))
    panel = _panel()
    panel.buttons["Validate"].click()
    _settle(panel)
    assert {f.code for f in panel.findings} == {"SMA902"}
    assert "SMA902" in panel.gate  # Publish, Export YAML and Submit are off on a policy error


def test_export_yaml_button_previews_with_download(monkeypatch, tmp_path):
    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    monkeypatch.chdir(tmp_path)
    panel = _panel()
    panel.buttons["Export YAML"].click()
    _settle(panel)
    assert "kind: Pipeline" in panel._yaml.value
    assert "data:application/yaml;base64," in panel._yaml.value
    written = tmp_path / panel.source.yaml_filename
    assert written.read_text().startswith("---"), panel._message.value
    assert str(written) in panel._message.value  # says where the file is
    assert panel._details.selected_index == 2  # and opens the YAML section it points at


def test_a_user_mistake_in_a_button_is_a_short_message(monkeypatch):
    monkeypatch.delenv("SAGEMAKER_ACK_BUCKET", raising=False)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: no traffic leaves
    panel = _panel()
    panel.buttons["Publish"].click()
    _settle(panel)
    assert "No S3 bucket" in panel._message.value
    assert "Traceback" not in panel._message.value
    assert not panel.buttons["Publish"].disabled


def test_buttons_are_disabled_while_an_action_runs_and_stop_needs_a_run():
    panel = _panel()
    assert panel.buttons["Stop"].disabled  # nothing to stop yet
    release = threading.Event()
    panel._click("Publish", lambda: release.wait(10))
    try:
        assert panel.busy
        assert all(button.disabled for button in panel.buttons.values())
        assert panel._busy_bar.layout.visibility == "visible"
        assert panel.activity == "Publish"
    finally:
        release.set()
    _settle(panel)
    assert not panel.buttons["Validate"].disabled
    assert panel._busy_bar.layout.visibility == "hidden"


def test_the_panel_emits_the_dag_mime_bundle_with_an_html_fallback():
    bundle = _panel()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    dag = bundle["application/vnd.sagemaker-ack.dag+json"]
    assert dag["pipelineName"] == "AbalonePipeline"
    assert {e["kind"] for e in dag["edges"]} >= {"condition_if", "condition_else"}
    # The fallback's picture is an image, which sanitizers that strip inline SVG keep.
    assert "<svg" in "".join(pictures(bundle["text/html"]))


def test_the_dag_is_the_python_svg_until_the_extension_front_end_says_it_is_there(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "/panel.ipynb")  # a kernel of JupyterLab
    panel = _panel()
    assert panel._dag_area.children == (panel._dag,)  # VS Code, Colab, no extension: the SVG
    assert panel.dag_renderer == "python-svg"
    panel.dag_view._message(panel.dag_view, {"event": "ready", "renderer": "jupyterlab-dagview"}, [])
    assert panel._dag_area.children == (panel.dag_view,)
    assert panel.dag_renderer == "extension"
    assert panel.dag_view.dag["edges"] == panel.picture.edges  # what the front end draws
    snapshot = {
        "name": "r",
        "status": "Executing",
        "steps": [{"name": "TrainAbaloneModel", "status": "Executing"}],
    }
    before = panel._dag.value
    panel._show_snapshot(snapshot)
    assert panel.dag_view.run == snapshot  # the extension's view gets every snapshot
    assert panel._dag.value == before  # and no SVG is built that nobody sees


class _Handle:
    """Stands in for IPython's DisplayHandle of the saved-state output: records what it was sent."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def update(self, bundle, raw=False):
        self.sent.append(bundle)


def test_the_saved_state_follows_the_run_without_resending_the_picture_for_every_step():
    panel = _panel()
    panel._saved = handle = _Handle()
    names = [n["name"] for n in panel.picture.nodes]

    def snapshot(done: int, outcome: str | None = None) -> dict:
        steps = [{"name": n, "status": "Succeeded" if i < done else "Executing"} for i, n in enumerate(names)]
        status = outcome or "Executing"
        return {"name": "r1", "namespace": "default", "status": status, "outcome": outcome, "steps": steps}

    for done in range(len(names)):
        panel._show_snapshot(snapshot(done))
    assert len(handle.sent) == 1  # a burst of step changes: one redraw, not one per step
    panel._show_snapshot(snapshot(len(names), "Succeeded"))
    assert len(handle.sent) == 2  # the outcome always goes out at once
    final = handle.sent[-1]["application/vnd.sagemaker-ack.dag+json"]
    assert final["run"]["outcome"] == "Succeeded"
    assert final["savedState"] == "panel"
    assert "Succeeded" in handle.sent[-1]["text/plain"]
    panel._show_snapshot(snapshot(len(names), "Succeeded"))
    assert len(handle.sent) == 2  # nothing new: nothing sent


@pytest.mark.parametrize(
    ("environ", "modules", "offered"),
    [
        ({"JPY_SESSION_NAME": "/nb.ipynb"}, {}, True),  # JupyterLab / Notebook 7
        ({"JPY_SESSION_NAME": "/nb.ipynb", "VSCODE_PID": "1"}, {}, True),  # a lab started from VS Code
        ({"VSCODE_PID": "1"}, {}, False),  # VS Code's own kernel: it would fetch the module from a CDN
        ({}, {"google.colab": object()}, False),
        ({}, {}, True),
    ],
)
def test_which_front_ends_are_offered_the_extension_view(environ, modules, offered):
    from jupyter_sagemaker_ack.faces.panel.dagwidget import extension_may_be_present

    assert extension_may_be_present(environ, modules) is offered


def test_without_the_extension_view_the_panel_draws_the_svg_alone(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setenv("VSCODE_PID", "1")
    panel = _panel()
    assert panel.dag_view is None
    panel._show_snapshot({"name": "r", "status": "Succeeded", "outcome": "Succeeded", "steps": []})
    assert panel._dag_area.children == (panel._dag,)
    assert 'class="sma-node"' in panel._dag.value


def test_the_gate_names_the_step_and_field_of_a_pipeline_object():
    broken = abalone_definition()
    broken["Steps"][1]["DependsOn"] = ["NoSuchStep"]
    panel = SageMakerAckPanel(broken, name="AbalonePipeline")
    assert "step TrainAbaloneModel, field DependsOn[0]" in panel.gate
    assert "definition:1:" not in panel.gate


def test_something_that_is_not_a_pipeline_is_refused_with_a_message():
    from jupyter_sagemaker_ack.core.errors import UserError

    with pytest.raises(UserError, match="not a pipeline"):
        SageMakerAckPanel(42)


# ----- on the sandbox --------------------------------------------------------------------------------


def test_publish_button_publishes_to_the_sandbox_and_yaml_pins_it(sandbox_env):
    panel = SageMakerAckPanel(
        abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"]), name="PanelPublish"
    )
    panel.buttons["Publish"].click()
    _settle(panel)
    assert panel.publication is not None, panel._message.value
    assert panel.publication.definition_uri in panel._message.value
    assert panel.publication.version_id in panel._message.value
    panel.buttons["Export YAML"].click()
    _settle(panel)
    assert panel.publication.version_id in panel.rendered.yaml  # provenance annotation pins the version


def test_export_yaml_of_a_changed_pipeline_pins_no_other_publication(sandbox_env):
    bucket = sandbox_env["SAGEMAKER_ACK_BUCKET"]
    first = SageMakerAckPanel(abalone_definition(bucket=bucket), name="PanelStale").publish()
    changed = abalone_definition(bucket=bucket)
    changed["Parameters"][0]["DefaultValue"] = 9
    panel = SageMakerAckPanel(changed, name="PanelStale")
    rendered = panel.export_yaml(execution=True)
    assert first.version_id not in rendered.yaml
    assert first.digest not in rendered.yaml
    assert rendered.provenance is None
    assert "Not pinned" in panel._message.value
    assert "Publish first" in panel._message.value
    second = panel.publish()
    pinned = panel.export_yaml(execution=True)
    assert pinned.provenance is not None
    assert pinned.provenance.version_id == second.version_id
    assert pinned.yaml.count(second.version_id) == 2  # the Pipeline and the PipelineExecution
    assert "Not pinned" not in panel._message.value


def _submittable(sandbox_env, name: str) -> SageMakerAckPanel:
    require("jupyter_sagemaker_ack.services.submit", "submit")
    require("jupyter_sagemaker_ack.services.watch", "watch_run")
    require("jupyter_sagemaker_ack.services.runs", "get_run")
    require("jupyter_sagemaker_ack.services.stop", "stop_run")
    panel = SageMakerAckPanel(abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"]), name=name)
    panel.publish()
    return panel


def test_submit_button_runs_to_succeeded_updating_the_widget(sandbox_env):
    panel = _submittable(sandbox_env, "PanelRun")
    seen: list[str] = []
    panel.observe(lambda change: seen.append(change["new"]), names="run_status")
    panel.buttons["Submit"].click()
    _settle(panel)
    assert panel.run_name, panel._message.value
    final = panel.wait(RUN_TIMEOUT)
    assert final is not None, panel._message.value
    assert final["outcome"] == "Succeeded", panel._message.value
    assert panel.run_status == "Succeeded"
    assert seen[0] == "Pending"
    assert seen[-1] == "Succeeded"
    assert panel.progress.value == panel.progress.max
    assert panel.progress.bar_style == "success"
    assert 'data-state="Succeeded"' in panel._dag.value
    assert "Succeeded" in panel._steps.value
    assert panel.buttons["Stop"].disabled  # nothing left to stop


def test_stop_button_stops_a_run(sandbox, sandbox_env):
    panel = _submittable(sandbox_env, "PanelStop")
    with slow_steps(sandbox, 30, "TrainAbaloneModel", step_type="Training"):
        panel.submit()
        deadline = time.monotonic() + 30
        while panel.buttons["Stop"].disabled and time.monotonic() < deadline:
            time.sleep(0.05)
        panel.buttons["Stop"].click()
        assert panel._confirm.layout.display == "flex"  # Stop asks first
        panel._confirm_stop.click()
        _settle(panel)
        final = panel.wait(RUN_TIMEOUT)
    assert final is not None, panel._message.value
    assert final["outcome"] == "Stopped", panel._message.value
    assert panel._confirm.layout.display == "none"
    assert panel.run_status == "Stopped"
    assert panel.progress.bar_style == "warning"


def test_stop_asks_first_and_keep_running_stops_nothing(sandbox, sandbox_env):
    panel = _submittable(sandbox_env, "PanelKeep")
    with slow_steps(sandbox, 4, "TrainAbaloneModel", step_type="Training"):
        run = panel.submit()
        deadline = time.monotonic() + 30
        while panel.buttons["Stop"].disabled and time.monotonic() < deadline:
            time.sleep(0.05)
        panel.buttons["Stop"].click()
        assert panel._confirm.layout.display == "flex"
        assert run in panel._confirm_text.value
        assert not panel.busy  # nothing was asked of the cluster yet
        panel._keep_running.click()
        assert panel._confirm.layout.display == "none"
        final = panel.wait(RUN_TIMEOUT)
    assert final is not None
    assert final["outcome"] == "Succeeded"


def test_attach_follows_an_existing_run_by_name(sandbox_env):
    first = _submittable(sandbox_env, "PanelAttach")
    run = first.submit()
    first.close()
    attached = SageMakerAckPanel.attach(run, namespace=sandbox_env["SAGEMAKER_ACK_NAMESPACE"])
    final = attached.wait(RUN_TIMEOUT)
    assert final is not None
    assert final["outcome"] == "Succeeded"
    assert attached.run_name == run
    assert attached._dag.value.count('data-state="Succeeded"') >= 1
