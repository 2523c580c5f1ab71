"""Helpers shared by the emulator tests: manifests in the ACK shape and a kubectl runner."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

KUBECTL = "/usr/bin/kubectl"
GROUP, VERSION = "sagemaker.services.k8s.aws", "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"


def pipeline(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Pipeline",
        "metadata": {"name": name},
        "spec": {
            "pipelineName": name,
            "pipelineDisplayName": name,
            "pipelineDefinition": '{"Version": "2020-12-01", "Metadata": {}, "Parameters": [], "Steps": []}',
            "roleARN": "arn:aws:iam::123456789012:role/sagemaker-execution",
            "parallelismConfiguration": {"maxParallelExecutionSteps": 2},
            "tags": [{"key": "environment", "value": "testing"}],
            **spec,
        },
    }


def execution(name: str, pipeline_name: str, **metadata: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "PipelineExecution",
        "metadata": {"name": name, **metadata},
        "spec": {"pipelineName": pipeline_name, "pipelineExecutionDisplayName": name},
    }


def write_manifest(path: Path, *docs: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8")
    return path


def kubectl(kubeconfig: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    if not shutil.which(KUBECTL):
        pytest.skip(f"needs {KUBECTL}")
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "KUBECACHEDIR": str(kubeconfig.parent / "cache")}
    return subprocess.run(
        [KUBECTL, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
