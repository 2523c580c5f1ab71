"""``sagemaker-ack runs``: the pipeline runs in the namespace (or, without a cluster, in SageMaker).

A run whose PipelineExecution CR is gone (a stop deletes it) is still listed, from SageMaker's execution
list, with ``SageMaker (no CR)`` in the FROM column and its SageMaker display name for a name.
"""

from __future__ import annotations

import json

import click

from ...core import names
from ._common import check_namespace, user_errors
from .status import cli_settings

# Where a listed run came from, as the FROM column says it.
ORIGINS = {"cluster": "cluster", "sagemaker": "SageMaker (no CR)"}


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
    """
    from ...services import runs as runs_service

    if pipeline is not None and not (
        names.is_sagemaker_pipeline_name(pipeline) or names.is_k8s_name(pipeline)
    ):
        names.check_pipeline_name(pipeline)
    check_namespace(namespace)
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
