"""Read-only cluster probes for ``doctor``: the controller's Deployment, existing ACK resources, access reviews.

Nothing here writes: an access review is answered and forgotten by the API server, and the controller is
found by its Deployment or, when that cannot be read, by whether resources already carry ACK conditions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...core import ack
from .connect import KubeCluster, request

PROBE_TIMEOUT = (3.0, 5.0)
CONTROLLER_NAMESPACE = "ack-system"
CONTROLLER_NAME = "ack-sagemaker-controller"  # the chart's labels, and its Deployment's name prefix


@dataclass(frozen=True)
class ControllerDeployment:
    namespace: str
    name: str
    ready: int
    wanted: int
    image: str
    watch_namespaces: tuple[str, ...]  # empty: all namespaces


def _watch_namespaces(deployment: dict[str, Any]) -> tuple[str, ...]:
    containers = (((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}).get(
        "containers"
    ) or []
    for container in containers:
        for env in container.get("env") or []:
            if env.get("name") == "ACK_WATCH_NAMESPACE" and env.get("value"):
                return tuple(n.strip() for n in str(env["value"]).split(",") if n.strip())
        args = [str(a) for a in (container.get("args") or [])]
        for i, arg in enumerate(args):
            if arg.startswith("--watch-namespace="):
                value = arg.split("=", 1)[1]
            elif arg == "--watch-namespace" and i + 1 < len(args):
                value = args[i + 1]
            else:
                continue
            if value and not value.startswith("$("):
                return tuple(n.strip() for n in value.split(",") if n.strip())
    return ()


def _is_sagemaker_controller(deployment: dict[str, Any]) -> bool:
    meta = deployment.get("metadata") or {}
    labels = meta.get("labels") or {}
    containers = (((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}).get(
        "containers"
    ) or []
    images = " ".join(str(c.get("image", "")) for c in containers)
    return (
        "sagemaker-controller" in images
        or labels.get("app.kubernetes.io/name") in ("sagemaker-chart", CONTROLLER_NAME)
        or str(meta.get("name", "")).startswith(CONTROLLER_NAME)
    )


def _deployment(obj: dict[str, Any]) -> ControllerDeployment:
    meta, status = obj.get("metadata") or {}, obj.get("status") or {}
    containers = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    return ControllerDeployment(
        namespace=str(meta.get("namespace", "")),
        name=str(meta.get("name", "")),
        ready=int(status.get("readyReplicas") or 0),
        wanted=int((obj.get("spec") or {}).get("replicas", 1) or 0),
        image=str(containers[0].get("image", "")) if containers else "",
        watch_namespaces=_watch_namespaces(obj),
    )


def find_controller(cluster: KubeCluster) -> ControllerDeployment | None:
    """The ACK SageMaker controller's Deployment: in ack-system (the chart names it RELEASE-sagemaker-chart),
    else in any namespace; None if there is none.

    ApiExceptions (403, 404 when the cluster serves no apps/v1) propagate: the caller falls back.
    """
    from kubernetes.client.exceptions import ApiException

    paths = (f"/apis/apps/v1/namespaces/{CONTROLLER_NAMESPACE}/deployments", "/apis/apps/v1/deployments")
    refused: ApiException | None = None
    for path in paths:
        try:
            _, answer = request(cluster, "GET", path, timeout=PROBE_TIMEOUT)
        except ApiException as exc:
            if exc.status not in (403, 404):
                raise
            refused = exc
            continue
        found = [d for d in answer.get("items") or [] if isinstance(d, dict) and _is_sagemaker_controller(d)]
        if found:
            ready = sorted(found, key=lambda d: -int((d.get("status") or {}).get("readyReplicas") or 0))
            return _deployment(ready[0])
        refused = None
    if refused is not None:
        raise refused
    return None


def ack_resources(cluster: KubeCluster, namespace: str) -> list[dict[str, Any]]:
    """Every Pipeline and PipelineExecution in the namespace (read, never created)."""
    found: list[dict[str, Any]] = []
    for kind in (ack.PIPELINE_KIND, ack.EXECUTION_KIND):
        path = f"/apis/{ack.GROUP}/{ack.VERSION}/namespaces/{namespace}/{ack.PLURALS[kind]}"
        _, answer = request(cluster, "GET", path, timeout=PROBE_TIMEOUT)
        found.extend(i for i in answer.get("items") or [] if isinstance(i, dict))
    return found


def served_versions(cluster: KubeCluster) -> tuple[list[str], list[str]]:
    """The ACK SageMaker group's served versions and the resources of ``ack.VERSION`` (empty: not served)."""
    from kubernetes.client.exceptions import ApiException

    try:
        _, group = request(cluster, "GET", f"/apis/{ack.GROUP}", timeout=PROBE_TIMEOUT)
    except ApiException as exc:
        if exc.status == 404:
            return [], []
        raise
    versions = [str(v.get("version")) for v in group.get("versions") or [] if isinstance(v, dict)]
    if ack.VERSION not in versions:
        return versions, []
    _, listing = request(cluster, "GET", f"/apis/{ack.GROUP}/{ack.VERSION}", timeout=PROBE_TIMEOUT)
    names = [str(r.get("name")) for r in listing.get("resources") or [] if isinstance(r, dict)]
    return versions, [n for n in names if "/" not in n]


def server_version(cluster: KubeCluster) -> str:
    _, info = request(cluster, "GET", "/version", timeout=PROBE_TIMEOUT)
    return str(info.get("gitVersion") or "unknown")


def namespace_exists(cluster: KubeCluster, namespace: str) -> bool | None:
    """True/False, or None when we may not read namespaces."""
    from kubernetes.client.exceptions import ApiException

    try:
        request(cluster, "GET", f"/api/v1/namespaces/{namespace}", timeout=PROBE_TIMEOUT)
    except ApiException as exc:
        if exc.status == 404:
            return False
        if exc.status == 403:
            return None
        raise
    return True


def access_reviews(
    cluster: KubeCluster, namespace: str, wanted: Sequence[tuple[str, str]]
) -> list[tuple[str, str, bool]]:
    """(verb, resource, allowed) for each wanted (verb, resource) on the ACK group in ``namespace``."""
    answers = []
    for verb, resource in wanted:
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {
                "resourceAttributes": {
                    "namespace": namespace,
                    "verb": verb,
                    "group": ack.GROUP,
                    "resource": resource,
                }
            },
        }
        _, review = request(
            cluster,
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            body=body,
            timeout=PROBE_TIMEOUT,
        )
        answers.append((verb, resource, bool((review.get("status") or {}).get("allowed"))))
    return answers
