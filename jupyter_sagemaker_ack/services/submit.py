"""Submit: reviewed ACK YAML into the cluster, the Pipeline first, then a new run.

Order matters with ACK: an execution created before its SageMaker pipeline exists fails with
ResourceNotFound, which is terminal and never retried. So: preflight (nothing written if it fails), then
server-side apply of each Pipeline, then wait until it has its ARN and ``ACK.ResourceSynced=True`` (a
Terminal or a non-transient Recoverable condition stops here with the AWS message), then create each
PipelineExecution (one CR is one run, so never an update of an old one). A dry run sends every write with
``dryRun=All`` so the server validates and defaults without persisting anything.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..adapters.kube import KubeCluster, KubeObjects, connect, preflight, watch_object
from ..adapters.kube.objects import AlreadyExists
from ..adapters.kube.preflight import Preflight
from ..adapters.local_files import read_text
from ..config import Settings
from ..core import ack, manifests
from ..core import status as core
from ..core.errors import UserError

DEFAULT_SYNC_TIMEOUT = 180.0
# After a spec change, how long to wait for the controller's new status before trusting the one in place.
SETTLE_SECONDS = 10.0
_TICK = 0.5
# Recoverable conditions that are worth waiting out (the controller retries them).
TRANSIENT_MARKERS = (
    "Throttl",
    "ServiceUnavailable",
    "InternalFailure",
    "InternalError",
    "RequestLimitExceeded",
)
_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Applied:
    """One object written (or, in a dry run, validated) by submit."""

    kind: str
    name: str
    created: bool
    arn: str | None = None
    obj: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_wire(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "created": self.created, "arn": self.arn}


@dataclass(frozen=True)
class SubmitResult:
    """What submit did: the namespace, the pipelines applied and the runs created."""

    namespace: str
    dry_run: bool
    pipelines: tuple[Applied, ...]
    executions: tuple[Applied, ...]
    preflight: Preflight | None = None

    @property
    def names(self) -> list[str]:
        return [a.name for a in self.pipelines + self.executions]

    @property
    def execution_names(self) -> list[str]:
        return [a.name for a in self.executions]

    def to_wire(self) -> dict[str, Any]:
        """JSON for faces; a dry run includes the objects as the server would store them, for review."""
        wire: dict[str, Any] = {
            "namespace": self.namespace,
            "dryRun": self.dry_run,
            "pipelines": [a.to_wire() for a in self.pipelines],
            "executions": [a.to_wire() for a in self.executions],
        }
        if self.dry_run:
            wire["objects"] = [dict(a.obj) for a in self.pipelines + self.executions]
        return wire


def load_documents(source: Any) -> list[dict[str, Any]]:
    """ACK documents from a ``Rendered``, a list of dicts, YAML text, a .yaml file or a folder of them."""
    docs = getattr(source, "docs", None)
    if docs is not None:
        return [dict(d) for d in docs]
    if isinstance(source, (list, tuple)):
        return [dict(d) for d in source]
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if isinstance(source, str) and "\n" in source:
            return manifests.load_manifests(source)
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.suffix in _YAML_SUFFIXES and p.name != manifests.KUSTOMIZATION
            )
            if not files:
                raise UserError(
                    f"{path} holds no .yaml files.", "Pass the folder `sagemaker-ack render -o` wrote."
                )
            return [doc for p in files for doc in manifests.load_manifests(read_text(p))]
        if path.is_file():
            return manifests.load_manifests(read_text(path))
        raise UserError(f"No such file or folder: {source}.", "Pass the YAML file or folder to apply.")
    raise UserError(f"Cannot submit a {type(source).__name__}.", "Pass manifests, a YAML file or a folder.")


def _check_documents(docs: Sequence[Mapping[str, Any]], namespace: str | None) -> str | None:
    """Only ACK Pipelines and PipelineExecutions, named, all in one namespace; returns that namespace."""
    if not docs:
        raise UserError(
            "There is nothing to submit.", "Pass a file or folder with a Pipeline or PipelineExecution."
        )
    found: set[str] = set()
    for doc in docs:
        kind = doc.get("kind")
        if doc.get("apiVersion") != ack.API_VERSION or kind not in ack.PLURALS:
            version = doc.get("apiVersion") or "no apiVersion"
            raise UserError(
                f"Cannot submit a {kind or 'document without kind'} of {version}.",
                f"Only {ack.API_VERSION} Pipeline and PipelineExecution documents are submitted; "
                "apply anything else with kubectl.",
            )
        meta = doc.get("metadata") or {}
        if not meta.get("name"):
            raise UserError(
                f"A {kind} has no metadata.name.", "Render the manifests with `sagemaker-ack render`."
            )
        if meta.get("namespace"):
            found.add(str(meta["namespace"]))
    if namespace:
        return namespace
    if len(found) > 1:
        raise UserError(
            f"The documents name several namespaces: {', '.join(sorted(found))}.",
            "Submit one namespace at a time, or pass --namespace.",
        )
    return next(iter(found), None)


def _with_adoption(doc: dict[str, Any]) -> dict[str, Any]:
    meta = dict(doc.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    annotations[ack.ACK_ADOPTION_POLICY_ANNOTATION] = "adopt-or-create"
    annotations[ack.ACK_ADOPTION_FIELDS_ANNOTATION] = json.dumps(
        {"pipelineName": doc["spec"]["pipelineName"]}
    )
    meta["annotations"] = annotations
    return {**doc, "metadata": meta}


def submit(
    docs: Any,
    settings: Settings,
    *,
    dry_run: bool = False,
    force: bool = False,
    wait: bool = False,
    adopt: bool = False,
    namespace: str | None = None,
    timeout: float = DEFAULT_SYNC_TIMEOUT,
) -> SubmitResult:
    """Apply the Pipelines, wait until synced, then create the PipelineExecutions.

    ``wait``: also wait until each new execution has started in SageMaker (has its ARN), failing with the
    AWS message when the controller reports it cannot start it. Follow the run with ``watch.watch_run``.
    """
    documents = load_documents(docs)
    ns = _check_documents(documents, namespace)
    pipelines = [d for d in documents if d["kind"] == ack.PIPELINE_KIND]
    executions = [d for d in documents if d["kind"] == ack.EXECUTION_KIND]
    if adopt:
        pipelines = [_with_adoption(d) for d in pipelines]
    cluster = connect(settings, ns)
    try:
        ns = cluster.namespace
        checked = preflight(cluster, ns)
        objects = KubeObjects(cluster)
        applied: list[Applied] = []
        for doc in pipelines:
            before = None if dry_run else objects.get(ack.PIPELINE_KIND, ns, doc["metadata"]["name"])
            if adopt and before is not None and _refused_as_unmanaged(before):
                _recreate_for_adoption(objects, ns, doc, before, timeout)
                before = None
            obj, created = objects.apply(doc, ns, force=force, dry_run=dry_run)
            changed = created or before is None or _generation(before) != _generation(obj)
            applied.append(Applied(ack.PIPELINE_KIND, doc["metadata"]["name"], created, obj=obj))
            if not dry_run:
                try:
                    arn = _wait_pipeline_synced(cluster, ns, doc["metadata"]["name"], obj, changed, timeout)
                except UserError as exc:
                    started = "no PipelineExecution was created" if executions else "nothing else was applied"
                    where = f"The Pipeline CR {applied[-1].name} is applied in namespace {ns}"
                    raise UserError(
                        f"{exc.problem} {where}; {started}.",
                        exc.fix,
                    ) from None
                applied[-1] = Applied(ack.PIPELINE_KIND, applied[-1].name, created, arn, obj)
        runs: list[Applied] = []
        for doc in executions:
            name = doc["metadata"]["name"]
            try:
                obj = objects.create(doc, ns, dry_run=dry_run)
            except UserError as exc:
                raise _partial(exc, applied, runs, name, ns) from None
            runs.append(Applied(ack.EXECUTION_KIND, name, True, obj=obj))
        if wait and not dry_run:
            for index, run in enumerate(runs):
                arn = _wait_execution_started(cluster, ns, run.name, timeout)
                runs[index] = Applied(run.kind, run.name, True, arn, run.obj)
        return SubmitResult(ns, dry_run, tuple(applied), tuple(runs), checked)
    finally:
        cluster.close()


def _refused_as_unmanaged(obj: Mapping[str, Any]) -> bool:
    """The controller refused this Pipeline because the SageMaker pipeline exists outside ACK."""
    status = obj.get("status") or {}
    terminal = core.find_condition(core.parse_conditions(status.get("conditions")), core.TERMINAL)
    detail = f"{terminal.message} {terminal.reason}" if terminal is not None and terminal.is_true else ""
    return "already exists" in detail.lower()


def _recreate_for_adoption(
    objects: KubeObjects, ns: str, doc: Mapping[str, Any], live: Mapping[str, Any], timeout: float
) -> None:
    """Replace a refused Pipeline CR by one that adopts the existing SageMaker pipeline.

    ACK acts on a Terminal CR only when its spec changes, and adoption annotations are not spec; so the
    refused CR is deleted (with ``deletion-policy: retain``, which keeps the SageMaker pipeline) and
    created again with the adoption annotations.
    """
    name = str(doc["metadata"]["name"])
    retain = {
        "apiVersion": ack.API_VERSION,
        "kind": ack.PIPELINE_KIND,
        "metadata": {"name": name, "annotations": {ack.ACK_DELETION_POLICY_ANNOTATION: "retain"}},
    }
    objects.apply(retain, ns, force=True)
    objects.delete(ack.PIPELINE_KIND, ns, name)
    deadline = time.monotonic() + timeout
    while objects.get(ack.PIPELINE_KIND, ns, name) is not None:
        if time.monotonic() > deadline:
            raise UserError(
                f"The refused Pipeline CR {name} in namespace {ns} was not removed within {timeout:.0f} s, "
                "so it cannot be created again to adopt the SageMaker pipeline.",
                "Check that the ACK controller runs (it removes its finalizer); apply again with --adopt.",
            )
        time.sleep(0.2)


def _generation(obj: Mapping[str, Any]) -> Any:
    return (obj.get("metadata") or {}).get("generation")


def _resource_version(obj: Mapping[str, Any] | None) -> int:
    try:
        return int(((obj or {}).get("metadata") or {}).get("resourceVersion") or 0)
    except ValueError:
        return 0


def _partial(
    exc: UserError, applied: Sequence[Applied], runs: Sequence[Applied], name: str, ns: str
) -> UserError:
    """Say exactly what exists when an execution could not be created after something was."""
    done = [f"Pipeline {a.name}" + (f" ({a.arn})" if a.arn else "") for a in applied]
    done += [f"PipelineExecution {r.name}" for r in runs]
    if not done:
        return exc
    if isinstance(exc, AlreadyExists):
        return UserError(
            f"PipelineExecution {name} already exists in namespace {ns}, so no new run was started "
            f"(one CR is one run). Applied and in place: {', '.join(done)}.",
            exc.fix,
        )
    return UserError(
        f"PipelineExecution {name} could not be created: {exc.problem} "
        f"Applied and in place in namespace {ns}: {', '.join(done)}.",
        exc.fix or "Fix the cause and apply again: applying the Pipeline again changes nothing.",
    )


def _events(cluster: KubeCluster, kind: str, ns: str, name: str) -> tuple[queue.Queue[Any], Any]:
    out: queue.Queue[Any] = queue.Queue()
    watcher = watch_object(cluster, kind, ns, name, timeout_seconds=60)

    def run() -> None:
        try:
            for event in watcher.events():
                out.put(event)
        except Exception as exc:
            out.put(exc)

    threading.Thread(target=run, name=f"sagemaker-ack-wait-{name}", daemon=True).start()
    return out, watcher


def _follow(
    cluster: KubeCluster, kind: str, ns: str, name: str, timeout: float
) -> Iterable[dict[str, Any] | None]:
    """The object each time it changes, and ``None`` every half second without news, until ``timeout``."""
    events, watcher = _events(cluster, kind, ns, name)
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = events.get(timeout=min(left, _TICK))
            except queue.Empty:
                yield None
                continue
            if isinstance(item, Exception):
                raise item
            if item.type == "DELETED" or item.obj is None:
                raise UserError(
                    f"{ack.PLURALS[kind]}/{name} in namespace {ns} was deleted while waiting for it.",
                    "Someone else removed it; apply again.",
                )
            yield item.obj
    finally:
        watcher.stop()


def _wait_pipeline_synced(
    cluster: KubeCluster,
    ns: str,
    name: str,
    applied_obj: Mapping[str, Any],
    changed: bool,
    timeout: float,
) -> str:
    """Wait for the Pipeline's ARN and ACK.ResourceSynced=True, reconciled after our apply when it changed."""
    applied_rv = _resource_version(applied_obj)
    last: Mapping[str, Any] = applied_obj
    settle_until = time.monotonic() + SETTLE_SECONDS
    for event in _follow(cluster, ack.PIPELINE_KIND, ns, name, timeout):
        if event is not None:
            last = event
        elif not changed or time.monotonic() < settle_until:
            continue
        obj = last
        if event is not None and changed and _resource_version(obj) <= applied_rv:
            # The status from before our change. A change that alters nothing in SageMaker (tags, say)
            # brings no new status, so after SETTLE_SECONDS the status in place is taken as current.
            continue
        status = obj.get("status") or {}
        conditions = core.parse_conditions(status.get("conditions"))
        _raise_if_fatal(conditions, f"Pipeline {name}", adoption_hint=True)
        arn = (status.get("ackResourceMetadata") or {}).get("arn")
        synced = core.find_condition(conditions, core.SYNCED)
        if arn and synced is not None and synced.is_true:
            return str(arn)
    conditions = core.parse_conditions((last.get("status") or {}).get("conditions"))
    seen = "; ".join(f"{c.type}={c.status}" + (f" ({c.message})" if c.message else "") for c in conditions)
    raise UserError(
        f"Pipeline {name} in namespace {ns} was not synced with SageMaker within {timeout:.0f} s"
        + (f" (conditions: {seen})." if seen else "; it has no status at all."),
        "No status usually means no ACK SageMaker controller watches this namespace: check "
        "`kubectl get pods -n ack-system` and the controller's logs."
        if not seen
        else "Check `kubectl describe pipeline " + name + "` and the controller's logs.",
    )


