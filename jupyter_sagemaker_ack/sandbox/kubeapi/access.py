"""SelfSubjectAccessReview answered from a configurable allow/deny list (RBAC preflight in tests).

`kubectl auth can-i` sends the review as Kubernetes protobuf (`application/vnd.kubernetes.protobuf`); the
few fields needed are decoded here by hand so no protobuf runtime is required.
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


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise bad_request("truncated protobuf body")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _fields(data: bytes) -> dict[int, list[bytes]]:
    """Length-delimited fields of one protobuf message (other wire types are skipped)."""
    out: dict[int, list[bytes]] = {}
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            _, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            out.setdefault(number, []).append(data[pos : pos + size])
            pos += size
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise bad_request(f"unsupported protobuf wire type {wire}")
    return out


def _strings(data: bytes, names: dict[int, str]) -> dict[str, str]:
    fields = _fields(data)
    return {name: fields[num][0].decode("utf-8") for num, name in names.items() if num in fields}


def decode_review(body: bytes) -> dict[str, Any]:
    """A SelfSubjectAccessReview from kubectl's protobuf envelope, as the JSON shape."""
    if not body.startswith(_MAGIC):
        raise bad_request("protobuf body lacks the k8s envelope")
    envelope = _fields(body[len(_MAGIC) :])
    raw = (envelope.get(2) or [b""])[0]
    spec_bytes = (_fields(raw).get(2) or [b""])[0]
    spec_fields = _fields(spec_bytes)
    spec: dict[str, Any] = {}
    if 1 in spec_fields:
        spec["resourceAttributes"] = _strings(spec_fields[1][0], _RESOURCE_FIELDS)
    if 2 in spec_fields:
        spec["nonResourceAttributes"] = _strings(spec_fields[2][0], _NON_RESOURCE_FIELDS)
    return {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": spec}


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
