"""Preflight: everything a write needs, checked before the first write, each failure one message with the fix.

In order: the API answers; the ACK SageMaker CRDs are served (and in which version); the namespace exists;
and a SelfSubjectAccessReview allows each needed verb on pipelines and pipelineexecutions there. Then
:func:`dry_run_writes` sends every write of the apply with ``dryRun=All`` (the server validates, defaults
and checks conflicts and existing names without persisting anything) and checks that each execution's
pipeline exists or comes with it. A failed check raises before anything is created, so a refused submit
leaves the cluster as it was.

An execution that exists already is refused (one CR is one run). When the apply would change its
``pipelineParameters`` or ``pipelineName``, the refusal says so: ACK v1.9.1 compares those fields but never
reads them back, so such an edit is ignored without a condition or a warning, and the run keeps the values
it started with. Refusing (rather than warning and applying) keeps the CR's spec true to the run it stands for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ...core import ack
from ...core.errors import UserError
from .connect import REQUEST_TIMEOUT, KubeCluster, describe_api_error, request
from .objects import AlreadyExists, ApplyConflict, KubeObjects

ALL_VERBS = ("create", "patch", "get", "list", "watch", "delete")
RESOURCES = (ack.PLURALS[ack.PIPELINE_KIND], ack.PLURALS[ack.EXECUTION_KIND])
HELM_INSTALL = (
    "Install the ACK SageMaker controller (Helm chart sagemaker-chart): "
    "helm install -n ack-system --create-namespace ack-sagemaker-controller "
    "oci://public.ecr.aws/aws-controllers-k8s/sagemaker-chart --version 1.9.1 --set aws.region=<region> "
    "(its CRDs come with it; or `sagemaker-ack sandbox up` for a local stand-in)."
)


@dataclass(frozen=True)
class Preflight:
    """What the checks found."""

    server: str
    server_version: str
    namespace: str
    crd_versions: tuple[str, ...]
    checked: tuple[tuple[str, str], ...]


def preflight(
    cluster: KubeCluster,
    namespace: str | None = None,
    *,
    verbs: Iterable[str] = ALL_VERBS,
    resources: Sequence[str] = RESOURCES,
) -> Preflight:
    """Run every check; raise one :class:`UserError` for the first that fails (all missing verbs at once)."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    ns = namespace or cluster.namespace
    api = cluster.api_client
    try:
        _, version_info = request(cluster, "GET", "/version")
        version = version_info.get("gitVersion") or "unknown"
    except (ApiException, HTTPError, OSError) as exc:
        raise describe_api_error(exc, "ask the version of", "the server", cluster) from None

    crd_versions = _crd_versions(cluster)
    if ack.VERSION not in crd_versions:
        if not crd_versions:
            raise UserError(
                f"The ACK SageMaker CRDs ({ack.GROUP}) are not installed in the cluster at {cluster.server}.",
                HELM_INSTALL,
            )
        raise UserError(
            f"The cluster serves {ack.GROUP} in version(s) {', '.join(crd_versions)}, not {ack.VERSION}.",
            "Upgrade the ACK SageMaker controller to a release serving v1alpha1 (sagemaker-chart 1.9.x).",
        )
    missing_kinds = _missing_resources(cluster, resources)
    if missing_kinds:
        raise UserError(
            f"The cluster's {ack.GROUP}/{ack.VERSION} lacks {', '.join(missing_kinds)}.",
            "Upgrade or reinstall the ACK SageMaker controller's CRDs. " + HELM_INSTALL,
        )

    try:
        client.CoreV1Api(api).read_namespace(ns, _request_timeout=REQUEST_TIMEOUT)
    except ApiException as exc:
        if exc.status == 404:
            raise UserError(
                f"The namespace '{ns}' does not exist in the cluster at {cluster.server}.",
                f"Create it (`kubectl create namespace {ns}`) or choose another with --namespace or "
                "SAGEMAKER_ACK_NAMESPACE.",
            ) from None
        if exc.status != 403:  # may not read namespaces: the access review below tells what matters
            raise describe_api_error(exc, "read", f"namespace {ns}", cluster) from None
    except (HTTPError, OSError) as exc:
        raise describe_api_error(exc, "read", f"namespace {ns}", cluster) from None

    wanted = tuple(verbs)
    denied: list[tuple[str, str]] = []
    checked: list[tuple[str, str]] = []
    authz = client.AuthorizationV1Api(api)
    for resource in resources:
        for verb in wanted:
            review = client.V1SelfSubjectAccessReview(
                spec=client.V1SelfSubjectAccessReviewSpec(
                    resource_attributes=client.V1ResourceAttributes(
                        namespace=ns, verb=verb, group=ack.GROUP, resource=resource
                    )
                )
            )
            try:
                answer = authz.create_self_subject_access_review(review, _request_timeout=REQUEST_TIMEOUT)
            except (ApiException, HTTPError, OSError) as exc:
                raise describe_api_error(exc, "check access to", f"{resource} in {ns}", cluster) from None
            checked.append((verb, resource))
            if not (answer.status and answer.status.allowed):
                denied.append((verb, resource))
    if denied:
        by_resource: dict[str, list[str]] = {}
        for verb, resource in denied:
            by_resource.setdefault(resource, []).append(verb)
        what = "; ".join(f"{', '.join(v)} on {r}.{ack.GROUP}" for r, v in by_resource.items())
        raise UserError(
            f"You may not {what} in namespace '{ns}' (SelfSubjectAccessReview); nothing was written.",
            "Ask a cluster admin for the ack-sagemaker-writer role there, e.g. "
            f"`kubectl create rolebinding sagemaker-ack-writer -n {ns} --clusterrole=ack-sagemaker-writer "
            "--user=<you>`.",
        )
    return Preflight(
        server=cluster.server,
        server_version=str(version),
        namespace=ns,
        crd_versions=tuple(crd_versions),
        checked=tuple(checked),
    )


