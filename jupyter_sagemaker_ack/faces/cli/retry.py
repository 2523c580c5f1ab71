"""``sagemaker-ack retry``: run a Failed or Stopped run again from its failed steps, reusing the rest."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from ...core.errors import UserError
from ._common import check_namespace, check_run, user_errors
from .status import EXIT_SUCCEEDED, cli_settings, exit_code, summary_lines

if TYPE_CHECKING:
    from ...services.retry import RetryProposal


def plan_lines(proposal: RetryProposal) -> list[str]:
    """The plan a user confirms: which steps run again, which are reused, the new run's name."""
    plan = proposal.plan
    lines = [
        f"Retry of {proposal.source} ({proposal.source_status}) in namespace {proposal.namespace}",
        f"  run again ({len(plan.selected)}): {', '.join(plan.selected)}",
        f"  reused from {proposal.source_arn.rsplit('/', 1)[-1]} ({len(plan.reused)}): "
        + (", ".join(plan.reused) or "none"),
    ]
    if plan.not_run:
        lines.append(
            f"  not run in the source, not selected ({len(plan.not_run)}): {', '.join(plan.not_run)}"
        )
    lines.append(f"  new PipelineExecution: {proposal.name}")
    return lines


@click.command(epilog="\b\nExit codes: 0 the retry was created (with --wait: Succeeded), 1 Failed, "
               "2 user error, 3 Stopped, 4 still running when the wait ended.")  # fmt: skip
@click.argument("run")
@click.option(
    "-n", "--namespace", help="Namespace of the PipelineExecution (default: settings, kube context)."
)
@click.option("--from-step", metavar="STEP", help="Run again from STEP (and everything downstream of it).")
@click.option("--wait", is_flag=True, help="Follow the new run until it ends.")
@click.option(
    "--yes", "-y", is_flag=True, help="Create the retry without asking (needed when stdin is not a terminal)."
)
@click.option(
    "--dry-run", is_flag=True, help="Show the plan and let the server validate the new CR; create nothing."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the plan (and the new run's final snapshot) as JSON."
)
@user_errors
def retry(
    run: str,
    namespace: str | None,
    from_step: str | None,
    wait: bool,
    yes: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Retry RUN (a Failed or Stopped PipelineExecution) as a NEW run: its failed and stopped steps and
    everything downstream run again, the steps that succeeded are reused from RUN (SageMaker selective
    execution). The old run is never edited. Shows the plan before it acts."""
    from ...services import retry as retry_service

    check_run(run)
    check_namespace(namespace)
    settings = cli_settings(namespace)
    proposal = retry_service.propose(namespace, run, settings, from_step=from_step)
    if as_json:
        click.echo(json.dumps({"plan": proposal.to_wire()}, separators=(",", ":")))
    else:
        click.echo("\n".join(plan_lines(proposal)))
    if not (yes or dry_run):
        if not sys.stdin.isatty():
            raise UserError(
                "Nothing was created: a retry needs confirmation and stdin is not a terminal.",
                f"Review the plan above and run again with --yes: sagemaker-ack retry {run} --yes",
            )
        if not click.confirm("Create this retry?", default=False):
            click.echo("Nothing was created.")
            return
    result = retry_service.retry(proposal, settings, wait=wait, dry_run=dry_run)
    if dry_run:
        click.echo(f"{proposal.name}: validated by the server (dry run); nothing was created.")
        return
    if not as_json:
        click.echo(f"Created PipelineExecution {proposal.name} (retry of {run}).")
    if not wait:
        if not as_json:
            click.echo(f"Follow it: sagemaker-ack status {proposal.name} -w")
        sys.exit(EXIT_SUCCEEDED)
    final = result.final
    if as_json:
        click.echo(json.dumps(final.to_wire() if final else None, separators=(",", ":")))
    elif final is not None and final.outcome is not None:
        click.echo("\n".join(summary_lines(final)))
    else:
        click.echo(
            f"{proposal.name}: still running when the wait ended; follow it with `status {proposal.name} -w`"
        )
    sys.exit(exit_code(final))
