"""What the v1.9.1 controller does silently, reproduced: each test names the statement of
``notes/ack-controller.md`` it checks. CRs are written with the real kubectl, SageMaker is read with boto3
over HTTP, and the controller's own call log counts the SageMaker calls it made.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import yaml

from .conftest import Cluster, conditions_of, execution_status, status_of
from .manifests import ROLE, execution_spec, pipeline_spec

GROUP_VERSION = "sagemaker.services.k8s.aws/v1alpha1"
INT32_MESSAGE = "error: field MaxParallelExecutionSteps is of type int32"


def _apply(cluster: Cluster, kind: str, name: str, spec: dict[str, Any], **metadata: Any) -> None:
    document = {
        "apiVersion": GROUP_VERSION,
        "kind": kind,
        "metadata": {"name": name, **metadata},
        "spec": spec,
    }
    cluster.kubectl("apply", "-f", "-", stdin=yaml.safe_dump(document))


def _patch(cluster: Cluster, kind: str, name: str, spec: dict[str, Any]) -> None:
    cluster.kubectl("patch", f"{kind.lower()}/{name}", "--type=merge", "-p", json.dumps({"spec": spec}))


def _calls(cluster: Cluster, operation: str | None = None, name: str | None = None) -> list[Any]:
    assert cluster.controller is not None
    return cluster.controller.calls.calls(operation, name)


def _ready_pipeline(cluster: Cluster, name: str = "demo", **metadata: Any) -> dict[str, Any]:
    _apply(cluster, "Pipeline", name, pipeline_spec(name), **metadata)
    cr = cluster.wait("Pipeline", name, lambda cr: "arn" in status_of(cr).get("ackResourceMetadata", {}))
    assert cr is not None
    return cr


def _running(cluster: Cluster, sagemaker_emulator: Any, name: str = "run-1") -> dict[str, Any]:
    sagemaker_emulator.configure(durations={"default": 120.0})
    _ready_pipeline(cluster)
    _apply(cluster, "PipelineExecution", name, execution_spec("demo"))
    cr = cluster.wait("PipelineExecution", name, lambda cr: execution_status(cr) == "Executing")
    assert cr is not None
    return cr


def _reconciled_after(cluster: Cluster, operation: str, name: str, count: int, timeout: float = 10.0) -> None:
    """Wait until the controller has made ``operation`` for ``name`` more than ``count`` times."""
    deadline = time.monotonic() + timeout
    while len(_calls(cluster, operation, name)) <= count:
        assert time.monotonic() < deadline, f"no {operation} for {name} within {timeout} s"
        time.sleep(0.05)


# -- maxParallelExecutionSteps above int32 -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Pipeline", "PipelineExecution"])
def test_parallelism_above_int32_is_recoverable_before_the_create_call(cluster: Cluster, kind: str) -> None:
    """Notes: "maxParallelExecutionSteps above the int32 range fails as a Recoverable error ("error: field
    MaxParallelExecutionSteps is of type int32"), not a Terminal one"; the request builder refuses it, so no
    create call is made (a Pipeline is described first, an execution without ARN not even that)."""
    spec = pipeline_spec("huge") if kind == "Pipeline" else execution_spec("huge")
    spec["parallelismConfiguration"] = {"maxParallelExecutionSteps": 2**31}
    _apply(cluster, kind, "huge", spec)
    cr = cluster.wait(kind, "huge", lambda cr: "ACK.Recoverable" in conditions_of(cr))
    conditions = conditions_of(cr)
    assert conditions["ACK.Recoverable"]["message"] == INT32_MESSAGE
    assert "ACK.Terminal" not in conditions
    assert conditions["ACK.ResourceSynced"]["status"] == "Unknown"  # no read succeeded
    assert (conditions["Ready"]["status"], conditions["Ready"]["reason"]) == ("False", "ACK.Recoverable")
    made = {call.operation for call in _calls(cluster, name="huge")}
    assert made == ({"DescribePipeline"} if kind == "Pipeline" else set())
    assert (cr or {})["metadata"]["finalizers"]  # not an AWS error: the CR stays managed


# -- deletion ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cr_policy", "namespace_policy", "stopped"),
    [
        (None, None, True),  # the helm default, delete
        ("delete", None, True),
        ("retain", None, False),
        ("Delete", None, False),  # anything other than exactly `delete` counts as retain
        ("", None, False),
        (None, "retain", False),  # the Namespace's sagemaker.services.k8s.aws/deletion-policy
        ("delete", "retain", True),  # the CR's annotation wins
        ("retain", "delete", False),
    ],
)
def test_deleting_a_running_execution_stops_it_only_with_policy_delete(
    cluster: Cluster,
    sagemaker_emulator: Any,
    sagemaker_client: Any,
    cr_policy: str | None,
    namespace_policy: str | None,
    stopped: bool,
) -> None:
    """Notes: "Executing ... -> StopPipelineExecution"; "With deletion-policy: retain (anything other than
    exactly delete counts as retain) ... there is no Stop call at all"; "sagemaker.services.k8s.aws/deletion-
    policy on the Namespace"."""
    if namespace_policy is not None:
        cluster.kubectl(
            "annotate",
            "namespace",
            cluster.namespace,
            f"sagemaker.services.k8s.aws/deletion-policy={namespace_policy}",
        )
    cr = _running(cluster, sagemaker_emulator)
    arn = status_of(cr)["ackResourceMetadata"]["arn"]
    if cr_policy is not None:
        cluster.kubectl(
            "annotate", "pipelineexecution/run-1", f"services.k8s.aws/deletion-policy={cr_policy}"
        )
    cluster.kubectl("delete", "pipelineexecution/run-1", "--timeout=30s")
    assert cluster.get("PipelineExecution", "run-1") is None
    assert bool(_calls(cluster, "StopPipelineExecution")) == stopped
    state = sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
    assert state == ("Stopped" if stopped else "Executing")


