"""Shared checks of the adversarial suite: how a user mistake or a hostile file must end.

Every case asserts what a user sees (exit code, exactly one ``error:``/``fix:`` pair or the findings, no
traceback) and what must not exist afterwards. ``cli`` runs the command in-process (fast, no traceback can
hide in a child), ``cli_process`` as a real process for what only a process shows (signals, PATH, stdin).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

CLI = [sys.executable, "-m", "jupyter_sagemaker_ack"]


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(*args: str, env: Mapping[str, str] | None = None, stdin: str | None = None) -> Outcome:
    """Run ``sagemaker-ack ARGS`` in this process; an exception that escapes the command fails the test."""
    from jupyter_sagemaker_ack.faces.cli import cli as group

    runner = CliRunner()
    result = runner.invoke(
        group, list(args), env=dict(env) if env else None, input=stdin, catch_exceptions=True
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        detail = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"sagemaker-ack {' '.join(args)} raised instead of exiting cleanly:\n{detail}")
    return Outcome(result.exit_code, result.stdout, result.stderr)


def cli_process(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 60,
) -> Outcome:
    """Run ``sagemaker-ack ARGS`` as a child process (environment: ours, updated by ``env``)."""
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(
        [*CLI, *args], capture_output=True, text=True, input=stdin, timeout=timeout, env=full_env, cwd=cwd
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def assert_user_error(outcome: Outcome, *mentions: str, exit_code: int = 2) -> None:
    """Exactly one ``error:`` line and one ``fix:`` line, the given words in them, no traceback."""
    assert "Traceback" not in outcome.output, outcome.output
    lines = outcome.output.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    fixes = [line for line in lines if line.startswith("fix:")]
    assert outcome.exit_code == exit_code, (outcome.exit_code, outcome.output)
    assert len(errors) == 1, outcome.output
    assert len(fixes) == 1, outcome.output
    said = (errors[0] + " " + fixes[0]).lower()
    for word in mentions:
        assert word.lower() in said, (word, outcome.output)


def assert_no_traceback(outcome: Outcome) -> None:
    assert "Traceback" not in outcome.output, outcome.output


def files_under(folder: Path) -> Sequence[str]:
    """Every file below ``folder`` (relative paths, sorted): what a half-write would leave behind."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink())
