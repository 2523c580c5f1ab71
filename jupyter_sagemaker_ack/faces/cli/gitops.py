"""``sagemaker-ack gitops``: what a GitOps tool needs to judge these kinds (health checks)."""

from __future__ import annotations

import click

from ._common import user_errors


@click.group()
def gitops() -> None:
    """Configuration for Argo CD and Flux that tells a failed run from a good one."""


@gitops.command()
@click.option("--tool", type=click.Choice(["argocd", "flux"]), required=True, help="The GitOps tool.")
@click.option("--namespace", default="argocd", show_default=True, help="Argo CD's namespace (argocd only).")
@user_errors
def health(tool: str, namespace: str) -> None:
    """Print the health checks for Pipeline and PipelineExecution.

    \b
    Argo CD: an argocd-cm ConfigMap patch with one Lua check per kind:
      sagemaker-ack gitops health --tool argocd > argocd-cm-patch.yaml
      kubectl -n argocd patch configmap argocd-cm --patch-file argocd-cm-patch.yaml
    Flux: what kstatus sees, and the Kustomization healthCheckExprs (Flux 2.5+) that see more.
    """
    from ...core import gitops_health
    from ...core.names import check_namespace

    if tool == "argocd":
        click.echo(gitops_health.argocd_patch_yaml(check_namespace(namespace)), nl=False)
        return
    click.echo(gitops_health.FLUX_EXPLANATION)
    click.echo(gitops_health.flux_kustomization_snippet(), nl=False)
