"""Stop right after submit, on the sandbox: the run may have no execution ARN yet, and stop must still know
which run it stops and say how it ended (issue 12, item 14)."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import boto3
import pytest

from jupyter_sagemaker_ack.config import Settings
from jupyter_sagemaker_ack.core.status.waiting import POLICIES
from jupyter_sagemaker_ack.services import stop, submit
from tests.fixtures.sandbox import default_step_seconds

from .conftest import ROLE
from .helpers import pipeline_name

TRIES = 10
_SANDBOX = POLICIES["sandbox"]
# The sandbox policy with a one-second wait for a run's ARN.
QUICK = replace(
    _SANDBOX, waiters=replace(_SANDBOX.waiters, run_identity=_SANDBOX.waiters.run_identity.with_timeout(1.0))
)


def _throttle_start(sandbox: Any, requests: int) -> None:
    from jupyter_sagemaker_ack.sandbox.sagemaker import configure_remote

    operations = ["StartPipelineExecution"] if requests else []
    configure_remote(
        sandbox.endpoints["sagemaker"], {"throttle": {"next": requests, "operations": operations}}
    )


def _sagemaker(sandbox: Any) -> Any:
    return boto3.client("sagemaker", endpoint_url=sandbox.endpoints["sagemaker"], region_name="us-east-1")


def test_stop_immediately_after_submit_ten_times(sandbox: Any, sandbox_settings: Settings) -> None:
    from jupyter_sagemaker_ack.core.definition import parse_definition
    from jupyter_sagemaker_ack.examples.synthetic import chain_definition
    from jupyter_sagemaker_ack.services.render import render

    name = pipeline_name("stopnow")
    rendered = render(
        parse_definition(chain_definition(2)), sandbox_settings, pipeline_name=name, role_arn=ROLE,
        execution=True,
    )  # fmt: skip
    assert rendered.execution is not None
    submit.submit([rendered.pipeline], sandbox_settings)
    outcomes: list[tuple[str | None, str | None]] = []
    with default_step_seconds(sandbox, 30.0):  # nothing ends by itself while it is being stopped
        for attempt in range(TRIES):
            execution = copy.deepcopy(rendered.execution)
            execution["metadata"]["name"] = f"{execution['metadata']['name'][:50]}-{attempt}"
            if attempt % 2:
                # A busy SageMaker: the controller's first StartPipelineExecution is throttled, so the run
                # is still Pending (no ARN) for a second or two when stop comes.
                _throttle_start(sandbox, 3)
            try:
                result = submit.submit([execution], sandbox_settings)
                (run,) = result.execution_names
                final = stop.stop_run(result.namespace, run, sandbox_settings)
            finally:
                _throttle_start(sandbox, 0)
            outcomes.append((final.outcome, final.execution_arn))
            assert final.outcome == "Stopped", (attempt, final)
            assert final.to_wire()["outcome"] == "Stopped"
            assert final.execution_arn, "a controller runs: stop must know which SageMaker run it stopped"

    client = _sagemaker(sandbox)
    executions = client.list_pipeline_executions(PipelineName=name)["PipelineExecutionSummaries"]
    statuses = {e["PipelineExecutionArn"]: e["PipelineExecutionStatus"] for e in executions}
    assert set(statuses.values()) <= {"Stopped"}, statuses
    # Every run stop reported by its ARN is one SageMaker stopped; none runs on unseen.
    reported = {arn for _, arn in outcomes if arn}
    assert reported == set(statuses), (reported, statuses)


@pytest.mark.parametrize("wait", [True, False])
def test_stop_a_run_no_controller_ever_starts(
    sandbox: Any, sandbox_settings: Settings, wait: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run the controller never starts (read-only: ACK only reads it): the CR never gets an ARN, and stop,
    after its (here short) wait for one, ends it before it started."""
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=sandbox.env["KUBECONFIG"])
    namespace = f"unwatched-{pipeline_name('ns')}"[:63]
    try:
        client.CoreV1Api(api).create_namespace({"metadata": {"name": namespace}})
        run = {
            "apiVersion": "sagemaker.services.k8s.aws/v1alpha1",
            "kind": "PipelineExecution",
            "metadata": {"name": "never-started", "annotations": {"services.k8s.aws/read-only": "true"}},
            "spec": {"pipelineName": "nothing-here"},
        }
        client.CustomObjectsApi(api).create_namespaced_custom_object(
            "sagemaker.services.k8s.aws", "v1alpha1", namespace, "pipelineexecutions", run
        )
        final = stop.stop_run(namespace, "never-started", sandbox_settings, wait=wait, policy=QUICK)
    finally:
        client.CoreV1Api(api).delete_namespace(namespace)
        api.close()
    if wait:
        assert (final.outcome, final.status, final.execution_arn) == ("Stopped", "Stopped", None)
    else:
        assert final.execution_arn is None
