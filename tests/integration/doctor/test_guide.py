"""docs/real-cluster.md: every block marked ``sh sandbox`` runs, as written, against the sandbox.

The blocks run in order in one folder (later blocks read files earlier ones wrote), with the sandbox's
environment and a ``sagemaker-ack`` on PATH that is this checkout's; each must exit 0 with no traceback.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.adapters.kube.preflight import HELM_INSTALL
from jupyter_sagemaker_ack.faces.cli import COMMANDS

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "real-cluster.md"
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(marker: str) -> list[str]:
    return [body for info, body in FENCE.findall(GUIDE.read_text()) if info.strip() == marker]


def test_the_guide_covers_the_readiness_commands():
    sandbox = "\n".join(blocks("sh sandbox"))
    for command in ("iam-policy --for ml-engineer", "iam-policy --for devops", "iam-policy --for controller"):
        assert f"sagemaker-ack {command}" in sandbox
    assert "sagemaker-ack rbac --for ml-engineer" in sandbox
    assert "sagemaker-ack doctor" in sandbox
    used = set(re.findall(r"sagemaker-ack ([a-z-]+)", sandbox))
    assert used <= set(COMMANDS), used - set(COMMANDS)


def test_the_guide_installs_the_chart_doctor_names():
    real = "\n".join(blocks("sh"))
    chart = re.search(
        r"oci://public\.ecr\.aws/aws-controllers-k8s/sagemaker-chart --version ([0-9.]+)", HELM_INSTALL
    )
    assert chart is not None
    assert "oci://public.ecr.aws/aws-controllers-k8s/sagemaker-chart" in real
    assert f"--version {chart.group(1)}" in real
    assert r"eks\.amazonaws\.com/role-arn" in real  # IRSA, escaped for helm --set
    assert "aws eks update-kubeconfig" in real


@pytest.fixture
def shell_env(sandbox_env, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "sagemaker-ack"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m jupyter_sagemaker_ack "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    root = str(Path(__file__).resolve().parents[3])
    path = os.pathsep.join([str(bin_dir), os.environ.get("PATH", "")])
    return {**sandbox_env, "PATH": path, "PYTHONPATH": root}


def test_every_sandbox_block_runs(shell_env, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    found = blocks("sh sandbox")
    assert len(found) >= 5
    for number, body in enumerate(found, 1):
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", body],
            cwd=work,
            env=shell_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"block {number}:\n{body}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, done.stderr
    assert json.loads((work / "controller-policy.json").read_text())["Statement"][1]["Action"] == [
        "iam:PassRole"
    ]
    assert json.loads((work / "doctor.json").read_text())["ok"] is True
    assert (work / "quickstart-out" / "pipeline.yaml").is_file()
