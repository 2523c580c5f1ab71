"""Rules for a definition as a whole: JSON that parses, an object SageMaker reads, a known Version, steps
that are objects with a Name and a Type.

Shared by definition files and by ``spec.pipelineDefinition`` inside a manifest; ``where`` prefixes the
messages of the latter so a reader knows the JSON is the embedded one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ...bounded import ReaderLimit, loads_json
from ...definition import Definition, DefinitionError, parse_definition
from ...errors import UserError
from ..findings import Finding, finding
from ..positions import JsonLocator, JsonPath
from ..sink import Sink
from . import placeholders

KNOWN_VERSIONS = ("2020-12-01",)


def parse_or_findings(
    text: str,
    *,
    file: str | None,
    locator: JsonLocator,
    code: str = "SMA302",
    where: str = "",
) -> tuple[Definition | None, list[Finding]]:
    """The definition in ``text``, or findings: the JSON error at its position plus any placeholders.

    ``code`` is SMA302 for a definition file and SMA206 for the JSON inside a manifest.
    """
    try:
        data = loads_json(text, "definition")
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
    except UserError as refused:  # a reader limit, NaN/Infinity, a number too long to read
        return None, [reader_finding(refused, code, file, where)]
    try:
        return replace(parse_definition(data), source_text=text), []
    except DefinitionError as error:
        position = locator.position(())
        line, column = position if position is not None else (None, None)
        return None, [finding("SMA301", f"{where}{error.problem}", file=file, line=line, column=column)]


def reader_finding(refused: UserError, code: str, file: str | None, where: str = "") -> Finding:
    """The bounded JSON reader's refusal (:mod:`...bounded`) as a finding, in its own words and fix."""
    line, column = (refused.line, refused.column) if isinstance(refused, ReaderLimit) else (1, 1)
    return finding(code, f"{where}{refused.problem}", hint=refused.fix, file=file, line=line, column=column)


def not_utf8(byte: int, file: str | None) -> Finding:
    return finding("SMA302", f"The definition is not UTF-8 text (byte {byte}).", file=file)


def not_a_definition(problem: str, file: str | None) -> Finding:
    return finding("SMA301", problem, file=file)


def check_version(sink: Sink, raw: Mapping[str, Any]) -> None:
    version = raw.get("Version")
    if version is not None and version not in KNOWN_VERSIONS:
        sink.add("SMA318", f"Definition Version {version!r} is not one SageMaker knows.", path=("Version",))


def check_step_items(sink: Sink, steps: Any, path: JsonPath = ("Steps",)) -> None:
    """Every item of a Steps list (and of Condition branches) is an object with a string Name and Type."""
    if not isinstance(steps, list):
        return
    for i, item in enumerate(steps):
        here = (*path, i)
        if not isinstance(item, Mapping):
            sink.add("SMA321", f"Step {i + 1} of {path[-1]} is not an object.", path=here)
            continue
        if not isinstance(item.get("Name"), str) or not item.get("Name"):
            sink.add("SMA321", f"Step {i + 1} of {path[-1]} has no string Name.", path=here)
        elif not isinstance(item.get("Type"), str):
            sink.add("SMA321", f"Step '{item['Name']}' has no string Type.", path=here, step=item["Name"])
        arguments = item.get("Arguments")
        if item.get("Type") == "Condition" and isinstance(arguments, Mapping):
            for branch in ("IfSteps", "ElseSteps"):
                check_step_items(sink, arguments.get(branch), (*here, "Arguments", branch))


def _explain(text: str, error: json.JSONDecodeError) -> str:
    if error.msg.startswith("Invalid control character") or error.msg.startswith("Unterminated string"):
        start = text.rfind('"', 0, error.pos)
        if start >= 0 and "\n" in text[start : error.pos + 1]:
            return " (a string is not closed before the end of the line)"
    return ""
