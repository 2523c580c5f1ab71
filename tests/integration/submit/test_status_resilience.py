"""The status stream under trouble: dropped watches, 410 Gone, throttling, one source missing, 150 steps."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest
from kubernetes import client, config

from jupyter_sagemaker_ack.adapters import sagemaker_api
from jupyter_sagemaker_ack.adapters.kube import connect
from jupyter_sagemaker_ack.adapters.kube.watching import SYNC, ObjectWatch
from jupyter_sagemaker_ack.config import Settings, resolve_settings
from jupyter_sagemaker_ack.core import ack
from jupyter_sagemaker_ack.core.status.snapshots import RunSnapshot
from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from jupyter_sagemaker_ack.services import runs, stop, submit, watch

from .conftest import REGION, ROLE, Stack
from .helpers import pipeline_name, rendered_run, step_names

RANK = {"Pending": 0, "Executing": 1, "Stopping": 2, "Succeeded": 3, "Failed": 3, "Stopped": 3}


def _label(stack: Stack, namespace: str, name: str, value: str) -> str:
    """Change the CR (a label, so the controller is not woken) and return its new resourceVersion."""
    api = config.new_client_from_config(config_file=str(stack.kubeconfig))
    try:
        obj = client.CustomObjectsApi(api).patch_namespaced_custom_object(
            ack.GROUP, ack.VERSION, namespace, "pipelineexecutions", name,
            {"metadata": {"labels": {"step": value}}}, _content_type="application/merge-patch+json",
        )  # fmt: skip
    finally:
        api.close()
    return str(obj["metadata"]["resourceVersion"])


def _watch_in_thread(watcher: ObjectWatch) -> tuple[list[Any], threading.Thread]:
    seen: list[Any] = []

    def run() -> None:
        for event in watcher.events():
            seen.append(event)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return seen, thread


def _wait_for(predicate: Any, timeout: float = 10.0) -> None:
    done = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        done.wait(0.02)
    raise AssertionError("condition not reached")


def test_watch_survives_drops_and_410_without_losing_or_repeating_a_change(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    stack.sagemaker.configure(durations={"default": 30.0})
    rendered = rendered_run(settings, steps=1)
    (run,) = submit.submit(rendered.docs, settings, wait=True).execution_names
    cluster = connect(settings)
    watcher = ObjectWatch(cluster, ack.EXECUTION_KIND, namespace, run, timeout_seconds=30)
    watcher.reconnect_delay = lambda failures: 0.5
    seen, thread = _watch_in_thread(watcher)
    try:
        _wait_for(lambda: seen and seen[0].type == SYNC)
        written = [_label(stack, namespace, run, "a")]
        _wait_for(lambda: any(e.obj["metadata"]["resourceVersion"] == written[-1] for e in seen))

        stack.kube.faults.drop_watches(abrupt=False)  # the stream ends: resume from the last version
        written.append(_label(stack, namespace, run, "b"))
        stack.kube.faults.drop_watches(abrupt=True)  # the connection is cut: back off, resume
        written.append(_label(stack, namespace, run, "c"))
        _wait_for(lambda: any(e.obj["metadata"]["resourceVersion"] == written[-1] for e in seen))

        stack.kube.faults.drop_watches(abrupt=True)
        written.append(_label(stack, namespace, run, "d"))
        stack.kube.compact()  # the version the watch resumes from is now too old: 410, list again
        _wait_for(lambda: watcher.relists >= 1)
        _wait_for(lambda: any(e.obj["metadata"].get("labels", {}).get("step") == "d" for e in seen))
    finally:
        watcher.stop()
        thread.join(5)
        cluster.close()

    versions = [e.obj["metadata"]["resourceVersion"] for e in seen if e.obj is not None]
    assert len(versions) == len(set(versions)), "a change was delivered twice"
    labels = [e.obj["metadata"].get("labels", {}).get("step") for e in seen]
    # The controller may write status meanwhile (a new version with the same label); every label change
    # arrives, in order, once.
    changes = [label for i, label in enumerate(labels) if label and (i == 0 or labels[i - 1] != label)]
    assert changes == ["a", "b", "c", "d"]
    assert watcher.reconnects >= 2
    assert not thread.is_alive()


def no_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DevOps engineer's shell: a kubeconfig, no AWS credentials anywhere."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")


def test_status_stream_through_dropped_watches_and_410_from_the_cr_alone(
    stack: Stack, namespace: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_aws_credentials(monkeypatch)
    stack.sagemaker.configure(durations={"default": 0.8})
    rendered = rendered_run(settings, steps=3)
    with monkeypatch.context() as creds:
        creds.setenv("AWS_ACCESS_KEY_ID", "testing")
        creds.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        (run,) = submit.submit(rendered.docs, settings).execution_names

    snaps: list[RunSnapshot] = []
    for snap in watch.watch_run(namespace, run, settings):
        snaps.append(snap)
        if len(snaps) == 1:
            stack.kube.faults.drop_watches(abrupt=True)
            stack.kube.compact()
    statuses = [s.status for s in snaps]
    assert statuses[-1] == "Succeeded"
    assert snaps[-1].outcome == "Succeeded"
    assert all(s.sources == ("cr",) for s in snaps)
    assert len(statuses) == len(set(statuses)), f"a transition was repeated: {statuses}"
    assert [RANK[s] for s in statuses] == sorted(RANK[s] for s in statuses)


def test_stop_from_the_cr_alone(
    stack: Stack, namespace: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.sagemaker.configure(durations={"default": 30.0})
    rendered = rendered_run(settings, steps=2)
    (run,) = submit.submit(rendered.docs, settings, wait=True).execution_names
    no_aws_credentials(monkeypatch)

    final = stop.stop_run(namespace, run, settings)
    assert (final.outcome, final.sources) == ("Stopped", ("cr",))
    assert runs.list_runs(settings) == []  # ACK removed the CR once the run had stopped


def test_sagemaker_throttling_backs_off_without_failing(
    stack: Stack, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttled: list[str] = []

    def spy(method: Any) -> Any:
        def call(self: sagemaker_api.SageMakerApi, arn: str) -> Any:
            try:
                return method(self, arn)
            except sagemaker_api.Throttled as exc:
                throttled.append(str(exc))
                raise

        return call

    for name in ("definition_for_execution", "describe_execution", "list_steps"):
        monkeypatch.setattr(sagemaker_api.SageMakerApi, name, spy(getattr(sagemaker_api.SageMakerApi, name)))
    # A run started in SageMaker directly, so the ACK controller makes no calls: every throttled request
    # is one of the status engine's.
    name = pipeline_name("throttled")
    client = boto3.client("sagemaker", endpoint_url=stack.sagemaker.url, region_name=REGION)
    client.create_pipeline(
        PipelineName=name, PipelineDefinition=json.dumps(chain_definition(3)), RoleArn=ROLE
    )
    arn = client.start_pipeline_execution(PipelineName=name)["PipelineExecutionArn"]
    stack.sagemaker.configure(throttle={"next": 5})  # more than botocore's retries absorb, twice over

    snaps = list(watch.watch_run(None, arn, settings))
    final = snaps[-1]
    assert final.outcome == "Succeeded"
    assert [s.status for s in final.steps] == ["Succeeded"] * 3
    assert len(throttled) >= 2, "the polls were not throttled past botocore's retries"
    assert "ThrottlingException" in throttled[0]


def test_a_150_step_pipeline_reports_every_step(stack: Stack, namespace: str, settings: Settings) -> None:
    stack.sagemaker.configure(durations={"default": 0.01, "startingFraction": 0.0})
    rendered = rendered_run(settings, steps=150)
    (run,) = submit.submit(rendered.docs, settings).execution_names

    final = list(watch.watch_run(namespace, run, settings))[-1]
    assert final.outcome == "Succeeded"
    assert [s.name for s in final.steps] == step_names(150)
    assert all(s.status == "Succeeded" and s.job_arn for s in final.steps)
    again = runs.get_run(namespace, run, settings)
    assert again.progress.total == again.progress.succeeded == 150


def test_sagemaker_alone_by_execution_arn(
    stack: Stack, namespace: str, settings: Settings, tmp_path: Any
) -> None:
    rendered = rendered_run(settings, steps=2)
    result = submit.submit(rendered.docs, settings, wait=True)
    arn = result.executions[0].arn
    assert arn is not None
    no_cluster = resolve_settings(
        explicit={"kubeconfig": str(tmp_path / "none")}, env={**settings_env(settings)}
    )

    snaps = list(watch.watch_run(None, arn, no_cluster))
    assert snaps[-1].outcome == "Succeeded"
    assert all(s.sources == ("sagemaker",) for s in snaps)
    assert snaps[-1].name is None
    assert snaps[-1].pipeline_name == rendered.pipeline_name.lower()
    assert [r.execution_arn for r in runs.list_runs(no_cluster, pipeline=rendered.pipeline_name)] == [arn]


def settings_env(settings: Settings) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("KUBECONFIG", None)
    return env
