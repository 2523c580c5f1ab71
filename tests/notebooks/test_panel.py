"""The panel's behaviour: buttons call the services, busy state, messages, live status from the sandbox."""

from __future__ import annotations

import threading
import time

import pytest

from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from jupyter_sagemaker_ack.faces.panel.widget import SageMakerAckPanel
from tests.fixtures.sandbox import slow_steps

from .conftest import require

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
RUN_TIMEOUT = 90


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


def test_export_yaml_button_previews_with_download(monkeypatch):
    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    panel = _panel()
    panel.buttons["Export YAML"].click()
    _settle(panel)
    assert "kind: Pipeline" in panel._yaml.value
    assert "data:application/yaml;base64," in panel._yaml.value


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
    assert "<svg" in bundle["text/html"]


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
        _settle(panel)
        final = panel.wait(RUN_TIMEOUT)
    assert final is not None, panel._message.value
    assert final["outcome"] == "Stopped", panel._message.value
    assert panel.run_status == "Stopped"
    assert panel.progress.bar_style == "warning"


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
