"""The real kubectl against the emulator: the commands a DevOps user runs on ACK SageMaker resources."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer
from tests.fixtures.kubeapi import kube_request

from .kube_helpers import API_VERSION, KUBECTL, execution, kubectl, pipeline, write_manifest


def _set_status(srv: KubeApiServer, ns: str, name: str, **status: str) -> None:
    url = f"{srv.url}/apis/{API_VERSION}/namespaces/{ns}/pipelineexecutions/{name}/status"
    kube_request(url, "PATCH", {"status": status}, "application/merge-patch+json")


def test_apply_creates_then_leaves_unchanged(
    kubeconfig_path: Path, kube_namespace: str, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path / "run.yaml", pipeline("churn"), execution("churn-run-1", "churn"))
    first = kubectl(kubeconfig_path, "apply", "-n", kube_namespace, "-f", str(manifest))
    assert first.returncode == 0, first.stderr
    assert "pipeline.sagemaker.services.k8s.aws/churn created" in first.stdout
    assert "pipelineexecution.sagemaker.services.k8s.aws/churn-run-1 created" in first.stdout
    again = kubectl(kubeconfig_path, "apply", "-n", kube_namespace, "-f", str(manifest))
    assert "pipeline.sagemaker.services.k8s.aws/churn unchanged" in again.stdout
    listed = kubectl(kubeconfig_path, "get", "pipelines", "-n", kube_namespace)
    assert listed.stdout.split("\n")[0].split() == ["NAME", "STATUS"]
    assert listed.stdout.split("\n")[1].split() == ["churn"]


def test_apply_rejects_unknown_and_missing_fields(
    kubeconfig_path: Path, kube_namespace: str, tmp_path: Path
) -> None:
    unknown = write_manifest(tmp_path / "unknown.yaml", pipeline("typo", pipelineDefinitionn="{}"))
    result = kubectl(kubeconfig_path, "apply", "-n", kube_namespace, "-f", str(unknown))
    assert result.returncode != 0
    assert 'unknown field "spec.pipelineDefinitionn"' in result.stderr
    broken = pipeline("no-role")
    del broken["spec"]["roleARN"]
    result = kubectl(
        kubeconfig_path, "apply", "-n", kube_namespace, "-f", str(write_manifest(tmp_path / "b.yaml", broken))
    )
    assert result.returncode != 0
    assert "spec.roleARN: Required value" in result.stderr


def test_get_execution_shows_status_and_wide_failure_reason(
    kubeapi: KubeApiServer, kubeconfig_path: Path, kube_namespace: str, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path / "run.yaml", execution("run-1", "churn"))
    kubectl(kubeconfig_path, "apply", "-n", kube_namespace, "-f", str(manifest))
    _set_status(
        kubeapi,
        kube_namespace,
        "run-1",
        pipelineExecutionStatus="Failed",
        failureReason="ProcessingJobFailed",
    )
    plain = kubectl(kubeconfig_path, "get", "pipelineexecution", "-n", kube_namespace).stdout.splitlines()
    assert [line.split() for line in plain] == [["NAME", "STATUS"], ["run-1", "Failed"]]
    wide = kubectl(
        kubeconfig_path, "get", "pipelineexecution", "-o", "wide", "-n", kube_namespace
    ).stdout.splitlines()
    assert [line.split() for line in wide] == [
        ["NAME", "FAILURE-REASON", "STATUS"],
        ["run-1", "ProcessingJobFailed", "Failed"],
    ]


def test_server_side_apply_conflict_then_force(
    kubeconfig_path: Path, kube_namespace: str, tmp_path: Path
) -> None:
    kubectl(
        kubeconfig_path,
        "apply",
        "-n",
        kube_namespace,
        "-f",
        str(write_manifest(tmp_path / "a.yaml", pipeline("ssa"))),
    )
    changed = pipeline("ssa", pipelineDisplayName="renamed")
    path = write_manifest(tmp_path / "b.yaml", changed)
    refused = kubectl(kubeconfig_path, "apply", "--server-side", "-n", kube_namespace, "-f", str(path))
    assert refused.returncode != 0
    assert 'conflict with "kubectl-client-side-apply"' in refused.stderr
    assert ".spec.pipelineDisplayName" in refused.stderr
    forced = kubectl(
        kubeconfig_path, "apply", "--server-side", "--force-conflicts", "-n", kube_namespace, "-f", str(path)
    )
    assert forced.returncode == 0, forced.stderr
    shown = kubectl(
        kubeconfig_path, "get", "pipeline", "ssa", "-n", kube_namespace, "-o", "json", "--show-managed-fields"
    )
    obj = json.loads(shown.stdout)
    assert obj["spec"]["pipelineDisplayName"] == "renamed"
    owners = {e["manager"]: e["fieldsV1"] for e in obj["metadata"]["managedFields"]}
    assert "f:pipelineDisplayName" in owners["kubectl"]["f:spec"]
    # kubectl then migrates what client-side apply owned to its SSA manager by patching managedFields.
    assert "kubectl-client-side-apply" not in owners
    assert "f:roleARN" in owners["kubectl"]["f:spec"]


def test_get_watch_prints_status_changes(
    kubeapi: KubeApiServer, kubeconfig_path: Path, kube_namespace: str, tmp_path: Path
) -> None:
    kubectl(
        kubeconfig_path,
        "apply",
        "-n",
        kube_namespace,
        "-f",
        str(write_manifest(tmp_path / "r.yaml", execution("run-w", "p"))),
    )
    env = {
        **os.environ,
        "KUBECONFIG": str(kubeconfig_path),
        "KUBECACHEDIR": str(kubeconfig_path.parent / "cache"),
    }
    proc = subprocess.Popen(
        [KUBECTL, "get", "pipelineexecutions", "-w", "-n", kube_namespace],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().split() == ["NAME", "STATUS"]
        assert proc.stdout.readline().split() == ["run-w"]
        _set_status(kubeapi, kube_namespace, "run-w", pipelineExecutionStatus="Executing")
        assert proc.stdout.readline().split() == ["run-w", "Executing"]
    finally:
        proc.kill()
        proc.wait()


def test_wait_for_jsonpath_returns_when_status_arrives(
    kubeapi: KubeApiServer, kubeconfig_path: Path, kube_namespace: str, tmp_path: Path
) -> None:
    kubectl(
        kubeconfig_path,
        "apply",
        "-n",
        kube_namespace,
        "-f",
        str(write_manifest(tmp_path / "r.yaml", execution("run-2", "p"))),
    )
    later = threading.Timer(
        0.5, _set_status, (kubeapi, kube_namespace, "run-2"), {"pipelineExecutionStatus": "Succeeded"}
    )
    later.start()
    waited = kubectl(
        kubeconfig_path,
        "wait",
        "-n",
        kube_namespace,
        "--for=jsonpath={.status.pipelineExecutionStatus}=Succeeded",
        "pipelineexecution/run-2",
        "--timeout=30s",
    )
    later.join()
    assert waited.returncode == 0, waited.stderr
    assert "condition met" in waited.stdout


def test_describe_shows_spec(kubeconfig_path: Path, kube_namespace: str, tmp_path: Path) -> None:
    kubectl(
        kubeconfig_path,
        "apply",
        "-n",
        kube_namespace,
        "-f",
        str(write_manifest(tmp_path / "p.yaml", pipeline("described"))),
    )
    described = kubectl(kubeconfig_path, "describe", "pipeline", "described", "-n", kube_namespace)
    assert described.returncode == 0, described.stderr
    assert "Name:         described" in described.stdout
    assert "Role ARN:" in described.stdout
    assert "Max Parallel Execution Steps:  2" in described.stdout


def test_delete_waits_for_finalizer_removal(
    kubeapi: KubeApiServer, kubeconfig_path: Path, kube_namespace: str, tmp_path: Path
) -> None:
    finalizer = {"finalizers": ["finalizers.sagemaker.services.k8s.aws/PipelineExecution"]}
    manifest = write_manifest(tmp_path / "r.yaml", execution("run-f", "p", **finalizer))
    kubectl(kubeconfig_path, "apply", "-n", kube_namespace, "-f", str(manifest))
    url = f"{kubeapi.url}/apis/{API_VERSION}/namespaces/{kube_namespace}/pipelineexecutions/run-f"
    seen: list[str] = []

    def controller() -> None:
        while not kube_request(url)["metadata"].get("deletionTimestamp"):
            time.sleep(0.05)
        seen.append("marked for deletion")
        kube_request(
            url, "PATCH", [{"op": "remove", "path": "/metadata/finalizers"}], "application/json-patch+json"
        )

    thread = threading.Thread(target=controller, daemon=True)
    thread.start()
    deleted = kubectl(
        kubeconfig_path, "delete", "pipelineexecution", "run-f", "-n", kube_namespace, "--timeout=30s"
    )
    thread.join(10)
    assert deleted.returncode == 0, deleted.stderr
    assert seen == ["marked for deletion"]
    gone = kubectl(kubeconfig_path, "get", "pipelineexecution", "run-f", "-n", kube_namespace)
    assert "NotFound" in gone.stderr


def test_explain_describes_fields(kubeconfig_path: Path) -> None:
    explained = kubectl(kubeconfig_path, "explain", "pipelines.spec")
    assert explained.returncode == 0, explained.stderr
    assert "KIND:       Pipeline" in explained.stdout
    assert "pipelineDefinition\t<string>" in explained.stdout
    assert "roleARN\t<string> -required-" in explained.stdout


@pytest.mark.parametrize(("verb", "answer", "code"), [("create", "yes", 0), ("delete", "no", 1)])
def test_auth_can_i_follows_access_policy(
    kubeapi: KubeApiServer, kubeconfig_path: Path, kube_namespace: str, verb: str, answer: str, code: int
) -> None:
    kubeapi.access.deny(verb="delete", resource="pipelines", namespace=kube_namespace)
    result = kubectl(kubeconfig_path, "auth", "can-i", verb, "pipelines", "-n", kube_namespace)
    assert result.stdout.split()[0] == answer
    assert result.returncode == code


def test_create_and_delete_namespace(kubeconfig_path: Path, tmp_path: Path) -> None:
    created = kubectl(kubeconfig_path, "create", "namespace", "team-kubectl")
    assert created.returncode == 0, created.stderr
    manifest = write_manifest(tmp_path / "p.yaml", pipeline("in-team"))
    assert kubectl(kubeconfig_path, "apply", "-n", "team-kubectl", "-f", str(manifest)).returncode == 0
    listed = kubectl(kubeconfig_path, "get", "pipelines", "-A").stdout.splitlines()
    assert ["team-kubectl", "in-team"] in [line.split() for line in listed]
    assert kubectl(kubeconfig_path, "delete", "namespace", "team-kubectl").returncode == 0
    assert "NotFound" in kubectl(kubeconfig_path, "get", "pipeline", "in-team", "-n", "team-kubectl").stderr
