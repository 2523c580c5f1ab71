"""The lint entry points: a text (definition JSON or manifest YAML), a definition, a set of documents."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..bounded import loads_json
from ..definition import Definition, DefinitionError, parse_definition
from ..errors import UserError
from .definition_run import check_definition
from .documents import Document, PlainDocument
from .findings import Finding, finding, sort_key
from .positions import JsonLocator, JsonPath, LineIndex, Position
from .rules.ack_edits import check_execution_edits
from .rules.definition import not_a_definition, not_utf8, parse_or_findings, reader_finding
from .rules.executions import cross_check
from .rules.manifest import ManifestResult, lint_manifest, no_documents
from .rules.placeholders import scan_text
from .yaml_read import duplicate_keys, read_yaml

_YAML_SUFFIXES = (".yaml", ".yml")
_JSON_SUFFIXES = (".json",)


def lint_text(text: str, filename: str | None = None) -> list[Finding]:
    """Lint a file's text: a definition (JSON) or ACK manifests (YAML or JSON), told apart by content."""
    if text_kind(text, filename) == "manifests":
        return _lint_yaml(text, filename)
    return lint_definition(text, filename)


def text_kind(text: str, filename: str | None = None) -> str:
    """``"manifests"`` (YAML, or JSON with a kind) or ``"definition"`` (JSON with Steps, or broken JSON)."""
    name = (filename or "").lower()
    looks_json = text.lstrip("\ufeff \t\r\n").startswith(("{", "["))
    if name.endswith(_YAML_SUFFIXES) or (not name.endswith(_JSON_SUFFIXES) and not looks_json):
        return "manifests"
    try:
        value = loads_json(text)
    except (ValueError, RecursionError, UserError):
        return "definition"
    if isinstance(value, Mapping) and ("kind" in value or "apiVersion" in value) and "Steps" not in value:
        return "manifests"
    return "definition"


def lint_definition(
    definition: Definition | str | bytes | Mapping[str, Any], filename: str | None = None
) -> list[Finding]:
    """Lint one pipeline definition; with text input, findings carry line and column."""
    if isinstance(definition, bytes):
        try:
            definition = definition.decode("utf-8")
        except UnicodeDecodeError as error:
            return [not_utf8(error.start, filename)]
    if isinstance(definition, str):
        locator = JsonLocator(definition)
        parsed, found = parse_or_findings(definition, file=filename, locator=locator)
        if parsed is None:
            return sorted(found, key=sort_key)
        return sorted(check_definition(parsed, locator=locator, file=filename), key=sort_key)
    if not isinstance(definition, Definition):
        try:
            definition = parse_definition(definition)
        except DefinitionError as error:
            return [not_a_definition(error.problem, filename)]
    source = definition.source_text
    return sorted(
        check_definition(
            definition, locator=JsonLocator(source) if source is not None else None, file=filename
        ),
        key=sort_key,
    )


def lint_documents(
    documents: Iterable[Mapping[str, Any] | Document], filename: str | None = None
) -> list[Finding]:
    """Lint manifests together: each on its own, then executions against the pipelines of the same set."""
    wrapped: list[Document] = [PlainDocument(d, filename) if isinstance(d, Mapping) else d for d in documents]
    found: list[Finding] = []
    pipelines: list[tuple[Document, ManifestResult]] = []
    executions: list[Document] = []
    for document in wrapped:
        result = lint_manifest(document)
        found.extend(result.findings)
        if result.kind == "Pipeline":
            pipelines.append((document, result))
        elif result.kind == "PipelineExecution":
            executions.append(document)
    found.extend(cross_check(pipelines, executions))
    found.extend(check_execution_edits(executions))
    return sorted(found, key=sort_key)


def read_documents(text: str, filename: str | None = None) -> tuple[list[Document], list[Finding]]:
    """The documents of a manifest file (YAML or JSON) with positions, and the findings of reading it."""
    name = (filename or "").lower()
    if name.endswith(_JSON_SUFFIXES) or (
        not name.endswith(_YAML_SUFFIXES) and text.lstrip("\ufeff \t\r\n").startswith(("{", "["))
    ):
        try:
            value = loads_json(text, "manifest JSON")
        except UserError as refused:  # a reader limit, NaN/Infinity, a number too long to read
            return [], [reader_finding(refused, "SMA302", filename)]
        except ValueError as error:
            position = LineIndex(text).position(getattr(error, "pos", 0))
            return [], [
                finding(
                    "SMA302",
                    f"The JSON breaks here: {error}.",
                    file=filename,
                    line=position[0],
                    column=position[1],
                )
            ]
        return [JsonDocument(value, filename, JsonLocator(text))], []
    read = read_yaml(text, filename)
    found = list(read.findings)
    for document in read.documents:
        found.extend(duplicate_keys(document))
    if not read.documents and not found:
        found.append(no_documents(filename))
    if not read.documents and found:
        index = LineIndex(text)
        found.extend(scan_text(text, filename, index.position))
    return list(read.documents), found


def _lint_yaml(text: str, filename: str | None) -> list[Finding]:
    documents, found = read_documents(text, filename)
    found.extend(lint_documents(documents))
    return unique(sorted(found, key=sort_key))


def unique(found: list[Finding]) -> list[Finding]:
    """The findings without repeats (the same code at the same place with the same message), in order."""
    seen: set[tuple[Any, ...]] = set()
    out: list[Finding] = []
    for f in found:
        key = (f.code, f.file, f.line, f.column, f.message, f.path)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


@dataclass
class JsonDocument:
    """A manifest written as JSON (kubectl takes both): positions from the JSON text."""

    value: Any
    file: str | None
    locator: JsonLocator

    def position(self, path: JsonPath, *, key: bool = False, within: int | None = None) -> Position | None:
        return self.locator.position(path, key=key, within=within)

    def scalar_position(self, path: JsonPath) -> Callable[[int], Position | None]:
        start = self.locator.position(path)
        return lambda offset: start
