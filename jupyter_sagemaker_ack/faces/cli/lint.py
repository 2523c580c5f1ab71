"""``sagemaker-ack lint PATH...``: the check both sides run before ``kubectl apply``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..._version import __version__
from ...core.lint import has_errors
from ...core.lint.report import to_json, to_sarif, to_text
from ...services.lint import collect_files, lint_paths
from ._common import user_errors

EXIT_FINDINGS = 1


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="text for a terminal, json for scripts, sarif for code-review tools.",
)
@click.option("--offline", is_flag=True, help="Do not verify pinned S3 versions against the bucket.")
@user_errors
def lint(paths: tuple[Path, ...], output_format: str, offline: bool) -> None:
    """Lint definition JSON and ACK YAML files (or folders of them).

    Exits 1 when any finding is an error, 0 otherwise.
    """
    files = collect_files(paths)
    findings = lint_paths(files, offline=offline)
    if output_format == "json":
        click.echo(to_json(findings, files=len(files)))
    elif output_format == "sarif":
        click.echo(json.dumps(to_sarif(findings, version=__version__), indent=2))
    else:
        click.echo(to_text(findings, files=len(files)))
    if has_errors(findings):
        sys.exit(EXIT_FINDINGS)
