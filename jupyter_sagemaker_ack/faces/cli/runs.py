"""``sagemaker-ack runs``: the pipeline runs in the namespace (or, without a cluster, in SageMaker)."""

from __future__ import annotations

import json

import click

from ...core import names
from ._common import check_namespace, user_errors
from .status import cli_settings


@click.command()
@click.argument("pipeline", required=False)
@click.option("-n", "--namespace", help="Namespace to list (default: settings, kube context).")
@click.option("--json", "as_json", is_flag=True, help="One JSON run snapshot (without steps) per line.")
@user_errors
def runs(pipeline: str | None, namespace: str | None, as_json: bool) -> None:
    """List the runs (PipelineExecutions) of PIPELINE, or of every pipeline, newest first.

    Statuses come from the CRs, which lag SageMaker by up to 30 s; `sagemaker-ack status RUN` asks
    SageMaker too. Without a cluster, PIPELINE's runs are listed from SageMaker.
    """
    from ...services import runs as runs_service

    if pipeline is not None and not (
        names.is_sagemaker_pipeline_name(pipeline) or names.is_k8s_name(pipeline)
    ):
        names.check_pipeline_name(pipeline)
    check_namespace(namespace)
    found = runs_service.list_runs(cli_settings(namespace), pipeline, namespace=namespace)
    if as_json:
        for snap in found:
            click.echo(json.dumps(snap.to_wire(steps=False), separators=(",", ":")))
        return
    if not found:
        click.echo("No runs." if not pipeline else f"No runs of {pipeline}.")
        return
    rows = [("NAME", "PIPELINE", "STATUS", "STARTED", "EXECUTION ARN")]
    for snap in found:
        started = snap.start_time.strftime("%Y-%m-%d %H:%M:%S") if snap.start_time else ""
        rows.append(
            (snap.name or "-", snap.pipeline_name or "-", snap.status, started, snap.execution_arn or "-")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4])