def test_deleting_a_read_only_execution_makes_no_stop_call(
    cluster: Cluster, sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    """Notes: "With ... read-only, there is no Stop call at all: the CR goes and the run keeps going";
    "services.k8s.aws/read-only: "true" (case-insensitive)"."""
    cr = _running(cluster, sagemaker_emulator)
    arn = status_of(cr)["ackResourceMetadata"]["arn"]
    cluster.kubectl("annotate", "pipelineexecution/run-1", "services.k8s.aws/read-only=TRUE")
    cluster.kubectl("delete", "pipelineexecution/run-1", "--timeout=30s")
    assert not _calls(cluster, "StopPipelineExecution")
    assert (
        sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"]
        == "Executing"
    )


def test_an_execution_deleted_before_it_shows_a_status_is_stopped(
    bare_cluster: Cluster, sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    """Notes: "Executing or no status yet -> StopPipelineExecution". The CR has its ARN and the finalizer but
    no run status (the state right after the create call) when it is deleted; a controller then starts."""
    from jupyter_sagemaker_ack.sandbox.ack_controller import AckControllerEmulator

    from .manifests import definition

    sagemaker_emulator.configure(durations={"default": 120.0})
    sagemaker_client.create_pipeline(PipelineName="demo", PipelineDefinition=definition("A"), RoleArn=ROLE)
    arn = sagemaker_client.start_pipeline_execution(PipelineName="demo")["PipelineExecutionArn"]
    finalizer = "finalizers.sagemaker.services.k8s.aws/PipelineExecution"
    _apply(bare_cluster, "PipelineExecution", "early", {"pipelineName": "demo"}, finalizers=[finalizer])
    bare_cluster.custom.patch_namespaced_custom_object_status(
        "sagemaker.services.k8s.aws",
        "v1alpha1",
        bare_cluster.namespace,
        "pipelineexecutions",
        "early",
        {
            "status": {
                "ackResourceMetadata": {"arn": arn, "ownerAccountID": "123456789012", "region": "us-east-1"}
            }
        },
    )
    assert execution_status(bare_cluster.get("PipelineExecution", "early")) is None
    bare_cluster.kubectl("delete", "pipelineexecution/early", "--wait=false")
    controller = AckControllerEmulator(
        api_client=bare_cluster.custom.api_client,
        sagemaker_endpoint=sagemaker_emulator.url,
        requeue_seconds=0.2,
        namespace=bare_cluster.namespace,
        max_attempts=1,
    ).start()
    try:
        bare_cluster.wait("PipelineExecution", "early", lambda cr: cr is None)
        assert [c.params for c in controller.calls.calls("StopPipelineExecution")] == [
            {"PipelineExecutionArn": arn}
        ]
    finally:
        controller.stop()
    assert sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=arn)[
        "PipelineExecutionStatus"
    ] in (
        "Stopping",
        "Stopped",
    )


# -- edits of an existing execution --------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit",
    [
        {"pipelineParameters": [{"name": "AccuracyMseThreshold", "value": "9.5"}]},
        {"pipelineName": "another-pipeline"},
    ],
    ids=["pipelineParameters", "pipelineName"],
)
def test_parameter_and_pipeline_name_edits_are_silently_ignored(
    cluster: Cluster, sagemaker_emulator: Any, sagemaker_client: Any, edit: dict[str, Any]
) -> None:
    """Notes: "pipelineParameters and pipelineName are compared but never read back, so an edit is silently
    ignored (no condition, no warning)"."""
    cr = _running(cluster, sagemaker_emulator)
    arn = status_of(cr)["ackResourceMetadata"]["arn"]
    described = len(_calls(cluster, "DescribePipelineExecution", "run-1"))
    _patch(cluster, "PipelineExecution", "run-1", edit)
    _reconciled_after(cluster, "DescribePipelineExecution", "run-1", described + 1)
    edited = cluster.get("PipelineExecution", "run-1")
    conditions = conditions_of(edited)
    assert set(conditions) == {"ACK.ResourceSynced", "Ready"}
    assert conditions["ACK.ResourceSynced"]["message"] == "PipelineExecution is in Executing status."
    assert status_of(edited)["ackResourceMetadata"]["arn"] == arn
    assert len(_calls(cluster, "StartPipelineExecution")) == 1
    assert not _calls(cluster, "UpdatePipelineExecution")
    parameters = sagemaker_client.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)
    assert {p["Name"]: p["Value"] for p in parameters["PipelineParameters"]}["AccuracyMseThreshold"] == "1.0"