def _crd_versions(cluster: KubeCluster) -> list[str]:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        _, answer = request(cluster, "GET", f"/apis/{ack.GROUP}")
    except ApiException as exc:
        if exc.status == 404:
            return []
        raise describe_api_error(exc, "discover", f"API group {ack.GROUP}", cluster) from None
    except (HTTPError, OSError) as exc:
        raise describe_api_error(exc, "discover", f"API group {ack.GROUP}", cluster) from None
    return [str(v.get("version")) for v in (answer.get("versions") or []) if isinstance(v, dict)]


def _missing_resources(cluster: KubeCluster, resources: Sequence[str]) -> list[str]:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    try:
        _, answer = request(cluster, "GET", f"/apis/{ack.GROUP}/{ack.VERSION}")
    except (ApiException, HTTPError, OSError) as exc:
        raise describe_api_error(exc, "discover", f"{ack.GROUP}/{ack.VERSION}", cluster) from None
    served = {str(r.get("name")) for r in (answer.get("resources") or []) if isinstance(r, dict)}
    return [r for r in resources if r not in served]


@dataclass(frozen=True)
class DryRun:
    """The objects as the server would store them, each Pipeline with whether the apply would create it."""

    pipelines: tuple[tuple[dict[str, Any], bool], ...]
    executions: tuple[dict[str, Any], ...]


def dry_run_writes(
    objects: KubeObjects,
    namespace: str,
    pipelines: Sequence[dict[str, Any]],
    executions: Sequence[dict[str, Any]],
    *,
    force: bool = False,
    force_conflicts: bool = False,
) -> DryRun:
    """Every write of an apply with ``dryRun=All``, and each execution's pipeline, before the first write.

    ``force_conflicts`` takes over fields other managers own (as the real apply will); ``force`` lets an
    execution name a pipeline that is neither in the apply nor a Pipeline CR in the namespace (one managed
    outside ACK).
    """
    applied = []
    for doc in pipelines:
        try:
            applied.append(objects.apply(doc, namespace, force=force_conflicts, dry_run=True))
        except UserError as exc:
            raise _refused(exc, "nothing was written") from None
    nothing = _nothing_written(pipelines)
    if not force:
        _require_pipelines(objects, namespace, pipelines, executions, nothing)
    created = []
    for doc in executions:
        try:
            created.append(objects.create(doc, namespace, dry_run=True))
        except AlreadyExists:
            name = (doc.get("metadata") or {}).get("name")
            ignored = _ignored_edits(objects.get(ack.EXECUTION_KIND, namespace, str(name)), doc)
            if ignored:
                raise AlreadyExists(
                    f"PipelineExecution {name} already exists in namespace {namespace}, and this apply changes "
                    f"its {'; '.join(ignored)}. ACK ignores such edits of an existing execution (no condition, "
                    "no warning): the run keeps the values it started with, so a new run needs a new "
                    f"PipelineExecution; {nothing}.",
                    _new_run_command(doc),
                ) from None
            raise AlreadyExists(
                f"PipelineExecution {name} already exists in namespace {namespace}, so no new run was "
                f"started (one CR is one run); {nothing}.",
                "Each PipelineExecution is one run: render a new one (sagemaker-ack render --execution).",
            ) from None
        except UserError as exc:
            raise _refused(exc, nothing) from None
    return DryRun(tuple(applied), tuple(created))


