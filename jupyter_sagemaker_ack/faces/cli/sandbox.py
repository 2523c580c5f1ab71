"""``sagemaker-ack sandbox up|down|status|env``: local stand-ins for S3/KMS, SageMaker, Kubernetes, ACK."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...sandbox import stack
from ._common import user_errors

state_dir_option = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the sandbox keeps its kubeconfig, env file and log (default ~/.sagemaker-ack/sandbox, "
    "or $SAGEMAKER_ACK_SANDBOX_DIR).",
)


@click.group()
def sandbox() -> None:
    """Run the whole hand-off on this machine: local S3/KMS/STS (moto), a SageMaker Pipelines emulator,
    a Kubernetes API emulator and an ACK controller emulator, all on 127.0.0.1.

    \b
      sagemaker-ack sandbox up
      eval "$(sagemaker-ack sandbox env)"     # boto3, kubectl and sagemaker-ack now use it
      kubectl get pipelines
      sagemaker-ack sandbox down
    """


@sandbox.command()
@state_dir_option
@click.option("--realistic", is_flag=True, help="Requeue every 30 s like the real ACK controller.")
@click.option("--json", "as_json", is_flag=True, help="Print endpoints and environment as JSON.")
@user_errors
def up(state_dir: Path | None, realistic: bool, as_json: bool) -> None:
    """Start the sandbox in the background and wait until it is ready."""
    info = stack.up(state_dir, realistic=realistic)
    if as_json:
        click.echo(json.dumps(info.to_json(), indent=2))
        return
    click.echo(f"sandbox ready (pid {info.pid})")
    for name, url in info.endpoints.items():
        click.echo(f"  {name:<11} {url}")
    click.echo(f'use it:  eval "$(sagemaker-ack sandbox env --state-dir {info.state_dir})"')


@sandbox.command()
@state_dir_option
@user_errors
def down(state_dir: Path | None) -> None:
    """Stop the sandbox and every process it started."""
    result = stack.shut_down(state_dir)
    said = "sandbox stopped" if result.stopped else "no sandbox was running"
    click.echo(f"{said} ({result.note})" if result.note else said)


@sandbox.command()
@state_dir_option
@user_errors
def status(state_dir: Path | None) -> None:
    """Show whether the sandbox runs and which endpoints answer (exit 1 when it is not running)."""
    info = stack.read_info(state_dir)
    if info is None:
        left = stack.leftovers(state_dir)
        if left:
            click.echo(
                f"no sandbox is running, but {len(left)} of its processes are (pids "
                f"{', '.join(map(str, left))}): `sagemaker-ack sandbox down` stops them"
            )
        else:
            click.echo("no sandbox is running")
        raise SystemExit(1)
    answers = stack.probe(info)
    click.echo(f"sandbox running (pid {info.pid}, state {info.state_dir})")
    for name, url in info.endpoints.items():
        click.echo(f"  {name:<11} {url}  {'ok' if answers.get(name) else 'NOT ANSWERING'}")
    if not all(answers.values()):
        raise SystemExit(1)


@sandbox.command()
@state_dir_option
@user_errors
def env(state_dir: Path | None) -> None:
    """Print shell exports for the running sandbox: eval "$(sagemaker-ack sandbox env)"."""
    info = stack.read_info(state_dir)
    if info is None:
        from ...core.errors import UserError

        raise UserError("No sandbox is running.", "Start one with: sagemaker-ack sandbox up")
    click.echo(info.env_file.read_text(), nl=False)
