"""What a GitOps tool does to SageMaker when it syncs or prunes a bundle's files.

A prune deletes the CR; with the ``delete`` policy (ACK's default) that deletes the SageMaker pipeline and
its run history, and ``DeletePipeline`` fails while runs are active. Removing a running execution's file
stops the run. Lint knows a file is part of a bundle by a ``kustomization.yaml`` beside it (services.lint)
or because ``bundle`` itself lints what it is about to write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ... import ack
from ..findings import Finding, finding

POLICY_PATH = "metadata.annotations." + ack.ACK_DELETION_POLICY_ANNOTATION


def _annotations(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = doc.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    return annotations if isinstance(annotations, Mapping) else {}


def _name(doc: Mapping[str, Any]) -> str:
    metadata = doc.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return str(name) if name else "(unnamed)"


def check_bundle_documents(documents: Iterable[Mapping[str, Any]], file: str | None = None) -> list[Finding]:
    """The lifecycle warnings for documents that a GitOps tool syncs (and prunes)."""
    out: list[Finding] = []
    for doc in documents:
        kind = doc.get("kind")
        if kind == ack.PIPELINE_KIND:
            policy = _annotations(doc).get(ack.ACK_DELETION_POLICY_ANNOTATION)
            if policy in (None, "delete"):
                shown = "the default policy `delete`" if policy is None else "the `delete` policy"
                out.append(
                    finding(
                        "SMA951",
                        f"Pipeline {_name(doc)} has {shown}: a GitOps prune of this file deletes the SageMaker "
                        "pipeline and its run history (and fails while runs are active).",
                        file=file,
                        path=POLICY_PATH,
                    )
                )
        elif kind == ack.EXECUTION_KIND:
            out.append(
                finding(
                    "SMA952",
                    f"PipelineExecution {_name(doc)} is part of a bundle: removing its file (or a prune) "
                    "deletes the CR, which stops the run if it is still running.",
                    file=file,
                )
            )
    return out


def check_bundle_files(
    documents_by_file: Mapping[str, Sequence[Mapping[str, Any]]], patch_files: Iterable[str] = ()
) -> list[Finding]:
    """Lifecycle warnings for the files of kustomize folders, judging the policy each environment ends with.

    A Pipeline that an overlay patches is judged by the overlay's patch (that is what gets applied there),
    not by the base it patches; any other Pipeline and every PipelineExecution is judged as it is.
    """
    patches = set(patch_files)
    patched = {
        _name(doc)
        for file in patches
        for doc in documents_by_file.get(file, ())
        if doc.get("kind") == ack.PIPELINE_KIND
    }
    out: list[Finding] = []
    for file, documents in documents_by_file.items():
        judged = [
            doc
            for doc in documents
            if file in patches or doc.get("kind") != ack.PIPELINE_KIND or _name(doc) not in patched
        ]
        out.extend(check_bundle_documents(judged, file=file))
    return out
