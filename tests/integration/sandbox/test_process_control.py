"""The sandbox's process control with real processes: a killed supervisor, stale and hostile state files.

``sandbox down`` must stop every process the stack started even when its supervisor died by SIGKILL, and
must never signal a process that is not the sandbox's, whatever ``sandbox.json`` says.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("moto")
pytest.importorskip("aiohttp")

CLI = [sys.executable, "-m", "jupyter_sagemaker_ack"]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def start_time(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def sandbox(*args: str, state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "sandbox", *args, "--state-dir", str(state)], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def sleeper():
    proc = subprocess.Popen(["sleep", "300"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_down_after_the_supervisor_was_sigkilled_stops_every_child(tmp_path):
    state = tmp_path / "state"
    up = sandbox("up", "--json", state=state)
    assert up.returncode == 0, up.stderr
    info = json.loads(up.stdout)
    pids = [p["pid"] for p in info.get("processes", [])]
    try:
        assert len(pids) == 3  # the supervisor, moto, the ACK controller
        assert all(alive(pid) for pid in pids)
        os.kill(info["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(info["pid"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        status = sandbox("status", state=state)
        assert status.returncode == 1
        assert "no sandbox is running, but 2 of its processes are" in status.stdout
        down = sandbox("down", state=state)
        assert down.returncode == 0, down.stderr
        assert "sandbox stopped" in down.stdout
        assert [pid for pid in pids if alive(pid)] == []
        assert not (state / "sandbox.json").exists()
        assert not (state / "env").exists()
    finally:
        sandbox("down", state=state)
        for pid in [info["pid"], *pids]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def _stale_state(state: Path, entries: list[dict], group: int | None = None) -> None:
    state.mkdir(parents=True, exist_ok=True)
    doc = {
        "stateDir": str(state),
        "pid": entries[0]["pid"],
        "endpoints": {"aws": "http://127.0.0.1:1"},
        "env": {},
        "processGroup": group,
        "processes": entries,
    }
    (state / "sandbox.json").write_text(json.dumps(doc))


def test_a_stale_state_file_naming_a_reused_pid_leaves_that_process_alone(tmp_path, sleeper):
    state = (tmp_path / "state").resolve()
    argv = [sys.executable, "-m", "jupyter_sagemaker_ack.sandbox.stack", "serve", "--state-dir", str(state)]
    # the sleep has the recorded pid and start time, but it is not the supervisor that was recorded
    _stale_state(state, [{"pid": sleeper.pid, "start": start_time(sleeper.pid), "argv": argv}], sleeper.pid)
    down = sandbox("down", state=state)
    assert down.returncode == 0, down.stderr
    assert "no sandbox was running" in down.stdout
    assert f"pid {sleeper.pid} is now another process, left alone" in down.stdout
    assert "Traceback" not in down.stderr
    time.sleep(0.2)
    assert sleeper.poll() is None
    assert not (state / "sandbox.json").exists()


def test_a_state_file_naming_a_foreign_process_exactly_is_refused(tmp_path, sleeper):
    state = (tmp_path / "state").resolve()
    exact = {"pid": sleeper.pid, "start": start_time(sleeper.pid), "argv": ["sleep", "300"]}
    _stale_state(state, [exact], sleeper.pid)
    down = sandbox("down", state=state)
    assert down.returncode == 2
    assert f"process {sleeper.pid} is not a sandbox process" in down.stderr
    assert "Traceback" not in down.stderr
    time.sleep(0.2)
    assert sleeper.poll() is None
    assert (state / "sandbox.json").exists()  # refused: nothing removed either
