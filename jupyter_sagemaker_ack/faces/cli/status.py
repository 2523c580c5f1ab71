"""``sagemaker-ack status``: one run's status, once or live, for people (a terminal view) and CI (exit codes).

The renderers here (live terminal view, plain lines, JSON lines) are shared by ``apply --wait``. They only
draw snapshots from ``services.watch``; what a snapshot holds is decided there.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import TextIO

import click

from ...config import Settings, resolve_settings
from ...core.status.snapshots import RunSnapshot, StepSnapshot
from ._common import check_namespace, check_run, user_errors

EXIT_SUCCEEDED = 0
EXIT_FAILED = 1
EXIT_STOPPED = 3
EXIT_RUNNING = 4
EXIT_INTERRUPTED = 130
EXIT_CODES_HELP = (
    "\b\nExit codes: 0 Succeeded, 1 Failed, 2 usage or user error, 3 Stopped, 4 still running "
    "(status without --watch)."
)
_MARKS = {
    "Pending": "·",
    "Starting": ">",
    "Executing": ">",
    "Stopping": "~",
    "Stopped": "■",
    "Failed": "x",
    "Succeeded": "✓",
}


def exit_code(snapshot: RunSnapshot | None) -> int:
    if snapshot is None or snapshot.outcome is None:
        return EXIT_RUNNING
    return {"Succeeded": EXIT_SUCCEEDED, "Failed": EXIT_FAILED, "Stopped": EXIT_STOPPED}.get(
        snapshot.outcome, EXIT_FAILED
    )


def cli_settings(namespace: str | None) -> Settings:
    return resolve_settings({"namespace": namespace})


# -- rendering ----------------------------------------------------------------------------------------


def _duration(step: StepSnapshot, now: datetime) -> str:
    if step.start_time is None:
        return ""
    seconds = int(((step.end_time or now) - step.start_time).total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"


def headline(snap: RunSnapshot) -> str:
    progress = snap.progress
    parts = [f"{snap.name or snap.execution_arn}", f"pipeline {snap.pipeline_name or '?'}", snap.status]
    if progress.total:
        counts = f"{progress.succeeded}/{progress.total} steps succeeded"
        if progress.running:
            counts += f", {progress.running} running"
        if progress.failed:
            counts += f", {progress.failed} failed"
        parts.append(counts)
    parts.append("from " + "+".join(snap.sources))
    if snap.waiting_reason:
        parts.append(f"waiting: {snap.waiting_reason}")
    return "  ".join(parts)


def name_width(steps: Iterable[StepSnapshot]) -> int:
    return min(40, max((len(s.name) for s in steps), default=10))


def step_line(step: StepSnapshot, now: datetime, width: int = 40) -> str:
    mark = _MARKS.get(step.status, "?")
    kind = (step.type or "")[:14]
    line = f"  {mark} {step.name[:width]:<{width}} {kind:<14} {step.status:<10} {_duration(step, now)}"
    if step.reused_from:
        line += f"  reused from {step.reused_from.rsplit('/', 1)[-1]}"
    if step.failure_reason:
        line += f"  {step.failure_reason}"
    return line.rstrip()


def summary_lines(snap: RunSnapshot) -> list[str]:
    """What to say when the run has ended: outcome, failure reason, failed steps and their logs."""
    lines = [f"{snap.name or snap.execution_arn}: {snap.outcome}"]
    if snap.outcome == "Failed":
        if snap.failure_reason:
            lines.append(f"  reason: {snap.failure_reason}")
        for step in snap.failed_steps:
            lines.append(f"  failed step {step.name}: {step.failure_reason or 'no reason given'}")
            if step.logs_url:
                lines.append(f"    logs: {step.logs_url}")
            if step.console_url:
                lines.append(f"    console: {step.console_url}")
    if snap.execution_arn:
        lines.append(f"  execution: {snap.execution_arn}")
    elif snap.outcome == "Stopped":
        lines.append("  stopped before it started: no SageMaker execution was created")
    return lines


class LiveView:
    """Redraws one block in place on a terminal: a headline and one line per step."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.drawn = 0

    def draw(self, snap: RunSnapshot) -> None:
        now = datetime.now(timezone.utc)
        columns, rows = shutil.get_terminal_size((100, 30))
        lines = [headline(snap)]
        steps = list(snap.steps)
        room = max(3, rows - 4)
        if len(steps) > room:
            busy = [s for s in steps if s.status not in ("Succeeded", "Pending")]
            shown = busy[:room]
            hidden = len(steps) - len(shown)
            lines += [step_line(s, now, name_width(shown)) for s in shown]
            lines.append(f"  … {hidden} more steps ({snap.progress.succeeded} succeeded, the rest pending)")
        else:
            lines += [step_line(s, now, name_width(steps)) for s in steps]
        lines = [line[: columns - 1] for line in lines]
        if self.drawn:
            self.out.write(f"\x1b[{self.drawn}F\x1b[J")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        self.drawn = len(lines)


