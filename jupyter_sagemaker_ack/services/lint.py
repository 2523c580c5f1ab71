"""Lint files, folders and SDK pipeline objects; verify pinned S3 versions unless offline.

The rules are pure and live in ``core.lint``; this module reads the files, lints the documents of all
files as one set (so an execution is checked against the pipeline in the file beside it) and, for a
manifest that pins a published S3 version, asks ``services.verify`` whether the YAML is that version.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..core.errors import UserError
from ..core.lint import Finding, finding, lint_definition, lint_documents, read_documents, sort_key, text_kind
from ..core.lint.api import unique
from ..core.lint.documents import Document

SUFFIXES = (".json", ".yaml", ".yml")
VERSION_ANNOTATION = "sagemaker-ack.io/definition-version-id"

Verifier = Callable[[Mapping[str, Any]], list[str]]


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
                    if p.is_file()
                    and p.suffix.lower() in SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(
                f"{path} does not exist.", "Pass files or folders of definition JSON or ACK YAML."
            )
    return files


def lint_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    offline: bool = False,
    settings: Any = None,
) -> list[Finding]:
    """Lint definition JSON and ACK YAML files (multi-document) and folders of them, as one set."""
    files = collect_files(paths)
    found: list[Finding] = []
    documents: list[Document] = []
    for file in files:
        name = str(file)
        try:
            text = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            found.append(finding("SMA103", f"The file is not UTF-8 text (byte {error.start}).", file=name))
            continue
        except OSError as error:
            raise UserError(
                f"Cannot read {name}: {error.strerror}.", "Check the path and its permissions."
            ) from None
        if text_kind(text, name) == "definition":
            found.extend(lint_definition(text, name))
            continue
        file_documents, read_findings = read_documents(text, name)
        found.extend(read_findings)
        documents.extend(file_documents)
    found.extend(lint_documents(documents))
    found.extend(verify_pinned(documents, offline=offline, settings=settings))
    return sorted(unique(found), key=sort_key)


def lint_pipeline(pipeline: Any) -> list[Finding]:
    """Lint an SDK ``Pipeline`` (v2 or v3), captured offline; findings name steps and parameters."""
    from ..adapters.sdk_capture import capture

    captured = capture(pipeline)
    return lint_definition(json.loads(captured.text), filename=None)


def verify_pinned(
    documents: Iterable[Document],
    *,
    offline: bool = False,
    settings: Any = None,
    verifier: Verifier | None = None,
) -> list[Finding]:
    """Pipelines that pin a published S3 version: SMA801 when it does not match, SMA802 when unchecked."""
    found: list[Finding] = []
    for document in documents:
        doc = document.value
        if not isinstance(doc, Mapping) or doc.get("kind") != "Pipeline":
            continue
        metadata = doc.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
        if not isinstance(annotations, Mapping) or not annotations.get(VERSION_ANNOTATION):
            continue
        line, column = document.position(("metadata", "annotations", VERSION_ANNOTATION)) or (None, None)
        version = annotations[VERSION_ANNOTATION]
        for code, message in _verify_one(
            doc, version, offline, verifier or (None if offline else _default_verifier(settings))
        ):
            found.append(finding(code, message, file=document.file, line=line, column=column))
    return found


def _verify_one(
    doc: Mapping[str, Any], version: Any, offline: bool, check: Verifier | None
) -> list[tuple[str, str]]:
    if offline:
        return [("SMA802", f"The pinned S3 version {version} was not verified (--offline).")]
    if check is None:
        return [
            ("SMA802", f"The pinned S3 version {version} was not verified: verification is not installed.")
        ]
    try:
        failures = check(doc)
    except UserError as error:
        return [("SMA802", f"The pinned S3 version {version} could not be verified: {error.problem}")]
    except Exception as error:  # a client failure leaves the version unverified; lint itself goes on
        return [
            (
                "SMA802",
                f"The pinned S3 version {version} could not be verified: {type(error).__name__}: {error}",
            )
        ]
    return [("SMA801", f"S3 verification failed: {failure}") for failure in failures]


def _default_verifier(settings: Any) -> Verifier | None:
    try:
        from . import verify as verify_module
    except ImportError:
        return None
    run = getattr(verify_module, "verify", None)
    if run is None:
        return None

    def check(doc: Mapping[str, Any]) -> list[str]:
        resolved = settings
        if resolved is None:
            from ..config import resolve_settings

            resolved = resolve_settings()
        report = run([doc], resolved)
        return [
            f"{c.name}: {c.detail}" if c.detail else c.name
            for c in getattr(report, "checks", [])
            if getattr(c, "status", "") == "fail"
        ]

    return check
