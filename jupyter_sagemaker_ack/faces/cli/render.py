"""``sagemaker-ack render``: a pipeline definition in, reviewable ACK YAML out."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ...config import resolve_settings
from ...core.errors import UserError
from ._common import check_namespace, user_errors
from .policy_option import chosen_policies, policy_option
from .refusals import gate_refusals


def parse_pairs(values: tuple[str, ...], what: str) -> dict[str, str]:
    """``("A=1", "B=x")`` -> ``{"A": "1", "B": "x"}``, with a clear error for a missing ``=``."""
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"{what} '{item}' is not KEY=VALUE.", f"Write it as {what.lower()} NAME=VALUE.")
        out[key] = value
    return out


@click.command()
@click.argument("definition", required=False)
@click.option(
    "--from",
    "from_s3",
    metavar="S3URI",
    help="Regenerate from a published version: s3://BUCKET/KEY?versionId=V (instead of DEFINITION).",
)
@click.option("--pipeline-name", help="SageMaker pipeline name (letters, digits, hyphens).")
@click.option("--role-arn", help="IAM role SageMaker assumes to run the pipeline.")
@click.option("--namespace", help="Kubernetes namespace for the resources.")
@click.option("--region", help="AWS region (the services.k8s.aws/region annotation).")
@click.option("--execution", is_flag=True, help="Also render a PipelineExecution (one run).")
@click.option(
    "--param", "params", multiple=True, metavar="KEY=VALUE", help="Run parameter (implies --execution)."
)
@click.option("--run-id", help="Run id for the execution name (default: time + random).")
@click.option("--description", help="Pipeline description.")
@click.option("--display-name", help="Pipeline display name.")
@click.option("--max-parallel", type=int, help="maxParallelExecutionSteps.")
@click.option(
    "--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Tag set when the pipeline is created."
)
@click.option(
    "--deletion-policy", type=click.Choice(["delete", "retain"]), help="What deleting the CR does in AWS."
)
@click.option(
    "--adopt",
    type=click.Choice(["adopt", "adopt-or-create"]),
    help="Adopt a pipeline that already exists in SageMaker.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="A .yaml file (one stream) or a folder (pipeline.yaml, execution.yaml, kustomization.yaml).",
)
@click.option("--force", is_flag=True, help="Render even when lint finds errors (exit 1 without it).")
@policy_option
@user_errors
@gate_refusals
def render(
    definition: str | None,
    from_s3: str | None,
    pipeline_name: str | None,
    role_arn: str | None,
    namespace: str | None,
    region: str | None,
    execution: bool,
    params: tuple[str, ...],
    run_id: str | None,
    description: str | None,
    display_name: str | None,
    max_parallel: int | None,
    tags: tuple[str, ...],
    deletion_policy: str | None,
    adopt: str | None,
    output: str | None,
    force: bool,
    policy_files: tuple[Path, ...],
) -> None:
    """Render ACK Pipeline (and PipelineExecution) YAML from a pipeline definition.

    DEFINITION is the JSON file `pipeline.definition()` wrote (or - for stdin). The definition goes
    inline into spec.pipelineDefinition as indented JSON. Apply the Pipeline first and wait until it is
    synced before applying an execution:

    \b
      sagemaker-ack render def.json --pipeline-name abalone --role-arn ARN --execution -o out/
      kubectl apply -f out/pipeline.yaml
      kubectl wait --for=condition=ACK.ResourceSynced pipeline --all
      kubectl apply -f out/execution.yaml

    Lint's rules run first: on an error finding nothing is written, the findings are printed and the
    exit code is 1 (as for `sagemaker-ack lint`); --force renders anyway. Other mistakes exit 2.
    """
    from ...services.render import render as render_service

    check_namespace(namespace)
    settings = resolve_settings({"namespace": namespace, "region": region, "role_arn": role_arn})
    policies = chosen_policies(policy_files, settings)
    source: Any
    provenance = None
    if from_s3 and definition:
        raise UserError("Give either DEFINITION or --from, not both.", "Drop one of them.")
    if from_s3:
        from ...services.s3_source import fetch_published

        published = fetch_published(from_s3, settings)
        source, provenance = published.definition, published.provenance
        pipeline_name = pipeline_name or published.pipeline_name
    elif definition == "-":
        source = sys.stdin.read()
    elif definition:
        path = Path(definition)
        if path.is_dir():
            raise UserError(f"{definition} is a folder.", "Pass the path of the definition JSON file.")
        if not path.is_file():
            raise UserError(
                f"No such file: {definition} (or a link that leads nowhere).",
                "Pass the path of the definition JSON file.",
            )
        source = path
    else:
        raise UserError(
            "No definition given.", "Pass a definition JSON file, - for stdin, or --from s3://..."
        )
    rendered = render_service(
        source,
        settings,
        pipeline_name=pipeline_name,
        role_arn=role_arn,
        execution=execution,
        params=parse_pairs(params, "--param"),
        run_id=run_id,
        description=description,
        display_name=display_name,
        max_parallel_steps=max_parallel,
        tags=parse_pairs(tags, "--tag"),
        deletion_policy=deletion_policy,
        adopt=adopt,
        provenance=provenance,
        force=force,
        policies=policies,
    )
    if output:
        for path in rendered.write(output):
            click.echo(f"wrote {path}", err=True)
    else:
        click.echo(rendered.yaml, nl=False)