def plain_lines(snap: RunSnapshot, before: RunSnapshot | None) -> list[str]:
    """One line for the run when it changed, and one per step whose status changed."""
    stamp = snap.updated_at.astimezone(timezone.utc).strftime("%H:%M:%S")
    out: list[str] = []
    if before is None or (before.status, before.progress, before.sources) != (
        snap.status,
        snap.progress,
        snap.sources,
    ):
        out.append(f"{stamp} {headline(snap)}")
    earlier = {s.name: s.status for s in (before.steps if before else ())}
    for step in snap.steps:
        if earlier.get(step.name, "Pending") != step.status:
            reason = f": {step.failure_reason}" if step.failure_reason else ""
            out.append(f"{stamp}   step {step.name} {step.status}{reason}")
    return out


def render_stream(
    snapshots: Iterable[RunSnapshot], *, as_json: bool, out: TextIO | None = None
) -> RunSnapshot | None:
    """Draw each snapshot (JSON lines, a live view on a TTY, plain lines otherwise); return the last."""
    out = out or sys.stdout
    live = LiveView(out) if not as_json and out.isatty() else None
    last: RunSnapshot | None = None
    for snap in snapshots:
        if as_json:
            out.write(json.dumps(snap.to_wire(), separators=(",", ":")) + "\n")
            out.flush()
        elif live is not None:
            live.draw(snap)
        else:
            for line in plain_lines(snap, last):
                out.write(line + "\n")
            out.flush()
        last = snap
    if last is not None and last.outcome is not None and not as_json:
        out.write("\n".join(summary_lines(last)) + "\n")
    return last


def print_once(snap: RunSnapshot, *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(snap.to_wire(), separators=(",", ":")))
        return
    now = datetime.now(timezone.utc)
    click.echo(headline(snap))
    for step in snap.steps:
        click.echo(step_line(step, now, name_width(snap.steps)))
    if snap.outcome is not None:
        click.echo("\n".join(summary_lines(snap)))


def interruptible(snapshots: Iterator[RunSnapshot]) -> Iterator[RunSnapshot]:
    """Stop iterating quietly on Ctrl-C (the generator's cleanup still runs)."""
    try:
        yield from snapshots
    except KeyboardInterrupt:
        close = getattr(snapshots, "close", None)
        if close is not None:
            close()
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("run")
@click.option(
    "-n", "--namespace", help="Namespace of the PipelineExecution (default: settings, kube context)."
)
@click.option(
    "-w", "--watch", is_flag=True, help="Follow the run live until it Succeeded, Failed or Stopped."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON snapshot per line (the wire shape).")
@user_errors
def status(run: str, namespace: str | None, watch: bool, as_json: bool) -> None:
    """Show the status of RUN: a PipelineExecution name, or a SageMaker execution ARN.

    Merges the PipelineExecution CR (conditions; lags SageMaker by up to 30 s) with SageMaker's own view
    (every step, its job, failure reason and logs) when AWS credentials allow. On a terminal, --watch
    redraws a live view; otherwise it prints a line per change, so CI logs stay readable.
    """
    from ...services import runs as runs_service
    from ...services import watch as watch_service

    check_run(run)
    check_namespace(namespace)
    settings = cli_settings(namespace)
    if watch:
        last = render_stream(
            interruptible(watch_service.watch_run(namespace, run, settings)), as_json=as_json
        )
    else:
        last = runs_service.get_run(namespace, run, settings)
        print_once(last, as_json=as_json)
    sys.exit(exit_code(last))
