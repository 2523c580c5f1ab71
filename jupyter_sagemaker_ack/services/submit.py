"""Submit: reviewed ACK YAML into the cluster, the Pipeline first, then a new run.

Order matters with ACK: an execution created before its SageMaker pipeline exists fails with
ResourceNotFound, which is terminal and never retried. So, before the first write: lint's rules on every
document (the gate), preflight, the server's dry run of every write and a check that each execution's
pipeline exists or comes with it (nothing written if any fails). Then server-side apply of each Pipeline,
wait until it has its ARN and ``ACK.ResourceSynced=True`` (a Terminal condition, or a Recoverable one that
never heals by retrying, stops here with the AWS message; one the controller retries is waited out until
the timeout: the core waiter spec decides), then create each PipelineExecution (one CR is one run, so
never an update of an old one). A dry run stops after the checks: the server validated and defaulted
every write without persisting anything.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..adapters.kube import KubeCluster, KubeObjects, connect, preflight
from ..adapters.kube.objects import AlreadyExists
from ..adapters.kube.preflight import Preflight, dry_run_writes
from ..adapters.local_files import read_text
from ..config import Settings
from ..core import ack, manifests
from ..core.errors import UserError
from ..core.lint import Finding, read_documents
from ..core.lint.documents import Document
from ..core.policy import PipelinePolicy
from ..core.status import parse as core_parse
from ..core.status import snapshots as core_snapshots
from ..core.status import waiting as core_waiting
from .gate import check_documents, require_clean, require_readable
from .policy import load_policies
from .waiting import WaitResult, observe_cr, wait_for_object

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
    documents, _ = read_source(source)
    return [dict(_value(d)) for d in documents if isinstance(_value(d), Mapping)]


def read_source(source: Any) -> tuple[list[Mapping[str, Any] | Document], list[Finding]]:
    """The documents of ``source`` (with their place in the file, when read from files), and what reading
    them found: lint's reader, so the gate sees exactly what is applied.

    A file that cannot be read (a syntax error, a reader limit, a duplicate key, NaN) is a bad input, not a
    rule's refusal: it raises a :class:`UserError` naming that problem before any rule runs.
    """
    docs = getattr(source, "docs", None)
    if docs is not None:
        return [dict(d) for d in docs], []
    if isinstance(source, (list, tuple)):
        if not all(isinstance(d, Mapping) for d in source):
            raise UserError(
                "Only mappings (Kubernetes objects) can be submitted from a list.",
                "Pass the documents as dicts, e.g. rendered.docs.",
            )
        return [dict(d) for d in source], []
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if isinstance(source, str) and "\n" in source:
            text_documents, text_findings = read_documents(source)
            require_readable(text_findings)
            return [*text_documents], text_findings
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.suffix in _YAML_SUFFIXES and p.name != manifests.KUSTOMIZATION
            )
            if not files:
                raise UserError(
                    f"{path} holds no .yaml files.", "Pass the folder `sagemaker-ack render -o` wrote."
                )
            documents: list[Mapping[str, Any] | Document] = []
            findings: list[Finding] = []
            for file in files:
                read, found = read_documents(read_text(file), str(file))
                require_readable(found, str(file))
                documents.extend(read)
                findings.extend(found)
            return documents, findings
        if path.is_file():
            file_documents, file_findings = read_documents(read_text(path), str(path))
            require_readable(file_findings, str(path))
            return [*file_documents], file_findings
        raise UserError(f"No such file or folder: {source}.", "Pass the YAML file or folder to apply.")
    raise UserError(f"Cannot submit a {type(source).__name__}.", "Pass manifests, a YAML file or a folder.")


def _value(document: Mapping[str, Any] | Document) -> Any:
    return document if isinstance(document, Mapping) else document.value


def _check_documents(docs: Sequence[Any], namespace: str | None) -> str | None:
    """Only ACK Pipelines and PipelineExecutions, named, all in one namespace; returns that namespace."""
    if not docs:
        raise UserError(
            "There is nothing to submit.", "Pass a file or folder with a Pipeline or PipelineExecution."
        )
    found: set[str] = set()
    seen: set[tuple[Any, Any]] = set()
    for doc in docs:
        if not isinstance(doc, Mapping):
            raise UserError(
                "A document is not a Kubernetes object (a mapping with apiVersion and kind).",
                "Check the file; each document between '---' lines must be one object.",
            )
        kind = doc.get("kind")
        if doc.get("apiVersion") != ack.API_VERSION or kind not in ack.PLURALS:
            version = doc.get("apiVersion") or "no apiVersion"
            raise UserError(
                f"Cannot submit a {kind or 'document without kind'} of {version}.",
                f"Only {ack.API_VERSION} Pipeline and PipelineExecution documents are submitted; "
                "apply anything else with kubectl.",
            )
        meta = doc.get("metadata")
        if not isinstance(meta, Mapping) or not meta.get("name"):
            raise UserError(
                f"A {kind} has no metadata.name.", "Render the manifests with `sagemaker-ack render`."
            )
        if not isinstance(doc.get("spec"), Mapping):
            raise UserError(f"{kind} {meta['name']} has no spec.", "Render it with `sagemaker-ack render`.")
        if (kind, meta["name"]) in seen:  # the second write would fail after the first was made
            raise UserError(
                f"Two documents are the {kind} {meta['name']}.", "Keep one of them and apply again."
            )
        seen.add((kind, meta["name"]))
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
    force_conflicts: bool = False,
    wait: bool = False,
    adopt: bool = False,
    namespace: str | None = None,
    timeout: float | None = None,
    policies: Sequence[PipelinePolicy] | None = None,
) -> SubmitResult:
    """Apply the Pipelines, wait until synced, then create the PipelineExecutions.

    Before the first write, every document passes lint's rules (:mod:`.gate`), the server's dry run of
    each write and the check that each execution's pipeline exists or comes with it; any failure raises
    with nothing written. ``force`` applies despite lint errors and
    lets an execution name a pipeline managed outside ACK; ``force_conflicts`` (and only it) takes over fields
    other field managers own. ``dry_run`` stops after those checks.
    ``wait``: also wait until each new execution has started in SageMaker (has its ARN), failing with the
    AWS message when the controller reports it cannot start it. Follow the run with ``watch.watch_run``.
    ``timeout`` (seconds) overrides the waiter spec's (``pipeline_synced``, ``execution_started``) of the
    settings' polling policy. ``policies`` (default: the files of the ``policy`` setting) gate every
    Pipeline like lint's rules.
    """
    chosen = load_policies(settings.policy_paths) if policies is None else tuple(policies)
    sources, found = read_source(docs)
    findings = [*found, *check_documents(sources, policies=chosen)]
    require_readable(findings)  # a document that is no object: no --force can apply it
    require_clean(findings, force=force, what="apply")
    documents = [_value(d) for d in sources]
    ns = _check_documents(documents, namespace)
    documents = [dict(d) for d in documents]
    pipelines = [d for d in documents if d["kind"] == ack.PIPELINE_KIND]
    executions = [d for d in documents if d["kind"] == ack.EXECUTION_KIND]
    if adopt:
        pipelines = [_with_adoption(d) for d in pipelines]
    waits = _waiters(settings)
    synced_spec = waits.pipeline_synced.with_timeout(timeout)
    started_spec = waits.execution_started.with_timeout(timeout)
    cluster = connect(settings, ns)
    try:
        ns = cluster.namespace
        checked = preflight(cluster, ns)
        objects = KubeObjects(cluster)
        trial = dry_run_writes(
            objects, ns, pipelines, executions, force=force, force_conflicts=force_conflicts
        )
        if dry_run:
            return SubmitResult(
                ns,
                True,
                tuple(
                    Applied(ack.PIPELINE_KIND, d["metadata"]["name"], created, obj=obj)
                    for d, (obj, created) in zip(pipelines, trial.pipelines, strict=True)
                ),
                tuple(
                    Applied(ack.EXECUTION_KIND, d["metadata"]["name"], True, obj=obj)
                    for d, obj in zip(executions, trial.executions, strict=True)
                ),
                checked,
            )
        applied: list[Applied] = []
        for doc in pipelines:
            before = None if dry_run else objects.get(ack.PIPELINE_KIND, ns, doc["metadata"]["name"])
            if adopt and before is not None and _refused_as_unmanaged(before):
                removal = synced_spec.timeout if synced_spec.timeout is not None else float("inf")
                _recreate_for_adoption(objects, ns, doc, before, removal)
                before = None
            obj, created = objects.apply(doc, ns, force=force_conflicts, dry_run=dry_run)
            changed = created or before is None or _generation(before) != _generation(obj)
            applied.append(Applied(ack.PIPELINE_KIND, doc["metadata"]["name"], created, obj=obj))
            if not dry_run:
                try:
                    arn = _wait_pipeline_synced(
                        cluster, ns, doc["metadata"]["name"], obj, changed, synced_spec
                    )
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
                arn = _wait_execution_started(cluster, ns, run.name, started_spec)
                runs[index] = Applied(run.kind, run.name, True, arn, run.obj)
        return SubmitResult(ns, dry_run, tuple(applied), tuple(runs), checked)
    finally:
        cluster.close()


def _refused_as_unmanaged(obj: Mapping[str, Any]) -> bool:
    """The controller refused this Pipeline because the SageMaker pipeline exists outside ACK."""
    status = obj.get("status") or {}
    conditions = core_parse.parse_conditions(status.get("conditions"))
    terminal = core_snapshots.find_condition(conditions, core_snapshots.TERMINAL)
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


def _waiters(settings: Settings) -> core_waiting.Waiters:
    return core_waiting.poll_policy(settings.poll_policy).waiters


def _wait_pipeline_synced(
    cluster: KubeCluster,
    ns: str,
    name: str,
    applied_obj: Mapping[str, Any],
    changed: bool,
    spec: core_waiting.WaiterSpec,
) -> str:
    """Wait for the Pipeline's ARN and ACK.ResourceSynced=True, reconciled after our apply when it changed.

    An event from before our change does not count; a change that alters nothing in SageMaker (tags, say)
    brings no new status, so after the spec's ``settle`` seconds the status in place is taken as current.
    """
    applied_rv = _resource_version(applied_obj)

    def counts(obj: Mapping[str, Any], event: bool, elapsed: float) -> bool:
        if not changed:
            return event
        return (_resource_version(obj) > applied_rv) if event else elapsed >= spec.settle

    result = wait_for_object(
        cluster, ack.PIPELINE_KIND, ns, name, spec, status_field="pipelineStatus", current=applied_obj,
        counts=counts,
    )  # fmt: skip
    what = f"Pipeline {name}"
    if result.decision.state == "success" and result.obj is not None:
        return str(observe_cr(result.obj, "pipelineStatus").arn)
    _raise_for(result, ack.PIPELINE_KIND, name, ns, spec.timeout or 0.0)
    last = result.obj or applied_obj
    conditions = core_parse.parse_conditions((last.get("status") or {}).get("conditions"))
    seen = "; ".join(f"{c.type}={c.status}" + (f" ({c.message})" if c.message else "") for c in conditions)
    raise UserError(
        f"{what} in namespace {ns} was not synced with SageMaker within {spec.timeout or 0:.0f} s"
        + (f" (conditions: {seen})." if seen else "; it has no status at all."),
        "No status usually means no ACK SageMaker controller watches this namespace: check "
        "`kubectl get pods -n ack-system` and the controller's logs."
        if not seen
        else "Check `kubectl describe pipeline " + name + "` and the controller's logs.",
    )


def _raise_for(result: WaitResult, kind: str, name: str, ns: str, timeout: float) -> None:
    """Raise what a failed or timed-out wait means to the user (a success returns)."""
    decision = result.decision
    what = f"{kind} {name}"
    if decision.state == "failure":
        if decision.condition is not None:
            _raise_if_fatal((decision.condition,), what, adoption_hint=kind == ack.PIPELINE_KIND)
        raise UserError(
            f"{ack.PLURALS[kind]}/{name} in namespace {ns} was deleted while waiting for it.",
            "Someone else removed it; apply again.",
        )
    if result.timed_out and result.waiting_reason:
        # The controller kept retrying a Recoverable error for the whole wait: say which, and how to heal it.
        reason = result.waiting_reason
        denied = any(word in reason for word in ("AccessDenied", "not authorized", "UnauthorizedOperation"))
        doing = "be synced with SageMaker" if kind == ack.PIPELINE_KIND else "start in SageMaker"
        raise UserError(
            f"{what} cannot {doing} (ACK.Recoverable): {reason} The controller retried it for {timeout:.0f} s.",
            "Grant the controller's IAM role the missing permission (and iam:PassRole on roleARN); "
            "the controller retries by itself, or apply again."
            if denied
            else "The controller retries this by itself: check its logs, and apply again later.",
        )


def _raise_if_fatal(
    conditions: Sequence[core_snapshots.Condition], what: str, *, adoption_hint: bool = False
) -> None:
    """Raise when the conditions mean the controller will not get further by itself (the core rule);
    a Recoverable error the controller retries returns: keep waiting."""
    seen = core_waiting.Observation(conditions=tuple(conditions))
    decision = core_waiting.decide(core_waiting.CONDITION_FAILURES, seen)
    if decision.state != "failure" or decision.acceptor is None:
        return
    message = decision.message or "error"
    if decision.acceptor.name == "not-managed" and adoption_hint:
        raise UserError(
            f"{what}: the SageMaker pipeline already exists but is not managed by ACK ({message}).",
            "Adopt it: apply again with --adopt (or render with --adopt adopt-or-create).",
        )
    if decision.condition is not None and decision.condition.type == core_snapshots.TERMINAL:
        raise UserError(
            f"{what} failed in SageMaker (ACK.Terminal): {message}", "Fix the manifest and apply again."
        )
    raise UserError(
        f"{what} cannot be synced with SageMaker (ACK.Recoverable): {message}",
        "Fix the manifest and apply again.",
    )


def _wait_execution_started(cluster: KubeCluster, ns: str, name: str, spec: core_waiting.WaiterSpec) -> str:
    result = wait_for_object(
        cluster, ack.EXECUTION_KIND, ns, name, spec, status_field="pipelineExecutionStatus"
    )
    what = f"PipelineExecution {name}"
    arn = observe_cr(result.obj, "pipelineExecutionStatus").arn if result.obj is not None else None
    if result.decision.state == "success" and arn:
        return arn
    _raise_for(result, ack.EXECUTION_KIND, name, ns, spec.timeout or 0.0)
    raise UserError(
        f"{what} in namespace {ns} did not start within {spec.timeout or 0:.0f} s.",
        "Check `kubectl describe pipelineexecution " + name + "` and the controller's logs.",
    )
