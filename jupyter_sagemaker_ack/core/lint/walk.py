"""Walking parsed JSON/YAML values: every string with its path, and what counts as an expression.

YAML aliases can make a value contain itself; every walk here remembers what it has seen, so a hostile
file ends the walk instead of the process.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .positions import JsonPath

EXPRESSION_KEYS = ("Get", "Std:Join", "Std:JsonGet")


def is_expression(value: Any) -> bool:
    """A pipeline expression (``{"Get": ...}``, ``{"Std:Join": ...}``) that SageMaker resolves at run time."""
    return isinstance(value, Mapping) and any(
        isinstance(k, str) and (k in EXPRESSION_KEYS or k.startswith("Std:")) for k in value
    )


def walk_strings(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every string value (not keys) inside ``value``, with its path."""
    seen: set[int] = set()
    stack: list[tuple[JsonPath, Any]] = [(path, value)]
    while stack:
        here, item = stack.pop()
        if isinstance(item, str):
            yield here, item
        elif isinstance(item, Mapping):
            if id(item) in seen:
                continue
            seen.add(id(item))
            for key, child in reversed(list(item.items())):
                stack.append(((*here, key if isinstance(key, (str, int)) else str(key)), child))
        elif isinstance(item, list):
            if id(item) in seen:
                continue
            seen.add(id(item))
            for index in range(len(item) - 1, -1, -1):
                stack.append(((*here, index), item[index]))


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
