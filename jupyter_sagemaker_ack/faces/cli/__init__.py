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

# name -> "module:attribute" relative to this package; one module per command (or command group).
COMMANDS: dict[str, str] = {
    "render": ".render:render",
    "lint": ".lint:lint",
    "publish": ".publish:publish",
    "verify": ".verify:verify",
    "history": ".history:history",
    "diff": ".diff:diff",
    "apply": ".apply:apply",
    "status": ".status:status",
    "runs": ".runs:runs",
    "stop": ".stop:stop",
    "sandbox": ".sandbox:sandbox",
    "quickstart": ".quickstart:quickstart",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None or not _available(cmd_name):
            return None
        module_name, attr = target.split(":")
        module = importlib.import_module(module_name, __name__)
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command


def _available(name: str) -> bool:
    module_name = COMMANDS[name].split(":")[0]
    return importlib.util.find_spec(module_name, __name__) is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
