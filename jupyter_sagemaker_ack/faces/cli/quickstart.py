"""``sagemaker-ack quickstart``: the whole hand-off once, on this machine, for a first try.

Starts the local sandbox (unless told to use the current environment), then builds the article's Abalone
pipeline, captures, lints and publishes it, renders and verifies the ACK YAML, applies it with the real
``kubectl`` and follows the run to its end.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import click

from ...config import resolve_settings
from ...core.errors import UserError
from ._common import user_errors


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("quickstart-out"),
    show_default=True,
    help="Folder for the rendered YAML.",
)
@click.option(
    "--use-env", is_flag=True, help="Use the AWS and cluster of the current environment, not the sandbox."
)
@click.option("--keep-sandbox", is_flag=True, help="Leave the sandbox running afterwards.")
@click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path), help="Sandbox state folder.")
@user_errors
def quickstart(output: Path, use_env: bool, keep_sandbox: bool, state_dir: Path | None) -> None:
    """Build, publish, render, verify, kubectl-apply and run the Abalone example pipeline."""
    # The demo's output is the hand-off; the SDK's import-time notices would bury it.
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    for noisy in ("sagemaker", "sagemaker.config", "botocore", "boto3"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"sagemaker\.")
    try:
        import sagemaker  # noqa: F401 - only to give a clear message when the SDK is missing
    except ImportError:
        raise UserError(
            "The quickstart needs the SageMaker Python SDK.",
            "Install it with: pip install 'jupyter-sagemaker-ack[sdk-v2,sandbox]'.",
        ) from None
    from ...services.quickstart import run_quickstart

    started = None
    if not use_env:
        from ...sandbox import stack

        already = stack.read_info(state_dir)
        click.echo("0/6 " + ("using the running sandbox" if already else "starting the local sandbox"))
        info = already or stack.up(state_dir)
        started = None if already else info
        os.environ.update(info.env)
        os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        result = run_quickstart(resolve_settings(), output, say=click.echo)
    finally:
        if started is not None and not keep_sandbox:
            from ...sandbox import stack

            stack.down(started.state_dir)
    run = result.run
    click.echo("")
    click.echo(
        f"run {run.name}: {run.outcome} ({run.progress.succeeded}/{run.progress.total} steps succeeded)"
    )
    for step in run.steps:
        took = ""
        if step.start_time and step.end_time:
            took = f"{(step.end_time - step.start_time).total_seconds():.1f} s"
        state = "not run" if step.status == "Pending" and run.finished else step.status
        click.echo(f"  {step.name:<40} {state:<10} {took}")
    click.echo(f"definition: {result.definition_uri}?versionId={result.version_id} ({result.digest})")
    click.echo(f"YAML: {result.output_dir}/")
    if started is not None and not keep_sandbox:
        click.echo("sandbox stopped (use --keep-sandbox to look around with kubectl afterwards)")
    if run.outcome != "Succeeded":
        raise SystemExit(1)
