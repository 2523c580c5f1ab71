"""CRD structural-schema handling: type/required/enum checks, defaults and pruning of unknown fields.

This is what makes the emulator reject or silently drop the same fields a real API server would, so a
manifest that passes here does not surprise anyone on a cluster.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}
_ROOT_KEYS = {"apiVersion", "kind", "metadata"}
_JSON_NAMES = {dict: "object", list: "array", str: "string", int: "integer", float: "number", bool: "boolean"}


@dataclass
class SchemaResult:
    """What one pass over an object found: invalid fields (causes) and pruned unknown field paths."""

    causes: list[dict[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def fail(self, reason: str, path: str, message: str) -> None:
        self.causes.append({"reason": reason, "message": message, "field": path})


def _type_ok(value: Any, schema: dict[str, Any]) -> bool:
    if schema.get("x-kubernetes-int-or-string"):
        return isinstance(value, (int, str)) and not isinstance(value, bool)
    expected = schema.get("type")
    if not expected:
        return True
    if expected in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES.get(expected, (object,)))


def _show(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else f'"{value}"'


def _check_scalar(value: Any, schema: dict[str, Any], path: str, result: SchemaResult) -> None:
    shown = _show(value)
    if "enum" in schema and value not in schema["enum"]:
        supported = ", ".join(_show(v) for v in schema["enum"])
        result.fail(
            "FieldValueNotSupported", path, f"Unsupported value: {shown}: supported values: {supported}"
        )
    if isinstance(value, str):
        failed = [
            f"should be at most {schema['maxLength']} chars long"
            if len(value) > schema.get("maxLength", 1e18)
            else "",
            f"should be at least {schema['minLength']} chars long"
            if len(value) < schema.get("minLength", 0)
            else "",
            f"should match '{schema['pattern']}'" if not re.search(schema.get("pattern", ""), value) else "",
        ]
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        failed = [
            f"should be greater than or equal to {schema['minimum']}"
            if value < schema.get("minimum", -1e308)
            else "",
            f"should be less than or equal to {schema['maximum']}"
            if value > schema.get("maximum", 1e308)
            else "",
        ]
    else:
        failed = []
    for problem in filter(None, failed):
        result.fail("FieldValueInvalid", path, f"Invalid value: {shown}: {path} in body {problem}")


def _walk(value: Any, schema: dict[str, Any], path: str, result: SchemaResult) -> Any:
    if not _type_ok(value, schema):
        found = _show(_JSON_NAMES.get(type(value), "null"))
        message = f"Invalid value: {found}: {path} in body must be of type {schema.get('type')}: {found}"
        result.fail("FieldValueTypeInvalid", path, message)
        return value
    if isinstance(value, dict):
        return _walk_object(value, schema, path, result)
    if isinstance(value, list):
        items = schema.get("items") or {}
        return [_walk(v, items, f"{path}[{i}]", result) for i, v in enumerate(value)]
    _check_scalar(value, schema, path, result)
    return value


def _walk_object(
    value: dict[str, Any], schema: dict[str, Any], path: str, result: SchemaResult
) -> dict[str, Any]:
    props: dict[str, Any] = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    keep_unknown = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    out: dict[str, Any] = {}
    for key, sub in value.items():
        sub_path = f"{path}.{key}" if path else key
        if path == "" and key in _ROOT_KEYS:
            out[key] = sub
        elif key in props:
            if sub is None and not props[key].get("nullable"):
                continue
            out[key] = _walk(sub, props[key], sub_path, result)
        elif isinstance(extra, dict):
            out[key] = _walk(sub, extra, sub_path, result)
        elif keep_unknown or extra is True:
            out[key] = sub
        else:
            result.unknown.append(sub_path)
    for key, sub in props.items():
        if key not in out and "default" in sub:
            out[key] = copy.deepcopy(sub["default"])
    for key in schema.get("required") or []:
        if key not in out:
            result.fail("FieldValueRequired", f"{path}.{key}" if path else key, "Required value")
    return out


def admit(obj: dict[str, Any], schema: dict[str, Any] | None) -> tuple[dict[str, Any], SchemaResult]:
    """Validate, default and prune ``obj`` against an openAPIV3Schema; returns the pruned copy."""
    result = SchemaResult()
    if not schema:
        return obj, result
    pruned = _walk_object(obj, schema, "", result)
    return pruned, result
