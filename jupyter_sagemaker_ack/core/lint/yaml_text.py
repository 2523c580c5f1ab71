"""Text-level YAML defects that stop a parser cold: tabs in indentation and unindented block scalars.

A parser reports only the first of these and then nothing else, so a person fixes one line, re-runs and
meets the next. Here they are found line by line, all at once, and repaired in a copy of the text (tabs
become single spaces, a block is shifted right) so the structural rules can still run on the repaired copy.
The copy keeps every line where it was; :class:`Repair` maps columns of shifted lines back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .findings import Finding, finding

_BLOCK_HEADER = re.compile(
    r"^(?P<indent>[ ]*)(?:-[ ]+)?(?P<key>[^\s#'\"][^#]*?|'[^']*'|\"[^\"]*\")"
    r"[ ]*:[ ]+[|>][-+0-9]*[ ]*(?:#.*)?$"
)
_STRUCTURE = re.compile(r"^[ \t]*(?:[A-Za-z_$<][\w.\-/$<>]*[ ]*:(?:[ \t]|$)|-(?:[ \t]|$)|#|$)")
_DOCUMENT_MARKER = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)")


@dataclass
class Repair:
    """The repaired text, the findings that explain each repair, and the column shift of moved lines."""

    text: str
    findings: list[Finding] = field(default_factory=list)
    shifts: dict[int, int] = field(default_factory=dict)  # 0-based line -> columns added

    @property
    def changed(self) -> bool:
        return bool(self.findings)

    def original(self, line0: int, column0: int) -> tuple[int, int]:
        """A 0-based position of the repaired text as a 1-based position of the original text."""
        return line0 + 1, max(column0 - self.shifts.get(line0, 0), 0) + 1


def repair_text(text: str, filename: str | None = None) -> Repair:
    """Find tabs in indentation and unindented block scalars; return the repaired text and findings."""
    lines = text.split("\n")
    findings: list[Finding] = []
    shifts: dict[int, int] = {}
    chosen: dict[str, int] = {}  # the same tabbed indentation gets the same repair on every line
    previous = ""
    for number, line in enumerate(lines):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent] and line[indent:]:
            findings.append(
                finding(
                    "SMA101",
                    f"A tab character indents line {number + 1}; YAML allows only spaces there.",
                    file=filename,
                    line=number + 1,
                    column=line.index("\t") + 1,
                )
            )
            leading = line[:indent]
            head = leading[
                : leading.rindex("\t") + 1
            ]  # up to the last tab; spaces after it are kept as they are
            width = chosen.get(head)
            if width is None:
                previous_indent = len(previous) - len(previous.lstrip(" "))
                opens_block = previous.rstrip().endswith(":") and not previous.lstrip().startswith("#")
                width = previous_indent + 2 if opens_block else previous_indent
                chosen[head] = width
            width += indent - len(head)
            lines[number] = " " * width + line[indent:]
            shifts[number] = width - indent
        if lines[number].strip():
            previous = lines[number]
    number = 0
    while number < len(lines):
        header = _BLOCK_HEADER.match(lines[number])
        number += 1
        if header is None:
            continue
        key_indent = len(header.group("indent"))
        if lines[number - 1].lstrip(" ").startswith("-"):
            key_indent = lines[number - 1].index(header.group("key")[0], key_indent + 1)
        first = number
        while first < len(lines) and not lines[first].strip():
            first += 1
        if first >= len(lines):
            continue
        first_indent = len(lines[first]) - len(lines[first].lstrip(" "))
        if (
            first_indent > key_indent
            or _STRUCTURE.match(lines[first])
            or _DOCUMENT_MARKER.match(lines[first])
        ):
            continue
        end = first
        while end < len(lines):
            candidate = lines[end]
            indent = len(candidate) - len(candidate.lstrip(" "))
            ends_block = _DOCUMENT_MARKER.match(candidate) or (
                _STRUCTURE.match(candidate) and not candidate.lstrip().startswith("#")
            )
            if candidate.strip() and indent <= key_indent and end > first and ends_block:
                break
            end += 1
        block = [i for i in range(first, end) if lines[i].strip()]
        least = min(len(lines[i]) - len(lines[i].lstrip(" ")) for i in block)
        shift = key_indent + 2 - least
        key = header.group("key").strip("'\"")
        findings.append(
            finding(
                "SMA102",
                f"The block scalar of '{key}' (line {number}) is not indented under its key: "
                f"its content starts at column {first_indent + 1}, which must be right of the key's "
                f"column {key_indent + 1}.",
                file=filename,
                line=first + 1,
                column=first_indent + 1,
            )
        )
        header_line = lines[number - 1]
        bar = max(header_line.rfind("|"), header_line.rfind(">"))
        tail = header_line[bar + 1 :]
        digits = len(tail) - len(tail.lstrip("-+0123456789"))
        if not any(c.isdigit() for c in tail[:digits]):
            # An explicit indentation indicator keeps lines that are less indented than the first one.
            lines[number - 1] = header_line[: bar + 1 + digits] + "2" + header_line[bar + 1 + digits :]
        for i in range(first, end):
            if lines[i].strip():
                lines[i] = " " * shift + lines[i]
                shifts[i] = shift
        number = end
    return Repair("\n".join(lines), findings, shifts)