def _parameters(spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    items = spec.get("pipelineParameters") or []
    return [
        (str(item.get("name")), "" if item.get("value") is None else str(item.get("value")))
        for item in items
        if isinstance(item, Mapping)
    ]


def _ignored_edits(live: Mapping[str, Any] | None, doc: Mapping[str, Any]) -> list[str]:
    """The changes ``doc`` makes to the live execution that the ACK controller would silently ignore."""
    if live is None:
        return []
    before, after = live.get("spec") or {}, doc.get("spec") or {}
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return []
    changes = []
    if before.get("pipelineName") != after.get("pipelineName"):
        changes.append(f"pipelineName ({before.get('pipelineName')} -> {after.get('pipelineName')})")
    old, new = _parameters(before), _parameters(after)
    if old != new:
        was, now = dict(old), dict(new)
        shown = [
            f"{key} {was.get(key, '(unset)')} -> {now.get(key, '(unset)')}"
            for key in sorted(set(was) | set(now))
            if was.get(key) != now.get(key)
        ]
        changes.append("pipelineParameters (" + (", ".join(shown) or "order") + ")")
    return changes


def _new_run_command(doc: Mapping[str, Any]) -> str:
    spec = doc.get("spec") or {}
    pipeline = _pipeline_name(doc) or "<pipeline>"
    params = (
        " ".join(f"--param {name}={value}" for name, value in _parameters(spec))
        if isinstance(spec, Mapping)
        else ""
    )
    command = f"sagemaker-ack render <definition> --pipeline-name {pipeline} --execution {params}".rstrip()
    return (
        f"Render a new run, which gets a new name: `{command} -o <dir>`, then apply that folder "
        "(or give this PipelineExecution a new metadata.name)."
    )


def _require_pipelines(
    objects: KubeObjects,
    namespace: str,
    pipelines: Sequence[Mapping[str, Any]],
    executions: Sequence[Mapping[str, Any]],
    nothing: str,
) -> None:
    """Each execution's pipeline comes with the apply or is a Pipeline CR in the namespace already.

    Otherwise ACK would create the execution and SageMaker fail it at once (ResourceNotFound, a terminal
    condition the controller never retries).
    """
    coming = {_pipeline_name(doc) for doc in pipelines}
    wanted = {
        str((doc.get("metadata") or {}).get("name")): _pipeline_name(doc)
        for doc in executions
        if _pipeline_name(doc) not in coming
    }
    if not wanted:
        return
    live, _ = objects.list_objects(ack.PIPELINE_KIND, namespace)
    present = {_pipeline_name(obj) for obj in live}
    missing = {run: name for run, name in wanted.items() if name not in present}
    if not missing:
        return
    runs = ", ".join(f"{run} runs pipeline '{name}'" for run, name in sorted(missing.items()))
    raise UserError(
        f"PipelineExecution {runs}, which is neither in this apply nor a Pipeline in namespace "
        f"{namespace}: SageMaker would fail the run at once (ResourceNotFound); {nothing}.",
        "Apply the Pipeline with it (pass the folder `sagemaker-ack render -o` wrote), or pass --force "
        "(force=True) when the pipeline exists in SageMaker outside ACK.",
    )


def _pipeline_name(doc: Mapping[str, Any]) -> str:
    spec = doc.get("spec")
    name = spec.get("pipelineName") if isinstance(spec, Mapping) else None
    return str(name).split("/")[-1] if name else ""


def _nothing_written(pipelines: Sequence[Mapping[str, Any]]) -> str:
    names = [str((doc.get("metadata") or {}).get("name")) for doc in pipelines]
    if not names:
        return "nothing was written"
    return f"nothing was written (Pipeline {', '.join(names)} was not applied either)"


def _refused(exc: UserError, nothing: str) -> UserError:
    """A write the server refused in the dry run: its reason, that nothing was written, and a fix."""
    problem = exc.problem.rstrip(".")
    fix = exc.fix or "Fix the manifest and apply again; `sagemaker-ack lint FILE` checks it offline."
    said = f"{problem} (server dry run); {nothing}."
    if isinstance(exc, ApplyConflict):
        return ApplyConflict(said, fix, exc.conflicts)
    return UserError(said, fix)
