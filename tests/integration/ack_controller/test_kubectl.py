"""The real kubectl against the Kubernetes API emulator, with the controller emulator reconciling."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import Cluster
from .manifests import execution_spec, pipeline_spec

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


def _kubectl(kubeconfig: Path, namespace: str, *args: str, stdin: str | None = None) -> str:
    env = {
        "KUBECONFIG": str(kubeconfig),
        "PATH": os.environ.get("PATH", "/usr/bin"),
        "HOME": str(kubeconfig.parent),
    }
    done = subprocess.run(
        [KUBECTL, "--namespace", namespace, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"kubectl {' '.join(args)} failed: {done.stderr}"
    return done.stdout


def _documents(name: str, spec: dict[str, Any], kind: str) -> dict[str, Any]:
    return {
        "apiVersion": "sagemaker.services.k8s.aws/v1alpha1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": spec,
    }


@pytest.mark.skipif(not Path(KUBECTL).exists(), reason="needs kubectl")
def test_apply_wait_delete_with_kubectl(
    ack_kube: Any, cluster: Cluster, sagemaker_emulator: Any, sagemaker_client: Any
) -> None:
    _, kubeconfig = ack_kube
    sagemaker_emulator.configure(durations={"default": 0.1, "byStep": {"Slow": 60.0}})
    manifests = [
        _documents("quick", pipeline_spec("quick"), "Pipeline"),
        _documents("slow", pipeline_spec("slow", "Slow"), "Pipeline"),
    ]
    _kubectl(kubeconfig, cluster.namespace, "apply", "-f", "-", stdin=yaml.safe_dump_all(manifests))
    for name in ("quick", "slow"):
        _kubectl(
            kubeconfig, cluster.namespace, "wait", "--for=condition=ACK.ResourceSynced", f"pipeline/{name}"
        )

    runs = [
        _documents("quick-run", execution_spec("quick"), "PipelineExecution"),
        _documents("slow-run", execution_spec("slow"), "PipelineExecution"),
        _documents("orphan-run", execution_spec("no-such-pipeline"), "PipelineExecution"),
    ]
    _kubectl(kubeconfig, cluster.namespace, "apply", "-f", "-", stdin=yaml.safe_dump_all(runs))
    status = "--for=jsonpath={.status.pipelineExecutionStatus}="
    wait = ["wait", "--timeout=30s"]
    _kubectl(kubeconfig, cluster.namespace, *wait, status + "Succeeded", "pipelineexecution/quick-run")
    _kubectl(
        kubeconfig, cluster.namespace, *wait, "--for=condition=ACK.Terminal", "pipelineexecution/orphan-run"
    )
    _kubectl(kubeconfig, cluster.namespace, *wait, status + "Executing", "pipelineexecution/slow-run")
    slow = cluster.get("PipelineExecution", "slow-run")
    arn = (slow or {})["status"]["ackResourceMetadata"]["arn"]

    _kubectl(kubeconfig, cluster.namespace, "delete", "pipelineexecution/slow-run", "--timeout=30s")
    assert cluster.get("PipelineExecution", "slow-run") is None
    assert sagemaker_client.describe_pipeline_execution(PipelineExecutionArn=arn)[
        "PipelineExecutionStatus"
    ] == ("Stopped")
