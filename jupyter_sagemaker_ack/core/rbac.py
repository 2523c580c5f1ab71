"""Least-privilege Kubernetes Roles and RoleBindings for the people who submit, watch and stop runs.

The rules are what the project's Kubernetes calls need in one namespace (adapters/kube/: submit's preflight
access reviews and its server-side apply, status's get and watch, stop's delete, the sidebar's list and
watch), one rule per purpose so that a test can remove one and watch exactly that operation be forbidden.
Discovery, ``/version`` and SelfSubjectAccessReviews need no Role: Kubernetes grants them to every
authenticated user (``system:discovery``, ``system:basic-user``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from . import ack
from .errors import UserError

ROLES = ("ml-engineer", "devops")
RBAC_API = "rbac.authorization.k8s.io/v1"
PIPELINES = ack.PLURALS[ack.PIPELINE_KIND]
EXECUTIONS = ack.PLURALS[ack.EXECUTION_KIND]
# Submit's preflight asks for all six verbs on both kinds (adapters/kube/preflight.py ALL_VERBS).
SUBMIT_VERBS = ("get", "list", "watch", "create", "patch", "delete")
READ_VERBS = ("get", "list", "watch")


@dataclass(frozen=True)
class Rule:
    """One PolicyRule, with the operations that are forbidden without it."""

    name: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    needed_by: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"apiGroups": [ack.GROUP], "resources": list(self.resources), "verbs": list(self.verbs)}


RULES: Mapping[str, tuple[Rule, ...]] = {
    "ml-engineer": (
        Rule("pipelines", (PIPELINES,), SUBMIT_VERBS, ("submit", "sidebar")),
        Rule("executions", (EXECUTIONS,), SUBMIT_VERBS, ("submit", "status", "stop", "sidebar")),
    ),
    "devops": (
        Rule("read-pipelines", (PIPELINES,), READ_VERBS, ("sidebar",)),
        Rule("read-executions", (EXECUTIONS,), READ_VERBS, ("status", "sidebar")),
        Rule("stop-executions", (EXECUTIONS,), ("delete",), ("stop",)),
    ),
}


@dataclass(frozen=True)
class Subject:
    kind: str  # User, Group or ServiceAccount
    name: str

    def to_dict(self, namespace: str) -> dict[str, Any]:
        if self.kind == "ServiceAccount":
            return {"kind": "ServiceAccount", "name": self.name, "namespace": namespace}
        return {"kind": self.kind, "name": self.name, "apiGroup": "rbac.authorization.k8s.io"}


def role_name(role: str) -> str:
    return f"sagemaker-ack-{role}"


def check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"There is no Role for '{role}'.", f"Pass --for with one of: {', '.join(ROLES)}.")


def manifests_for(
    role: str, namespace: str, subjects: Sequence[Subject], *, without: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The Role and its RoleBinding for ``role`` in ``namespace``; ``without`` drops rules by name."""
    check_role(role)
    if not subjects:
        raise UserError(
            "The RoleBinding needs at least one subject.",
            "Pass --user NAME, --group NAME or --service-account.",
        )
    name = role_name(role)
    labels = {"app.kubernetes.io/managed-by": "sagemaker-ack", "sagemaker-ack/role": role}
    rules = [r.to_dict() for r in RULES[role] if r.name not in without]
    return [
        {
            "apiVersion": RBAC_API,
            "kind": "Role",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "rules": rules,
        },
        {
            "apiVersion": RBAC_API,
            "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": namespace, "labels": labels},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [s.to_dict(namespace) for s in subjects],
        },
    ]


def to_yaml(docs: Sequence[Mapping[str, Any]]) -> str:
    return yaml.safe_dump_all(list(docs), sort_keys=False, default_flow_style=False)
