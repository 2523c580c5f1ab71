"""Who may do what: SelfSubjectAccessReviews from an allow/deny list, and, when switched on, RBAC.

By default every request is allowed and a SelfSubjectAccessReview is answered from a configurable
allow/deny list (RBAC preflight in tests). With ``rbac`` on, requests are authenticated by bearer token
(the ``users`` table: token -> user name and groups; the kubeconfig's own ``sandbox`` token stays a cluster
admin, so the sandbox's controller keeps working) and authorised by the Roles, ClusterRoles, RoleBindings
and ClusterRoleBindings in the store: namespaced and cluster rules, verbs, resources, subresources,
apiGroups and resourceNames, as Kubernetes evaluates them; an access review then answers the same way.
Discovery, ``/version``, ``/openapi`` and access reviews are open to every authenticated user, as
``system:discovery`` and ``system:basic-user`` make them on a real cluster.

`kubectl auth can-i` sends the review as Kubernetes protobuf; `protobuf.py` decodes it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .status import ApiError, bad_request
from .store import ResourceType, Store

_MAGIC = b"k8s\x00"
_RESOURCE_FIELDS = {
    1: "namespace",
    2: "verb",
    3: "group",
    4: "version",
    5: "resource",
    6: "subresource",
    7: "name",
}
_NON_RESOURCE_FIELDS = {1: "path", 2: "verb"}


class AccessPolicy:
    """Deny rules win, then allow rules, then the default.

    A rule matches a review when each of its keys (verb, resource, group, namespace, name...) does; '*' = any.
    """

    def __init__(self, default_allow: bool = True) -> None:
        self._lock = threading.Lock()
        self.default_allow = default_allow
        self.allow_rules: list[dict[str, str]] = []
        self.deny_rules: list[dict[str, str]] = []
        self.rbac = False
        self.users: dict[str, User] = {}

    def configure(
        self,
        default_allow: bool | None = None,
        allow: list[dict[str, str]] | None = None,
        deny: list[dict[str, str]] | None = None,
        rbac: bool | None = None,
        users: Mapping[str, Any] | None = None,
    ) -> None:
        """``users``: bearer token -> {"name": ..., "groups": [...]} (or just the user name)."""
        with self._lock:
            if rbac is not None:
                self.rbac = bool(rbac)
            if users is not None:
                self.users = {str(token): User.parse(entry) for token, entry in users.items()}
            if default_allow is not None:
                self.default_allow = default_allow
            if allow is not None:
                self.allow_rules = [dict(r) for r in allow]
            if deny is not None:
                self.deny_rules = [dict(r) for r in deny]

    def allow(self, **rule: str) -> None:
        with self._lock:
            self.allow_rules.append(rule)

    def deny(self, **rule: str) -> None:
        with self._lock:
            self.deny_rules.append(rule)

    def reset(self) -> None:
        self.configure(default_allow=True, allow=[], deny=[], rbac=False, users={})

    def snapshot(self) -> dict[str, Any]:
        return {
            "default_allow": self.default_allow,
            "allow": self.allow_rules,
            "deny": self.deny_rules,
            "rbac": self.rbac,
            "users": sorted(u.name for u in self.users.values()),
        }

    def identify(self, headers: Mapping[str, str]) -> User:
        """Who sends a request (only with RBAC on; otherwise everyone is the admin).

        A bearer token of the ``users`` table is that user; an unknown token is 401. No token (kubectl sends
        none over plain http) or the sandbox's own token is the admin, who may impersonate: ``kubectl --as
        alice`` (``Impersonate-User`` / ``Impersonate-Group`` headers) is then alice.
        """
        auth = headers.get("Authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        with self._lock:
            if not self.rbac:
                return ADMIN
            if token in self.users:
                return self.users[token]
        if token and token != ADMIN_TOKEN:
            raise ApiError(401, "Unauthorized", "Unauthorized")
        impersonated = headers.get("Impersonate-User")
        if impersonated:
            getall = getattr(headers, "getall", None)
            groups = list(getall("Impersonate-Group", [])) if getall else []
            return User(impersonated, (*groups, "system:authenticated"))
        return ADMIN

    def authorize(self, store: Store, method: str, path: str, query: Mapping[str, str], user: User) -> None:
        """Raise 403 Forbidden (worded as the API server words it) unless RBAC allows the request."""
        if not self.rbac or user.is_admin:
            return
        attrs = request_attributes(method, path, query)
        if attrs is None or rbac_allows(store, user, attrs):
            return
        group, name = attrs["group"], attrs.get("name", "")
        qualified = attrs["resource"] + (f".{group}" if group else "") + (f' "{name}"' if name else "")
        scope = (
            f'in the namespace "{attrs["namespace"]}"' if attrs.get("namespace") else "at the cluster scope"
        )
        raise ApiError(
            403,
            "Forbidden",
            f'{qualified} is forbidden: User "{user.name}" cannot {attrs["verb"]} resource '
            f'"{attrs["resource"]}" in API group "{group}" {scope}',
            details={"kind": attrs["resource"], "group": group, "name": attrs.get("name", "")},
        )

    def decide(self, attrs: dict[str, str]) -> tuple[bool, str]:
        def matches(rule: dict[str, str]) -> bool:
            return all(value in ("*", attrs.get(key, "")) for key, value in rule.items())

        with self._lock:
            if any(matches(r) for r in self.deny_rules):
                return False, "denied by the sandbox access policy"
            if any(matches(r) for r in self.allow_rules):
                return True, "allowed by the sandbox access policy"
            return self.default_allow, "sandbox access policy default"


def review(
    policy: AccessPolicy, body: Any, store: Store | None = None, user: User | None = None
) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("spec"), dict):
        raise bad_request("a SelfSubjectAccessReview needs a spec")
    spec = body["spec"]
    attrs = spec.get("resourceAttributes") or spec.get("nonResourceAttributes") or {}
    flat = {k: str(v) for k, v in attrs.items() if isinstance(v, (str, int))}
    allowed, reason = policy.decide(flat)
    if allowed and policy.rbac and store is not None and user is not None and spec.get("resourceAttributes"):
        checked = {"group": "", "namespace": "", "subresource": "", "name": "", **flat}
        allowed = rbac_allows(store, user, checked)
        # as on a real server, a denial carries no reason (kubectl auth can-i prints just "no")
        reason = f'RBAC: allowed by a binding of User "{user.name}"' if allowed else ""
    status: dict[str, Any] = {"allowed": allowed, "reason": reason}
    if not allowed:
        status["denied"] = True
    return {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": spec,
        "status": status,
    }


ADMIN_TOKEN = "sandbox"  # noqa: S105 (the sandbox kubeconfig's token, not a secret)
RBAC_GROUP = "rbac.authorization.k8s.io"
_WRITE_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


@dataclass(frozen=True)
class User:
    name: str
    groups: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        return "system:masters" in self.groups

    @classmethod
    def parse(cls, entry: Any) -> User:
        if isinstance(entry, str):
            return cls(entry, ("system:authenticated",))
        groups = tuple(str(g) for g in entry.get("groups") or ())
        return cls(str(entry["name"]), (*groups, "system:authenticated"))


ADMIN = User("sandbox-admin", ("system:masters", "system:authenticated"))


def rbac_types() -> list[ResourceType]:
    """Roles, ClusterRoles and their bindings, served so that `kubectl apply` can create them."""
    kinds = [
        ("roles", "Role", True),
        ("rolebindings", "RoleBinding", True),
        ("clusterroles", "ClusterRole", False),
        ("clusterrolebindings", "ClusterRoleBinding", False),
    ]
    return [
        ResourceType(RBAC_GROUP, "v1", plural, kind.lower(), kind, namespaced, custom=False)
        for plural, kind, namespaced in kinds
    ]


def request_attributes(method: str, path: str, query: Mapping[str, str]) -> dict[str, str] | None:
    """The resource attributes of a REST request; None for non-resource paths and access reviews."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"] and len(parts) >= 2:
        group, rest = "", parts[2:]
    elif parts[:1] == ["apis"] and len(parts) >= 3:
        group, rest = parts[1], parts[3:]
    else:
        return None
    if not rest or group == "authorization.k8s.io":
        return None
    namespace = ""
    if rest[0] == "namespaces" and len(rest) >= 3:
        namespace, rest = rest[1], rest[2:]
    resource, name, subresource = [*rest, "", ""][:3]
    if method == "GET":
        verb = "watch" if query.get("watch") in ("true", "1") else ("get" if name else "list")
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    else:
        verb = _WRITE_VERBS.get(method, method.lower())
    return {
        "verb": verb,
        "group": group,
        "resource": resource,
        "subresource": subresource,
        "namespace": namespace,
        "name": name,
    }