def _raise_if_fatal(conditions: Sequence[core.Condition], what: str, *, adoption_hint: bool = False) -> None:
    terminal = core.find_condition(conditions, core.TERMINAL)
    recoverable = core.find_condition(conditions, core.RECOVERABLE)
    if terminal is not None and terminal.is_true:
        message = core.clean_ack_message(terminal.message) or "terminal error"
        detail = " ".join(x for x in (message, terminal.reason) if x)
        if adoption_hint and "already exists" in detail.lower():
            raise UserError(
                f"{what}: the SageMaker pipeline already exists but is not managed by ACK ({message}).",
                "Adopt it: apply again with --adopt (or render with --adopt adopt-or-create).",
            )
        raise UserError(
            f"{what} failed in SageMaker (ACK.Terminal): {message}", "Fix the manifest and apply again."
        )
    if recoverable is not None and recoverable.is_true:
        message = core.clean_ack_message(recoverable.message) or "error"
        if any(marker in message for marker in TRANSIENT_MARKERS):
            return  # the controller retries these; keep waiting
        hint = "Grant the controller's IAM role the missing permission (and iam:PassRole on roleARN)."
        if "ValidationException" in message:
            hint = "Fix the manifest and apply again."
        raise UserError(f"{what} cannot be synced with SageMaker (ACK.Recoverable): {message}", hint)


def _wait_execution_started(cluster: KubeCluster, ns: str, name: str, timeout: float) -> str:
    for obj in _follow(cluster, ack.EXECUTION_KIND, ns, name, timeout):
        if obj is None:
            continue
        view = core.parse_execution_cr(obj)
        _raise_if_fatal(view.conditions, f"PipelineExecution {name}")
        if view.execution_arn:
            return view.execution_arn
    raise UserError(
        f"PipelineExecution {name} in namespace {ns} did not start within {timeout:.0f} s.",
        "Check `kubectl describe pipelineexecution " + name + "` and the controller's logs.",
    )
