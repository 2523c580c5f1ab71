"""``sagemaker-ack rbac --for ml-engineer|devops``: the Role and RoleBinding YAML for the namespace."""

from __future__ import annotations

import click

from ...config import resolve_settings
from ...core import rbac as rbac_rules
from ...services.doctor.policies import rbac_manifests
from ._common import user_errors


@click.command()
@click.option(
    "--for", "role", required=True, type=click.Choice(rbac_rules.ROLES), help="Who the Role is for."
)
@click.option("--namespace", "-n", help="Namespace of the ACK resources. Default: $SAGEMAKER_ACK_NAMESPACE.")
@click.option("--user", "users", multiple=True, help="Kubernetes user to bind (repeatable).")
@click.option("--group", "groups", multiple=True, help="Kubernetes group to bind (repeatable).")
@click.option(
    "--service-account", "service_accounts", multiple=True, help="ServiceAccount to bind (repeatable)."
)
@user_errors
def rbac(
    role: str,
    namespace: str | None,
    users: tuple[str, ...],
    groups: tuple[str, ...],
    service_accounts: tuple[str, ...],
) -> None:
    """Print the Role ROLE needs in the namespace (submit, status, stop, the sidebar; nothing more) and its binding.

    \b
    ml-engineer: submit (apply Pipelines, create PipelineExecutions), status, stop, the sidebar.
    devops:      status, stop and the sidebar (read both kinds, delete PipelineExecutions).
    Without --user/--group/--service-account the binding names the group sagemaker-ack:ROLE.
    """
    settings = resolve_settings({"namespace": namespace})
    subjects = [
        *(rbac_rules.Subject("User", u) for u in users),
        *(rbac_rules.Subject("Group", g) for g in groups),
        *(rbac_rules.Subject("ServiceAccount", s) for s in service_accounts),
    ] or [rbac_rules.Subject("Group", f"sagemaker-ack:{role}")]
    click.echo(rbac_rules.to_yaml(rbac_manifests(settings, role, subjects)), nl=False)
