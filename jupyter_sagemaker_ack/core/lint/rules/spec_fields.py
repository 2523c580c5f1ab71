"""Rules for a manifest's spec against the ACK CRD field model: unknown fields, types, required fields, ranges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ... import ack
from ..positions import JsonPath
from ..sink import Sink
from ..walk import type_name

_JSON_TYPES = {"string": str, "integer": int, "object": Mapping, "array": list, "boolean": bool}


def _fits(value: Any, model: ack.Field) -> bool:
    if model.type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    expected = _JSON_TYPES.get(model.type)
    return expected is None or isinstance(value, expected)


def _shown(path: JsonPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def check_field(
    sink: Sink, value: Any, model: ack.Field, path: JsonPath, skip_required: set[str] | None = None
) -> None:
    if value is None:
        return
    if not _fits(value, model):
        hint = None
        if model.type == "string" and isinstance(value, (int, float, bool)):
            shown = "true" if value is True else "false" if value is False else str(value)
            hint = f'Quote the value: "{shown}" (ACK takes strings here).'
        elif model.type == "string" and path[-1] == "pipelineDefinition":
            hint = "Write the definition as a string: `pipelineDefinition: |` followed by the indented JSON."
        sink.add(
            "SMA203",
            f"{_shown(path)} is {type_name(value)}; the ACK CRD wants {_article(model.type)}.",
            path=path,
            hint=hint,
        )
        return
    if model.type == "integer":
        low = model.minimum if model.minimum is not None else ack.INT32_MIN
        high = model.maximum if model.maximum is not None else (2**63 - 1)
        if not low <= value <= high:
            sink.add(
                "SMA205",
                f"{_shown(path)} is {value}; it must be between {low} and {high}.",
                path=path,
            )
    elif model.type == "object" and model.children:
        for key in value:
            if model.child(str(key)) is None:
                known = ", ".join(c.name for c in model.children)
                sink.add(
                    "SMA202",
                    f"{_shown((*path, str(key)))} is not a field of {_shown(path)}.",
                    path=(*path, key),
                    key=True,
                    hint=f"Known fields: {known}." + _suggest(str(key), [c.name for c in model.children]),
                )
        for child in model.children:
            if child.name in value:
                check_field(sink, value[child.name], child, (*path, child.name))
            elif child.required and child.name not in (skip_required or set()):
                sink.add("SMA204", f"{_shown((*path, child.name))} is required.", path=path)
    elif model.type == "array" and model.items is not None:
        for i, item in enumerate(value):
            check_field(sink, item, model.items, (*path, i))


def _article(kind: str) -> str:
    return {"integer": "an integer", "object": "an object", "array": "a list"}.get(kind, f"a {kind}")


def _suggest(key: str, known: list[str]) -> str:
    lowered = {k.lower(): k for k in known}
    match = lowered.get(key.lower())
    return f" Did you mean '{match}'?" if match else ""
