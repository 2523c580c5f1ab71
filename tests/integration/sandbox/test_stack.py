"""`sagemaker-ack sandbox up|status|env|down` as a new user runs it, and what it leaves behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("moto")
pytest.importorskip("aiohttp")

CLI = [sys.executable, "-m", "jupyter_sagemaker_ack"]


def _listening_ports() -> set[int]:
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_up_env_status_down_leaves_nothing_behind(tmp_path):
    state = tmp_path / "state"
    before = _listening_ports()
    up = subprocess.run(
        [*CLI, "sandbox", "up", "--state-dir", str(state), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert up.returncode == 0, up.stderr
    info = json.loads(up.stdout)
    ports = {int(url.rsplit(":", 1)[1]) for url in info["endpoints"].values()}
    try:
        assert ports <= _listening_ports()
        assert all(url.startswith("http://127.0.0.1:") for url in info["endpoints"].values())
        status = subprocess.run(
            [*CLI, "sandbox", "status", "--state-dir", str(state)], capture_output=True, text=True, timeout=60
        )
        assert status.returncode == 0, status.stdout + status.stderr
        assert "NOT ANSWERING" not in status.stdout

        env_text = subprocess.run(
            [*CLI, "sandbox", "env", "--state-dir", str(state)], capture_output=True, text=True, check=True
        ).stdout
        # the env file makes the real kubectl and boto3 use the sandbox
        probe = "import boto3; print(boto3.client('s3').list_buckets()['Buckets'][0]['Name'])"
        shell = f'{env_text}\nkubectl get pipelines -A && "$PY" -c "{probe}"'
        used = subprocess.run(
            ["bash", "-c", shell],
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PY": sys.executable},
        )
        assert used.returncode == 0, used.stderr
        assert "sagemaker-ack-sandbox" in used.stdout
        assert "secret" not in env_text.lower() or "AWS_SECRET_ACCESS_KEY=sandbox" in env_text
    finally:
        down = subprocess.run(
            [*CLI, "sandbox", "down", "--state-dir", str(state)], capture_output=True, text=True, timeout=60
        )
    assert down.returncode == 0
    assert "sandbox stopped" in down.stdout
    assert not _alive(info["pid"])
    assert not (ports & (_listening_ports() - before))
    assert not (state / "env").exists()
    again = subprocess.run(
        [*CLI, "sandbox", "status", "--state-dir", str(state)], capture_output=True, text=True
    )
    assert again.returncode == 1
    assert "no sandbox is running" in again.stdout


def test_env_without_a_sandbox_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [*CLI, "sandbox", "env", "--state-dir", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "No sandbox is running" in result.stderr
    assert "sandbox up" in result.stderr
