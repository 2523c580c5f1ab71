"""Walking parsed JSON/YAML values: every string with its path, what counts as an expression, type names.

YAML aliases can make a value contain itself; every walk here remembers what it has seen, so a hostile
file ends the walk instead of the process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .positions import JsonPath, PathKey

EXPRESSION_KEYS = ("Get", "Std:Join", "Std:JsonGet")


def is_expression(value: Any) -> bool:
    """A pipeline expression (``{"Get": ...}``, ``{"Std:Join": ...}``) that SageMaker resolves at run time."""
    if type(value) is not dict and not isinstance(value, Mapping):
        return False
    if len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and (key == "Get" or key.startswith("Std:"))


def walk_strings(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every string value (not keys) inside ``value``, with its path."""
    seen: set[int] = set()
    stack: list[tuple[JsonPath, Any]] = [(path, value)]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        here, item = pop()
        kind = type(item)
        if kind is str:
            yield here, item
        elif kind is dict or (kind is not list and isinstance(item, Mapping)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            for key, child in item.items():
                child_kind = type(child)
                if child_kind is str:
                    push(((*here, key), child))
                elif child_kind is dict or child_kind is list or isinstance(child, (Mapping, str, list)):
                    push(((*here, key if isinstance(key, (str, int)) else str(key)), child))
        elif kind is list:
            if id(item) in seen:
                continue
            seen.add(id(item))
            extend(
                ((*here, index), child)
                for index, child in enumerate(item)
                if isinstance(child, (str, dict, list, Mapping))
            )
        elif isinstance(item, str):
            yield here, item


def walk_mappings(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Mapping[Any, Any]]]:
    """Every mapping inside ``value`` (itself included), with its path."""
    seen: set[int] = set()
    stack: list[tuple[JsonPath, Any]] = [(path, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, Mapping):
            if id(item) in seen:
                continue
            seen.add(id(item))
            yield here, item
            for key, child in item.items():
                if isinstance(child, (Mapping, list)):
                    stack.append(((*here, key if isinstance(key, (str, int)) else str(key)), child))
        elif isinstance(item, list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            for index, child in enumerate(item):
                if isinstance(child, (Mapping, list)):
                    stack.append(((*here, index), child))


def last_key(path: JsonPath) -> str | None:
    """The nearest mapping key on ``path`` (list indexes skipped)."""
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return None


StringVisitor = Callable[[str, list[PathKey]], None]


def visit_strings(value: Any, visitor: StringVisitor, path: JsonPath = ()) -> None:
    """Call ``visitor(text, path)`` for every string inside ``value``; ``path`` is a live list (copy to keep).

    The fast walk for large definitions: no path tuple is built unless a rule reports something.
    """
    current: list[PathKey] = list(path)
    seen: set[int] = set()

    def walk(item: Any) -> None:
        kind = type(item)
        if kind is dict or (kind is not list and kind is not str and isinstance(item, Mapping)):
            if id(item) in seen:
                return
            seen.add(id(item))
            for key, child in item.items():
                child_kind = type(child)
                if child_kind is str:
                    current.append(key)
                    visitor(child, current)
                    current.pop()
                elif child_kind is dict or child_kind is list or isinstance(child, Mapping):
                    current.append(key if isinstance(key, (str, int)) else str(key))
                    walk(child)
                    current.pop()
        elif kind is list:
            if id(item) in seen:
                return
            seen.add(id(item))
            for index, child in enumerate(item):
                current.append(index)
                if type(child) is str:
                    visitor(child, current)
                else:
                    walk(child)
                current.pop()
        elif isinstance(item, str):
            visitor(item, current)

    try:
        walk(value)
    except RecursionError:
        for here, text in walk_strings(value, path):
            visitor(text, list(here))


def type_name(value: Any) -> str:
    """How a finding names the JSON type of a value: ``a string``, ``an integer``, ``null``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"
