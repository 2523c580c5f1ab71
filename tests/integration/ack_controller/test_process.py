"""The controller emulator as its own process: ``python -m ... --ready-file`` reconciles until SIGTERM."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .conftest import Cluster, status_of
from .manifests import pipeline_spec


def test_module_reconciles_and_stops_on_sigterm(
    tmp_path: Path, ack_kube: Any, sagemaker_emulator: Any, sagemaker_client: Any, bare_cluster: Cluster
) -> None:
    _, kubeconfig = ack_kube
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [
            sys.executable, "-m", "jupyter_sagemaker_ack.sandbox.ack_controller",
            "--kubeconfig", str(kubeconfig), "--sagemaker-endpoint", sagemaker_emulator.url,
            "--region", "eu-west-1", "--namespace", bare_cluster.namespace, "--ready-file", str(ready),
        ],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert json.loads(ready.read_text())["pid"] == process.pid
        bare_cluster.create("Pipeline", "from-process", pipeline_spec("from-process"))
        cr = bare_cluster.wait(
            "Pipeline", "from-process", lambda cr: status_of(cr).get("pipelineStatus") == "Active"
        )
        assert status_of(cr)["ackResourceMetadata"]["arn"] == (
            "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/from-process"
        )
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0
