"""``sagemaker-ack quickstart``: the whole hand-off once, on this machine, for a first try.

Builds the article's Abalone pipeline with the SageMaker SDK, captures its definition offline, and renders
the ACK YAML into a folder.
"""

from __future__ import annotations

from pathlib import Path

import click

from ...config import resolve_settings
from ...core.errors import UserError
from ._common import user_errors

DEMO_ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default="quickstart-out",
    show_default=True,
    help="Folder for the rendered YAML.",
)
@user_errors
def quickstart(output: str) -> None:
    """Build the Abalone pipeline, capture it offline and render its ACK YAML."""
    try:
        from ...examples.abalone import build_abalone_pipeline
    except ImportError as exc:
        raise UserError(
            f"The quickstart needs the SageMaker Python SDK ({exc}).",
            "Install it with: pip install 'jupyter-sagemaker-ack[sdk-v2]'.",
        ) from None
    from ...services.render import render

    settings = resolve_settings({"region": "us-east-1"})
    click.echo(
        "1/2 building the Abalone pipeline with the SageMaker SDK and capturing its definition offline"
    )
    pipeline = build_abalone_pipeline(role_arn=DEMO_ROLE, region=settings.region or "us-east-1")
    rendered = render(pipeline, settings, role_arn=DEMO_ROLE, execution=True)
    click.echo(
        f"    {len(rendered.definition.steps)} steps, {len(rendered.definition.parameters)} parameters, "
        f"digest {rendered.definition.digest}"
    )
    click.echo("2/2 rendering the ACK Pipeline and PipelineExecution YAML")
    for path in rendered.write(Path(output)):
        click.echo(f"    wrote {path}")
    click.echo(f"Review it, then: kubectl apply -f {Path(output) / 'pipeline.yaml'}")
