"""``sagemaker-ack bundle``: one definition into a kustomize base and an overlay per environment."""

from __future__ import annotations

import click

from ...config import resolve_settings
from ._common import user_errors
from .refusals import gate_refusals


@click.command()
@click.argument("source")
@click.option("-o", "--output", required=True, type=click.Path(), help="The bundle folder to write.")
@click.option(
    "--environments",
    "environments",
    required=True,
    type=click.Path(),
    metavar="ENVS.yaml",
    help="The environments file: namespace, region, roleARN, substitutions... per environment.",
)
@click.option("--pipeline-name", help="SageMaker pipeline name (default: the one it was published under).")
@click.option("--force", is_flag=True, help="Write even when lint finds errors (exit 1 without it).")
@user_errors
@gate_refusals
def bundle(source: str, output: str, environments: str, pipeline_name: str | None, force: bool) -> None:
    """Write a GitOps bundle: DIR/base, DIR/overlays/<env>/ and DIR/README.md for the reviewer.

    SOURCE is a definition JSON file or a pinned s3://BUCKET/KEY?versionId=V. Each environment's
    substitutions replace exact strings inside the definition; every account ID of an IAM or KMS ARN and
    every S3 bucket of the source must be substituted or listed under `keep`, else nothing is written.

    \b
      sagemaker-ack bundle def.json -o gitops/ --environments envs.yaml --pipeline-name abalone
      kubectl kustomize gitops/overlays/prod
      kubectl apply -k gitops/overlays/prod --server-side
    """
    from ...services.bundle import bundle as bundle_service

    result = bundle_service(
        source, output, environments, resolve_settings({}), pipeline_name=pipeline_name, force=force
    )
    click.echo(f"wrote {result.written} ({len(result.bundle.overlays)} environments)", err=True)
    for overlay in result.bundle.overlays:
        click.echo(f"  overlays/{overlay.environment.name}: {overlay.definition.digest}", err=True)
    warnings = [f for f in result.findings if f.severity == "warning"]
    if warnings:
        click.echo(f"{len(warnings)} lint warnings: see {result.written}/README.md", err=True)
    if result.large:
        click.echo(
            "The Pipeline is over 256 KiB: apply with `kubectl apply -k DIR/overlays/<env> --server-side` "
            "(the bundle sets argocd.argoproj.io/sync-options: ServerSideApply=true for Argo CD).",
            err=True,
        )
