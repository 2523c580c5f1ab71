"""Submit a pipeline run through the Kubernetes API emulator and ACK controller, and follow it to its end."""

from __future__ import annotations

import itertools

import boto3
import pytest

from jupyter_sagemaker_ack.config import Settings
from jupyter_sagemaker_ack.core import ack
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.core.status.snapshots import RECOVERABLE, Condition
from jupyter_sagemaker_ack.services import runs as runs_service
from jupyter_sagemaker_ack.services import stop, submit, watch

from .conftest import REGION, Stack
from .helpers import cluster_objects, pipeline_name, rendered_run, step_names


def follow(settings: Settings, namespace: str, name: str) -> list:
    return list(watch.watch_run(namespace, name, settings))


def test_happy_path_to_succeeded(stack: Stack, namespace: str, settings: Settings) -> None:
    rendered = rendered_run(settings, steps=3)
    result = submit.submit(rendered.docs, settings)

    (pipeline,) = result.pipelines
    assert (
        pipeline.arn == f"arn:aws:sagemaker:{REGION}:123456789012:pipeline/{rendered.pipeline_name.lower()}"
    )
    (run,) = result.execution_names
    snaps = follow(settings, namespace, run)
    final = snaps[-1]
    assert final.outcome == "Succeeded"
    assert final.status == "Succeeded"
    assert final.sources == ("cr", "sagemaker")
    assert [s.name for s in final.steps] == step_names(3)
    assert {s.status for s in final.steps} == {"Succeeded"}
    step = final.steps[0]
    assert step.type == "Processing"
    assert step.job_arn is not None
    assert ":processing-job/" in step.job_arn
    assert step.console_url is not None
    assert step.console_url.startswith(
        f"https://{REGION}.console.aws.amazon.com/sagemaker/home?region={REGION}#/"
    )
    assert step.logs_url is not None
    # Emitted only on change: no two snapshots in a row look the same to a user.
    assert all(not later.same_state(earlier) for earlier, later in itertools.pairwise(snaps))
    assert any(s.outcome is None and s.progress.running for s in snaps), "the run was never seen running"
    assert final.progress.succeeded == 3


