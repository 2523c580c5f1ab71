"""Rules for pipeline parameters: declarations (types, defaults, enums) and their uses in steps."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ...definition import PARAMETER_TYPES, Definition
from ..positions import JsonPath, PathKey
from ..scan import StringRule
from ..sink import Sink
from ..step_index import Owner, StepIndex
from ..walk import type_name
from .step_types import MAX_ENUM_VALUES

_PARAMETER_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,256}$")


def value_fits(value: Any, kind: str) -> bool:
    """Whether a JSON value is a valid value of a pipeline parameter type."""
    if kind == "String":
        return isinstance(value, str)
    if kind == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "Float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "Boolean":
        return isinstance(value, bool)
    return True


def check_parameters(sink: Sink, definition: Definition) -> None:
    items = definition.raw.get("Parameters")
    if items is None:
        return
    if not isinstance(items, list):
        sink.add("SMA301", "Parameters must be a list.", path=("Parameters",))
        return
    counts = Counter(
        i.get("Name") for i in items if isinstance(i, Mapping) and isinstance(i.get("Name"), str)
    )
    reported: set[str] = set()
    for i, item in enumerate(items):
        path: JsonPath = ("Parameters", i)
        if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str):
            sink.add("SMA323", f"Parameter {i + 1} has no string Name.", path=path)
            continue
        name = item["Name"]
        if not _PARAMETER_NAME.fullmatch(name):
            sink.add("SMA323", f"Parameter name {name!r} is not valid.", path=(*path, "Name"), parameter=name)
        if counts[name] > 1 and name not in reported:
            reported.add(name)
            sink.add(
                "SMA316", f"Parameter '{name}' is declared {counts[name]} times.", path=path, parameter=name
            )
        kind = item.get("Type", "String")
        if kind not in PARAMETER_TYPES:
            sink.add(
                "SMA315",
                f"Parameter '{name}' has Type {kind!r}; use String, Integer, Float or Boolean.",
                path=(*path, "Type"),
                parameter=name,
            )
            continue
        default = item.get("DefaultValue")
        if default is not None and not value_fits(default, kind):
            sink.add(
                "SMA311",
                f"Parameter '{name}' is {kind} but its DefaultValue {default!r} is {type_name(default)}.",
                path=(*path, "DefaultValue"),
                parameter=name,
            )
        enum = item.get("EnumValues")
        if enum is None:
            continue
        if not isinstance(enum, list):
            sink.add(
                "SMA305",
                f"EnumValues of parameter '{name}' must be a list.",
                path=(*path, "EnumValues"),
                parameter=name,
            )
            continue
        if len(enum) > MAX_ENUM_VALUES:
            sink.add(
                "SMA317",
                f"Parameter '{name}' lists {len(enum)} EnumValues; at most {MAX_ENUM_VALUES} are allowed.",
                path=(*path, "EnumValues"),
                parameter=name,
            )
        if default is not None and default not in enum:
            sink.add(
                "SMA312",
                f"The default {default!r} of parameter '{name}' is not among its EnumValues.",
                path=(*path, "DefaultValue"),
                parameter=name,
            )


_INTEGER_FIELDS = {"InstanceCount", "VolumeSizeInGB", "MaxRuntimeInSeconds", "MaxConcurrentTransforms"}


def parameter_use_rule(definition: Definition, index: StepIndex) -> StringRule:
    """A string rule for ``{"Get": "Parameters.X"}``: X must be declared, and of a type the field takes."""
    declared = {p.name: p for p in definition.parameters}

    def rule(sink: Sink, text: str, path: list[PathKey], owner: Owner) -> None:
        if not path or path[-1] != "Get" or not text.startswith("Parameters."):
            return
        here = tuple(path)
        name = text[len("Parameters.") :]
        step, _ = index.owner(here)
        field = here[-2] if len(here) >= 2 else None
        if name not in declared:
            listed = f" (declared: {', '.join(sorted(declared))})" if declared else ""
            sink.add(
                "SMA310",
                f"'{text}' reads a parameter the pipeline does not declare.",
                path=here,
                step=step,
                parameter=name,
                hint=f"Declare it under Parameters{listed} or fix the name.",
            )
        elif field in _INTEGER_FIELDS and declared[name].type in ("String", "Boolean"):
            sink.add(
                "SMA324",
                f"{field} reads {declared[name].type} parameter '{name}'; it needs an Integer.",
                path=here,
                step=step,
                parameter=name,
            )

    return rule
