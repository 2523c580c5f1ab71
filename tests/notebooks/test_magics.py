"""``%sagemaker_ack`` driven in a real IPython shell: help, settings, lint, YAML and readable errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap

import pytest
import yaml
from IPython.utils.capture import capture_output

from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from jupyter_sagemaker_ack.faces.magics.results import Problem
from tests.fixtures.sandbox import slow_steps

from .conftest import pictures, require, rich

SUBCOMMANDS = (
    "lint",
    "publish",
    "yaml",
    "submit",
    "status",
    "stop",
    "retry",
    "compare",
    "diff",
    "panel",
    "config",
)
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
DIGEST = "sagemaker-ack.io/definition-digest"
VERSION = "sagemaker-ack.io/definition-version-id"


def test_help_lists_every_subcommand(ip):
    _, _, printed = rich(ip, "--help")
    for name in SUBCOMMANDS:
        assert f"%sagemaker_ack {name}" in printed


def test_help_of_one_subcommand_explains_its_options(ip):
    _, _, printed = rich(ip, "publish --help")
    assert "--kms-key" in printed
    assert "KMS-encrypted" in printed
    _, _, printed = rich(ip, "yaml -h")
    assert "--param KEY=VALUE" in printed


def test_config_magic_sets_a_setting_and_config_says_where_it_came_from(ip, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_ACK_BUCKET", "from-env")
    monkeypatch.setenv("SAGEMAKER_ACK_PREFIX", "team-a")
    ip.run_line_magic("config", 'SageMakerAck.bucket = "from-config"')
    value, displays, _ = rich(ip, "config")
    assert value.bucket == "from-config"  # %config beats the environment
    assert value.prefix == "team-a"
    assert value.sources["bucket"] == "%config SageMakerAck"
    assert value.sources["prefix"] == "environment $SAGEMAKER_ACK_PREFIX"
    assert "from-config" in repr(value)
    assert not displays  # the value is the output: the shell displays it as Out[]
    assert "%config SageMakerAck" in value._repr_mimebundle_()["text/html"]


def test_lint_of_a_clean_definition_returns_no_findings(ip):
    ip.user_ns["pipeline"] = abalone_definition()
    value, _, _ = rich(ip, "lint pipeline")
    assert list(value) == []
    assert "No lint findings" in value._repr_mimebundle_()["text/html"]


def test_lint_reports_a_dependency_on_a_missing_step(ip):
    broken = abalone_definition()
    broken["Steps"][1]["DependsOn"] = ["NoSuchStep"]
    ip.user_ns["broken"] = broken
    value, _, _ = rich(ip, "lint broken")
    codes = {f.code for f in value}
    assert "SMA306" in codes
    assert "NoSuchStep" in repr(value)


def test_lint_of_a_pipeline_object_names_the_step_and_field_not_a_column(ip):
    broken = abalone_definition()
    broken["Steps"][1]["DependsOn"] = ["NoSuchStep"]
    ip.user_ns["broken"] = broken
    value, _, _ = rich(ip, "lint broken")
    where = "step TrainAbaloneModel, field DependsOn[0]"
    assert where in repr(value)
    assert where in value._repr_mimebundle_()["text/html"]
    # An object has no lines: lint's "definition:1:3012" (a column of its one-line JSON) is not shown.
    assert "definition:1:" not in repr(value)
    assert "definition:1:" not in value._repr_mimebundle_()["text/html"]


def test_a_variable_that_is_not_a_pipeline_gives_a_short_message(ip):
    ip.user_ns["n"] = 3
    value, displays, _ = rich(ip, "lint n")
    assert isinstance(value, Problem)  # a failed subcommand returns the Problem it showed, never None
    (shown,) = displays
    assert "'n' is not a pipeline" in shown["text/plain"]
    assert "Traceback" not in shown["text/plain"]
    assert "sma-problem" in shown["text/html"]


def test_an_unknown_variable_or_subcommand_gives_a_short_message(ip):
    _, displays, _ = rich(ip, "lint nothere")
    assert "no variable 'nothere'" in displays[0]["text/plain"]
    _, displays, _ = rich(ip, "deploy pipeline")
    assert "Unknown subcommand 'deploy'" in displays[0]["text/plain"]


def test_yaml_renders_pipeline_and_execution_and_writes_the_file(ip, tmp_path, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    ip.user_ns["pipeline"] = abalone_definition()
    target = tmp_path / "abalone.yaml"
    value, _, _ = rich(
        ip, f"yaml pipeline --name AbalonePipeline --param ProcessingInstanceCount=2 -o {target}"
    )
    docs = list(yaml.safe_load_all(target.read_text()))
    assert [d["kind"] for d in docs] == ["Pipeline", "PipelineExecution"]
    assert docs[0]["spec"]["roleARN"] == ROLE
    assert value.pipeline_name == "AbalonePipeline"  # the Rendered object, through the result
    html = value._repr_mimebundle_()["text/html"]
    assert "data:application/yaml;base64," in html
    assert "Download" in html


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_the_written_yaml_file_has_the_mode_of_any_file_the_user_writes(
    ip, tmp_path, monkeypatch, umask, mode
):
    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    ip.user_ns["pipeline"] = abalone_definition()
    single, folder = tmp_path / "abalone.yaml", tmp_path / "kustomized"
    previous = os.umask(umask)
    try:
        rich(ip, f"yaml pipeline --name AbalonePipeline -o {single}")
        rich(ip, f"yaml pipeline --name AbalonePipeline -o {folder}")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(single.stat().st_mode) == mode  # not mkstemp's 0600
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {mode}


def test_rewriting_the_yaml_file_keeps_its_mode(ip, tmp_path, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    ip.user_ns["pipeline"] = abalone_definition()
    target = tmp_path / "abalone.yaml"
    target.write_text("old")
    target.chmod(0o640)
    rich(ip, f"yaml pipeline --name AbalonePipeline -o {target}")
    assert target.read_text().startswith("---")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_yaml_without_a_role_explains_how_to_set_one(ip, monkeypatch):
    monkeypatch.delenv("SAGEMAKER_ACK_ROLE_ARN", raising=False)
    ip.user_ns["pipeline"] = abalone_definition()
    _, displays, _ = rich(ip, "yaml pipeline --name AbalonePipeline")
    assert "No IAM role ARN" in displays[0]["text/plain"]
    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    ip.run_line_magic("config", f'SageMakerAck.role_arn = "{ROLE.replace("SageMaker", "Other")}"')
    value, _, _ = rich(ip, "yaml pipeline --name AbalonePipeline")
    assert value.pipeline["spec"]["roleARN"].endswith("role/OtherExecutionRole")


def test_bad_param_syntax_is_a_short_message(ip, monkeypatch):
    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    ip.user_ns["pipeline"] = abalone_definition()
    _, displays, _ = rich(ip, "yaml pipeline --name P --param oops")
    assert "is not KEY=VALUE" in displays[0]["text/plain"]


def test_panel_subcommand_opens_the_panel_wired_in_by_load_ext(ip):
    from jupyter_sagemaker_ack.faces.panel.widget import SageMakerAckPanel

    ip.user_ns["pipeline"] = abalone_definition()
    value, displays, _ = rich(ip, "panel pipeline --name PanelFromMagic")
    assert isinstance(value, SageMakerAckPanel)
    assert value.pipeline_name == "PanelFromMagic"
    assert not displays
    value.close()


def test_unload_removes_the_magic(ip):
    ip.run_line_magic("unload_ext", "jupyter_sagemaker_ack")
    assert "sagemaker_ack" not in ip.magics_manager.magics["line"]
    ip.run_line_magic("load_ext", "jupyter_sagemaker_ack")
    assert "sagemaker_ack" in ip.magics_manager.magics["line"]


def test_load_ext_imports_no_sdk_boto3_or_kubernetes():
    probe = textwrap.dedent(
        """
        import sys
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_line_magic("load_ext", "jupyter_sagemaker_ack")
        shell.run_line_magic("sagemaker_ack", "--help")
        heavy_roots = {"sagemaker", "boto3", "botocore", "kubernetes"}
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in heavy_roots)
        print("HEAVY:" + ",".join(heavy))
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.rsplit("HEAVY:", 1)[1].strip() == ""


