"""The emulator as its own process: ``python -m ... --ready-file`` and the admin endpoint."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import boto3

from jupyter_sagemaker_ack.sandbox.sagemaker import configure_remote

from .helpers import create, step, steps_by_name, wait_for


def test_module_writes_ready_file_serves_boto3_and_stops_on_sigterm(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_sagemaker_ack.sandbox.sagemaker",
            "--port",
            "0",
            "--ready-file",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        assert info["pid"] == process.pid
        assert info["url"].startswith("http://127.0.0.1:")

        settings = configure_remote(
            info["url"], {"failures": {"A": "injected"}, "durations": {"default": 0.05}}
        )
        assert settings["failures"] == {"A": "injected"}
        client = boto3.client(
            "sagemaker",
            endpoint_url=info["url"],
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        create(client, "remote", [step("A")])
        arn = client.start_pipeline_execution(PipelineName="remote")["PipelineExecutionArn"]
        final = wait_for(client, arn)[-1]
        assert final["PipelineExecutionStatus"] == "Failed"
        assert steps_by_name(client, arn)["A"]["FailureReason"] == "injected"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
