"""The controller's reads and writes in the Kubernetes API, with the official client.

Writes are the ones the ACK runtime makes: a JSON merge patch of ``/status`` (keys that disappeared are sent
as null), and merge patches of metadata (finalizers, the adopted annotation) and, on adoption, of spec.
Metadata patches carry the object's resourceVersion so a concurrent edit is not overwritten.
"""

from __future__ import annotations

from typing import Any, cast

from kubernetes.client import ApiClient, CoreV1Api, CustomObjectsApi
from kubernetes.client.exceptions import ApiException

from .resources import GROUP, VERSION, Kind

MERGE_PATCH = "application/merge-patch+json"


def merge_patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The JSON merge patch that turns ``old`` into ``new`` (lists are replaced whole)."""
    patch: dict[str, Any] = {}
    for key in old.keys() - new.keys():
        patch[key] = None
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            nested = merge_patch(before, value)
            if nested:
                patch[key] = nested
        elif value != before or key not in old:
            patch[key] = value
    return patch


class KubeObjects:
    def __init__(self, api_client: ApiClient) -> None:
        self.custom = CustomObjectsApi(api_client)
        self.core = CoreV1Api(api_client)

    def get(self, kind: Kind, namespace: str, name: str) -> dict[str, Any] | None:
        try:
            found = self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, kind.plural, name)
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        return cast(dict[str, Any], found)

    def patch_status(self, kind: Kind, obj: dict[str, Any], status: dict[str, Any]) -> None:
        patch = merge_patch(obj.get("status") or {}, status)
        if not patch:
            return
        meta = obj["metadata"]
        try:
            updated = self.custom.patch_namespaced_custom_object_status(
                GROUP, VERSION, meta["namespace"], kind.plural, meta["name"], {"status": patch},
                _content_type=MERGE_PATCH,
            )  # fmt: skip
        except ApiException as error:
            if error.status != 404:  # deleted meanwhile: nothing left to report on
                raise
            return
        obj["status"] = status
        # Later metadata patches in the same reconcile carry this resourceVersion as their precondition.
        obj["metadata"] = cast(dict[str, Any], updated).get("metadata", meta)

    def patch_object(self, kind: Kind, obj: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any] | None:
        """Merge-patch metadata/spec with a resourceVersion precondition; None when the object is gone."""
        meta = obj["metadata"]
        body = dict(patch)
        body["metadata"] = {**patch.get("metadata", {}), "resourceVersion": meta.get("resourceVersion")}
        try:
            updated = self.custom.patch_namespaced_custom_object(
                GROUP, VERSION, meta["namespace"], kind.plural, meta["name"], body, _content_type=MERGE_PATCH
            )
        except ApiException as error:
            if error.status == 404:
                return None
            raise
        answer = cast(dict[str, Any], updated)
        obj["metadata"] = answer["metadata"]
        obj["spec"] = answer.get("spec", obj.get("spec"))
        return answer

    def namespace_annotations(self, namespace: str) -> dict[str, str]:
        try:
            found = self.core.read_namespace(namespace)
        except ApiException:
            return {}
        return dict(found.metadata.annotations or {}) if found.metadata else {}
