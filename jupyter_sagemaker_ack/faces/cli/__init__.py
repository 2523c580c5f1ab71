"""The ``sagemaker-ack`` command: the DevOps face of the hand-off.

Each subcommand lives in its own module and is imported only when it runs, so ``sagemaker-ack --help``
stays fast and a command never pays for another's imports (boto3, the Kubernetes client).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import click

from ..._version import __version__

# name -> ("module:attribute" relative to this package, one-line help shown by `sagemaker-ack --help`).
COMMANDS: dict[str, tuple[str, str]] = {
    "render": (".render:render", "Render ACK Pipeline/PipelineExecution YAML from a definition."),
    "bundle": (
        ".bundle:bundle",
        "Bundle a definition for GitOps: kustomize base + one overlay per environment.",
    ),
    "gitops": (
        ".gitops:gitops",
        "Health checks for Argo CD and Flux that tell a failed run from a good one.",
    ),
    "lint": (".lint:lint", "Check definitions and ACK YAML before anyone applies them."),
    "publish": (".publish:publish", "Publish a definition to versioned, KMS-encrypted S3."),
    "verify": (".verify:verify", "Prove that YAML carries exactly the published S3 version."),
    "history": (".history:history", "List the published versions of a pipeline."),
    "diff": (".diff:diff", "Semantic diff of two definitions (files, YAML or S3 versions)."),
    "apply": (".apply:apply", "Server-side apply a Pipeline, then its execution."),
    "status": (".status:status", "Show or watch a run, step by step."),
    "runs": (".runs:runs", "List pipeline runs in the cluster."),
    "stop": (".stop:stop", "Stop a run and follow it to Stopped."),
    "sandbox": (".sandbox:sandbox", "Run the whole loop locally: S3/KMS, SageMaker, Kubernetes, ACK."),
    "quickstart": (".quickstart:quickstart", "Build, publish, render, apply and run the Abalone example."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use; ``--help`` imports none of them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS or not _available(cmd_name):
            return None
        module_name, attr = COMMANDS[cmd_name][0].split(":")
        module = importlib.import_module(module_name, __name__)
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command


def _available(name: str) -> bool:
    module_name = COMMANDS[name][0].split(":")[0]
    return importlib.util.find_spec(module_name, __name__) is not None


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "--version", prog_name="sagemaker-ack")
def cli() -> None:
    """Hand SageMaker pipelines from notebooks to Kubernetes (ACK), safely.

    \b
    ML engineer:  render / publish a pipeline definition as ACK YAML.
    DevOps:       lint, verify and diff the YAML, apply it, watch and stop runs.
    Anyone:       `sagemaker-ack sandbox up` runs the whole loop on this machine.
    """


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="sagemaker-ack")
