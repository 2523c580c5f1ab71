"""All definition rules over one parsed definition, placed by a locator.

Shared by the JSON-file path and by ``spec.pipelineDefinition`` inside a manifest (where the locator maps
into the YAML file), so both report exactly the same findings.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ..definition import Definition, DefinitionError, parse_definition
from . import placeholders
from .definition import lint_structure
from .findings import Finding, finding
from .parameters import parameter_use_rule
from .positions import JsonLocator, Locator
from .scan import scan_strings
from .sink import Sink
from .sizes import check_definition_size
from .step_index import StepIndex


def check_definition(
    definition: Definition,
    *,
    locator: Locator | None = None,
    file: str | None = None,
    text_length: int | None = None,
) -> list[Finding]:
    sink = Sink(file=file)
    index = StepIndex(definition.raw)
    if text_length is None:
        text_length = len(
            definition.source_text or json.dumps(definition.raw, separators=(",", ":"), default=str)
        )
    check_definition_size(sink, text_length)
    lint_structure(sink, definition, index)
    scan_strings(sink, definition.raw, owner=index.owner, extra=(parameter_use_rule(definition, index),))
    return sink.resolve(locator)


def parse_or_findings(
    text: str,
    *,
    file: str | None,
    locator: JsonLocator,
    code: str = "SMA302",
    where: str = "",
) -> tuple[Definition | None, list[Finding]]:
    """The definition in ``text``, or findings: the JSON error at its position plus any placeholders."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        position = locator.offset_position(error.pos)
        line, column = position if position is not None else (None, None)
        found = [
            finding(
                code,
                f"{where}The JSON breaks here: {error.msg.removesuffix(' at')}{_explain(text, error)}.",
                file=file,
                line=line,
                column=column,
            )
        ]
        found.extend(placeholders.scan_text(text, file, locator.offset_position))
        return None, found
    except RecursionError:
        return None, [
            finding(code, f"{where}The JSON nests too deeply to read.", file=file, line=1, column=1)
        ]
    try:
        return replace(parse_definition(data), source_text=text), []
    except DefinitionError as error:
        position = locator.position(())
        line, column = position if position is not None else (None, None)
        return None, [finding("SMA301", f"{where}{error.problem}", file=file, line=line, column=column)]


def _explain(text: str, error: json.JSONDecodeError) -> str:
    if error.msg.startswith("Invalid control character") or error.msg.startswith("Unterminated string"):
        start = text.rfind('"', 0, error.pos)
        if start >= 0 and "\n" in text[start : error.pos + 1]:
            return " (a string is not closed before the end of the line)"
    return ""
