"""Issue 15 item 6 on the real sandbox (`sandbox up`'s processes): once a run has finished, the supervisor,
moto and the ACK controller emulator together use next to no CPU, read from /proc/<pid>/stat.

Before the fix the controller re-opened both watches every 0.3 s, each replaying every event since it last
listed (more work the longer the sandbox ran), and re-read every finished run each second: 1.7 % of a core
for an empty sandbox, 4-5 % after one run, growing.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import KUBECTL

TICKS = os.sysconf("SC_CLK_TCK")
WINDOW = 5.0
CEILING = 1.0  # percent of one core, all sandbox processes together


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def _kubectl(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    import subprocess

    done = subprocess.run([KUBECTL, *args], input=stdin, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _document(kind: str, name: str, spec: dict[str, Any]) -> str:
    return json.dumps(
        {
            "apiVersion": "sagemaker.services.k8s.aws/v1alpha1",
            "kind": kind,
            "metadata": {"name": name},
            "spec": spec,
        }
    )


@pytest.mark.skipif(not Path(KUBECTL).exists(), reason="needs kubectl")
def test_the_sandbox_is_idle_after_a_run(sandbox: Any, sandbox_env: dict[str, str]) -> None:
    from .manifests import ROLE, definition

    pipeline = {"pipelineName": "idle-check", "roleARN": ROLE, "pipelineDefinition": definition("A", "B")}
    _kubectl(sandbox_env, "apply", "-f", "-", stdin=_document("Pipeline", "idle-check", pipeline))
    _kubectl(
        sandbox_env, "wait", "--timeout=60s", "--for=condition=ACK.ResourceSynced", "pipeline/idle-check"
    )
    run = {"pipelineName": "idle-check"}
    _kubectl(sandbox_env, "apply", "-f", "-", stdin=_document("PipelineExecution", "idle-run", run))
    status = "--for=jsonpath={.status.pipelineExecutionStatus}=Succeeded"
    _kubectl(sandbox_env, "wait", "--timeout=60s", status, "pipelineexecution/idle-run")

    pids = [p.pid for p in sandbox.processes]
    time.sleep(1.0)  # the run's last status patch and its watch events
    before, started = _cpu_seconds(pids), time.monotonic()
    time.sleep(WINDOW)
    used = 100 * (_cpu_seconds(pids) - before) / (time.monotonic() - started)
    assert used < CEILING, f"the idle sandbox used {used:.2f} % of a core"