# ----- on the sandbox --------------------------------------------------------------------------------


def test_publish_then_diff_against_the_published_version(ip, sandbox_env):
    definition = abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"])
    ip.user_ns["pipeline"] = definition
    published, _, _ = rich(ip, "publish pipeline --name MagicDiff")
    assert published.pinned_uri.startswith(f"s3://{sandbox_env['SAGEMAKER_ACK_BUCKET']}/")
    assert "Published" in repr(published)
    same, _, _ = rich(ip, "diff pipeline --name MagicDiff")
    assert same.identical
    definition["Parameters"][0]["DefaultValue"] = 3
    changed, _, _ = rich(ip, f"diff pipeline --name MagicDiff --against {published.version_id}")
    assert not changed.identical
    assert "~ parameter ProcessingInstanceCount" in repr(changed)
    _, displays, _ = rich(ip, "diff pipeline --name MagicDiff --against no-such-version")
    assert "has no published version 'no-such-version'" in displays[0]["text/plain"]


def test_yaml_after_publish_pins_the_published_version(ip, sandbox_env, tmp_path):
    ip.user_ns["pipeline"] = abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"])
    published, _, _ = rich(ip, "publish pipeline --name MagicPinned")
    rendered, _, _ = rich(ip, "yaml pipeline --name MagicPinned")
    annotations = rendered.pipeline["metadata"]["annotations"]
    assert published.version_id in annotations.values()


