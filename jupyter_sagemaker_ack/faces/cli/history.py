"""``sagemaker-ack history PIPELINE``: the published versions of a pipeline definition."""

from __future__ import annotations

import json

import click

from ...config import resolve_settings
from ...core import names
from ...services.history import history as published_versions
from ._common import user_errors


@click.command()
@click.argument("pipeline")
@click.option("--bucket", help="S3 bucket. Default: $SAGEMAKER_ACK_BUCKET.")
@click.option("--prefix", help="Key prefix inside the bucket. Default: sagemaker-ack.")
@click.option("--region", help="AWS region of the bucket. Default: $AWS_REGION.")
@click.option("--json", "as_json", is_flag=True, help="Print the versions as JSON.")
@user_errors
def history(pipeline: str, bucket: str | None, prefix: str | None, region: str | None, as_json: bool) -> None:
    """List the published versions of PIPELINE, newest first: time, digest, publisher, VersionId."""
    names.check_pipeline_name(pipeline)
    settings = resolve_settings({"bucket": bucket, "prefix": prefix, "region": region})
    versions = published_versions(pipeline, settings)
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in versions], indent=2))
        return
    rows = [("TIME", "DIGEST", "PUBLISHER", "VERSION ID")]
    for v in versions:
        digest = _digest_cell(v.digest, v.delete_marker)
        when = v.time.strftime("%Y-%m-%d %H:%M:%S") if v.time else "?"
        rows.append((when, digest, v.publisher or "?", v.version_id + (" (current)" if v.is_latest else "")))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        click.echo("  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)))


def _digest_cell(digest: str | None, delete_marker: bool) -> str:
    if delete_marker:
        return "(deleted)"
    return digest[:19] if digest else "(not by sagemaker-ack)"
