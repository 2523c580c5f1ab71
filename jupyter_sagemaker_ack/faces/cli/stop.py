"""``sagemaker-ack stop``: stop a run and wait until SageMaker says it has stopped."""

from __future__ import annotations

import json
import sys

import click

from ._common import check_namespace, check_run, user_errors
from .status import EXIT_FAILED, EXIT_RUNNING, EXIT_SUCCEEDED, cli_settings, summary_lines


@click.command(epilog="\b\nExit codes: 0 the run is stopped (or had already ended), 1 it ended otherwise "
               "while stopping, 2 user error, 4 still stopping when the wait ended.")  # fmt: skip
@click.argument("run")
@click.option(
    "-n", "--namespace", help="Namespace of the PipelineExecution (default: settings, kube context)."
)
@click.option("--no-wait", is_flag=True, help="Return once the stop is requested.")
@click.option("--json", "as_json", is_flag=True, help="Print the final run snapshot as JSON.")
@user_errors
def stop(run: str, namespace: str | None, no_wait: bool, as_json: bool) -> None:
    """Stop RUN: delete its PipelineExecution (ACK stops the SageMaker run), or, given an execution ARN,
    stop it in SageMaker directly. Waits until the run is Stopped unless --no-wait."""
    from ...services import stop as stop_service

    check_run(run)
    check_namespace(namespace)
    snap = stop_service.stop_run(namespace, run, cli_settings(namespace), wait=not no_wait)
    if as_json:
        click.echo(json.dumps(snap.to_wire(), separators=(",", ":")))
    elif snap.outcome is None:
        still = "" if no_wait else "; still stopping when the wait ended: follow it with `status RUN -w`"
        click.echo(f"{snap.name or snap.execution_arn}: stop requested ({snap.status}){still}")
    else:
        click.echo("\n".join(summary_lines(snap)))
    if snap.outcome is None:
        sys.exit(EXIT_SUCCEEDED if no_wait else EXIT_RUNNING)
    sys.exit(EXIT_SUCCEEDED if snap.outcome in ("Stopped", "Succeeded") else EXIT_FAILED)
