"""Capture a definition that already exists as data: a dict, JSON text, bytes, or a file."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.errors import UserError

from .result import CapturedDefinition, Source


def capture_data(data: Mapping[str, Any] | str | bytes | os.PathLike[str]) -> CapturedDefinition:
    """A dict, JSON string (text starting with ``{``), bytes, or a path to a JSON file."""
    if isinstance(data, Mapping):
        try:
            text = json.dumps(data, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise UserError(
                f"The pipeline definition dict cannot be written as JSON: {exc}.",
                "Keep only JSON values (str, int, float, bool, None, list, dict) in it, "
                "or pass the pipeline object itself.",
            ) from None
        return _checked(text, "dict")
    if isinstance(data, bytes):
        return _checked(_decode(data, "The bytes"), "json")
    if isinstance(data, str) and _looks_like_json(data):
        return _checked(data, "json")
    if isinstance(data, (str, os.PathLike)):
        return _from_file(Path(data))
    raise UserError(
        f"Cannot capture a pipeline definition from a {type(data).__name__}.",
        "Pass a SageMaker SDK Pipeline object (anything with definition() and name), a dict, "
        "a JSON string, bytes, or the path of a JSON file.",
    )


def _looks_like_json(text: str) -> bool:
    """JSON text rather than a path: starts like JSON, or could not be a path (braces, newlines)."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return True
    return ("{" in text or "\n" in text) and not os.path.exists(text)


def _from_file(path: Path) -> CapturedDefinition:
    if not path.exists():
        raise UserError(
            f"The pipeline definition file {str(path)!r} does not exist.",
            "Check the path, or write the file with: open(path, 'w').write(pipeline.definition()).",
        )
    if path.is_dir():
        raise UserError(
            f"{str(path)!r} is a directory, not a pipeline definition file.",
            "Pass the path of the JSON file pipeline.definition() was saved to.",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(
            f"Cannot read the pipeline definition file {str(path)!r}: {exc.strerror}.",
            "Check the file's permissions.",
        ) from None
    return _checked(_decode(raw, f"The file {str(path)!r}"), "file", path=path)


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{where} is not UTF-8 text (bad byte at offset {exc.start}).",
            "Save the definition as UTF-8 JSON, e.g. with pipeline.definition().",
        ) from None


def _checked(text: str, source: Source, *, path: Path | None = None) -> CapturedDefinition:
    try:
        parse_definition(text)
    except UserError as exc:
        if path is None:
            raise
        raise type(exc)(f"{exc.problem.rstrip('.')} (in {str(path)!r}).", exc.fix) from None
    return CapturedDefinition(text=text, source=source)
