"""The Kubernetes API emulator (``kubeapi`` plugin), the SageMaker emulator, one controller per namespace."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from kubernetes import client as k8s
from kubernetes import config as kube_config
from kubernetes.client.exceptions import ApiException

from jupyter_sagemaker_ack.sandbox.ack_controller import AckControllerEmulator
from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer

GROUP, VERSION = "sagemaker.services.k8s.aws", "v1alpha1"
PLURALS = {"Pipeline": "pipelines", "PipelineExecution": "pipelineexecutions"}
_new_client_from_config: Any = kube_config.new_client_from_config  # unannotated in the kubernetes package
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"


@pytest.fixture(scope="session")
def ack_kube(kubeapi: KubeApiServer, kubeconfig_path: Path) -> tuple[KubeApiServer, Path]:
    return kubeapi, kubeconfig_path


@dataclass
class Cluster:
    """One test's namespace, with helpers to write CRs and wait for the controller's answer."""

    namespace: str
    custom: k8s.CustomObjectsApi
    core: k8s.CoreV1Api
    kubeconfig: Path | None = None
    controller: AckControllerEmulator | None = None

    def kubectl(self, *args: str, stdin: str | None = None, check: bool = True) -> str:
        """The real kubectl in this namespace; its stdout (an AssertionError with stderr when it fails)."""
        assert self.kubeconfig is not None
        env = {
            "KUBECONFIG": str(self.kubeconfig),
            "PATH": os.environ.get("PATH", "/usr/bin"),
            "HOME": str(self.kubeconfig.parent),
        }
        done = subprocess.run(
            [KUBECTL, "--namespace", self.namespace, *args],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert not check or done.returncode == 0, f"kubectl {' '.join(args)} failed: {done.stderr}"
        return done.stdout

    def create(
        self, kind: str, name: str, spec: dict[str, Any], annotations: dict[str, str] | None = None
    ) -> None:
        metadata: dict[str, Any] = {"name": name, "namespace": self.namespace}
        if annotations:
            metadata["annotations"] = annotations
        body = {"apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": metadata, "spec": spec}
        self.custom.create_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURALS[kind], body)

    def get(self, kind: str, name: str) -> dict[str, Any] | None:
        try:
            found = self.custom.get_namespaced_custom_object(
                GROUP, VERSION, self.namespace, PLURALS[kind], name
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return cast(dict[str, Any], found)

    def patch_spec(self, kind: str, name: str, spec: dict[str, Any]) -> None:
        self.custom.patch_namespaced_custom_object(
            GROUP, VERSION, self.namespace, PLURALS[kind], name, {"spec": spec}
        )

    def delete(self, kind: str, name: str) -> None:
        self.custom.delete_namespaced_custom_object(GROUP, VERSION, self.namespace, PLURALS[kind], name)

    def wait(
        self, kind: str, name: str, check: Callable[[dict[str, Any] | None], bool], timeout: float = 15.0
    ) -> dict[str, Any] | None:
        """Poll the CR until ``check`` holds; returns the CR (None once it is gone)."""
        deadline = time.monotonic() + timeout
        found = self.get(kind, name)
        while not check(found):
            if time.monotonic() > deadline:
                raise AssertionError(f"{kind} {name} never reached the expected state; last seen: {found}")
            time.sleep(0.05)
            found = self.get(kind, name)
        return found


def status_of(cr: dict[str, Any] | None) -> dict[str, Any]:
    return dict((cr or {}).get("status") or {})


def conditions_of(cr: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in status_of(cr).get("conditions") or []}


def execution_status(cr: dict[str, Any] | None) -> str | None:
    return status_of(cr).get("pipelineExecutionStatus")


@pytest.fixture
def bare_cluster(ack_kube: tuple[KubeApiServer, Path], kube_namespace: str) -> Cluster:
    """A fresh namespace that no controller watches yet."""
    api_client = _new_client_from_config(str(ack_kube[1]))
    return Cluster(
        kube_namespace, k8s.CustomObjectsApi(api_client), k8s.CoreV1Api(api_client), kubeconfig=ack_kube[1]
    )


@pytest.fixture
def cluster(bare_cluster: Cluster, sagemaker_emulator: Any, sagemaker_client: Any) -> Iterator[Cluster]:
    """A fresh namespace watched by a fresh controller (short requeue), against a reset SageMaker emulator."""
    controller = AckControllerEmulator(
        api_client=bare_cluster.custom.api_client,
        sagemaker_endpoint=sagemaker_emulator.url,
        region="us-east-1",
        requeue_seconds=0.2,
        namespace=bare_cluster.namespace,
        max_attempts=1,
    ).start()
    bare_cluster.controller = controller
    try:
        yield bare_cluster
    finally:
        controller.stop()