def test_yaml_of_a_changed_pipeline_claims_no_stale_publication(ip, sandbox_env, tmp_path):
    definition = abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"])
    ip.user_ns["pipeline"] = definition
    first, _, _ = rich(ip, "publish pipeline --name MagicStale")
    definition["Parameters"][0]["DefaultValue"] = 5  # changed after the publish
    target = tmp_path / "stale.yaml"
    rendered, _, _ = rich(ip, f"yaml pipeline --name MagicStale --execution -o {target}")
    on_disk = list(yaml.safe_load_all(target.read_text()))
    for doc in [rendered.pipeline, rendered.execution, *on_disk]:
        annotations = doc["metadata"].get("annotations") or {}
        assert first.version_id not in annotations.values()
        assert first.digest not in annotations.values()
        assert not any(k.endswith("/definition-version-id") for k in annotations)
    assert rendered.pipeline["metadata"]["annotations"][DIGEST] == rendered.definition.digest
    assert "No provenance" in repr(rendered)
    assert "publish pipeline" in repr(rendered)
    assert "sma-unpinned" in rendered._repr_mimebundle_()["text/html"]
    second, _, _ = rich(ip, "publish pipeline --name MagicStale")
    assert second.version_id != first.version_id
    pinned, _, _ = rich(ip, "yaml pipeline --name MagicStale --execution")
    for doc in pinned.docs:
        annotations = doc["metadata"]["annotations"]
        assert annotations[VERSION] == second.version_id
        assert annotations[DIGEST] == second.digest == pinned.definition.digest
    assert "No provenance" not in repr(pinned)
    definition["Parameters"][0]["DefaultValue"] = 1  # back to the first bytes: their publication again
    back, _, _ = rich(ip, "yaml pipeline --name MagicStale")
    assert back.pipeline["metadata"]["annotations"][VERSION] == first.version_id


def test_yaml_finds_the_publication_in_s3_only_when_asked(ip, sandbox_env):
    from jupyter_sagemaker_ack.faces.kernel.publications import forget_publications

    definition = abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"])
    ip.user_ns["pipeline"] = definition
    published, _, _ = rich(ip, "publish pipeline --name MagicFound")
    forget_publications()  # as after a kernel restart
    offline, _, _ = rich(ip, "yaml pipeline --name MagicFound")
    assert offline.provenance is None
    assert "--find-published" in repr(offline)
    found, _, _ = rich(ip, "yaml pipeline --name MagicFound --find-published")
    assert found.pipeline["metadata"]["annotations"][VERSION] == published.version_id
    assert found.provenance.digest == published.digest
    definition["Parameters"][0]["DefaultValue"] = 9  # bytes S3 has never seen
    unknown, _, _ = rich(ip, "yaml pipeline --name MagicFound --find-published")
    assert unknown.provenance is None
    assert "this kernel and S3 have no publication" in repr(unknown)


def test_submit_status_and_stop_on_the_sandbox(ip, sandbox, sandbox_env):
    require("jupyter_sagemaker_ack.services.watch", "watch_run")
    require("jupyter_sagemaker_ack.services.runs", "list_runs")
    require("jupyter_sagemaker_ack.services.stop", "stop_run")
    ip.user_ns["pipeline"] = abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"])
    with slow_steps(sandbox, 30, "TrainAbaloneModel", step_type="Training"):
        submitted, _, _ = rich(ip, "submit pipeline --name MagicRun")
        (run,) = submitted.execution_names
        shown, _, _ = rich(ip, f"status {run}")
        listed, _, _ = rich(ip, "status")
        stopped, _, _ = rich(ip, f"stop {run}")
    assert stopped["outcome"] == "Stopped"
    after, _, _ = rich(ip, f"status {run}")  # the CR is gone; SageMaker still has the run
    assert after["outcome"] == "Stopped"
    assert after["name"] == run
    assert shown["name"] == run
    assert "application/vnd.sagemaker-ack.run+json" in shown._repr_mimebundle_()
    assert run in repr(shown)
    assert run in {r["name"] for r in listed}
    _, displays, _ = rich(ip, "stop no-such-run")
    assert "No PipelineExecution 'no-such-run'" in displays[0]["text/plain"]


