"""Lint and verify: the one operation behind ``sagemaker-ack lint``, the magics' lint and the review view.

The rules are pure and live in ``core.lint``; this module reads the files, lints the documents of all
files as one set (so an execution is checked against the pipeline in the file beside it) and, for a
Pipeline that pins a published S3 version, asks ``services.verify`` whether the YAML is that version.
Verification talks only to trusted buckets (the configured one and ``trust_buckets``); what it found
becomes findings through ``core.lint.rules.provenance``, where ``require_verified`` turns "could not
verify" into an error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..adapters.local_files import missing
from ..config import Settings, resolve_settings
from ..core import ack, bounded, policy
from ..core.definition import Definition
from ..core.errors import UserError
from ..core.lint import (
    Finding,
    finding,
    has_errors,
    lint_definition,
    lint_documents,
    read_documents,
    sort_key,
    text_kind,
)
from ..core.lint.api import unique
from ..core.lint.documents import Document
from ..core.lint.rules.lifecycle import check_bundle_files
from ..core.lint.rules.provenance import VERSION_ANNOTATION, Verification, add_verification, pinned_version
from ..core.lint.sink import Sink
from ..core.manifests import KUSTOMIZATION, load_manifests
from ..core.policy import PipelinePolicy
from .verify import VerifyReport, check_trust_buckets, verify_documents

__all__ = [
    "SUFFIXES",
    "VERSION_ANNOTATION",
    "Checked",
    "LintOptions",
    "Pinned",
    "Verifier",
    "check_paths",
    "check_texts",
    "collect_files",
    "lint_paths",
    "lint_pipeline",
    "verify_pinned",
]

SUFFIXES = (".json", ".yaml", ".yml")
# The digest check runs offline as SMA803; its S3-side twin would say the same thing again.
_OFFLINE_CHECK = "inline definition = annotated digest"

Verifier = Callable[[Mapping[str, Any]], VerifyReport]
"""Verifies one Pipeline document against S3 (tests inject one; the default calls ``services.verify``)."""


@dataclass(frozen=True)
class LintOptions:
    """How pinned S3 versions are verified: not at all (``offline``), against which buckets, how strictly."""

    offline: bool = False
    require_verified: bool = False
    trust_buckets: tuple[str, ...] = ()
    settings: Settings | None = None
    verifier: Verifier | None = None
    policies: tuple[PipelinePolicy, ...] = ()
    """Every rule of every policy applies (``services.policy.load_policies`` reads them)."""
    params: Mapping[str, Any] = field(default_factory=dict)
    """``--param`` values: policies judge them besides each parameter's default and enum values."""


@dataclass(frozen=True)
class Pinned:
    """One Pipeline document and what verifying it found; ``report`` when S3 (or a verifier) answered."""

    document: Document
    verification: Verification
    report: VerifyReport | None = None


@dataclass
class Checked:
    """Everything one lint+verify run found: findings, the documents read, each Pipeline's verification."""

    findings: list[Finding] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    pinned: list[Pinned] = field(default_factory=list)
    files: int = 0


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files to lint: each file given, and the .json/.yaml/.yml files under each folder given."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix.lower() in SUFFIXES
                    and p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise UserError(
                f"{path} is not a file or a folder.", "Pass files or folders of definition JSON or ACK YAML."
            )
        else:
            raise UserError(missing(path), "Pass files or folders of definition JSON or ACK YAML.")
    return files


def check_paths(paths: Iterable[str | os.PathLike[str]], options: LintOptions | None = None) -> Checked:
    """Lint (and verify) definition JSON and ACK YAML files and folders of them, as one set."""
    files = collect_files(paths)
    sources: list[tuple[str, str | bytes]] = []
    for file in files:
        try:
            sources.append((str(file), file.read_bytes()))
        except OSError as error:
            raise UserError(
                f"Cannot read {file}: {error.strerror or error}.", "Check the path and its permissions."
            ) from None
    checked = check_texts(sources, options)
    lifecycle = bundle_lifecycle_findings(files)
    if lifecycle:
        checked.findings = sorted(unique([*checked.findings, *lifecycle]), key=sort_key)
    checked.files = len(files)
    return checked


