"""Where a value sits in its source text: line and column for JSON paths and text offsets.

Rules see parsed values and name them by path (``("Steps", 0, "Arguments", "RoleArn")``); a locator turns
that path into the ``line:column`` a person can jump to. JSON locators index the text lazily, on the first
finding, so a clean lint never pays for it.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from typing import Protocol

PathKey = str | int
JsonPath = tuple[PathKey, ...]
Position = tuple[int, int]  # 1-based line and column

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+')


class Locator(Protocol):
    """``position(path)`` of a value (``key=True``: of its key; ``within=n``: of character n of a string)."""

    def position(
        self, path: JsonPath, *, key: bool = False, within: int | None = None
    ) -> Position | None: ...


class NoLocator:
    """For inputs without text (a dict from Python): findings carry step and parameter names only."""

    def position(self, path: JsonPath, *, key: bool = False, within: int | None = None) -> Position | None:
        return None


class LineIndex:
    """Offsets in a text to 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self._starts = [0]
        self._starts.extend(m.end() for m in re.finditer("\n", text))

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1


def path_text(path: JsonPath) -> str:
    """``Steps[0].Arguments.RoleArn``: the path as a person writes it."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


class JsonLocator:
    """Positions of the values (and keys) of a JSON text, by path.

    ``to_position`` turns an offset of ``text`` into a position of the file the user edits; by default
    the text is the file. A JSON embedded in YAML passes a function that maps into the YAML file.
    """

    def __init__(self, text: str, to_position: Callable[[int], Position | None] | None = None) -> None:
        self._text = text
        self._to_position = to_position
        self._lines: LineIndex | None = None
        self._index: dict[JsonPath, tuple[int, int | None]] | None = None
        self._children: dict[int, dict[PathKey, tuple[int, int | None]]] = {}
        self._valid = True

    def offset_position(self, offset: int) -> Position | None:
        if self._to_position is not None:
            return self._to_position(offset)
        if self._lines is None:
            self._lines = LineIndex(self._text)
        return self._lines.position(offset)

    def position(self, path: JsonPath, *, key: bool = False, within: int | None = None) -> Position | None:
        if not path:  # the whole document: no need to index the text
            stripped = self._text.lstrip()
            return self.offset_position(len(self._text) - len(stripped)) if stripped else None
        fast = self._children_position(path, key, within)
        if fast is not None:
            return fast
        if self._index is None:
            self._index = index_json(self._text)
        found = None
        probe = path
        while found is None and probe:
            found = self._index.get(probe)
            if found is None:
                probe = probe[:-1]
        if found is None:
            found = self._index.get(())
        if found is None:
            return None
        value_offset, key_offset = found
        offset = key_offset if key and key_offset is not None else value_offset
        if within is not None and probe == path and not key and self._text.startswith('"', offset):
            inside = self._text[offset + 1 : offset + 1 + within]
            if "\\" not in inside and '"' not in inside:
                offset += 1 + within
        return self.offset_position(offset)

    def _children_position(self, path: JsonPath, key: bool, within: int | None) -> Position | None:
        """The fast way for valid JSON: descend by path, skipping siblings with the C decoder."""
        if not self._valid:
            return None
        text = self._text
        offset = _skip_space(text, 0)
        key_offset: int | None = None
        entry: tuple[int, int | None] | None = None
        try:
            for part in path:
                children = self._children.get(offset)
                if children is None:
                    children = self._children[offset] = _container_children(text, offset)
                entry = children.get(part)
                if entry is None:
                    break
                offset, key_offset = entry
        except (ValueError, IndexError):
            self._valid = False
            return None
        else:
            if entry is None or not path:
                return self.offset_position(offset)
        if key and key_offset is not None:
            return self.offset_position(key_offset)
        if within is not None and text.startswith('"', offset):
            inside = text[offset + 1 : offset + 1 + within]
            if "\\" not in inside and '"' not in inside:
                offset += 1 + within
        return self.offset_position(offset)


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, index: int) -> int:
    match = _SPACE.match(text, index)
    return match.end() if match else index


def _container_children(text: str, start: int) -> dict[PathKey, tuple[int, int | None]]:
    """Offsets of the members of the object or array at ``start`` (raises ValueError on broken JSON)."""
    opening = text[start]
    children: dict[PathKey, tuple[int, int | None]] = {}
    if opening not in "{[":
        return children
    closing = "}" if opening == "{" else "]"
    index = _skip_space(text, start + 1)
    if text[index] == closing:
        return children
    position = 0
    while True:
        if opening == "{":
            key_offset = index
            name, index = _DECODER.raw_decode(text, index)
            index = _skip_space(text, index)
            if not isinstance(name, str) or text[index] != ":":
                raise ValueError("not an object member")
            value_offset = _skip_space(text, index + 1)
            _, index = _DECODER.raw_decode(text, value_offset)
            children[name] = (value_offset, key_offset)
        else:
            value_offset = index
            _, index = _DECODER.raw_decode(text, value_offset)
            children[position] = (value_offset, None)
            position += 1
        index = _skip_space(text, index)
        if text[index] == ",":
            index = _skip_space(text, index + 1)
        elif text[index] == closing:
            return children
        else:
            raise ValueError("broken container")


class _Frame:
    __slots__ = ("is_object", "key", "key_offset", "next_index", "path")

    def __init__(self, path: JsonPath, is_object: bool) -> None:
        self.path = path
        self.is_object = is_object
        self.key: str | None = None
        self.key_offset: int | None = None
        self.next_index = 0


def index_json(text: str) -> dict[JsonPath, tuple[int, int | None]]:
    """Offsets of each value (and of its key, in objects) of a JSON text; tolerant of broken text."""
    index: dict[JsonPath, tuple[int, int | None]] = {}
    stack: list[_Frame] = []
    expecting_key = False

    def value_path() -> tuple[JsonPath, int | None] | None:
        if not stack:
            return (), None
        top = stack[-1]
        if top.is_object:
            if top.key is None:
                return None
            return (*top.path, top.key), top.key_offset
        return (*top.path, top.next_index), None

    for match in _TOKEN.finditer(text):
        token = match.group()
        offset = match.start()
        first = token[0]
        if first in "{[":
            where = value_path()
            path: JsonPath = where[0] if where else ("?",)
            if where is not None:
                index.setdefault(path, (offset, where[1]))
            stack.append(_Frame(path, first == "{"))
            expecting_key = first == "{"
        elif first in "}]":
            if stack:
                stack.pop()
            expecting_key = False
        elif first == ",":
            if stack:
                top = stack[-1]
                if top.is_object:
                    top.key = None
                    expecting_key = True
                else:
                    top.next_index += 1
        elif first == ":":
            expecting_key = False
        elif expecting_key and stack and stack[-1].is_object:
            top = stack[-1]
            top.key = _decode_key(token)
            top.key_offset = offset
        else:
            where = value_path()
            if where is not None:
                index.setdefault(where[0], (offset, where[1]))
    return index


def _decode_key(token: str) -> str:
    if "\\" not in token:
        return token[1:-1] if token.endswith('"') and len(token) > 1 else token[1:]
    try:
        value = json.loads(token)
    except ValueError:
        return token.strip('"')
    return value if isinstance(value, str) else token
