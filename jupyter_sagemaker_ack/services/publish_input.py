"""What a publish takes: the definition text exactly as produced, and the code it references, read locally.

Kept apart from the publish transaction (:mod:`.publish`): turning a notebook's object (an SDK pipeline, a
captured definition, JSON text or a file) into bytes, and reading the code files, happens before any S3
request, and a mistake here stops the publish with nothing sent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..adapters import s3_store
from ..adapters.s3_store import S3Location
from ..core.definition import Definition
from ..core.errors import UserError


@dataclass(frozen=True)
class PublishInput:
    """What gets published: the definition text exactly as produced, and the code it references."""

    text: str
    pipeline_name: str | None = None
    artifacts: Mapping[str, str] = field(default_factory=dict)
    inline_artifacts: Mapping[str, str] = field(default_factory=dict)
    sdk_version: str | None = None
    placeholder_bucket: str | None = None


def publish_input(source: Any, *, bucket: str | None = None) -> PublishInput:
    """Accept a captured definition, a Definition, JSON text/bytes/file, a mapping or an SDK pipeline."""
    if isinstance(source, PublishInput):
        return source
    if isinstance(source, Definition):
        return PublishInput(text=source.text())
    if isinstance(source, bytes):
        return PublishInput(text=source.decode("utf-8"))
    if isinstance(source, os.PathLike):
        return PublishInput(text=_read_json_file(Path(source)))
    if isinstance(source, str):
        return PublishInput(text=source)
    if isinstance(source, Mapping):
        return PublishInput(text=json.dumps(source, ensure_ascii=False, separators=(",", ":")))
    text = getattr(source, "text", None)
    if isinstance(text, str):
        return PublishInput(
            text=text,
            pipeline_name=getattr(source, "pipeline_name", None),
            artifacts=dict(getattr(source, "artifacts", None) or {}),
            inline_artifacts=dict(getattr(source, "inline_artifacts", None) or {}),
            sdk_version=getattr(source, "sdk_version", None),
            placeholder_bucket=getattr(source, "placeholder_bucket", None),
        )
    if callable(getattr(source, "definition", None)):
        from ..adapters.sdk_capture import capture  # imported only for SDK objects: it is heavy

        return publish_input(capture(source, bucket=bucket) if bucket else capture(source))
    raise UserError(
        f"Cannot publish a {type(source).__name__}.",
        "Pass a SageMaker Pipeline, a captured definition, a Definition or the definition JSON.",
    )


def _read_json_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror}.", "Check the path.") from None


@dataclass(frozen=True)
class CodeFile:
    """One code artifact to publish: where it goes, its bytes, and the file it came from."""

    location: S3Location
    body: bytes
    source_name: str


def _check_placeholder(given: PublishInput, bucket: str) -> None:
    placeholder = given.placeholder_bucket
    if placeholder and placeholder != bucket and f"s3://{placeholder}/" in given.text:
        raise UserError(
            f"The pipeline was captured before a bucket was known, so its definition points at the "
            f"placeholder bucket '{placeholder}' instead of '{bucket}'.",
            "Capture it with the publish bucket: publish the Pipeline object itself, or pass "
            "bucket=BUCKET to publish_input()/capture(), then publish again.",
        )


def load_code(given: PublishInput, bucket: str) -> list[CodeFile]:
    """Every code artifact of ``given``, read now: a missing file stops a publish before any request."""
    _check_placeholder(given, bucket)
    loaded = []
    for uri in sorted({*given.artifacts, *given.inline_artifacts}):
        location = s3_store.parse_s3_uri(uri)
        if location.bucket != bucket:
            raise UserError(
                f"The definition references code at {uri}, outside the publish bucket '{bucket}'.",
                "Capture the pipeline with the publish bucket as its default bucket "
                "(publish_input(pipeline, bucket=BUCKET)), then publish again.",
            )
        if uri in given.inline_artifacts:
            body = given.inline_artifacts[uri].encode("utf-8")
            loaded.append(CodeFile(location=location, body=body, source_name=location.key.rsplit("/", 1)[-1]))
            continue
        local = given.artifacts[uri]
        try:
            body = Path(local).read_bytes()
        except OSError as exc:
            raise UserError(
                f"Code file {local} (for {uri}) cannot be read: {exc.strerror}.",
                "Keep the code files the pipeline uses where they were when it was captured.",
            ) from None
        loaded.append(CodeFile(location=location, body=body, source_name=Path(local).name))
    return loaded