@pytest.mark.parametrize(
    "edit",
    [
        {"pipelineVersionID": 7},
        {"selectiveExecutionConfig": {"selectedSteps": [{"stepName": "Train"}]}},
    ],
    ids=["pipelineVersionID", "selectiveExecutionConfig"],
)
def test_values_sagemaker_does_not_echo_update_on_every_requeue(
    cluster: Cluster, sagemaker_emulator: Any, edit: dict[str, Any]
) -> None:
    """Notes: "pipelineVersionID and selectiveExecutionConfig are read back: setting a value SageMaker does
    not echo leaves a permanent diff and a useless UpdatePipelineExecution on every requeue"."""
    _running(cluster, sagemaker_emulator)
    _patch(cluster, "PipelineExecution", "run-1", edit)
    _reconciled_after(cluster, "UpdatePipelineExecution", "run-1", 3)
    updates = _calls(cluster, "UpdatePipelineExecution", "run-1")
    assert all(
        set(u.params)
        <= {
            "PipelineExecutionArn",
            "PipelineExecutionDisplayName",
            "PipelineExecutionDescription",
            "ParallelismConfiguration",
        }
        for u in updates
    )
    assert "ACK.Recoverable" not in conditions_of(cluster.get("PipelineExecution", "run-1"))


def test_the_observed_pipeline_version_is_copied_into_an_unset_spec(
    cluster: Cluster, sagemaker_emulator: Any
) -> None:
    """Notes: "When pipelineVersionID is unset, the controller copies the observed one into the spec";
    the copy is SageMaker's own value, so it leaves no diff (no UpdatePipelineExecution)."""
    _running(cluster, sagemaker_emulator)
    cr = cluster.wait(
        "PipelineExecution", "run-1", lambda cr: "pipelineVersionID" in (cr or {}).get("spec", {})
    )
    assert (cr or {})["spec"]["pipelineVersionID"] == 1
    time.sleep(1.0)  # a few requeues (0.2 s while Executing)
    assert not _calls(cluster, "UpdatePipelineExecution")


@pytest.mark.parametrize("finished", [False, True], ids=["Executing", "Succeeded"])
def test_synced_stays_status_based_when_describe_succeeded_and_update_failed(
    cluster: Cluster, sagemaker_emulator: Any, finished: bool
) -> None:
    """Notes: "if Describe succeeds and Update fails, Synced keeps its status-based value beside
    Recoverable=True"; Ready is False on Recoverable."""
    if finished:
        sagemaker_emulator.configure(durations={"default": 0.05})
        _ready_pipeline(cluster)
        _apply(cluster, "PipelineExecution", "run-1", execution_spec("demo"))
        cluster.wait("PipelineExecution", "run-1", lambda cr: execution_status(cr) == "Succeeded")
    else:
        _running(cluster, sagemaker_emulator)
    denied = "User is not authorized to perform: sagemaker:UpdatePipelineExecution"
    sagemaker_emulator.configure(
        {"apiErrors": {"UpdatePipelineExecution": {"code": "AccessDeniedException", "message": denied}}}
    )
    _patch(cluster, "PipelineExecution", "run-1", {"pipelineExecutionDisplayName": "renamed"})
    cr = cluster.wait("PipelineExecution", "run-1", lambda cr: "ACK.Recoverable" in conditions_of(cr))
    conditions = conditions_of(cr)
    assert conditions["ACK.Recoverable"]["message"] == f"api error AccessDeniedException: {denied}"
    state = "Succeeded" if finished else "Executing"
    assert conditions["ACK.ResourceSynced"]["status"] == ("True" if finished else "False")
    assert conditions["ACK.ResourceSynced"]["message"] == f"PipelineExecution is in {state} status."
    assert (conditions["Ready"]["status"], conditions["Ready"]["reason"]) == ("False", "ACK.Recoverable")


