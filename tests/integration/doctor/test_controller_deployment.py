"""doctor finds the ACK controller by its Deployment, as the Helm chart installs it on a real cluster.

The Kubernetes API emulator serves no apps/v1 by default, so these tests register Deployments on an
emulator of their own and write the controller's Deployment (name, image, args, readiness) as the chart
would; the check is the same code path doctor takes on EKS.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from jupyter_sagemaker_ack.adapters.kube.connect import connect
from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer, write_kubeconfig
from jupyter_sagemaker_ack.sandbox.kubeapi.store import ResourceType
from jupyter_sagemaker_ack.services.doctor import kube_checks
from jupyter_sagemaker_ack.settings import resolve_settings

IMAGE = "public.ecr.aws/aws-controllers-k8s/sagemaker-controller:1.9.1"


class Cluster:
    def __init__(self, server: KubeApiServer) -> None:
        self.server = server

    def send(self, path: str, body: Any, method: str = "POST", content_type: str = "application/json") -> Any:
        request = urllib.request.Request(
            self.server.url + path,
            data=json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": content_type},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def controller(self, *, ready: int, args: list[str] | None = None, env: list[dict] | None = None) -> None:
        name = "ack-sagemaker-controller-sagemaker-chart"
        container = {"name": "controller", "image": IMAGE, "args": args or [], "env": env or []}
        self.send(
            "/apis/apps/v1/namespaces/ack-system/deployments",
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "labels": {"app.kubernetes.io/name": "sagemaker-chart"}},
                "spec": {"replicas": 1, "template": {"spec": {"containers": [container]}}},
            },
        )
        path = f"/apis/apps/v1/namespaces/ack-system/deployments/{name}/status"
        self.send(path, {"status": {"readyReplicas": ready}}, "PATCH", "application/merge-patch+json")


@pytest.fixture
def cluster(tmp_path, monkeypatch) -> Iterator[Cluster]:
    server = KubeApiServer().start()
    deployments = ResourceType(
        "apps", "v1", "deployments", "deployment", "Deployment", True, custom=False, status_subresource=True
    )
    server.call(server.store.register, deployments)
    monkeypatch.setenv(
        "KUBECONFIG", str(write_kubeconfig(tmp_path / "config", server.url, namespace="team-a"))
    )
    bed = Cluster(server)
    for name in ("ack-system", "team-a"):
        bed.send("/api/v1/namespaces", {"metadata": {"name": name}})
    try:
        yield bed
    finally:
        server.stop()


def _check() -> Any:
    kube = connect(resolve_settings(env={"KUBECONFIG": os.environ["KUBECONFIG"]}))
    try:
        return kube_checks.controller(kube)
    finally:
        kube.close()


def test_a_ready_controller_watching_every_namespace_is_ok(cluster):
    cluster.controller(
        ready=1, args=["--aws-region", "eu-west-1", "--watch-namespace", "$(ACK_WATCH_NAMESPACE)"]
    )
    check = _check()
    assert check.status == "ok"
    assert "ack-system/ack-sagemaker-controller-sagemaker-chart ready 1/1" in check.detail
    assert IMAGE in check.detail
    assert "watching all namespaces" in check.detail


def test_a_controller_with_no_ready_replica_is_an_error(cluster):
    cluster.controller(ready=0)
    check = _check()
    assert check.status == "error"
    assert "0/1 ready replicas" in check.detail
    assert "kubectl -n ack-system describe deployment ack-sagemaker-controller-sagemaker-chart" in check.fix


def test_a_controller_watching_other_namespaces_is_an_error(cluster):
    cluster.controller(ready=1, env=[{"name": "ACK_WATCH_NAMESPACE", "value": "team-b,team-c"}])
    check = _check()
    assert check.status == "error"
    assert "watches only team-b, team-c, not team-a" in check.detail
    assert "watchNamespace=team-b,team-c,team-a" in check.fix


def test_no_deployment_and_nothing_to_tell_from_is_a_warning(cluster):
    check = _check()
    assert check.status == "warning"
    assert "no ACK SageMaker controller Deployment was found" in check.detail
