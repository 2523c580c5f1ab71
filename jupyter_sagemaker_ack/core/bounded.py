"""Limits every YAML and JSON reader holds to, so that a small hostile file costs little time and memory.

YAML aliases share nodes: a few hundred bytes can stand for billions of values once anything walks them
(``json.dumps``, a lint rule, the request body sent to Kubernetes). Thousands of nesting levels break every
recursive walker. NaN, Infinity and numbers too large for a float are not JSON: they cannot be digested,
sent to SageMaker or written back. The checks here run before a tree is built: over YAML's event stream
(flat, so it cannot overflow anything) and over JSON's brackets, and each failure names the limit and
what to change.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import UserError

MAX_DEPTH = 100
"""Nesting levels of one document (real manifests and definitions stay below 25)."""
MAX_ALIASES = 10_000
"""YAML alias uses (``*name``) in one stream."""
MAX_NODES = 200_000
"""Values in one YAML stream, each alias counted as every value it stands for."""
MAX_ALIAS_CHARS = 1_000_000
"""Characters of scalar text that aliases repeat, in one YAML stream."""

# The C build of the same safe loader when PyYAML has it: same events and documents, much faster.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ReaderLimit(UserError):
    """A document exceeds one of the reader limits; ``line``/``column`` (1-based) say where, when known."""

    def __init__(self, problem: str, fix: str, *, limit: str, line: int = 1, column: int = 1) -> None:
        super().__init__(problem, fix)
        self.limit = limit
        self.line = line
        self.column = column


class NotJsonNumber(UserError):
    """A number JSON cannot carry: NaN, Infinity, or one too large for a float or to read."""


def _too_deep(what: str, line: int, column: int) -> ReaderLimit:
    return ReaderLimit(
        f"The {what} nests more than {MAX_DEPTH} levels deep (line {line}, column {column}).",
        f"Flatten it: readers accept at most {MAX_DEPTH} levels (MAX_DEPTH); "
        "real manifests and definitions need fewer than 25.",
        limit="MAX_DEPTH",
        line=line,
        column=column,
    )


@dataclass
class _Open:
    """A collection whose end event has not come yet."""

    anchor: str | None
    nodes: int = 1
    chars: int = 0
    height: int = 1


def check_yaml(text: str, *, allow_recursive: bool = False) -> None:
    """Raise :class:`ReaderLimit` when ``text`` would expand or nest past the limits; syntax errors pass
    (the caller's loader reports them with its own position).

    A recursive alias (a value that contains itself) is refused too, unless ``allow_recursive``: the
    linter reads it to report it as a finding of its own, and counts it once.
    """
    loader = _SafeLoader(text)
    try:
        for _ in _checked_events(loader, allow_recursive):
            pass
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def _checked_events(loader: Any, allow_recursive: bool) -> Iterator[yaml.Event]:
    nodes = aliases = alias_chars = 0
    anchors: dict[str, tuple[int, int, int]] = {}  # anchor -> (nodes, chars, height) of its value
    stack: list[_Open] = []

    def add(count: int, chars: int, height: int, mark: Any) -> None:
        nonlocal nodes
        nodes += count
        if nodes > MAX_NODES:
            raise ReaderLimit(
                f"The YAML stands for more than {MAX_NODES:,} values once its aliases are expanded "
                f"(line {mark.line + 1}).",
                f"Write the repeated part out where it is needed instead of through anchors (*alias), or "
                f"split the file: readers expand at most {MAX_NODES:,} values (MAX_NODES).",
                limit="MAX_NODES",
                line=mark.line + 1,
                column=mark.column + 1,
            )
        if len(stack) + height > MAX_DEPTH:
            raise _too_deep("YAML", mark.line + 1, mark.column + 1)
        if stack:
            top = stack[-1]
            top.nodes += count
            top.chars += chars
            top.height = max(top.height, height + 1)

    while loader.check_event():
        event = loader.get_event()
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise ReaderLimit(
                    f"The YAML uses more than {MAX_ALIASES:,} aliases (line {mark.line + 1}).",
                    f"Write the values out instead of through anchors: readers follow at most "
                    f"{MAX_ALIASES:,} aliases (MAX_ALIASES).",
                    limit="MAX_ALIASES",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            if not allow_recursive and any(frame.anchor == event.anchor for frame in stack):
                raise ReaderLimit(
                    f"The YAML alias *{event.anchor} refers to a value that contains it "
                    f"(line {mark.line + 1}): it stands for an endless document.",
                    "Remove the alias: a value cannot contain itself.",
                    limit="recursive alias",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            count, chars, height = anchors.get(str(event.anchor), (1, 0, 0))
            alias_chars += chars
            if alias_chars > MAX_ALIAS_CHARS:
                raise ReaderLimit(
                    f"The YAML's aliases repeat more than {MAX_ALIAS_CHARS:,} characters of text "
                    f"(line {mark.line + 1}).",
                    "Write the repeated text out where it is needed instead of through anchors: readers "
                    f"expand at most {MAX_ALIAS_CHARS:,} characters (MAX_ALIAS_CHARS).",
                    limit="MAX_ALIAS_CHARS",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            add(count, chars, height, mark)
        elif isinstance(event, yaml.ScalarEvent):
            chars = len(event.value)
            if event.anchor is not None:
                anchors[event.anchor] = (1, chars, 0)
            add(1, chars, 0, mark)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(stack) + 1 > MAX_DEPTH:
                raise _too_deep("YAML", mark.line + 1, mark.column + 1)
            stack.append(_Open(event.anchor))
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            done = stack.pop()
            if done.anchor is not None:
                anchors[done.anchor] = (done.nodes, done.chars, done.height)
            nodes -= done.nodes - 1  # its values were counted as they came; count the collection once more
            add(done.nodes, done.chars, done.height, mark)
        elif isinstance(event, yaml.DocumentEndEvent):
            anchors.clear()  # anchors are scoped to their document
        yield event


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[misc]
    """The safe loader, refusing a key given twice in one mapping (it would keep the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag.endswith(":str") and key.value != "<<":
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key '{key.value[:60]}' appears twice", key.start_mark
                    )
                seen.add(key.value)
        return super().construct_mapping(node, deep=deep)


def load_yaml_all(text: str, *, unique_keys: bool = True) -> list[Any]:
    """Every document of a YAML stream (safe loader, empty documents skipped), within the limits.

    A key given twice in one mapping is refused (unless not ``unique_keys``): a reviewer reads the first,
    the loader keeps the last.
    Raises :class:`ReaderLimit` past a limit and ``yaml.YAMLError`` (or ``ValueError`` for an impossible
    date) when the text does not parse.
    """
    check_yaml(text)
    loader = _UniqueKeyLoader if unique_keys else _SafeLoader
    return [doc for doc in yaml.load_all(text, Loader=loader) if doc is not None]


_JSON_STRUCTURE = re.compile(r'[\[\]{}"\\]')


def check_json_depth(text: str, what: str = "JSON") -> None:
    """Raise :class:`ReaderLimit` when ``text`` nests past :data:`MAX_DEPTH` (a scan of its brackets)."""
    depth = 0
    in_string = False
    skip_to = -1
    for match in _JSON_STRUCTURE.finditer(text):
        at = match.start()
        if at < skip_to:
            continue
        char = match.group()
        if in_string:
            if char == "\\":
                skip_to = at + 2
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, at) + 1
                raise _too_deep(what, line, at - (text.rfind("\n", 0, at) + 1) + 1)
        elif char in "]}":
            depth -= 1


