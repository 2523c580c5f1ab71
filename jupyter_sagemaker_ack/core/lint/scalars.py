"""Where each character of a YAML string value came from in the file.

A definition inside ``spec.pipelineDefinition`` is a YAML string; its JSON errors and findings must point
at the line and column of the YAML file, not of the string. This replays YAML's scalar rules (literal
blocks, quotes and their escapes, line folding) and checks the replay against the loader's value: when
they disagree (a rare style), the caller falls back to the scalar's first position.
"""

from __future__ import annotations

import yaml

Origin = tuple[int, int]  # 0-based line and column in the text

_SIMPLE_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def scalar_offsets(text: str, node: yaml.ScalarNode) -> list[Origin] | None:
    """The origin of every character of ``node.value``, or None when the replay does not match."""
    style = node.style
    if style == "|":
        origins = _literal(text, node)
    elif style in ("'", '"', None, ""):
        origins = _flow(text, node, style or "")
    else:
        return None
    if origins is None:
        return None
    chars, where = origins
    if "".join(chars) != node.value:
        return None
    return where


def _literal(text: str, node: yaml.ScalarNode) -> tuple[list[str], list[Origin]] | None:
    lines = text.split("\n")
    value_lines = node.value.split("\n")
    first = node.start_mark.line + 1
    indent: int | None = None
    for i, value_line in enumerate(value_lines):
        if value_line.strip() and first + i < len(lines):
            indent = len(lines[first + i]) - len(value_line)
            break
    if indent is None or indent < 0:
        return None
    chars: list[str] = []
    where: list[Origin] = []
    for i, value_line in enumerate(value_lines):
        source_line = first + i
        if source_line >= len(lines):
            break
        source = lines[source_line]
        if source[indent:] != value_line and value_line:
            return None
        for j, ch in enumerate(value_line):
            chars.append(ch)
            where.append((source_line, indent + j))
        if i < len(value_lines) - 1:
            chars.append("\n")
            where.append((source_line, len(source)))
    return chars, where


def _flow(text: str, node: yaml.ScalarNode, style: str) -> tuple[list[str], list[Origin]] | None:
    start = node.start_mark.index
    end = node.end_mark.index
    line = node.start_mark.line
    column = node.start_mark.column
    chars: list[str] = []
    where: list[Origin] = []
    i = start
    if style:
        i += 1
        column += 1
        end -= 1
    pending_space: list[int] = []  # indexes in chars of trailing blanks on the current line
    while i < end:
        ch = text[i]
        if ch == "\n":
            while pending_space and pending_space[-1] == len(chars) - 1:
                chars.pop()
                where.pop()
                pending_space.pop()
            pending_space = []
            breaks = 0
            newline_origin = (line, column)
            i += 1
            line += 1
            column = 0
            while i < end and text[i] in " \t\n":
                if text[i] == "\n":
                    breaks += 1
                    line += 1
                    column = 0
                else:
                    column += 1
                i += 1
            if breaks:
                for _ in range(breaks):
                    chars.append("\n")
                    where.append(newline_origin)
            else:
                chars.append(" ")
                where.append(newline_origin)
            continue
        if style == "'" and ch == "'" and i + 1 < end and text[i + 1] == "'":
            chars.append("'")
            where.append((line, column))
            i += 2
            column += 2
            continue
        if style == '"' and ch == "\\" and i + 1 < end:
            escape = text[i + 1]
            origin = (line, column)
            if escape == "\n":
                i += 2
                line += 1
                column = 0
                while i < end and text[i] in " \t":
                    i += 1
                    column += 1
                continue
            if escape in _HEX_ESCAPES:
                width = _HEX_ESCAPES[escape]
                digits = text[i + 2 : i + 2 + width]
                try:
                    chars.append(chr(int(digits, 16)))
                except ValueError:
                    return None
                where.append(origin)
                i += 2 + width
                column += 2 + width
                continue
            if escape not in _SIMPLE_ESCAPES:
                return None
            chars.append(_SIMPLE_ESCAPES[escape])
            where.append(origin)
            pending_space = []
            i += 2
            column += 2
            continue
        if ch in " \t":
            pending_space.append(len(chars))
        else:
            pending_space = []
        chars.append(ch)
        where.append((line, column))
        i += 1
        column += 1
    return chars, where