def test_no_reachable_cluster_is_a_short_message(ip, tmp_path, monkeypatch):
    require("jupyter_sagemaker_ack.services.runs", "list_runs")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "gone", "cluster": {"server": "http://127.0.0.1:9"}}],
                "users": [{"name": "me", "user": {"token": "x"}}],
                "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "me"}}],
                "current-context": "gone",
            }
        )
    )
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    value, displays, _ = rich(ip, "status")
    assert isinstance(value, Problem)  # a failed subcommand returns the Problem it showed, never None
    (shown,) = displays
    assert "Traceback" not in shown["text/plain"]
    assert len(shown["text/plain"].splitlines()) <= 4


def test_submit_wait_follows_the_run_to_its_outcome(ip, sandbox_env):
    require("jupyter_sagemaker_ack.services.watch", "watch_run")
    ip.user_ns["pipeline"] = abalone_definition(bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"])
    value, displays, _ = rich(ip, "submit pipeline --name MagicWait --wait")
    assert value["outcome"] == "Succeeded"
    assert value["progress"]["succeeded"] >= 1
    assert "Succeeded" in repr(value)
    assert "<svg" in "".join(pictures(value._repr_html_()))  # the run's steps as a picture
    # The live display ends on the final state, so an assigned result still leaves the run in the cell.
    last = displays[-1]
    assert "Succeeded" in last["text/plain"]
    assert 'data-state="Succeeded"' in last["text/html"]
    # The same picture as the panel: the DAG with its edges, for the extension and in the image.
    run = last["application/vnd.sagemaker-ack.run+json"]
    assert {e["kind"] for e in run["dag"]["edges"]} >= {"condition_if", "condition_else"}
    (svg,) = pictures(last["text/html"])
    assert svg.count("marker-end") == len(run["dag"]["edges"]) > 0
    # Shown already: as the cell's Out it is not drawn a second time.
    with capture_output() as again:
        value._ipython_display_()
    assert again.outputs == []


class _EndpointConnectionError(Exception):
    __module__ = "botocore.exceptions"


class _ClientError(Exception):
    __module__ = "botocore.exceptions"

    def __init__(self, message):
        super().__init__(message)
        self.response = {"Error": {"Code": "AccessDenied"}}


@pytest.mark.parametrize(
    ("exc", "starts"),
    [
        pytest.param(
            PermissionError(13, "Permission denied", "/data/out.yaml"), "Cannot use the file", id="file"
        ),
        pytest.param(
            IsADirectoryError(21, "Is a directory", "/tmp/x", None, "/data/out.yaml"),
            "Cannot use the file /data/out.yaml",
            id="rename-target",
        ),
        pytest.param(
            ConnectionRefusedError(111, "Connection refused"), "Could not reach a service", id="refused"
        ),
        pytest.param(
            _EndpointConnectionError("Could not connect"), "Could not reach a service", id="endpoint"
        ),
        pytest.param(_ClientError("AccessDenied"), "The service refused the request", id="answered"),
        pytest.param(
            OSError(101, "Network is unreachable"), "Could not reach a service", id="socket-no-file"
        ),
    ],
)
def test_failures_are_classified_by_what_failed(exc, starts):
    from jupyter_sagemaker_ack.faces.magics.failures import problem_of

    problem = problem_of(exc)
    assert problem is not None
    assert problem.problem.startswith(starts), problem.problem
    assert problem.fix


def test_a_bug_is_not_dressed_as_a_user_problem():
    from jupyter_sagemaker_ack.faces.magics.failures import problem_of

    assert problem_of(KeyError("x")) is None


POLICY = "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  maxInstanceCount: {limit}\n"


def test_lint_judges_the_pipeline_by_a_policy_given_or_configured(ip, tmp_path, monkeypatch):
    ip.user_ns["pipeline"] = abalone_definition()
    strict = tmp_path / "strict.yaml"
    strict.write_text(POLICY.format(limit=1))
    value, _, _ = rich(ip, "lint pipeline --policy " + str(strict) + " --param ProcessingInstanceCount=3")
    assert {f.code for f in value} == {"SMA903"}
    assert "ProcessingInstanceCount" in repr(value)
    value, _, _ = rich(ip, "lint pipeline")
    assert list(value) == []
    monkeypatch.setenv("SAGEMAKER_ACK_POLICY", str(strict))
    value, _, _ = rich(ip, "lint pipeline --param ProcessingInstanceCount=3")
    assert {f.code for f in value} == {"SMA903"}
