"""``sagemaker-ack verify FILE|DIR``: prove the ACK YAML is the published S3 version."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ...config import resolve_settings
from ...services.verify import verify as verify_manifests
from ._common import user_errors

EXIT_MISMATCH = 1


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--region", help="AWS region of the bucket. Default: $AWS_REGION.")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.option(
    "--trust-bucket",
    "trust_buckets",
    multiple=True,
    metavar="BUCKET",
    help="Also verify against BUCKET (repeatable). Trusted by default: the configured bucket "
    "(SAGEMAKER_ACK_BUCKET); a pinned version in any other bucket fails, and nothing is asked of it.",
)
@user_errors
def verify(path: Path, region: str | None, as_json: bool, trust_buckets: tuple[str, ...]) -> None:
    """Check each ACK Pipeline in PATH against the S3 version its annotations pin.

    Only trusted buckets are asked. Exits 0 when verified, 1 when a check fails, 2 on a usage mistake.
    """
    report = verify_manifests(path, resolve_settings({"region": region}), trust_buckets=trust_buckets)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(report.table())
        for document, differences in report.differences.items():
            click.echo(f"\n{document}: S3 object -> YAML")
            for line in differences.lines():
                click.echo(f"  {line}")
        click.echo("\nverified: the YAML is what was published" if report.ok else "\nNOT verified")
    if not report.ok:
        sys.exit(EXIT_MISMATCH)
