"""Rules for provenance: the inline definition is the one its annotations name, and what checking it
against the published S3 version found.

The digest rule needs no network: ``render`` writes the digest of the definition it puts inline, so an
inline definition whose digest differs was edited afterwards, and a CI job without AWS access still
catches it. Verification against S3 is I/O (``services.verify``); this module only turns its outcome into
findings, so every face words them the same way. ``require_verified`` makes "could not verify" an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ... import ack
from ...definition import Definition
from ..findings import Severity
from ..positions import JsonPath
from ..sink import Sink

DIGEST_ANNOTATION = ack.ANNOTATION_PREFIX + "definition-digest"
URI_ANNOTATION = ack.ANNOTATION_PREFIX + "definition-uri"
VERSION_ANNOTATION = ack.ANNOTATION_PREFIX + "definition-version-id"
_ANNOTATIONS: JsonPath = ("metadata", "annotations")

Outcome = Literal["verified", "mismatch", "offline", "unverified", "untrusted", "unpinned"]


def annotations_of(doc: Any) -> Mapping[str, Any]:
    metadata = doc.get("metadata") if isinstance(doc, Mapping) else None
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    return annotations if isinstance(annotations, Mapping) else {}


def pinned_version(doc: Any) -> str | None:
    """The S3 VersionId a Pipeline document pins, if any."""
    version = annotations_of(doc).get(VERSION_ANNOTATION)
    return str(version) if version else None


def check_digest(sink: Sink, doc: Any, definition: Definition) -> None:
    """SMA803: the inline definition's digest differs from the ``definition-digest`` annotation."""
    annotations = annotations_of(doc)
    recorded = annotations.get(DIGEST_ANNOTATION)
    if recorded is None:
        return
    actual = definition.digest
    if str(recorded) == actual:
        return
    uri, version = annotations.get(URI_ANNOTATION), annotations.get(VERSION_ANNOTATION)
    if uri and version:
        again = f"`sagemaker-ack render --from '{uri}?versionId={version}'`"
        hint = f"Render the YAML again from the published version ({again}), or publish this definition."
    else:
        hint = "Render the YAML again from the definition (`sagemaker-ack render`), or publish this one."
    sink.add(
        "SMA803",
        f"spec.pipelineDefinition has digest {actual}, but annotation {DIGEST_ANNOTATION} records "
        f"{recorded}: the definition was changed after it was rendered.",
        path=(*_ANNOTATIONS, DIGEST_ANNOTATION),
        hint=hint + " Do not edit the definition inside the YAML.",
    )


@dataclass(frozen=True)
class Verification:
    """What checking one Pipeline document against its published S3 version found.

    ``failures`` are the failed checks of a ``mismatch``; ``reason`` and ``fix`` say why a version could
    not be verified; ``bucket`` is the untrusted bucket of an ``untrusted`` outcome.
    """

    outcome: Outcome
    version: str | None = None
    failures: tuple[str, ...] = field(default_factory=tuple)
    reason: str = ""
    fix: str | None = None
    bucket: str | None = None


def add_verification(sink: Sink, verification: Verification, *, require_verified: bool = False) -> None:
    """The findings of one verification; with ``require_verified`` an unverified version is an error."""
    unchecked: Severity = "error" if require_verified else "warning"
    at: JsonPath = (*_ANNOTATIONS, VERSION_ANNOTATION)
    version = verification.version
    strict = " (--require-verified)" if require_verified else ""
    if verification.outcome == "mismatch":
        for failure in verification.failures:
            sink.add("SMA801", f"S3 verification failed: {failure}", path=at)
    elif verification.outcome == "offline":
        sink.add(
            "SMA802",
            f"The pinned S3 version {version} was not verified (--offline).",
            path=at,
            severity=unchecked,
        )
    elif verification.outcome == "unverified":
        sink.add(
            "SMA802",
            f"The pinned S3 version {version} could not be verified{strict}: {verification.reason}",
            path=at,
            severity=unchecked,
            hint=verification.fix,
        )
    elif verification.outcome == "untrusted":
        bucket = verification.bucket
        sink.add(
            "SMA804",
            f"The pinned S3 version {version} is in bucket '{bucket}', which is not trusted: it was not "
            f"verified and no request was sent to that bucket{strict}.",
            path=(*_ANNOTATIONS, URI_ANNOTATION),
            severity=unchecked,
            hint=f"If '{bucket}' is your hand-off bucket, pass --trust-bucket {bucket} (or configure it: "
            "SAGEMAKER_ACK_BUCKET); otherwise render the YAML again from a publish to your own bucket.",
        )
    elif verification.outcome == "unpinned" and require_verified:
        sink.add(
            "SMA802",
            f"The Pipeline pins no published S3 version (no {VERSION_ANNOTATION} annotation), so it "
            "cannot be verified (--require-verified).",
            path=("kind",),
            severity="error",
            hint="Publish the definition (`sagemaker-ack publish`) and render the YAML from that "
            "publication, or lint without --require-verified.",
        )
