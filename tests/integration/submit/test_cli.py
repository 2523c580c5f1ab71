"""The CLI as CI uses it: `python -m jupyter_sagemaker_ack apply|status|runs|stop` in a subprocess."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from jupyter_sagemaker_ack.config import Settings
from jupyter_sagemaker_ack.core.status.snapshots import RunSnapshot, StepSnapshot
from jupyter_sagemaker_ack.faces.cli.status import render_stream

from .conftest import Stack
from .helpers import rendered_run


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_sagemaker_ack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_apply_wait_then_status_and_runs(
    stack_env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    rendered = rendered_run(settings, steps=2)
    rendered.write(tmp_path / "out")
    run = rendered.execution["metadata"]["name"]  # type: ignore[index]

    applied = cli(stack_env, "apply", str(tmp_path / "out"), "--wait")
    assert applied.returncode == 0, applied.stderr
    assert (
        f"pipeline.sagemaker.services.k8s.aws/{rendered.pipeline['metadata']['name']} created"
        in applied.stdout
    )
    assert f"pipelineexecution.sagemaker.services.k8s.aws/{run} created" in applied.stdout
    assert "step Step-00001 Succeeded" in applied.stdout
    assert f"{run}: Succeeded" in applied.stdout

    status = cli(stack_env, "status", run, "--watch", "--json")
    assert status.returncode == 0, status.stderr
    snapshots = [json.loads(line) for line in status.stdout.splitlines()]
    assert snapshots[-1]["outcome"] == "Succeeded"
    assert [s["status"] for s in snapshots[-1]["steps"]] == ["Succeeded", "Succeeded"]

    runs = cli(stack_env, "runs", rendered.pipeline_name)
    assert runs.returncode == 0, runs.stderr
    assert run in runs.stdout


def test_failed_run_exits_1_naming_the_step(
    stack: Stack, stack_env: dict[str, str], settings: Settings
) -> None:
    stack.sagemaker.configure(failures={"Step-00000": "ClientError: no such bucket"})
    rendered = rendered_run(settings, steps=2)
    path = rendered.write(Path(stack_env["KUBECONFIG"]).parent / f"{rendered.pipeline_name}.yaml")[0]

    applied = cli(stack_env, "apply", str(path), "--wait")
    assert applied.returncode == 1, applied.stderr
    assert "failed step Step-00000: ClientError: no such bucket" in applied.stdout


def test_stop_exits_0_and_the_run_is_stopped(
    stack: Stack, stack_env: dict[str, str], settings: Settings
) -> None:
    stack.sagemaker.configure(durations={"default": 30.0})
    rendered = rendered_run(settings, steps=2)
    path = rendered.write(Path(stack_env["KUBECONFIG"]).parent / f"{rendered.pipeline_name}.yaml")[0]
    assert cli(stack_env, "apply", str(path)).returncode == 0
    run = rendered.execution["metadata"]["name"]  # type: ignore[index]

    stopped = cli(stack_env, "stop", run, "--json")
    assert stopped.returncode == 0, stopped.stderr
    final = json.loads(stopped.stdout)
    assert final["outcome"] == "Stopped"

    status = cli(stack_env, "status", final["executionArn"])
    assert status.returncode == 3
    assert "Stopped" in status.stdout


def test_rbac_denied_is_one_error_line_and_exit_2(
    stack: Stack, stack_env: dict[str, str], namespace: str, settings: Settings
) -> None:
    stack.kube.access.deny(verb="patch", resource="pipelines", namespace=namespace)
    rendered = rendered_run(settings, steps=1)
    path = rendered.write(Path(stack_env["KUBECONFIG"]).parent / f"{rendered.pipeline_name}.yaml")[0]

    applied = cli(stack_env, "apply", str(path))
    assert applied.returncode == 2
    assert applied.stderr.startswith(
        f"error: You may not patch on pipelines.sagemaker.services.k8s.aws in namespace '{namespace}'"
    )
    assert "Traceback" not in applied.stderr


def test_help_documents_the_exit_codes(stack_env: dict[str, str]) -> None:
    shown = cli(stack_env, "status", "--help")
    assert shown.returncode == 0
    assert "0 Succeeded, 1 Failed, 2 usage or user error, 3 Stopped" in " ".join(shown.stdout.split())


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _snap(status: str, steps: tuple[str, ...], outcome: str | None = None) -> RunSnapshot:
    return RunSnapshot(
        "ns",
        "run-1",
        "p",
        None,
        status,
        outcome=outcome,
        sources=("cr", "sagemaker"),
        steps=tuple(StepSnapshot(f"Step-{i}", "Processing", s) for i, s in enumerate(steps)),
    )


def test_live_view_redraws_in_place_on_a_terminal_and_plain_lines_elsewhere() -> None:
    stream = [
        _snap("Executing", ("Executing", "Pending")),
        _snap("Executing", ("Succeeded", "Executing")),
        _snap("Succeeded", ("Succeeded", "Succeeded"), "Succeeded"),
    ]
    terminal = _Terminal()
    render_stream(stream, as_json=False, out=terminal)
    drawn = terminal.getvalue()
    assert drawn.count("\x1b[3F\x1b[J") == 2  # the 3-line block is redrawn twice
    assert "2/2 steps succeeded" in drawn

    log = io.StringIO()
    render_stream(stream, as_json=False, out=log)
    lines = log.getvalue().splitlines()
    assert "\x1b" not in log.getvalue()
    assert sum("step Step-1 Executing" in line for line in lines) == 1
    assert sum("step Step-1 Succeeded" in line for line in lines) == 1
    assert lines[-1] == "run-1: Succeeded"