def _subject_matches(subject: Mapping[str, Any], user: User, binding_namespace: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return bool(name == user.name)
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return user.name == f"system:serviceaccount:{namespace}:{name}"
    return False


def _rule_allows(rule: Mapping[str, Any], attrs: Mapping[str, str]) -> bool:
    def has(key: str, value: str) -> bool:
        listed = rule.get(key) or []
        return "*" in listed or value in listed

    resource = attrs["resource"] + (f"/{attrs['subresource']}" if attrs.get("subresource") else "")
    names = rule.get("resourceNames") or []
    return (
        has("verbs", attrs["verb"])
        and has("apiGroups", attrs["group"])
        and has("resources", resource)
        and (not names or attrs.get("name", "") in names)
    )


def _rules_of(store: Store, ref: Mapping[str, Any], namespace: str) -> list[Mapping[str, Any]]:
    kind = ref.get("kind")
    if kind == "Role":
        obj = store.find(store.types[(RBAC_GROUP, "roles")], namespace, str(ref.get("name")))
    elif kind == "ClusterRole":
        obj = store.find(store.types[(RBAC_GROUP, "clusterroles")], "", str(ref.get("name")))
    else:
        return []
    rules = (obj or {}).get("rules") or []
    return [r for r in rules if isinstance(r, Mapping)]


def rbac_allows(store: Store, user: User, attrs: Mapping[str, str]) -> bool:
    """Whether any binding of the user grants a rule that covers ``attrs`` (RBAC has no deny)."""
    if user.is_admin:
        return True
    namespace = attrs.get("namespace", "")
    bindings: list[tuple[str, Mapping[str, Any]]] = []
    everything = lambda obj: True  # noqa: E731
    for obj in store.select(store.types[(RBAC_GROUP, "clusterrolebindings")], None, everything, everything):
        bindings.append(("", obj))
    if namespace:
        rolebindings = store.types[(RBAC_GROUP, "rolebindings")]
        for obj in store.select(rolebindings, namespace, everything, everything):
            bindings.append((namespace, obj))
    for binding_ns, binding in bindings:
        subjects = binding.get("subjects") or []
        if not any(
            _subject_matches(s, user, binding_ns or namespace) for s in subjects if isinstance(s, Mapping)
        ):
            continue
        if any(
            _rule_allows(rule, attrs) for rule in _rules_of(store, binding.get("roleRef") or {}, binding_ns)
        ):
            return True
    return False
