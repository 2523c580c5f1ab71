"""The stack submit, status and stop run against: Kubernetes API emulator, SageMaker emulator, ACK controller.

All three serve HTTP on 127.0.0.1 in this process, so a test can inject faults (dropped watches, 410, denied
access reviews, SageMaker failures and throttling) through their handles. Each test gets its own namespace,
so runs of one test never show up in another's.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.config import Settings, resolve_settings

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerExecutionRole"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# Step durations short enough for CI, long enough that a run is seen Executing.
FAST_STEPS = {"durations": {"default": 0.4, "stop": 0.3, "startingFraction": 0.25}}
_namespaces = itertools.count(1)


@dataclass
class Stack:
    kube: Any
    sagemaker: Any
    controller: Any
    kubeconfig: Path

    def new_namespace(self) -> str:
        from kubernetes import client, config

        name = f"t{os.getpid()}-{next(_namespaces)}"
        api = config.new_client_from_config(config_file=str(self.kubeconfig))
        try:
            client.CoreV1Api(api).create_namespace(
                client.V1Namespace(metadata=client.V1ObjectMeta(name=name))
            )
        finally:
            api.close()
        return name


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    pytest.importorskip("aiohttp")
    from jupyter_sagemaker_ack.sandbox.ack_controller import AckControllerEmulator
    from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer, write_kubeconfig
    from jupyter_sagemaker_ack.sandbox.sagemaker import SageMakerEmulator

    for key, value in {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION}.items():
        os.environ.setdefault(key, value)
    kube = KubeApiServer(host="127.0.0.1", port=0, bookmark_interval=1.0).start()
    sagemaker = SageMakerEmulator(host="127.0.0.1", port=0, account_id=ACCOUNT, region=REGION).start()
    kubeconfig = write_kubeconfig(tmp_path_factory.mktemp("kube") / "kubeconfig", kube.url)
    controller = AckControllerEmulator(
        kubeconfig=str(kubeconfig), sagemaker_endpoint=sagemaker.url, region=REGION, requeue_seconds=0.3
    ).start()
    try:
        yield Stack(kube, sagemaker, controller, kubeconfig)
    finally:
        controller.stop()
        sagemaker.stop()
        kube.stop()


@pytest.fixture
def namespace(stack: Stack) -> str:
    return stack.new_namespace()


@pytest.fixture
def stack_env(stack: Stack, namespace: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """This test's environment: the stack's endpoints, fake credentials, its own namespace, fast polling."""
    stack.kube.faults.reset()
    stack.kube.access.reset()
    stack.sagemaker.backend.config.reset()
    stack.sagemaker.configure(FAST_STEPS)
    env = {
        **FAKE_CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL_SAGEMAKER": stack.sagemaker.url,
        "KUBECONFIG": str(stack.kubeconfig),
        "SAGEMAKER_ACK_NAMESPACE": namespace,
        "SAGEMAKER_ACK_POLL_POLICY": "sandbox",
    }
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_REGION", "SAGEMAKER_ACK_REGION"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return dict(os.environ)


@pytest.fixture
def settings(stack_env: dict[str, str]) -> Settings:
    return resolve_settings(env=stack_env)