def bundle_lifecycle_findings(files: Iterable[Path]) -> list[Finding]:
    """SMA951/SMA952 for the files a GitOps tool syncs: those with a ``kustomization.yaml`` beside them."""
    in_bundle = [f for f in files if (f.parent / KUSTOMIZATION).is_file() and f.name != KUSTOMIZATION]
    if not in_bundle:
        return []
    documents: dict[str, list[dict[str, Any]]] = {}
    for file in in_bundle:
        try:
            documents[str(file)] = load_manifests(file.read_text(encoding="utf-8"))
        except (UserError, OSError, UnicodeDecodeError):
            continue  # lint's own rules already report what cannot be read
    patches: set[str] = set()
    for folder in {f.parent for f in in_bundle}:
        try:
            kustomizations = bounded.load_yaml_all((folder / KUSTOMIZATION).read_text(encoding="utf-8"))
        except (UserError, OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
            continue
        for kustomization in kustomizations:
            if not isinstance(kustomization, Mapping):
                continue
            entries = [
                *(kustomization.get("patches") or []),
                *(kustomization.get("patchesStrategicMerge") or []),
            ]
            for entry in entries:
                path = entry.get("path") if isinstance(entry, Mapping) else entry
                if isinstance(path, str):
                    patches.add(str(folder / path))
    return check_bundle_files(documents, patches)


def check_texts(sources: Iterable[tuple[str, str | bytes]], options: LintOptions | None = None) -> Checked:
    """Lint ``(filename, text)`` pairs as one set, then verify every Pipeline that pins an S3 version."""
    options = options or LintOptions()
    check_trust_buckets(options.trust_buckets)  # a mistyped bucket is a usage mistake, not a finding
    checked = Checked()
    # A file that reads only once repaired (tabs, unindented blocks) is linted but not verified: the
    # repaired copy is not what kubectl would apply, so proving it was published would prove nothing.
    verifiable: list[Document] = []
    for name, content in sources:
        checked.files += 1
        if isinstance(content, bytes):
            data = content
            try:
                content = data.decode("utf-8")
            except UnicodeDecodeError as error:
                checked.findings.append(_not_utf8(data, error, name))
                continue
        if text_kind(content, name) == "definition":
            checked.findings.extend(lint_definition(content, name))
            checked.findings.extend(
                policy.check_definition_text(options.policies, content, name, params=options.params)
            )
            continue
        file_documents, read_findings = read_documents(content, name)
        checked.findings.extend(read_findings)
        checked.documents.extend(file_documents)
        if not has_errors(read_findings):
            verifiable.extend(file_documents)
    checked.findings.extend(lint_documents(checked.documents))
    checked.findings.extend(
        policy.check_documents(options.policies, checked.documents, params=options.params)
    )
    checked.pinned = verify_documents_pinned(verifiable, options)
    checked.findings.extend(verification_findings(checked.pinned, options.require_verified))
    checked.findings = sorted(unique(checked.findings), key=sort_key)
    return checked


def _not_utf8(data: bytes, error: UnicodeDecodeError, name: str) -> Finding:
    before = data[: error.start]
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    return finding(
        "SMA103",
        f"The file is not UTF-8 text (byte {error.start}).",
        file=name,
        line=line,
        column=column,
        hint="Save the file as UTF-8; kubectl reads only UTF-8 YAML.",
    )


def lint_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    offline: bool = False,
    settings: Settings | None = None,
    require_verified: bool = False,
    trust_buckets: Iterable[str] = (),
) -> list[Finding]:
    """The findings of :func:`check_paths`."""
    options = LintOptions(
        offline=offline,
        require_verified=require_verified,
        trust_buckets=tuple(trust_buckets),
        settings=settings,
    )
    return check_paths(paths, options).findings


