"""Minimal OpenAPI v3 (and v2) documents built from the served types.

kubectl reads them to decide that the server does field validation (a `fieldValidation` parameter on the
PATCH path of a kind) and to answer `kubectl explain`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from .store import ResourceType, Store

_QUERY = ("fieldValidation", "fieldManager", "dryRun", "force", "pretty")
_OPEN_OBJECT = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def schema_name(rtype: ResourceType) -> str:
    group = ".".join(reversed(rtype.group.split("."))) if rtype.group else "io.k8s.api.core"
    return f"{group}.{rtype.version}.{rtype.kind}"


def _gvk(rtype: ResourceType) -> dict[str, str]:
    return {"group": rtype.group, "version": rtype.version, "kind": rtype.kind}


def _schema(rtype: ResourceType) -> dict[str, Any]:
    schema = copy.deepcopy(rtype.schema) if rtype.schema else dict(_OPEN_OBJECT)
    schema["x-kubernetes-group-version-kind"] = [_gvk(rtype)]
    return schema


def _ref(rtype: ResourceType) -> dict[str, Any]:
    content = {"schema": {"$ref": f"#/components/schemas/{schema_name(rtype)}"}}
    return {"content": {"application/json": content}}


def _operation(rtype: ResourceType, op_id: str, body: bool) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": op_id + rtype.kind,
        "responses": {"200": {"description": "OK", **_ref(rtype)}},
        "x-kubernetes-group-version-kind": _gvk(rtype),
    }
    if body:
        operation["requestBody"] = {"required": True, **_ref(rtype)}
        operation["parameters"] = [{"name": q, "in": "query", "schema": {"type": "string"}} for q in _QUERY]
    return operation


def _parameters(scoped: bool, named: bool) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [{"name": "pretty", "in": "query", "schema": {"type": "string"}}]
    if named:
        params.append({"name": "name", "in": "path", "required": True, "schema": {"type": "string"}})
    if scoped:
        params.append({"name": "namespace", "in": "path", "required": True, "schema": {"type": "string"}})
    return params


def _paths(rtype: ResourceType) -> dict[str, Any]:
    prefix = f"/apis/{rtype.api_version}" if rtype.group else "/api/v1"
    scope = "/namespaces/{namespace}" if rtype.namespaced else ""
    collection = f"{prefix}{scope}/{rtype.plural}"
    item = {
        "get": _operation(rtype, "read", False),
        "put": _operation(rtype, "replace", True),
        "patch": _operation(rtype, "patch", True),
        "delete": _operation(rtype, "delete", False),
        "parameters": _parameters(rtype.namespaced, True),
    }
    paths = {
        collection: {
            "get": _operation(rtype, "list", False),
            "post": _operation(rtype, "create", True),
            "parameters": _parameters(rtype.namespaced, False),
        },
        f"{collection}/{{name}}": item,
    }
    if rtype.status_subresource:
        paths[f"{collection}/{{name}}/status"] = {k: item[k] for k in ("get", "put", "patch", "parameters")}
    return paths


def _key(rtype: ResourceType) -> str:
    return f"apis/{rtype.api_version}" if rtype.group else "api/v1"


def gv_document(store: Store, key: str) -> dict[str, Any] | None:
    types = [t for t in store.types.values() if _key(t) == key]
    if not types:
        return None
    paths: dict[str, Any] = {}
    for rtype in types:
        paths |= _paths(rtype)
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": {schema_name(t): _schema(t) for t in types}},
    }


def root_document(store: Store) -> dict[str, Any]:
    paths = {}
    for key in sorted({_key(t) for t in store.types.values()}):
        digest = (
            hashlib.sha512(json.dumps(gv_document(store, key), sort_keys=True).encode())
            .hexdigest()[:64]
            .upper()
        )
        paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={digest}"}
    return {"paths": paths}


def v2_document(store: Store) -> dict[str, Any]:
    definitions = {schema_name(t): _schema(t) for t in store.types.values()}
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": {},
        "definitions": definitions,
    }
