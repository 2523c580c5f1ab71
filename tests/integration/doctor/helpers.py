"""Shared by the doctor tests: run the real command as a process, read its JSON, count what exists."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import boto3

CLI = [sys.executable, "-m", "jupyter_sagemaker_ack"]


def run_cli(env: Mapping[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], env=dict(env), capture_output=True, text=True, timeout=timeout)


def doctor(env: Mapping[str, str], *args: str) -> tuple[int, dict[str, Any]]:
    """``sagemaker-ack doctor --json``: its exit code and the report."""
    done = run_cli(env, "doctor", "--json", *args)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def line(report: Mapping[str, Any], name: str) -> dict[str, Any]:
    found = [c for c in report["checks"] if c["name"] == name]
    assert found, f"no line {name!r} in {[c['name'] for c in report['checks']]}"
    return dict(found[0])


def client(env: Mapping[str, str], service: str) -> Any:
    """An official boto3 client on the sandbox (test set-up and assertions, not the project's adapter)."""
    endpoint = env.get(f"AWS_ENDPOINT_URL_{service.upper()}") or env["AWS_ENDPOINT_URL_S3"]
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def s3_versions(env: Mapping[str, str]) -> list[tuple[str, str]]:
    s3 = client(env, "s3")
    answer = s3.list_object_versions(Bucket=env["SAGEMAKER_ACK_BUCKET"])
    found = [(v["Key"], v["VersionId"]) for v in answer.get("Versions", [])]
    return sorted(found + [(m["Key"], m["VersionId"]) for m in answer.get("DeleteMarkers", [])])