def lint_pipeline(
    pipeline: Any,
    *,
    policies: Sequence[PipelinePolicy] = (),
    params: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Lint a pipeline: an SDK ``Pipeline`` (v2 or v3, captured offline), a Definition, its JSON or dict.

    Findings name steps and parameters; with ``policies``, every policy's findings too. The magics and
    the panel lint through here.
    """
    if isinstance(pipeline, (Definition, str, bytes, Mapping)):
        found = lint_definition(pipeline)
        if policies:
            text = pipeline.decode("utf-8", "replace") if isinstance(pipeline, bytes) else pipeline
            if isinstance(text, str):
                found += policy.check_definition_text(policies, text, params=params)
            else:
                found += policy.check_definition_value(policies, text, params=params)
        return sorted(found, key=sort_key)
    from ..adapters.sdk_capture import capture

    captured = capture(pipeline)
    found = lint_definition(json.loads(captured.text), filename=None)
    found += policy.check_definition_text(policies, captured.text, params=params)
    return sorted(found, key=sort_key)


def verify_pinned(
    documents: Iterable[Document],
    *,
    offline: bool = False,
    settings: Settings | None = None,
    verifier: Verifier | None = None,
    require_verified: bool = False,
    trust_buckets: Iterable[str] = (),
) -> list[Finding]:
    """Pipelines that pin a published S3 version: SMA801 when it does not match, SMA802/SMA804 when
    unchecked (errors with ``require_verified``, which also refuses a Pipeline that pins nothing)."""
    options = LintOptions(
        offline=offline,
        require_verified=require_verified,
        trust_buckets=tuple(trust_buckets),
        settings=settings,
        verifier=verifier,
    )
    return verification_findings(verify_documents_pinned(documents, options), require_verified)


def verify_documents_pinned(documents: Iterable[Document], options: LintOptions) -> list[Pinned]:
    """The verification of every Pipeline document (``unpinned`` for one that pins no S3 version)."""
    out: list[Pinned] = []
    injected = options.verifier
    check: Callable[[Document], VerifyReport] | None = (
        (lambda document: injected(document.value)) if injected is not None else None
    )
    for document in documents:
        doc = document.value
        if not isinstance(doc, Mapping) or doc.get("kind") != ack.PIPELINE_KIND:
            continue
        version = pinned_version(doc)
        if version is None:
            out.append(Pinned(document, Verification("unpinned")))
        elif options.offline:
            out.append(Pinned(document, Verification("offline", version)))
        else:
            if check is None:
                check = _default_verifier(options)
            out.append(_verify_one(document, version, check))
    return out


def verification_findings(pinned: Iterable[Pinned], require_verified: bool) -> list[Finding]:
    found: list[Finding] = []
    for item in pinned:
        sink = Sink(file=item.document.file)
        add_verification(sink, item.verification, require_verified=require_verified)
        found.extend(sink.resolve(item.document))
    return found


def _verify_one(document: Document, version: str, check: Callable[[Document], VerifyReport]) -> Pinned:
    try:
        report = check(document)
    except UserError as error:
        return Pinned(document, Verification("unverified", version, reason=error.problem, fix=error.fix))
    except Exception as error:  # any client failure leaves the version unverified; lint itself goes on
        reason = f"{type(error).__name__}: {error}"
        return Pinned(document, Verification("unverified", version, reason=reason))
    if report.untrusted:
        return Pinned(document, Verification("untrusted", version, bucket=report.untrusted[0]), report)
    failures = tuple(
        f"{c.name}: {c.detail}" if c.detail else c.name
        for c in report.checks
        if c.status == "fail" and c.name != _OFFLINE_CHECK
    )
    if failures:
        return Pinned(document, Verification("mismatch", version, failures=failures), report)
    return Pinned(document, Verification("verified", version), report)


def _default_verifier(options: LintOptions) -> Callable[[Document], VerifyReport]:
    resolved: list[Settings] = []

    def check(document: Document) -> VerifyReport:
        if not resolved:  # settings are read once, and only when something needs verifying
            resolved.append(options.settings or resolve_settings())
        return verify_documents(
            [(document.file or "<input>", document.value)], resolved[0], trust_buckets=options.trust_buckets
        )

    return check
