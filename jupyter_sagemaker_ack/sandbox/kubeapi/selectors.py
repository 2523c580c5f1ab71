"""Label selectors and the `metadata.name`/`metadata.namespace` field selectors (kubectl wait uses them)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .status import bad_request

Matcher = Callable[[dict[str, Any]], bool]
_SET = re.compile(r"^\s*(!?)([\w./-]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")
_EQ = re.compile(r"^\s*([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)\s*$")
_FIELDS = {"metadata.name": "name", "metadata.namespace": "namespace"}


def _split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current)
    return parts


def _requirement(term: str) -> Matcher:
    eq = _EQ.match(term)
    if eq:
        key, op, value = eq.groups()
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    found = _SET.match(term)
    if not found:
        raise bad_request(f"unable to parse requirement: {term!r}")
    negate, key, op, values = found.groups()
    if op:
        allowed = {v.strip() for v in values.split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in allowed
        return lambda labels: labels.get(key) not in allowed
    if negate:
        return lambda labels: key not in labels
    return lambda labels: key in labels


def label_matcher(selector: str | None) -> Matcher:
    if not selector:
        return lambda obj: True
    requirements = [_requirement(term) for term in _split(selector)]
    return lambda obj: all(req(obj.get("metadata", {}).get("labels") or {}) for req in requirements)


def field_matcher(selector: str | None, ignore_unknown: bool = False) -> Matcher:
    if not selector:
        return lambda obj: True
    checks: list[tuple[str, str, str]] = []
    for term in _split(selector):
        found = _EQ.match(term)
        if not found:
            raise bad_request(f"invalid field selector: {term!r}")
        key, op, value = found.groups()
        if key not in _FIELDS:
            if ignore_unknown:
                continue
            raise bad_request(f'field label not supported: "{key}"')
        checks.append((_FIELDS[key], op, value))

    def match(obj: dict[str, Any]) -> bool:
        meta = obj.get("metadata", {})
        return all((meta.get(field) == value) != (op == "!=") for field, op, value in checks)

    return match