def _reject_constant(name: str) -> Any:
    raise NotJsonNumber(
        f"{name} is not a JSON number.",
        "Replace it with a finite number or a string; SageMaker and Kubernetes take JSON only.",
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotJsonNumber(
            f"The number {text[:40]} is too large for a float.",
            "Use a smaller number, or a string if it is an identifier.",
        )
    return value


def loads_json(text: str, what: str = "JSON") -> Any:
    """``json.loads`` within the limits and without NaN/Infinity; ``json.JSONDecodeError`` when broken."""
    check_json_depth(text, what)
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _too_deep(what, 1, 1) from None
    except ValueError as exc:  # an integer of more digits than Python reads (sys.get_int_max_str_digits)
        raise NotJsonNumber(
            f"The {what} holds a number too long to read ({exc}).",
            "Use a shorter number, or a string if it is an identifier.",
        ) from None


def check_value(value: Any, what: str = "document") -> None:
    """Raise when an already parsed value nests past :data:`MAX_DEPTH` or holds NaN/Infinity."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen: set[int] = set()
    while stack:
        item, depth = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise NotJsonNumber(
                f"The {what} holds {item!r}, which is not a JSON number.",
                "Replace it with a finite number or a string; SageMaker and Kubernetes take JSON only.",
            )
        if isinstance(item, (dict, list, tuple)):
            if depth >= MAX_DEPTH:
                raise _too_deep(what, 1, 1)
            if id(item) in seen:
                continue
            seen.add(id(item))
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
