"""``sagemaker-ack runs``: the pipeline runs in the namespace (or, without a cluster, in SageMaker).

A run whose PipelineExecution CR is gone (a stop deletes it) is still listed, from SageMaker's execution
list, with ``SageMaker (no CR)`` in the FROM column and its SageMaker display name for a name.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from ...core import names
from ._common import check_namespace, user_errors
from .status import cli_settings

# Where a listed run came from, as the FROM column says it.
ORIGINS = {"cluster": "cluster", "sagemaker": "SageMaker (no CR)"}
if TYPE_CHECKING:
    from ...services.run_history import RunHistoryEntry


@click.command()
@click.argument("pipeline", required=False)
@click.option("-n", "--namespace", help="Namespace to list (default: settings, kube context).")
@click.option("--json", "as_json", is_flag=True, help="One JSON run snapshot (without steps) per line.")
@user_errors
def runs(pipeline: str | None, namespace: str | None, as_json: bool) -> None:
    """List the runs (PipelineExecutions) of PIPELINE, or of every pipeline, newest first.

    The runs are the namespace's PipelineExecution CRs and SageMaker's executions of its pipelines: a run
    whose CR is gone (stopped, deleted) stays listed, marked `SageMaker (no CR)`. Statuses come from
    SageMaker when it lists the run, else from the CR (which lags by up to 30 s). Without a cluster,
    PIPELINE's runs are listed from SageMaker.

    With PIPELINE, its history: per run the status, start, duration, parameters, the definition version it
    ran (digest and S3 version, when the CR carries them) and the run it retried, if any.
    """
    from ...services import runs as runs_service

    if pipeline is not None and not (
        names.is_sagemaker_pipeline_name(pipeline) or names.is_k8s_name(pipeline)
    ):
        names.check_pipeline_name(pipeline)
    check_namespace(namespace)
    if pipeline is not None:
        _history(pipeline, namespace, as_json)
        return
    listing = runs_service.list_history(cli_settings(namespace), pipeline, namespace=namespace)
    for problem in listing.problems:
        click.echo(f"note: {problem.problem} {problem.fix}".rstrip(), err=True)
    found = listing.runs
    if as_json:
        for snap in found:
            click.echo(json.dumps(snap.to_wire(steps=False), separators=(",", ":")))
        return
    if not found:
        click.echo("No runs." if not pipeline else f"No runs of {pipeline}.")
        return
    rows = [("NAME", "PIPELINE", "STATUS", "STARTED", "FROM", "EXECUTION ARN")]
    for snap in found:
        started = snap.start_time.strftime("%Y-%m-%d %H:%M:%S") if snap.start_time else ""
        rows.append(
            (
                snap.name or snap.display_name or "-",
                snap.pipeline_name or "-",
                snap.status,
                started,
                ORIGINS.get(snap.origin or "", "-"),
                snap.execution_arn or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])


def _history(pipeline: str, namespace: str | None, as_json: bool) -> None:
    from ...services.run_history import run_history

    entries = run_history(cli_settings(namespace), pipeline, namespace=namespace)
    if as_json:
        for entry in entries:
            click.echo(json.dumps(entry.to_wire(), separators=(",", ":")))
        return
    if not entries:
        click.echo(f"No runs of {pipeline}.")
        return
    rows: list[tuple[str, ...]] = [
        (
            "NAME",
            "STATUS",
            "STARTED",
            "DURATION",
            "DEFINITION",
            "RETRY",
            "FROM",
            "EXECUTION ARN",
            "PARAMETERS",
        )
    ]
    rows += [_history_row(entry) for entry in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])) + "  " + row[-1])


def _history_row(entry: RunHistoryEntry) -> tuple[str, ...]:
    snap = entry.run
    started = snap.start_time.strftime("%Y-%m-%d %H:%M:%S") if snap.start_time else "-"
    seconds = entry.duration_seconds
    duration = "-" if seconds is None else _duration(seconds)
    digest = (entry.definition_digest or "").removeprefix("sha256:")[:12]
    definition = digest or "-"
    if entry.definition_version_id:
        definition += f" (S3 {entry.definition_version_id[:12]})"
    retry = f"retry of {entry.retry_of}" if entry.retry_of else "-"
    parameters = " ".join(f"{k}={v}" for k, v in sorted(entry.parameters.items())) or "-"
    return (
        snap.name or snap.display_name or snap.execution_arn or "-",
        snap.status,
        started,
        duration,
        definition,
        retry,
        ORIGINS.get(snap.origin or "", "-"),
        snap.execution_arn or "-",
        parameters,
    )


def _duration(seconds: float) -> str:
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{(whole % 3600) // 60:02d}m"