def test_a_failing_step_gives_failed_with_the_step_and_its_reason(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    stack.sagemaker.configure(failures={"Step-00001": "AlgorithmError: out of memory"})
    rendered = rendered_run(settings, steps=3)
    (run,) = submit.submit(rendered.docs, settings).execution_names

    final = follow(settings, namespace, run)[-1]
    assert final.outcome == "Failed"
    assert final.failure_reason is not None
    assert "out of memory" in final.failure_reason
    (failed,) = final.failed_steps
    assert failed.name == "Step-00001"
    assert failed.failure_reason == "AlgorithmError: out of memory"
    assert final.step("Step-00002") is not None
    assert final.step("Step-00002").status == "Pending"  # type: ignore[union-attr]


def test_stop_while_running_gives_stopped(stack: Stack, namespace: str, settings: Settings) -> None:
    stack.sagemaker.configure(durations={"default": 30.0})
    rendered = rendered_run(settings, steps=2)
    (run,) = submit.submit(rendered.docs, settings, wait=True).execution_names
    for snap in watch.watch_run(namespace, run, settings):
        if snap.progress.running:
            break

    final = stop.stop_run(namespace, run, settings)
    assert final.outcome == "Stopped"
    assert final.status == "Stopped"
    assert final.step("Step-00000").status == "Stopped"  # type: ignore[union-attr]
    client = boto3.client("sagemaker", endpoint_url=stack.sagemaker.url, region_name=REGION)
    described = client.describe_pipeline_execution(PipelineExecutionArn=final.execution_arn)
    assert described["PipelineExecutionStatus"] == "Stopped"


def test_terminal_pipeline_missing_is_surfaced_with_the_aws_message(
    namespace: str, settings: Settings
) -> None:
    missing = pipeline_name("missing")
    execution = rendered_run(settings, steps=1, name=missing).execution
    assert execution is not None

    # force: past the check that refuses a run of a pipeline neither applied nor in the namespace
    with pytest.raises(UserError, match=r"ACK\.Terminal") as caught:
        submit.submit([execution], settings, wait=True, force=True)
    assert "does not exist" in caught.value.problem
    assert missing.lower() in caught.value.problem

    final = runs_service.get_run(namespace, execution["metadata"]["name"], settings)
    assert final.outcome == "Failed"
    assert final.failure_reason is not None
    assert "ResourceNotFound" in final.failure_reason


def test_recoverable_validation_error_is_surfaced_with_the_aws_message(
    namespace: str, settings: Settings
) -> None:
    rendered = rendered_run(settings, steps=2)
    pipeline = rendered.pipeline
    pipeline["spec"]["pipelineDefinition"] = '{"Version": "2020-12-01", "Steps": "not a list"}'

    # force: past the lint gate, which refuses this definition before anything is written
    with pytest.raises(UserError, match=r"ACK\.Recoverable") as caught:
        submit.submit(rendered.docs, settings, force=True)
    assert "ValidationException" in caught.value.problem
    assert "no PipelineExecution was created" in caught.value.problem


def test_no_rbac_permission_fails_before_anything_is_written(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    stack.kube.access.deny(verb="create", resource="pipelineexecutions", namespace=namespace)
    rendered = rendered_run(settings, steps=1)

    with pytest.raises(UserError, match="create on pipelineexecutions") as caught:
        submit.submit(rendered.docs, settings)
    assert namespace in caught.value.problem
    assert "ack-sagemaker-writer" in caught.value.fix
    kubeconfig = str(stack.kubeconfig)
    assert cluster_objects(kubeconfig, ack.PIPELINE_KIND, namespace) == []
    assert cluster_objects(kubeconfig, ack.EXECUTION_KIND, namespace) == []


def test_dry_run_writes_nothing(stack: Stack, namespace: str, settings: Settings) -> None:
    rendered = rendered_run(settings, steps=1)
    result = submit.submit(rendered.docs, settings, dry_run=True)

    assert result.dry_run
    assert [a.kind for a in result.pipelines + result.executions] == [ack.PIPELINE_KIND, ack.EXECUTION_KIND]
    assert result.pipelines[0].obj["spec"]["pipelineName"] == rendered.pipeline_name
    kubeconfig = str(stack.kubeconfig)
    assert cluster_objects(kubeconfig, ack.PIPELINE_KIND, namespace) == []
    assert cluster_objects(kubeconfig, ack.EXECUTION_KIND, namespace) == []


def test_apply_conflict_names_the_owner_and_force_takes_over(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    from kubernetes import client, config

    rendered = rendered_run(settings, steps=1)
    submit.submit([rendered.pipeline], settings)
    theirs = {
        "apiVersion": ack.API_VERSION,
        "kind": ack.PIPELINE_KIND,
        "metadata": {"name": rendered.pipeline["metadata"]["name"]},
        "spec": {"pipelineDescription": "edited by hand"},
    }
    api = config.new_client_from_config(config_file=str(stack.kubeconfig))
    try:
        client.CustomObjectsApi(api).patch_namespaced_custom_object(
            ack.GROUP, ack.VERSION, namespace, "pipelines", theirs["metadata"]["name"], theirs,
            field_manager="someone-else", force=True, _content_type="application/apply-patch+yaml",
        )  # fmt: skip
    finally:
        api.close()
    rendered.pipeline["spec"]["pipelineDescription"] = "from the notebook"

    with pytest.raises(UserError, match="someone-else") as caught:
        submit.submit([rendered.pipeline], settings)
    assert ".spec.pipelineDescription" in caught.value.problem
    assert "--force-conflicts" in caught.value.fix

    # Forcing past the lint gate is not taking over someone else's fields: that needs its own flag.
    with pytest.raises(UserError, match="someone-else"):
        submit.submit([rendered.pipeline], settings, force=True)
    result = submit.submit([rendered.pipeline], settings, force_conflicts=True)
    assert result.pipelines[0].arn is not None
    (live,) = cluster_objects(str(stack.kubeconfig), ack.PIPELINE_KIND, namespace)
    assert live["spec"]["pipelineDescription"] == "from the notebook"


def test_pipeline_existing_outside_ack_suggests_adoption(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    rendered = rendered_run(settings, steps=1)
    client = boto3.client("sagemaker", endpoint_url=stack.sagemaker.url, region_name=REGION)
    client.create_pipeline(
        PipelineName=rendered.pipeline_name,
        PipelineDefinition=rendered.pipeline["spec"]["pipelineDefinition"],
        RoleArn=rendered.pipeline["spec"]["roleARN"],
    )

    with pytest.raises(UserError, match="already exists") as caught:
        submit.submit(rendered.docs, settings)
    assert "--adopt" in caught.value.fix
    assert cluster_objects(str(stack.kubeconfig), ack.EXECUTION_KIND, namespace) == []

    adopted = submit.submit(rendered.docs, settings, adopt=True)
    assert adopted.pipelines[0].arn is not None
    assert adopted.pipelines[0].arn.endswith(rendered.pipeline_name.lower())
    assert list(watch.watch_run(namespace, adopted.execution_names[0], settings))[-1].outcome == "Succeeded"


def test_running_the_same_execution_twice_says_what_exists(namespace: str, settings: Settings) -> None:
    rendered = rendered_run(settings, steps=1)
    submit.submit(rendered.docs, settings)

    with pytest.raises(UserError, match="already exists") as caught:
        submit.submit(rendered.docs, settings)
    assert f"Pipeline {rendered.pipeline['metadata']['name']}" in caught.value.problem
    assert "render" in caught.value.fix


def test_list_runs_and_pipelines(namespace: str, settings: Settings) -> None:
    first = rendered_run(settings, steps=1)
    (run,) = submit.submit(first.docs, settings).execution_names
    follow(settings, namespace, run)

    runs = runs_service.list_runs(settings)
    assert [r.name for r in runs] == [run]
    assert runs_service.list_runs(settings, pipeline="something-else") == []
    assert (
        runs_service.list_runs(settings, pipeline=first.pipeline_name)[0].pipeline_name == first.pipeline_name
    )
    (pipeline,) = runs_service.list_pipelines(settings)
    assert pipeline["pipelineName"] == first.pipeline_name
    assert pipeline["status"] == "Active"
    assert pipeline["arn"].endswith(first.pipeline_name.lower())


def test_recoverable_access_denied_stops_submit_with_the_aws_message(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    who = "arn:aws:sts::123456789012:assumed-role/ack/x"
    message = f"User: {who} is not authorized to perform: sagemaker:CreatePipeline"
    stack.sagemaker.configure(
        {"apiErrors": {"CreatePipeline": {"code": "AccessDeniedException", "message": message}}}
    )
    try:
        rendered = rendered_run(settings, steps=1)
        with pytest.raises(UserError) as caught:
            # The controller retries AccessDenied (it heals once the permission is granted): submit waits
            # until its timeout, then says why.
            submit.submit(rendered.docs, settings, timeout=3)
    finally:
        stack.sagemaker.configure({"apiErrors": {"CreatePipeline": None}})
    assert "ACK.Recoverable" in caught.value.problem
    assert "not authorized to perform: sagemaker:CreatePipeline" in caught.value.problem
    assert "iam:PassRole" in caught.value.fix
    kubeconfig = str(stack.kubeconfig)
    assert cluster_objects(kubeconfig, ack.EXECUTION_KIND, namespace) == []


def test_transient_recoverable_conditions_are_waited_out() -> None:
    transient = (Condition(RECOVERABLE, "True", message="api error ThrottlingException: Rate exceeded"),)
    submit._raise_if_fatal(transient, "Pipeline p")  # the controller retries these: keep waiting
