"""``sagemaker-ack diff A B``: semantic diff of two definitions; exit 1 when they differ, like diff."""

from __future__ import annotations

import json
import sys

import click

from ...config import resolve_settings
from ...services.diff import diff as diff_definitions
from ._common import user_errors

EXIT_DIFFERENT = 1


@click.command()
@click.argument("a")
@click.argument("b")
@click.option("--region", help="AWS region for s3:// sides. Default: $AWS_REGION.")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@user_errors
def diff(a: str, b: str, region: str | None, as_json: bool) -> None:
    """Compare definitions A and B: ACK YAML files, definition JSON files or s3://BUCKET/KEY?versionId=V.

    Steps added, removed or changed (with the fields), parameters, and edges; key order and formatting
    are ignored.
    """
    result = diff_definitions(a, b, resolve_settings({"region": region}))
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
    elif result.identical:
        click.echo("The definitions are the same.")
    else:
        click.echo(f"--- {result.a}\n+++ {result.b}")
        for line in result.diff.lines():
            click.echo(line)
    if not result.identical:
        sys.exit(EXIT_DIFFERENT)
