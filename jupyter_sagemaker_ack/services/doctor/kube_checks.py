"""The Kubernetes half of the checklist: the context, the ACK CRDs, the controller, the access reviews.

Read-only: nothing is created, not even a test resource. Whether a controller watches the namespace is
told by its Deployment, or, when that cannot be read, by the ACK conditions on resources already there.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ...adapters.kube import inspect
from ...adapters.kube.connect import KubeCluster, connect, describe_api_error
from ...adapters.kube.preflight import ALL_VERBS, HELM_INSTALL, RESOURCES
from ...config import Settings
from ...core import ack
from ...core.errors import UserError
from .report import Check, error, ok, warning

CONTROLLER_GRACE_SECONDS = 60.0
SIDEBAR_VERBS = ("list", "watch")
RBAC_FIX = "Apply the Role and RoleBinding of `sagemaker-ack rbac --for ml-engineer` (as a cluster admin)."


def _failure(exc: Exception, action: str, target: str, cluster: KubeCluster | None) -> UserError:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    if isinstance(exc, (ApiException, HTTPError, OSError)):
        return describe_api_error(exc, action, target, cluster)
    raise exc


def context(settings: Settings) -> tuple[KubeCluster | None, list[Check]]:
    try:
        cluster = connect(settings)
    except UserError as exc:
        return None, [error("kube context", exc.problem, exc.fix)]
    try:
        version = inspect.server_version(cluster)
    except Exception as exc:
        failure = _failure(exc, "ask the version of", "the server", cluster)
        cluster.close()
        return None, [error("kube context", failure.problem, failure.fix or "Check `kubectl cluster-info`.")]
    where = f"context {cluster.context}" if cluster.context else "in-cluster config"
    lines = [ok("kube context", f"{cluster.server} answers, Kubernetes {version} ({where})")]
    try:
        exists = inspect.namespace_exists(cluster, cluster.namespace)
    except Exception as exc:
        failure = _failure(exc, "read", f"namespace {cluster.namespace}", cluster)
        lines.append(error("kube namespace", failure.problem, failure.fix))
        return cluster, lines
    if exists is False:
        lines.append(
            error(
                "kube namespace",
                f"The namespace '{cluster.namespace}' does not exist.",
                f"kubectl create namespace {cluster.namespace} (or set SAGEMAKER_ACK_NAMESPACE).",
            )
        )
    else:
        seen = "exists" if exists else "(may not read namespaces; the access reviews below tell what matters)"
        lines.append(ok("kube namespace", f"{cluster.namespace} {seen}"))
    return cluster, lines


def crds(cluster: KubeCluster) -> Check:
    try:
        versions, served = inspect.served_versions(cluster)
    except Exception as exc:
        failure = _failure(exc, "discover", f"API group {ack.GROUP}", cluster)
        return error("ack crds", failure.problem, failure.fix)
    if not versions:
        return error("ack crds", f"The ACK SageMaker CRDs ({ack.GROUP}) are not installed.", HELM_INSTALL)
    if ack.VERSION not in versions:
        return error(
            "ack crds",
            f"{ack.GROUP} is served in {', '.join(versions)}, not {ack.VERSION}.",
            "Upgrade the ACK SageMaker controller to a release serving v1alpha1 (sagemaker-chart 1.9.x).",
        )
    missing = [r for r in RESOURCES if r not in served]
    if missing:
        return error("ack crds", f"{ack.GROUP}/{ack.VERSION} lacks {', '.join(missing)}.", HELM_INSTALL)
    return ok("ack crds", f"{ack.GROUP}/{ack.VERSION}: {', '.join(RESOURCES)}")


def _age(obj: dict[str, Any]) -> float:
    stamp = str((obj.get("metadata") or {}).get("creationTimestamp") or "")
    try:
        created = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return (datetime.now(timezone.utc) - created).total_seconds()


def _has_ack_status(obj: dict[str, Any]) -> bool:
    conditions = (obj.get("status") or {}).get("conditions") or []
    return any(str(c.get("type", "")).startswith("ACK.") for c in conditions if isinstance(c, dict))


def controller(cluster: KubeCluster, grace_seconds: float = CONTROLLER_GRACE_SECONDS) -> Check:
    from kubernetes.client.exceptions import ApiException

    ns = cluster.namespace
    why_not = ""
    try:
        found = inspect.find_controller(cluster)
    except ApiException as exc:
        found, why_not = None, f"its Deployment cannot be read ({exc.status} {exc.reason})"
    except Exception as exc:
        failure = _failure(exc, "look for", "the ACK controller's Deployment", cluster)
        return error("ack controller", failure.problem, failure.fix)
    if found is not None:
        where = f"{found.namespace}/{found.name}"
        if found.ready < 1:
            return error(
                "ack controller",
                f"{where} has {found.ready}/{found.wanted} ready replicas: nothing reconciles Pipelines.",
                f"kubectl -n {found.namespace} describe deployment {found.name}; check its IRSA role and logs.",
            )
        if found.watch_namespaces and ns not in found.watch_namespaces:
            return error(
                "ack controller",
                f"{where} watches only {', '.join(found.watch_namespaces)}, not {ns}.",
                f"helm upgrade the chart with --set watchNamespace={','.join((*found.watch_namespaces, ns))}, "
                "or use one of those namespaces.",
            )
        scope = "all namespaces" if not found.watch_namespaces else ", ".join(found.watch_namespaces)
        return ok(
            "ack controller", f"{where} ready {found.ready}/{found.wanted} ({found.image}), watching {scope}"
        )
    why_not = why_not or "no ACK SageMaker controller Deployment was found"
    try:
        resources = inspect.ack_resources(cluster, ns)
    except Exception as exc:
        failure = _failure(exc, "list", f"ACK resources in {ns}", cluster)
        return warning("ack controller", f"Cannot tell: {why_not}, and {failure.problem}", failure.fix)
    reconciled = [r for r in resources if _has_ack_status(r)]
    if reconciled:
        sample = reconciled[0]
        name = f"{sample.get('kind')}/{(sample.get('metadata') or {}).get('name')}"
        return ok("ack controller", f"a controller reconciles {ns}: {name} has ACK conditions ({why_not})")
    stale = [r for r in resources if _age(r) >= grace_seconds]
    if stale:
        names = ", ".join(f"{r.get('kind')}/{(r.get('metadata') or {}).get('name')}" for r in stale[:3])
        return error(
            "ack controller",
            f"No ACK controller watches {ns}: {names} ha{'s' if len(stale) == 1 else 've'} no ACK status after "
            f"{grace_seconds:.0f}s ({why_not}).",
            HELM_INSTALL + f" Make sure it watches {ns} (watchNamespace unset or including it).",
        )
    return warning(
        "ack controller",
        f"Cannot tell whether a controller watches {ns}: {why_not}, and no resource there has a status yet.",
        "Check `kubectl get deployments -A | grep sagemaker` (doctor never creates a test resource).",
    )


def access(cluster: KubeCluster) -> Check:
    wanted = [(verb, resource) for resource in RESOURCES for verb in ALL_VERBS]
    try:
        answers = inspect.access_reviews(cluster, cluster.namespace, wanted)
    except Exception as exc:
        failure = _failure(exc, "review access to", f"ACK resources in {cluster.namespace}", cluster)
        return error("kube access", failure.problem, failure.fix)
    denied: dict[str, list[str]] = {}
    for verb, resource, allowed in answers:
        if not allowed:
            denied.setdefault(resource, []).append(verb)
    if denied:
        what = "; ".join(f"{', '.join(v)} on {r}" for r, v in denied.items())
        return error(
            "kube access",
            f"You may not {what} in namespace {cluster.namespace} (SelfSubjectAccessReview): submit, status, stop "
            "or the sidebar will be forbidden.",
            RBAC_FIX,
        )
    return ok(
        "kube access",
        f"{len(answers)} access reviews allowed ({', '.join(ALL_VERBS)} on {', '.join(RESOURCES)})",
    )
