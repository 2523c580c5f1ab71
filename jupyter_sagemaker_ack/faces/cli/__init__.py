"""The ``sagemaker-ack`` command: the DevOps face of the hand-off.

Each subcommand lives in its own module and is imported only when it runs, so ``sagemaker-ack --help``
stays fast and a command never pays for another's imports (boto3, the Kubernetes client).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import IO, Any

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
    "retry": (".retry:retry", "Run a Failed or Stopped run again from its failed steps, reusing the rest."),
    "compare": (".compare:compare", "Compare two runs: parameters, definitions, steps side by side."),
    "sandbox": (".sandbox:sandbox", "Run the whole loop locally: S3/KMS, SageMaker, Kubernetes, ACK."),
    "quickstart": (".quickstart:quickstart", "Build, publish, render, apply and run the Abalone example."),
    "doctor": (".doctor:doctor", "Check that AWS and the cluster are ready for a real run; change nothing."),
    "iam-policy": (".iam_policy:iam_policy_command", "Print the least-privilege IAM policy for a role."),
    "rbac": (".rbac:rbac", "Print the Kubernetes Role and RoleBinding for a role."),
}


class OneLineUsageError(click.ClickException):
    """A bad command line, shown like every other mistake: one ``error:`` line, one ``fix:`` line, exit 2."""

    exit_code = 2

    def __init__(self, error: click.UsageError, command: str = "sagemaker-ack") -> None:
        super().__init__(error.format_message())
        if error.ctx is not None and error.ctx.command_path.count(" ") >= command.count(" "):
            command = error.ctx.command_path
        self.fix = f"Run `{command} --help` for its arguments and options."

    def show(self, file: IO[Any] | None = None) -> None:
        problem = " ".join(self.format_message().split())
        click.echo(f"error: {problem.rstrip('.')}.\nfix: {self.fix}", file=file, err=file is None)


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use; ``--help`` imports none of them.

    Click's usage errors (an unknown option, a missing argument, a path check of click's own) of the
    group and of every subcommand are re-worded as one ``error:``/``fix:`` pair, not ``Usage:``/``Error:``.
    """

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise OneLineUsageError(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            sub = ctx.invoked_subcommand
            raise OneLineUsageError(error, f"{ctx.command_path} {sub}" if sub else ctx.command_path) from None

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
