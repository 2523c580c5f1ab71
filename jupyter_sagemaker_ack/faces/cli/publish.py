"""``sagemaker-ack publish DEFINITION``: put a definition JSON file into versioned, KMS-encrypted S3."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ...config import resolve_settings
from ...core.errors import UserError
from ...services.publish import publish as publish_definition
from ._common import user_errors
from .policy_option import chosen_policies, policy_option
from .refusals import gate_refusals


@click.command()
@click.argument("definition", type=click.Path(path_type=Path))
@click.option("--bucket", help="S3 bucket (versioned). Default: $SAGEMAKER_ACK_BUCKET.")
@click.option("--prefix", help="Key prefix inside the bucket. Default: sagemaker-ack.")
@click.option("--kms-key", help="KMS key id, ARN or alias/NAME for SSE-KMS. Default: $SAGEMAKER_ACK_KMS_KEY.")
@click.option("--region", help="AWS region of the bucket and key. Default: $AWS_REGION.")
@click.option("--pipeline-name", help="SageMaker pipeline name. Default: the file name without .json.")
@click.option("--enable-versioning", is_flag=True, help="Turn on bucket versioning if it is off.")
@click.option("--source-notebook", help="Notebook the definition came from, for the hand-off record.")
@click.option("--git-commit", help="Git commit of the pipeline code, for the hand-off record.")
@click.option("--json", "as_json", is_flag=True, help="Print the publication as JSON.")
@click.option("--force", is_flag=True, help="Publish even when lint finds errors (exit 1 without it).")
@policy_option
@click.option(
    "--sign-key",
    metavar="KEY",
    help="KMS asymmetric signing key (ARN or alias/NAME) that signs the hand-off record. "
    "Default: $SAGEMAKER_ACK_SIGN_KEY.",
)
@user_errors
@gate_refusals
def publish(
    definition: Path,
    bucket: str | None,
    prefix: str | None,
    kms_key: str | None,
    region: str | None,
    pipeline_name: str | None,
    enable_versioning: bool,
    source_notebook: str | None,
    git_commit: str | None,
    as_json: bool,
    force: bool,
    policy_files: tuple[Path, ...],
    sign_key: str | None,
) -> None:
    """Publish DEFINITION (pipeline definition JSON) to S3 with SSE-KMS, a checksum and a hand-off record.

    Lint's rules run first: on an error finding nothing is written to S3, the findings are printed and
    the exit code is 1 (as for `sagemaker-ack lint`); --force publishes anyway. Other mistakes exit 2.
    """
    if not definition.is_file():
        raise UserError(
            f"{definition} is not a file.", "Pass the definition JSON written by pipeline.definition()."
        )
    settings = resolve_settings(
        {"bucket": bucket, "prefix": prefix, "kms_key": kms_key, "region": region, "sign_key": sign_key}
    )
    policies = chosen_policies(policy_files, settings)
    publication = publish_definition(
        definition,
        settings,
        pipeline_name=pipeline_name or definition.name.removesuffix(".json"),
        enable_versioning=enable_versioning,
        source_notebook=source_notebook,
        git_commit=git_commit,
        force=force,
        policies=policies,
    )
    if as_json:
        click.echo(json.dumps(publication.to_dict(), indent=2))
        return
    if publication.preflight is not None:
        for item, finding in publication.preflight.report():
            click.echo(f"{item + ':':<21}{finding}")
        click.echo()
    state = "unchanged (no new version)" if publication.unchanged else "published"
    click.echo(f"{publication.pipeline_name}: {state}")
    click.echo(f"  definition  {publication.pinned_uri}")
    click.echo(f"  digest      {publication.digest}")
    click.echo(f"  kms key     {publication.kms_key_arn}")
    for artifact in publication.artifacts:
        click.echo(f"  code        {artifact.uri}?versionId={artifact.version_id}")
    click.echo(f"  record      {publication.record_uri}?versionId={publication.record_version_id}")
    click.echo(f"  by          {publication.published_by} at {publication.published_at}")
    click.echo(
        f"next: sagemaker-ack render --from '{publication.pinned_uri}' "
        f"--pipeline-name {publication.pipeline_name} --role-arn ROLE_ARN -o out/"
    )
