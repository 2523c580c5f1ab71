"""Placeholders left in a hand-off: ``<<...>>``, ``<YOUR_...>``, ``$VARIABLE``, ``REPLACE_ME``.

Samples and articles ship values for the reader to fill in; applied as they are, they fail late (a role
ARN that is not one, a bucket that does not exist). A ``$VARIABLE`` inside a container command line is the
shell's business, so command and argument lists are not searched for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..findings import Finding, finding
from ..positions import JsonPath, PathKey, Position
from ..sink import Sink
from ..step_index import Owner

_ANGLE = r"<<[^<>\n]{1,120}>>|<(?:YOUR|Your|your)[\w\-]*>|<[A-Z][A-Z0-9_]*_[A-Z0-9_]+>"
_FILL_IN = r"\b(?:REPLACE[_-]?ME|CHANGE[_-]?ME)\b"
_VARIABLE = r"\$\{?[A-Z][A-Z0-9_]+\}?"
PLACEHOLDER = re.compile(f"{_ANGLE}|{_FILL_IN}|{_VARIABLE}")
_NO_VARIABLE = re.compile(f"{_ANGLE}|{_FILL_IN}")
_SHELL_KEYS = {"ContainerEntrypoint", "ContainerArguments", "Args", "Entrypoint", "Command", "Arguments"}


def placeholders(text: str, *, shell: bool = False) -> Iterator[re.Match[str]]:
    """Placeholders in ``text``; with ``shell=True`` ``$VARIABLE`` counts as a shell variable instead."""
    return (_NO_VARIABLE if shell else PLACEHOLDER).finditer(text)


def has_placeholder(value: object) -> bool:
    return isinstance(value, str) and next(placeholders(value), None) is not None


def _in_shell_list(path: JsonPath) -> bool:
    return len(path) >= 2 and isinstance(path[-1], int) and path[-2] in _SHELL_KEYS


def check_string(sink: Sink, text: str, path: list[PathKey], owner: Owner) -> None:
    """One finding per placeholder in ``text`` (the string at ``path``)."""
    if "<" not in text and "$" not in text and "_ME" not in text and "-ME" not in text:
        return
    here = tuple(path)
    for match in placeholders(text, shell=_in_shell_list(here)):
        step, parameter = owner(here)
        sink.add(
            "SMA401",
            f"Placeholder {match.group()!r} is still in the value.",
            path=here,
            step=step,
            parameter=parameter,
            within=match.start(),
        )


def scan_text(text: str, file: str | None, to_position: Callable[[int], Position | None]) -> list[Finding]:
    """Placeholders in text that could not be parsed, placed by their offset."""
    found: list[Finding] = []
    for match in placeholders(text):
        position = to_position(match.start())
        line, column = position if position is not None else (None, None)
        found.append(
            finding(
                "SMA401",
                f"Placeholder {match.group()!r} is still in the text.",
                file=file,
                line=line,
                column=column,
            )
        )
    return found
