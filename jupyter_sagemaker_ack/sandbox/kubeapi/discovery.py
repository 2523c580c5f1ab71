"""Built-in resource types and the discovery documents (/api, /apis, /apis/<g>, /apis/<g>/<v>, /version)."""

from __future__ import annotations

import hashlib
from typing import Any

from .store import ResourceType, Store

_STATUS_VERBS = ["get", "patch", "update"]


def builtin_types() -> list[ResourceType]:
    age = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
    return [
        ResourceType(
            "",
            "v1",
            "namespaces",
            "namespace",
            "Namespace",
            False,
            custom=False,
            short_names=["ns"],
            columns=[{"name": "Status", "type": "string", "jsonPath": ".status.phase"}, age],
        ),
        ResourceType(
            "", "v1", "events", "event", "Event", True, custom=False, short_names=["ev"], columns=[age]
        ),
        ResourceType(
            "apiextensions.k8s.io",
            "v1",
            "customresourcedefinitions",
            "customresourcedefinition",
            "CustomResourceDefinition",
            False,
            custom=False,
            short_names=["crd", "crds"],
            status_subresource=True,
            columns=[{"name": "Created At", "type": "string", "jsonPath": ".metadata.creationTimestamp"}],
        ),
    ]


_SSAR = {
    "name": "selfsubjectaccessreviews",
    "singularName": "selfsubjectaccessreview",
    "namespaced": False,
    "kind": "SelfSubjectAccessReview",
    "verbs": ["create"],
}


def version_info() -> dict[str, Any]:
    return {
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-sagemaker-ack-sandbox",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.23.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def _group_versions(store: Store) -> dict[str, str]:
    groups: dict[str, str] = {"authorization.k8s.io": "v1"}
    for rtype in store.types.values():
        if rtype.group:
            groups[rtype.group] = rtype.version
    return groups


def _group(name: str, version: str) -> dict[str, Any]:
    entry = {"groupVersion": f"{name}/{version}", "version": version}
    return {"name": name, "versions": [entry], "preferredVersion": entry}


def core_versions(host: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
    }


def group_list(store: Store) -> dict[str, Any]:
    groups = [_group(name, version) for name, version in sorted(_group_versions(store).items())]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def group(store: Store, name: str) -> dict[str, Any] | None:
    version = _group_versions(store).get(name)
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, version)} if version else None


def _resource_entries(rtype: ResourceType) -> list[dict[str, Any]]:
    entry: dict[str, Any] = {
        "name": rtype.plural,
        "singularName": rtype.singular,
        "namespaced": rtype.namespaced,
        "kind": rtype.kind,
        "verbs": rtype.verbs,
        "storageVersionHash": hashlib.sha256(f"{rtype.api_version}/{rtype.kind}".encode()).hexdigest()[:12],
    }
    if rtype.short_names:
        entry["shortNames"] = rtype.short_names
    if rtype.categories:
        entry["categories"] = rtype.categories
    entries = [entry]
    if rtype.status_subresource:
        entries.append(
            {
                "name": f"{rtype.plural}/status",
                "singularName": "",
                "namespaced": rtype.namespaced,
                "kind": rtype.kind,
                "verbs": _STATUS_VERBS,
            }
        )
    return entries


def resource_list(store: Store, group_name: str, version: str) -> dict[str, Any] | None:
    resources = [
        e
        for rtype in sorted(store.types.values(), key=lambda t: t.plural)
        if rtype.group == group_name and rtype.version == version
        for e in _resource_entries(rtype)
    ]
    if group_name == "authorization.k8s.io" and version == "v1":
        resources.append(_SSAR)
    if not resources:
        return None
    group_version = f"{group_name}/{version}" if group_name else version
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }
