"""Reads and writes of the two ACK kinds: server-side apply, create, get, list and delete.

Server-side apply with the project's field manager keeps large definitions out of the 262,144-byte
last-applied annotation that client-side ``kubectl apply`` writes, and makes conflicts explicit: a field
another manager owns is reported as who owns which field, and ``force`` takes it over (the faces call
it ``--force-conflicts``, as kubectl does).

Every namespace and name is checked against Kubernetes' naming rules and quoted as one path segment
before it becomes part of a URL, so no value (``../pipelines/x``, ``a/b``, ``%2F``) can reach another
object than the one it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ...core import ack, names
from ...core.errors import UserError
from .connect import REQUEST_TIMEOUT, KubeCluster, api_status, describe_api_error, request

FIELD_MANAGER = "sagemaker-ack"
APPLY_PATCH = "application/apply-patch+yaml"
_CONFLICT = re.compile(r'conflict with "(?P<manager>[^"]+)"')


class ApplyConflict(UserError):
    """Server-side apply found fields owned by another field manager."""

    def __init__(self, problem: str, fix: str, conflicts: list[tuple[str, str]]) -> None:
        super().__init__(problem, fix)
        self.conflicts = conflicts


class AlreadyExists(UserError):
    """An object of that name exists already."""


def plural(kind: str) -> str:
    try:
        return ack.PLURALS[kind]
    except KeyError:
        raise UserError(
            f"'{kind}' is not an ACK SageMaker kind this tool submits.",
            f"Use {ack.PIPELINE_KIND} or {ack.EXECUTION_KIND} documents.",
        ) from None


def _segment(value: str) -> str:
    return quote(value, safe="")


def collection_path(kind: str, namespace: str) -> str:
    names.check_namespace(namespace)
    return f"/apis/{ack.GROUP}/{ack.VERSION}/namespaces/{_segment(namespace)}/{_segment(plural(kind))}"


def object_path(kind: str, namespace: str, name: str) -> str:
    """The URL path of one object; the name must be a Kubernetes object name (:class:`UserError` if not)."""
    names.check_k8s_name(name, f"{kind} name")
    return f"{collection_path(kind, namespace)}/{_segment(name)}"


@dataclass
class KubeObjects:
    """The ACK objects of one cluster."""

    cluster: KubeCluster

    def label(self, kind: str, namespace: str, name: str | None = None) -> str:
        return f"{plural(kind)}/{name} in namespace {namespace}" if name else f"{plural(kind)} in {namespace}"

    def apply(
        self, doc: dict[str, Any], namespace: str, *, force: bool = False, dry_run: bool = False
    ) -> tuple[dict[str, Any], bool]:
        """Server-side apply ``doc``; returns the object the server answered and whether it was created."""
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        kind, name = str(doc.get("kind")), str((doc.get("metadata") or {}).get("name"))
        body = {**doc, "metadata": {**(doc.get("metadata") or {}), "namespace": namespace}}
        query = {"fieldManager": FIELD_MANAGER}
        if force:
            query["force"] = "true"
        if dry_run:
            query["dryRun"] = "All"
        target = self.label(kind, namespace, name)
        try:
            status, obj = request(
                self.cluster,
                "PATCH",
                object_path(kind, namespace, name),
                query=query,
                body=body,
                content_type=APPLY_PATCH,
            )
        except ApiException as exc:
            if exc.status == 409:
                raise _conflict_error(exc, target) from None
            raise describe_api_error(exc, "apply", target, self.cluster) from None
        except (HTTPError, OSError) as exc:
            raise describe_api_error(exc, "apply", target, self.cluster) from None
        return obj, status == 201

    def create(self, doc: dict[str, Any], namespace: str, *, dry_run: bool = False) -> dict[str, Any]:
        """Create ``doc`` (never updates an existing object: :class:`AlreadyExists` then)."""
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        kind, name = str(doc.get("kind")), str((doc.get("metadata") or {}).get("name"))
        body = {**doc, "metadata": {**(doc.get("metadata") or {}), "namespace": namespace}}
        query = {"fieldManager": FIELD_MANAGER}
        if dry_run:
            query["dryRun"] = "All"
        target = self.label(kind, namespace, name)
        try:
            _, obj = request(self.cluster, "POST", collection_path(kind, namespace), query=query, body=body)
        except ApiException as exc:
            if exc.status == 409:
                raise AlreadyExists(
                    f"{target} already exists.",
                    "Each PipelineExecution is one run: render a new one (sagemaker-ack render --execution).",
                ) from None
            raise describe_api_error(exc, "create", target, self.cluster) from None
        except (HTTPError, OSError) as exc:
            raise describe_api_error(exc, "create", target, self.cluster) from None
        return obj

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        try:
            _, obj = request(self.cluster, "GET", object_path(kind, namespace, name))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise describe_api_error(exc, "read", self.label(kind, namespace, name), self.cluster) from None
        except (HTTPError, OSError) as exc:
            raise describe_api_error(exc, "read", self.label(kind, namespace, name), self.cluster) from None
        return obj

    def list_objects(
        self,
        kind: str,
        namespace: str,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> tuple[list[dict[str, Any]], str]:
        """The objects and the list's resourceVersion (to watch from)."""
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        query: dict[str, str] = {}
        if label_selector:
            query["labelSelector"] = label_selector
        if field_selector:
            query["fieldSelector"] = field_selector
        try:
            _, answer = request(self.cluster, "GET", collection_path(kind, namespace), query=query)
        except (ApiException, HTTPError, OSError) as exc:
            raise describe_api_error(exc, "list", self.label(kind, namespace), self.cluster) from None
        items = [i for i in answer.get("items") or [] if isinstance(i, dict)]
        return items, str((answer.get("metadata") or {}).get("resourceVersion") or "")

    def delete(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """Delete (the controller's finalizer may keep it a while); None when it did not exist."""
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        try:
            _, obj = request(
                self.cluster,
                "DELETE",
                object_path(kind, namespace, name),
                timeout=REQUEST_TIMEOUT,
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise describe_api_error(exc, "delete", self.label(kind, namespace, name), self.cluster) from None
        except (HTTPError, OSError) as exc:
            raise describe_api_error(exc, "delete", self.label(kind, namespace, name), self.cluster) from None
        return obj


def _conflict_error(exc: Any, target: str) -> UserError:
    status = api_status(exc)
    causes = (status.get("details") or {}).get("causes") or []
    conflicts: list[tuple[str, str]] = []
    for cause in causes:
        if not isinstance(cause, dict):
            continue
        match = _CONFLICT.search(str(cause.get("message") or ""))
        manager = match.group("manager") if match else "another field manager"
        conflicts.append((manager, str(cause.get("field") or "?")))
    if not conflicts:
        return UserError(
            f"Could not apply {target}: {status.get('message') or exc}",
            "Someone changed it meanwhile; try again.",
        )
    owned = "; ".join(f"{field} is owned by {manager!r}" for manager, field in conflicts)
    return ApplyConflict(
        f"Applying {target} conflicts with other field managers: {owned}.",
        "Re-run with --force-conflicts to take these fields over (server-side apply force), "
        "or change them through their owner.",
        conflicts,
    )
