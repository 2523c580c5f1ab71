"""The stack submit, status and stop run against: Kubernetes API emulator, SageMaker emulator, ACK controller.

All three serve HTTP on 127.0.0.1 in this process, so a test can inject faults (dropped watches, 410, denied
access reviews, SageMaker failures and throttling) through their handles. Each test gets its own namespace
(the shared ``kube_namespace`` fixture), so runs of one test never show up in another's.
"""

from __future__ import annotations

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


@dataclass
class Stack:
    kube: Any
    sagemaker: Any
    controller: Any
    kubeconfig: Path


@pytest.fixture(scope="package")
def stack(kubeapi: Any, kubeconfig_path: Path) -> Iterator[Stack]:
    """The shared Kubernetes API emulator, plus a SageMaker emulator and an ACK controller of our own.

    Package-scoped: the controller stops when these tests end, so it never calls SageMaker behind another
    test's back.
    """
    pytest.importorskip("aiohttp")
    from jupyter_sagemaker_ack.sandbox.ack_controller import AckControllerEmulator
    from jupyter_sagemaker_ack.sandbox.sagemaker import SageMakerEmulator

    for key, value in {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": REGION}.items():
        os.environ.setdefault(key, value)
    sagemaker = SageMakerEmulator(host="127.0.0.1", port=0, account_id=ACCOUNT, region=REGION).start()
    controller = AckControllerEmulator(
        kubeconfig=str(kubeconfig_path), sagemaker_endpoint=sagemaker.url, region=REGION, requeue_seconds=0.3
    ).start()
    try:
        yield Stack(kubeapi, sagemaker, controller, kubeconfig_path)
    finally:
        controller.stop()
        sagemaker.stop()


@pytest.fixture
def namespace(stack: Stack, kube_namespace: str) -> str:
    return kube_namespace


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