# -- Pipeline tags ---------------------------------------------------------------------------------------


def test_pipeline_tags_go_with_create_only_and_carry_the_helm_resource_tags(cluster: Cluster) -> None:
    """Notes: "tags[] {key, value} (sent on create only)"; "Creating the Pipeline adds the helm resourceTags
    as SageMaker tags (services.k8s.aws/controller-version, services.k8s.aws/namespace,
    app.kubernetes.io/managed-by); UpdatePipeline never sends tags"."""
    _ready_pipeline(cluster, labels={"app.kubernetes.io/managed-by": "argocd"})
    (create,) = _calls(cluster, "CreatePipeline")
    assert create.params["Tags"] == [
        {"Key": "environment", "Value": "testing"},
        {"Key": "services.k8s.aws/controller-version", "Value": "sagemaker-v1.9.1"},
        {"Key": "services.k8s.aws/namespace", "Value": cluster.namespace},
        {"Key": "app.kubernetes.io/managed-by", "Value": "argocd"},
    ]
    spec = cluster.get("Pipeline", "demo")["spec"]  # type: ignore[index]
    assert spec["tags"] == [{"key": "environment", "value": "testing"}]  # never written back
    _patch(
        cluster, "Pipeline", "demo", {"pipelineDescription": "v2", "tags": [{"key": "team", "value": "ml"}]}
    )
    _reconciled_after(cluster, "UpdatePipeline", "demo", 0)
    (update,) = _calls(cluster, "UpdatePipeline")
    assert "Tags" not in update.params
    assert update.params["PipelineDescription"] == "v2"


# -- region ---------------------------------------------------------------------------------------------


def test_a_changed_region_annotation_fails_every_reconcile_without_a_condition(cluster: Cluster) -> None:
    """Notes: "Once status.ackResourceMetadata.region is set it wins; changing the annotation afterwards
    makes every reconcile fail with "Resource already exists in region ..." and no condition is written"."""
    cr = _ready_pipeline(cluster, annotations={"services.k8s.aws/region": "us-west-2"})
    before = status_of(cr)
    cluster.kubectl("annotate", "--overwrite", "pipeline/demo", "services.k8s.aws/region=eu-west-1")
    calls = len(_calls(cluster))
    _patch(cluster, "Pipeline", "demo", {"pipelineDescription": "moved"})  # a spec change wakes it
    deadline = time.monotonic() + 10
    assert cluster.controller is not None
    while len(cluster.controller.calls.errors("demo")) < 2:  # the first failure and a retry
        assert time.monotonic() < deadline, "the controller never reported the region change"
        time.sleep(0.05)
    message = cluster.controller.calls.errors("demo")[0].error
    assert message == (
        "Resource already exists in region us-west-2, but the desired state specifies region eu-west-1. "
    )
    assert len(_calls(cluster)) == calls  # no AWS call at all
    after = status_of(cluster.get("Pipeline", "demo"))
    assert after == before  # no condition written, the status region still us-west-2
    assert after["ackResourceMetadata"]["region"] == "us-west-2"


# -- idle ---------------------------------------------------------------------------------------------


def test_an_idle_controller_makes_no_calls_and_no_watch_requests(
    cluster: Cluster, sagemaker_emulator: Any
) -> None:
    """Issue 15 item 6: once a run has finished, nothing happens until the next resync (60 s for an
    execution, 10 h for a pipeline): no SageMaker call, no new watch request, no replayed event."""
    sagemaker_emulator.configure(durations={"default": 0.05})
    _ready_pipeline(cluster)
    _apply(cluster, "PipelineExecution", "run-1", execution_spec("demo"))
    cluster.wait("PipelineExecution", "run-1", lambda cr: execution_status(cr) == "Succeeded")
    time.sleep(0.5)
    assert cluster.controller is not None
    calls, stats = len(_calls(cluster)), dict(cluster.controller.stats)
    time.sleep(3.0)
    assert len(_calls(cluster)) == calls
    assert cluster.controller.stats["watch_requests"] == stats["watch_requests"]
    assert cluster.controller.stats["events"] == stats["events"]
