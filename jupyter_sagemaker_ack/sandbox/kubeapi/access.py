"""SelfSubjectAccessReview answered from a configurable allow/deny list (RBAC preflight in tests).

`kubectl auth can-i` sends the review as Kubernetes protobuf; `protobuf.py` decodes it.
"""

from __future__ import annotations

import threading
from typing import Any

from .status import bad_request

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

    def configure(
        self,
        default_allow: bool | None = None,
        allow: list[dict[str, str]] | None = None,
        deny: list[dict[str, str]] | None = None,
    ) -> None:
        with self._lock:
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
        self.configure(default_allow=True, allow=[], deny=[])

    def snapshot(self) -> dict[str, Any]:
        return {"default_allow": self.default_allow, "allow": self.allow_rules, "deny": self.deny_rules}

    def decide(self, attrs: dict[str, str]) -> tuple[bool, str]:
        def matches(rule: dict[str, str]) -> bool:
            return all(value in ("*", attrs.get(key, "")) for key, value in rule.items())

        with self._lock:
            if any(matches(r) for r in self.deny_rules):
                return False, "denied by the sandbox access policy"
            if any(matches(r) for r in self.allow_rules):
                return True, "allowed by the sandbox access policy"
            return self.default_allow, "sandbox access policy default"


def review(policy: AccessPolicy, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("spec"), dict):
        raise bad_request("a SelfSubjectAccessReview needs a spec")
    spec = body["spec"]
    attrs = spec.get("resourceAttributes") or spec.get("nonResourceAttributes") or {}
    allowed, reason = policy.decide({k: str(v) for k, v in attrs.items() if isinstance(v, (str, int))})
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
