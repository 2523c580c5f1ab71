"""``sagemaker-ack apply``: submit reviewed ACK YAML (the Pipeline, then a new run), optionally follow it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ._common import check_namespace, user_errors
from .policy_option import chosen_policies, policy_option
from .refusals import gate_refusals
from .status import EXIT_CODES_HELP, EXIT_SUCCEEDED, cli_settings, exit_code, interruptible, render_stream


@click.command(epilog=EXIT_CODES_HELP)
@click.argument("path")
@click.option(
    "-n", "--namespace", help="Namespace to apply into (default: the documents', settings, kube context)."
)
@click.option("--dry-run", is_flag=True, help="Server-side dry run (dryRun=All): validate, persist nothing.")
@click.option("--wait", is_flag=True, help="Follow the new run until it ends; the exit code is its outcome.")
@click.option(
    "--force",
    is_flag=True,
    help="Apply despite lint errors; allow a run of a pipeline managed outside ACK.",
)
@click.option(
    "--force-conflicts",
    is_flag=True,
    help="Take over fields other field managers own (server-side apply force, as kubectl's flag).",
)
@click.option("--adopt", is_flag=True, help="Adopt a SageMaker pipeline that exists but ACK does not manage.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (JSON lines).")
@policy_option
@user_errors
@gate_refusals
def apply(
    path: str,
    namespace: str | None,
    dry_run: bool,
    wait: bool,
    force: bool,
    force_conflicts: bool,
    adopt: bool,
    as_json: bool,
    policy_files: tuple[Path, ...],
) -> None:
    """Apply the ACK YAML in PATH (a file, or the folder `sagemaker-ack render -o` wrote).

    Checks everything first and writes nothing if a check fails: lint's rules on every document (on an
    error finding the findings are printed and the exit code is 1, as for `sagemaker-ack lint`), the
    cluster (API, ACK CRDs, namespace, your RBAC), the server's dry run of every write, and that each
    execution's pipeline is in the apply or in the namespace (other refusals exit 2).
    Then server-side applies each Pipeline (field manager "sagemaker-ack"), waits until ACK has synced it
    with SageMaker, and creates each PipelineExecution as a new run.

    \b
      sagemaker-ack apply out/ --dry-run     # review what the server would store
      sagemaker-ack apply out/ --wait        # submit and follow the run; exit code = outcome
    """
    from ...services import submit as submit_service
    from ...services import watch as watch_service

    check_namespace(namespace)
    settings = cli_settings(namespace)
    policies = chosen_policies(policy_files, settings)
    result = submit_service.submit(
        path,
        settings,
        dry_run=dry_run,
        force=force,
        force_conflicts=force_conflicts,
        wait=False,
        adopt=adopt,
        namespace=namespace,
        policies=policies,
    )
    suffix = " (server dry run)" if dry_run else ""
    if as_json:
        click.echo(json.dumps(result.to_wire(), separators=(",", ":")))
    else:
        for item in result.pipelines:
            verb = "created" if item.created else "configured"
            arn = f"  {item.arn}" if item.arn else ""
            click.echo(f"pipeline.sagemaker.services.k8s.aws/{item.name} {verb}{suffix}{arn}")
        for item in result.executions:
            click.echo(f"pipelineexecution.sagemaker.services.k8s.aws/{item.name} created{suffix}")
    if not wait or dry_run or not result.executions:
        sys.exit(EXIT_SUCCEEDED)
    codes = []
    for run in result.execution_names:
        last = render_stream(
            interruptible(watch_service.watch_run(result.namespace, run, settings)), as_json=as_json
        )
        codes.append(exit_code(last))
    sys.exit(max(codes))
