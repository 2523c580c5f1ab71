"""The controller emulator against the Kubernetes API emulator and the SageMaker emulator, end to end."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from .conftest import Cluster, conditions_of, execution_status, status_of
from .manifests import ROLE, definition, execution_spec, pipeline_spec

FINALIZER_PIPELINE = "finalizers.sagemaker.services.k8s.aws/Pipeline"
FINALIZER_EXECUTION = "finalizers.sagemaker.services.k8s.aws/PipelineExecution"


def _has_arn(cr: dict[str, Any] | None) -> bool:
    return "arn" in status_of(cr).get("ackResourceMetadata", {})


def _ready_pipeline(cluster: Cluster, name: str = "demo") -> dict[str, Any]:
    cluster.create("Pipeline", name, pipeline_spec(name))
    cr = cluster.wait("Pipeline", name, _has_arn)
    assert cr is not None
    return cr


def test_pipeline_gets_its_arn_a_finalizer_and_synced(cluster: Cluster, sagemaker_client: Any) -> None:
    cr = _ready_pipeline(cluster)
    described = sagemaker_client.describe_pipeline(PipelineName="demo")
    status = status_of(cr)
    assert status["ackResourceMetadata"] == {
        "arn": described["PipelineArn"],
        "ownerAccountID": "123456789012",
        "region": "us-east-1",
        "partition": "aws",
    }
    assert status["pipelineStatus"] == "Active"
    assert cr["metadata"]["finalizers"] == [FINALIZER_PIPELINE]
    conditions = conditions_of(cr)
    assert set(conditions) == {"ACK.ResourceSynced", "Ready"}
    assert conditions["ACK.ResourceSynced"]["status"] == conditions["Ready"]["status"] == "True"
    assert json.loads(described["PipelineDefinition"]) == json.loads(
        pipeline_spec("demo")["pipelineDefinition"]
    )
    assert described["ParallelismConfiguration"] == {"MaxParallelExecutionSteps": 2}


def test_failed_run_is_synced_and_ready_with_its_failure_reason(
    cluster: Cluster, sagemaker_emulator: Any
) -> None:
    sagemaker_emulator.configure(durations={"default": 0.05}, failures={"Train": "AlgorithmError: boom"})
    _ready_pipeline(cluster)
    cluster.create("PipelineExecution", "run-1", execution_spec("demo"))
    cr = cluster.wait("PipelineExecution", "run-1", lambda cr: execution_status(cr) == "Failed")
    # ACK copies SageMaker's run-level reason, which is generic; the step's own text is only on the step.
    assert status_of(cr)["failureReason"] == "Step failure: One or multiple steps failed."
    conditions = conditions_of(cr)
    assert conditions["ACK.ResourceSynced"]["status"] == "True"
    assert conditions["ACK.ResourceSynced"]["message"] == "PipelineExecution is in Failed status."
    assert conditions["Ready"]["status"] == "True"
    assert (cr or {})["metadata"]["finalizers"] == [FINALIZER_EXECUTION]


def test_deleting_a_running_execution_stops_it_and_the_cr_waits_for_stopped(
    cluster: Cluster, sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    sagemaker_emulator.configure(durations={"default": 60.0, "stop": 1.0})
    _ready_pipeline(cluster)
    cluster.create("PipelineExecution", "long-run", execution_spec("demo"))
    running = cluster.wait("PipelineExecution", "long-run", lambda cr: execution_status(cr) == "Executing")
    arn = status_of(running)["ackResourceMetadata"]["arn"]

    cluster.delete("PipelineExecution", "long-run")
    seen: list[str | None] = []

    def gone(cr: dict[str, Any] | None) -> bool:
        seen.append(execution_status(cr))
        return cr is None

    cluster.wait("PipelineExecution", "long-run", gone)
    assert "Stopping" in seen
    assert sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=arn)[
        "PipelineExecutionStatus"
    ] == ("Stopped")


def test_execution_naming_a_missing_pipeline_is_terminal(cluster: Cluster, sagemaker_client: Any) -> None:
    cluster.create("PipelineExecution", "orphan", execution_spec("missing-pipeline"))
    cr = cluster.wait("PipelineExecution", "orphan", lambda cr: "ACK.Terminal" in conditions_of(cr))
    conditions = conditions_of(cr)
    assert conditions["ACK.Terminal"]["status"] == "True"
    assert conditions["ACK.Terminal"]["message"] == (
        "ResourceNotFound: Pipeline 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/missing-pipeline' "
        "does not exist."
    )
    assert conditions["ACK.ResourceSynced"]["status"] == "False"
    assert conditions["ACK.ResourceSynced"]["message"] == "Resource not synced"
    assert conditions["Ready"]["status"] == "False"
    assert conditions["Ready"]["reason"] == "ACK.Terminal"
    assert "arn" not in status_of(cr)["ackResourceMetadata"]
    assert not (cr or {})["metadata"].get("finalizers")  # the failed create leaves it unmanaged


def test_existing_pipeline_is_terminal_unless_adopted(cluster: Cluster, sagemaker_client: Any) -> None:
    sagemaker_client.create_pipeline(
        PipelineName="handmade",
        PipelineDefinition=definition("Only"),
        RoleArn=ROLE,
        PipelineDescription="by hand",
    )
    cluster.create("Pipeline", "handmade", pipeline_spec("handmade"))
    refused = cluster.wait("Pipeline", "handmade", lambda cr: "ACK.Terminal" in conditions_of(cr))
    assert conditions_of(refused)["ACK.Terminal"]["message"] == "Resource already exists"
    assert "adoption-policy" in conditions_of(refused)["ACK.Terminal"]["reason"]
    assert conditions_of(refused)["Ready"]["status"] == "False"

    cluster.create(
        "Pipeline",
        "adopted",
        {"pipelineName": "handmade", "roleARN": ROLE},
        annotations={
            "services.k8s.aws/adoption-policy": "adopt",
            "services.k8s.aws/adoption-fields": json.dumps({"pipelineName": "handmade"}),
        },
    )
    adopted = cluster.wait("Pipeline", "adopted", _has_arn)
    assert adopted is not None
    assert adopted["metadata"]["finalizers"] == [FINALIZER_PIPELINE]
    assert adopted["metadata"]["annotations"]["services.k8s.aws/adopted"] == "true"
    assert adopted["spec"]["pipelineDescription"] == "by hand"
    assert json.loads(adopted["spec"]["pipelineDefinition"]) == json.loads(definition("Only"))
    assert conditions_of(adopted)["ACK.ResourceSynced"]["status"] == "True"


def test_spec_change_updates_the_pipeline(cluster: Cluster, sagemaker_client: Any) -> None:
    _ready_pipeline(cluster)
    cluster.patch_spec("Pipeline", "demo", {"pipelineDefinition": definition("Prepare", "Train", "Evaluate")})
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        current = json.loads(sagemaker_client.describe_pipeline(PipelineName="demo")["PipelineDefinition"])
        if [s["Name"] for s in current["Steps"]] == ["Prepare", "Train", "Evaluate"]:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("UpdatePipeline was never called")
    assert sagemaker_client.describe_pipeline(PipelineName="demo", PipelineVersionId=2)


@pytest.mark.parametrize(("policy", "kept"), [("retain", True), ("delete", False)])
def test_deletion_policy(cluster: Cluster, sagemaker_client: Any, policy: str, kept: bool) -> None:
    cluster.create(
        "Pipeline", "bye", pipeline_spec("bye"), annotations={"services.k8s.aws/deletion-policy": policy}
    )
    cluster.wait("Pipeline", "bye", _has_arn)
    cluster.delete("Pipeline", "bye")
    cluster.wait("Pipeline", "bye", lambda cr: cr is None)
    if kept:
        assert sagemaker_client.describe_pipeline(PipelineName="bye")["PipelineName"] == "bye"
    else:
        with pytest.raises(ClientError) as error:
            sagemaker_client.describe_pipeline(PipelineName="bye")
        assert error.value.response["Error"]["Code"] == "ResourceNotFound"


def test_region_annotation_picks_the_region(cluster: Cluster, make_sagemaker_client: Any) -> None:
    cluster.create(
        "Pipeline", "western", pipeline_spec("western"), annotations={"services.k8s.aws/region": "us-west-2"}
    )
    cr = cluster.wait("Pipeline", "western", _has_arn)
    metadata = status_of(cr)["ackResourceMetadata"]
    assert metadata["arn"] == "arn:aws:sagemaker:us-west-2:123456789012:pipeline/western"
    assert metadata["region"] == "us-west-2"
    west = make_sagemaker_client(region="us-west-2")
    assert west.describe_pipeline(PipelineName="western")["PipelineArn"] == metadata["arn"]


def test_retryable_errors_are_recoverable_until_sagemaker_answers(
    cluster: Cluster, sagemaker_emulator: Any
) -> None:
    sagemaker_emulator.configure(throttle={"next": 1_000_000})
    try:
        cluster.create("Pipeline", "later", pipeline_spec("later"))
        waiting = cluster.wait("Pipeline", "later", lambda cr: "ACK.Recoverable" in conditions_of(cr))
    finally:
        sagemaker_emulator.configure(throttle={"next": 0})
    conditions = conditions_of(waiting)
    assert conditions["ACK.Recoverable"]["message"] == "api error ThrottlingException: Rate exceeded"
    assert conditions["ACK.ResourceSynced"]["status"] == "Unknown"
    assert (conditions["Ready"]["status"], conditions["Ready"]["reason"]) == ("False", "ACK.Recoverable")

    synced = cluster.wait("Pipeline", "later", _has_arn)
    assert set(conditions_of(synced)) == {"ACK.ResourceSynced", "Ready"}  # rebuilt from scratch


def test_invalid_definition_is_a_recoverable_validation_exception(cluster: Cluster) -> None:
    spec = pipeline_spec("broken")
    spec["pipelineDefinition"] = '{"Version": "2020-12-01", "Steps": [{"Name": "A", "Type": "Teleport"}]}'
    cluster.create("Pipeline", "broken", spec)
    cr = cluster.wait("Pipeline", "broken", lambda cr: "ACK.Recoverable" in conditions_of(cr))
    message = conditions_of(cr)["ACK.Recoverable"]["message"]
    assert message.startswith("api error ValidationException: Invalid pipeline definition")
    assert "Teleport" in message
    assert not (cr or {})["metadata"].get("finalizers")
