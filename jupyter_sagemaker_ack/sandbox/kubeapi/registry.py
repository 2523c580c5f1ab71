"""Write semantics of the API: create, update, patch, server-side apply and delete.

One commit path gives every write the same metadata rules (uid, one resourceVersion counter, generation
on spec changes only, managedFields), status isolation, schema admission and finalizer handling.
"""

from __future__ import annotations

import copy
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import yaml

from .apply import record_update, server_side_apply
from .crds import crd_type, established_status
from .patch import json_patch, merge_patch
from .schema import admit
from .status import ApiError, already_exists, bad_request, conflict, invalid, not_found
from .store import ResourceType, Store, now_iso

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_USER_META = ("name", "generateName", "namespace", "labels", "annotations", "finalizers", "ownerReferences")
_SYSTEM_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")
_CRD_KEY = ("apiextensions.k8s.io", "customresourcedefinitions")
_NAMESPACES = ("", "namespaces")
_PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml")


@dataclass
class WriteOptions:
    """Per-request knobs: who writes (fieldManager), field validation mode, dry run, apply force."""

    manager: str = "unknown"
    validation: str = "Warn"
    dry_run: bool = False
    force: bool = False
    warnings: list[str] = field(default_factory=list)


def _spec_part(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _without_times(obj: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in obj["metadata"].items() if k != "resourceVersion"}
    meta["managedFields"] = [
        {k: v for k, v in e.items() if k != "time"} for e in meta.get("managedFields") or []
    ]
    return {**obj, "metadata": meta}


class Registry:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(self, rtype: ResourceType, namespace: str, body: Any, opts: WriteOptions) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON object")
        meta = body.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + secrets.token_hex(3)[:5]
        return self._commit(rtype, namespace, None, body, "", opts)

    def update(
        self, rtype: ResourceType, namespace: str, name: str, body: Any, sub: str, opts: WriteOptions
    ) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON object")
        old = self.store.get(rtype, namespace, name)
        given = (body.get("metadata") or {}).get("resourceVersion")
        if not given:
            cause = {"reason": "FieldValueInvalid", "field": "metadata.resourceVersion"}
            cause["message"] = "Invalid value: 0x0: must be specified for an update"
            raise invalid(rtype.kind, rtype.group, name, [cause])
        if given != old["metadata"]["resourceVersion"]:
            raise conflict(rtype.plural, rtype.group, name)
        return self._commit(rtype, namespace, old, body, sub, opts)

    def patch(
        self,
        rtype: ResourceType,
        namespace: str,
        name: str,
        content_type: str,
        raw: bytes,
        sub: str,
        opts: WriteOptions,
    ) -> tuple[dict[str, Any], bool]:
        """Apply a patch; returns the object and whether it was created (server-side apply only)."""
        if content_type == "application/strategic-merge-patch+json" and not rtype.custom:
            content_type = "application/merge-patch+json"
        if content_type not in _PATCH_TYPES:
            accepted = ", ".join(_PATCH_TYPES)
            message = (
                f"the body of the request was in an unknown format - accepted media types include: {accepted}"
            )
            raise ApiError(415, "UnsupportedMediaType", message)
        try:
            body = yaml.safe_load(raw.decode("utf-8")) if raw else None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise bad_request(f"error decoding patch: {exc}") from exc
        old = self.store.find(rtype, namespace, name)
        if content_type == "application/apply-patch+yaml":
            return self._apply(rtype, namespace, name, old, body, sub, opts)
        if old is None:
            raise not_found(rtype.plural, rtype.group, name)
        if content_type == "application/json-patch+json":
            patched = json_patch(old, body)
        else:
            if not isinstance(body, dict):
                raise bad_request("a merge patch must be a JSON object")
            patched = merge_patch(old, body)
        wanted = (patched.get("metadata") or {}).get("resourceVersion")
        if wanted and wanted != old["metadata"]["resourceVersion"]:
            raise conflict(rtype.plural, rtype.group, name)
        return self._commit(rtype, namespace, old, patched, sub, opts), False

    def _apply(
        self,
        rtype: ResourceType,
        namespace: str,
        name: str,
        old: dict[str, Any] | None,
        body: Any,
        sub: str,
        opts: WriteOptions,
    ) -> tuple[dict[str, Any], bool]:
        if not isinstance(body, dict):
            raise bad_request("an apply patch must be an object")
        given = (body.get("metadata") or {}).get("name")
        if given != name:
            raise bad_request(f"the name of the object ({given}) does not match the name on the URL ({name})")
        if body.get("apiVersion") != rtype.api_version or body.get("kind") != rtype.kind:
            raise bad_request(
                f"the apply patch must have apiVersion {rtype.api_version} and kind {rtype.kind}"
            )
        if opts.manager == "unknown":
            raise bad_request("PATCH requests of type apply must have a fieldManager query parameter")
        if old is None and sub:
            raise not_found(rtype.plural, rtype.group, name)
        config, _ = self._admit(rtype, name, body, opts, check=False)
        live = (
            copy.deepcopy(old)
            if old
            else {"apiVersion": rtype.api_version, "kind": rtype.kind, "metadata": {"name": name}}
        )
        merged = server_side_apply(
            live, config, opts.manager, opts.force, sub, rtype.status_subresource, now_iso()
        )
        return self._commit(rtype, namespace, old, merged, sub, opts, applied=True), old is None

    def delete(self, rtype: ResourceType, namespace: str, name: str, opts: WriteOptions) -> dict[str, Any]:
        """Delete now, or (with finalizers) only set deletionTimestamp; 200 either way, as the real server."""
        old = self.store.get(rtype, namespace, name)
        if old["metadata"].get("finalizers"):
            if old["metadata"].get("deletionTimestamp"):
                return old
            marked = copy.deepcopy(old)
            marked["metadata"] |= {"deletionTimestamp": now_iso(), "deletionGracePeriodSeconds": 0}
            marked["metadata"]["generation"] = marked["metadata"].get("generation", 0) + 1
            if not opts.dry_run:
                marked["metadata"]["resourceVersion"] = self.store.next_rv()
                self.store.put(rtype, marked, "MODIFIED")
            return marked
        if opts.dry_run:
            return old
        return self._remove(rtype, old)

    def _remove(self, rtype: ResourceType, old: dict[str, Any]) -> dict[str, Any]:
        if rtype.key == _NAMESPACES:
            for other in list(self.store.types.values()):
                if other.namespaced:
                    for obj in self.store.select(
                        other, old["metadata"]["name"], lambda o: True, lambda o: True
                    ):
                        self._remove(other, obj)
        if rtype.key == _CRD_KEY:
            gone = crd_type(old)
            if gone.key in self.store.types:
                for obj in self.store.select(
                    self.store.types[gone.key], None, lambda o: True, lambda o: True
                ):
                    self._remove(self.store.types[gone.key], obj)
                self.store.unregister(gone.key)
        final = copy.deepcopy(old)
        final["metadata"]["resourceVersion"] = self.store.next_rv()
        self.store.put(rtype, final, "DELETED")
        return final

    def _admit(
        self, rtype: ResourceType, name: str, obj: dict[str, Any], opts: WriteOptions, check: bool
    ) -> tuple[dict[str, Any], list[dict[str, str]]]:
        meta = obj.get("metadata") or {}
        unknown_meta = [
            f"metadata.{k}"
            for k in meta
            if k not in _USER_META + _SYSTEM_META + ("resourceVersion", "generation", "managedFields")
        ]
        pruned, result = admit(obj, rtype.schema if rtype.custom else None)
        pruned["metadata"] = {k: v for k, v in meta.items() if f"metadata.{k}" not in unknown_meta}
        unknown = unknown_meta + result.unknown
        if unknown and opts.validation == "Strict":
            fields = ", ".join(f'unknown field "{path}"' for path in unknown)
            prefix = f'{rtype.kind} in version "{rtype.version}" cannot be handled as a {rtype.kind}'
            raise bad_request(f"{prefix}: strict decoding error: {fields}")
        if opts.validation == "Warn":
            opts.warnings += [f'unknown field "{path}"' for path in unknown]
        if check and result.causes:
            raise invalid(rtype.kind, rtype.group, name, result.causes)
        return pruned, result.causes

    def _commit(
        self,
        rtype: ResourceType,
        namespace: str,
        old: dict[str, Any] | None,
        new: dict[str, Any],
        sub: str,
        opts: WriteOptions,
        applied: bool = False,
    ) -> dict[str, Any]:
        new = copy.deepcopy(new)
        kind = new.get("kind")
        if kind and kind != rtype.kind:
            raise bad_request(
                f"the kind {kind!r} does not match the resource {rtype.plural!r} ({rtype.kind})"
            )
        new["apiVersion"], new["kind"] = rtype.api_version, rtype.kind
        meta = new.setdefault("metadata", {})
        name = meta.get("name") or ""
        if old is not None and name != old["metadata"]["name"]:
            raise bad_request(f"the name of the object ({name}) does not match the name on the URL")
        if rtype.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            if old is None and self.store.find(self.store.types[_NAMESPACES], "", namespace) is None:
                raise not_found("namespaces", "", namespace)
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        self._check_name(rtype, name)
        if rtype.status_subresource or rtype.key == _NAMESPACES:
            new = self._isolate_status(old, new, sub)
            meta = new["metadata"]
        new, _ = self._admit(rtype, name, new, opts, check=True)
        meta = new["metadata"]
        if old is None and self.store.find(rtype, namespace if rtype.namespaced else "", name):
            raise already_exists(rtype.plural, rtype.group, name)
        now = now_iso()
        base = old["metadata"] if old else {"uid": str(uuid.uuid4()), "creationTimestamp": now}
        for key in _SYSTEM_META:
            meta.pop(key, None)
            if key in base:
                meta[key] = base[key]
        generation = (old or {}).get("metadata", {}).get("generation", 0)
        meta["generation"] = (
            generation + 1 if old is None or _spec_part(old) != _spec_part(new) else generation
        )
        if not applied:
            meta["managedFields"] = record_update(old, new, opts.manager, sub, rtype.status_subresource, now)
        if not meta["managedFields"]:
            del meta["managedFields"]
        self._hooks(rtype, old, new)
        if old is not None and _without_times(old) == _without_times(new):
            return old
        if opts.dry_run:
            return new
        meta["resourceVersion"] = self.store.next_rv()
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self.store.put(rtype, new, "DELETED")
        else:
            self.store.put(rtype, new, "ADDED" if old is None else "MODIFIED")
        return new

    def _isolate_status(self, old: dict[str, Any] | None, new: dict[str, Any], sub: str) -> dict[str, Any]:
        if sub == "status":
            assert old is not None
            result = copy.deepcopy(old)
            result.pop("status", None)
            if "status" in new:
                result["status"] = new["status"]
            result["metadata"]["managedFields"] = new["metadata"].get(
                "managedFields", old["metadata"].get("managedFields")
            )
            return result
        new.pop("status", None)
        if old is not None and "status" in old:
            new["status"] = copy.deepcopy(old["status"])
        return new

    def _check_name(self, rtype: ResourceType, name: str) -> None:
        if not name:
            cause = {
                "reason": "FieldValueRequired",
                "message": "Required value: name or generateName is required",
                "field": "metadata.name",
            }
            raise invalid(rtype.kind, rtype.group, name, [cause])
        if len(name) > 253 or not _NAME.match(name):
            message = (
                f'Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower case '
                "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            )
            raise invalid(
                rtype.kind,
                rtype.group,
                name,
                [{"reason": "FieldValueInvalid", "message": message, "field": "metadata.name"}],
            )

    def _hooks(self, rtype: ResourceType, old: dict[str, Any] | None, new: dict[str, Any]) -> None:
        if rtype.key == _NAMESPACES:
            new["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = new["metadata"]["name"]
            if old is None:
                new["spec"] = {"finalizers": ["kubernetes"]}
                new["status"] = {"phase": "Active"}
        if rtype.key == _CRD_KEY:
            try:
                served = crd_type(new)
            except ValueError as exc:
                cause = {"reason": "FieldValueRequired", "message": str(exc), "field": "spec"}
                raise invalid(rtype.kind, rtype.group, new["metadata"]["name"], [cause]) from exc
            new["status"] = established_status(new)
            self.store.register(served)
