"""Rules for a pipeline definition: steps, the step graph, parameters and their uses.

Each rule reports on the raw parsed JSON by path, so a finding can be placed in the file (JSON, or the
YAML that embeds it) and always names its step or parameter.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ..dag import build_dag
from ..definition import PARAMETER_TYPES, Definition
from .placeholders import Owner
from .positions import JsonPath, PathKey
from .scan import StringRule
from .sink import Sink
from .step_types import (
    BINARY_CONDITIONS,
    CONDITION_TYPES,
    MAX_ENUM_VALUES,
    MAX_FAIL_MESSAGE,
    MAX_PROCESSING_INPUTS,
    STEP_SPECS,
    StepSpec,
)
from .walk import is_expression, walk_mappings

KNOWN_VERSIONS = ("2020-12-01",)
_STEP_NAME_CHARS = re.compile(r"^[A-Za-z0-9\-_]+$")
_PARAMETER_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,256}$")
_MISSING = object()


class StepIndex:
    """The path of every step (nested Condition branches included) and the step or parameter of a path."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.paths: dict[int, JsonPath] = {}
        self._names: dict[JsonPath, str] = {}
        self._parameters: dict[JsonPath, str] = {}
        self._walk(raw.get("Steps"), ("Steps",))
        parameters = raw.get("Parameters")
        if isinstance(parameters, list):
            for i, item in enumerate(parameters):
                if isinstance(item, Mapping) and isinstance(item.get("Name"), str):
                    self._parameters[("Parameters", i)] = item["Name"]

    def _walk(self, steps: Any, path: JsonPath) -> None:
        if not isinstance(steps, list):
            return
        for i, item in enumerate(steps):
            if not isinstance(item, Mapping):
                continue
            here = (*path, i)
            self.paths[id(item)] = here
            if isinstance(item.get("Name"), str):
                self._names[here] = item["Name"]
            arguments = item.get("Arguments")
            if item.get("Type") == "Condition" and isinstance(arguments, Mapping):
                self._walk(arguments.get("IfSteps"), (*here, "Arguments", "IfSteps"))
                self._walk(arguments.get("ElseSteps"), (*here, "Arguments", "ElseSteps"))

    def owner(self, path: JsonPath) -> tuple[str | None, str | None]:
        for end in range(len(path), 0, -1):
            prefix = path[:end]
            if prefix in self._names:
                return self._names[prefix], None
            if prefix in self._parameters:
                return None, self._parameters[prefix]
        return None, None


def lint_structure(sink: Sink, definition: Definition, index: StepIndex) -> None:
    """Every rule of this module, in the order a reader would fix them."""
    raw = definition.raw
    version = raw.get("Version")
    if version is not None and version not in KNOWN_VERSIONS:
        sink.add("SMA318", f"Definition Version {version!r} is not one SageMaker knows.", path=("Version",))
    _check_step_items(sink, raw.get("Steps"), ("Steps",))
    _check_parameters(sink, definition)
    for step in definition.steps:
        path = index.paths.get(id(step.raw), ("Steps",))
        _check_step(sink, step.name, step.type, step.raw, path)
    _check_names(sink, definition, index)
    _check_graph(sink, definition, index)


def _check_step_items(sink: Sink, steps: Any, path: JsonPath) -> None:
    if not isinstance(steps, list):
        return
    for i, item in enumerate(steps):
        here = (*path, i)
        if not isinstance(item, Mapping):
            sink.add("SMA321", f"Step {i + 1} of {path[-1]} is not an object.", path=here)
            continue
        if not isinstance(item.get("Name"), str) or not item.get("Name"):
            sink.add("SMA321", f"Step {i + 1} of {path[-1]} has no string Name.", path=here)
        elif not isinstance(item.get("Type"), str):
            sink.add("SMA321", f"Step '{item['Name']}' has no string Type.", path=here, step=item["Name"])
        arguments = item.get("Arguments")
        if item.get("Type") == "Condition" and isinstance(arguments, Mapping):
            for branch in ("IfSteps", "ElseSteps"):
                _check_step_items(sink, arguments.get(branch), (*here, "Arguments", branch))


def _get(value: Any, dotted: str) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Values at a dotted path (``X[]`` walks a list); yields nothing where an ancestor is absent."""
    if "[]" not in dotted:
        item = value
        parts = _split(dotted)
        for part in parts:
            if (
                (type(item) is not dict and not isinstance(item, Mapping))
                or part not in item
                or is_expression(item)
            ):
                return iter(())
            item = item[part]
        return iter((((*parts,), item),))
    current: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    for part in dotted.split("."):
        listed = part.endswith("[]")
        name = part[:-2] if listed else part
        following: list[tuple[tuple[str | int, ...], Any]] = []
        for path, item in current:
            if (
                (type(item) is not dict and not isinstance(item, Mapping))
                or name not in item
                or is_expression(item)
            ):
                continue
            child = item[name]
            if listed:
                if isinstance(child, list):
                    following.extend(((*path, name, i), c) for i, c in enumerate(child))
            else:
                following.append(((*path, name), child))
        current = following
    return iter(current)


@functools.lru_cache(maxsize=512)
def _split(dotted: str) -> tuple[str, ...]:
    return tuple(dotted.split("."))


def _present(value: Any, dotted: str) -> bool:
    found = list(_get(value, dotted))
    return bool(found) and any(v is not None for _, v in found)


def _ancestor_is_expression(value: Any, dotted: str) -> bool:
    parts = dotted.split(".")
    item = value
    for part in parts[:-1]:
        if not isinstance(item, Mapping) or part not in item:
            return False
        item = item[part]
        if is_expression(item):
            return True
    return False


def _resolve(
    step_raw: Mapping[str, Any], arguments: Any, path: JsonPath, dotted: str
) -> tuple[Any, JsonPath, str]:
    if dotted.startswith("@"):
        return step_raw, path, dotted[1:]
    return arguments, (*path, "Arguments"), dotted


def _check_step(sink: Sink, name: str, step_type: str, raw: Mapping[str, Any], path: JsonPath) -> None:
    spec = STEP_SPECS.get(step_type)
    if spec is None:
        if step_type:
            known = ", ".join(STEP_SPECS)
            sink.add(
                "SMA303",
                f"Step '{name}' has Type {step_type!r}, which is not a SageMaker step type.",
                path=(*path, "Type"),
                step=name,
                hint=f"Use one of: {known}.",
            )
        return
    arguments = raw.get("Arguments", _MISSING)
    if arguments is _MISSING or arguments is None:
        if spec.arguments_required:
            sink.add("SMA304", f"{step_type} step '{name}' has no Arguments.", path=path, step=name)
            return
        arguments = {}
    elif not isinstance(arguments, Mapping):
        sink.add(
            "SMA305",
            f"The Arguments of step '{name}' are a {type(arguments).__name__}, not an object.",
            path=(*path, "Arguments"),
            step=name,
        )
        return
    _check_common(sink, name, raw, path)
    _check_spec(sink, name, step_type, spec, raw, arguments, path)
    if step_type == "Condition":
        conditions = arguments.get("Conditions")
        if isinstance(conditions, list):
            if not conditions:
                sink.add(
                    "SMA322", f"Condition step '{name}' has an empty Conditions list.", path=path, step=name
                )
            for i, condition in enumerate(conditions):
                _check_condition(sink, name, condition, (*path, "Arguments", "Conditions", i))
    elif step_type == "Processing":
        inputs = arguments.get("ProcessingInputs")
        if isinstance(inputs, list) and len(inputs) > MAX_PROCESSING_INPUTS:
            sink.add(
                "SMA319",
                f"Processing step '{name}' has {len(inputs)} inputs; a processing job takes at most "
                f"{MAX_PROCESSING_INPUTS}.",
                path=(*path, "Arguments", "ProcessingInputs"),
                step=name,
            )
    elif step_type == "Fail":
        message = arguments.get("ErrorMessage")
        if isinstance(message, str) and len(message) > MAX_FAIL_MESSAGE:
            sink.add(
                "SMA320",
                f"The ErrorMessage of Fail step '{name}' has {len(message)} characters (at most "
                f"{MAX_FAIL_MESSAGE}).",
                path=(*path, "Arguments", "ErrorMessage"),
                step=name,
            )
        elif message is not None and not isinstance(message, str) and not is_expression(message):
            sink.add(
                "SMA305",
                f"The ErrorMessage of Fail step '{name}' must be a string or an expression.",
                path=(*path, "Arguments", "ErrorMessage"),
                step=name,
            )


def _check_common(sink: Sink, name: str, raw: Mapping[str, Any], path: JsonPath) -> None:
    depends = raw.get("DependsOn")
    if depends is not None and (
        not isinstance(depends, list) or not all(isinstance(d, str) for d in depends)
    ):
        sink.add(
            "SMA305",
            f"DependsOn of step '{name}' must be a list of step names.",
            path=(*path, "DependsOn"),
            step=name,
        )
    cache = raw.get("CacheConfig")
    if cache is not None:
        if not isinstance(cache, Mapping):
            sink.add(
                "SMA305",
                f"CacheConfig of step '{name}' must be an object.",
                path=(*path, "CacheConfig"),
                step=name,
            )
        elif "Enabled" in cache and not isinstance(cache["Enabled"], bool):
            sink.add(
                "SMA305",
                f"CacheConfig.Enabled of step '{name}' must be true or false, not {cache['Enabled']!r}.",
                path=(*path, "CacheConfig", "Enabled"),
                step=name,
            )
    for key in ("DisplayName", "Description"):
        if key in raw and not isinstance(raw[key], str) and raw[key] is not None:
            sink.add("SMA305", f"{key} of step '{name}' must be a string.", path=(*path, key), step=name)
    retry = raw.get("RetryPolicies")
    if retry is not None and not isinstance(retry, list):
        sink.add(
            "SMA305",
            f"RetryPolicies of step '{name}' must be a list.",
            path=(*path, "RetryPolicies"),
            step=name,
        )


def _type_name(value: Any) -> str:
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
    return "an object"


def _check_spec(
    sink: Sink,
    name: str,
    step_type: str,
    spec: StepSpec,
    raw: Mapping[str, Any],
    arguments: Mapping[str, Any],
    path: JsonPath,
) -> None:
    reported: set[str] = set()
    for requirement in spec.required:
        options = requirement.split("|")
        if any(_present(*_resolve(raw, arguments, path, o)[::2]) for o in options):
            continue
        base, base_path, first = _resolve(raw, arguments, path, options[0])
        if _ancestor_is_expression(base, first):
            continue
        parts = first.split(".")
        missing = next(
            (".".join(parts[:n]) for n in range(1, len(parts)) if not _present(base, ".".join(parts[:n]))),
            None,
        )
        if missing is not None:
            options = [("@" if options[0].startswith("@") else "") + missing]
        if options[0] in reported:
            continue
        reported.add(options[0])
        where = "the step" if options[0].startswith("@") else "Arguments"
        wanted = " or ".join(o.lstrip("@") for o in options)
        sink.add(
            "SMA304",
            f"{step_type} step '{name}' has no {wanted} in {where}.",
            path=base_path,
            step=name,
        )

    def typed(dotted_paths: tuple[str, ...], ok: Any, wanted: str) -> None:
        for dotted in dotted_paths:
            base, base_path, rel = _resolve(raw, arguments, path, dotted)
            for sub, value in _get(base, rel):
                if value is None or is_expression(value) or ok(value):
                    continue
                sink.add(
                    "SMA305",
                    f"{rel} of step '{name}' is {_type_name(value)}; SageMaker needs {wanted}.",
                    path=(*base_path, *sub),
                    step=name,
                )

    typed(spec.integers, lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer")
    typed(spec.strings, lambda v: isinstance(v, str), "a string")
    typed(spec.objects, lambda v: isinstance(v, Mapping), "an object")
    typed(spec.lists, lambda v: isinstance(v, list), "a list")
    for dotted in spec.string_maps:
        base, base_path, rel = _resolve(raw, arguments, path, dotted)
        for sub, value in _get(base, rel):
            if not isinstance(value, Mapping):
                if value is not None and not is_expression(value):
                    sink.add(
                        "SMA305",
                        f"{rel} of step '{name}' must be an object of strings.",
                        path=(*base_path, *sub),
                        step=name,
                    )
                continue
            for key, item in value.items():
                if isinstance(item, str) or is_expression(item):
                    continue
                shown = "true" if item is True else "false" if item is False else repr(item)
                sink.add(
                    "SMA305",
                    f"{rel}.{key} of step '{name}' is {_type_name(item)}; SageMaker takes only strings here "
                    f'(write "{shown}").',
                    path=(*base_path, *sub, str(key)),
                    step=name,
                )
    for dotted, allowed in spec.choices:
        base, base_path, rel = _resolve(raw, arguments, path, dotted)
        for sub, value in _get(base, rel):
            if isinstance(value, str) and value not in allowed:
                sink.add(
                    "SMA305",
                    f"{rel} of step '{name}' is {value!r}; use one of {', '.join(allowed)}.",
                    path=(*base_path, *sub),
                    step=name,
                )


def _check_condition(sink: Sink, step: str, condition: Any, path: JsonPath) -> None:
    if not isinstance(condition, Mapping):
        sink.add("SMA322", f"A condition of step '{step}' is not an object.", path=path, step=step)
        return
    kind = condition.get("Type")
    if kind not in CONDITION_TYPES:
        sink.add(
            "SMA322",
            f"Condition type {kind!r} of step '{step}' is unknown; use one of {', '.join(CONDITION_TYPES)}.",
            path=(*path, "Type") if "Type" in condition else path,
            step=step,
        )
        return
    if kind in BINARY_CONDITIONS:
        needed: tuple[str, ...] = ("LeftValue", "RightValue")
    elif kind == "In":
        needed = ("QueryValue", "Values")
    elif kind == "Not":
        needed = ("Condition|Expression",)
    else:
        needed = ("Conditions",)
    for key in needed:
        if not any(k in condition for k in key.split("|")):
            sink.add(
                "SMA322",
                f"{kind} condition of step '{step}' has no {key.replace('|', ' or ')}.",
                path=path,
                step=step,
            )
    if kind == "Not":
        inner = condition.get("Condition", condition.get("Expression"))
        if inner is not None:
            key = "Condition" if "Condition" in condition else "Expression"
            _check_condition(sink, step, inner, (*path, key))
    elif kind == "Or":
        inner_list = condition.get("Conditions")
        if isinstance(inner_list, list):
            for i, inner in enumerate(inner_list):
                _check_condition(sink, step, inner, (*path, "Conditions", i))
        elif inner_list is not None:
            sink.add(
                "SMA322", f"Or condition of step '{step}' needs a Conditions list.", path=path, step=step
            )
    elif kind == "In" and "Values" in condition and not isinstance(condition["Values"], list):
        sink.add("SMA322", f"In condition of step '{step}' needs a Values list.", path=path, step=step)


def _parameter_paths(definition: Definition) -> dict[str, JsonPath]:
    out: dict[str, JsonPath] = {}
    items = definition.raw.get("Parameters")
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, Mapping) and isinstance(item.get("Name"), str):
                out.setdefault(item["Name"], ("Parameters", i))
    return out


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


def _check_parameters(sink: Sink, definition: Definition) -> None:
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
        if not _PARAMETER_NAME.match(name):
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
                f"Parameter '{name}' is {kind} but its DefaultValue {default!r} is {_type_name(default)}.",
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


def _check_names(sink: Sink, definition: Definition, index: StepIndex) -> None:
    counts = Counter(definition.step_names)
    reported: set[str] = set()
    for step in definition.steps:
        path = index.paths.get(id(step.raw), ("Steps",))
        if counts[step.name] > 1 and step.name not in reported:
            reported.add(step.name)
            sink.add(
                "SMA309",
                f"{counts[step.name]} steps are named '{step.name}'.",
                path=(*path, "Name"),
                step=step.name,
            )
        if len(step.name) > 64:
            sink.add(
                "SMA313",
                f"Step name '{step.name[:20]}...' has {len(step.name)} characters (at most 64).",
                path=(*path, "Name"),
                step=step.name,
            )
        if step.name and not _STEP_NAME_CHARS.match(step.name):
            bad = sorted({c for c in step.name if not re.match(r"[A-Za-z0-9\-_]", c)})
            sink.add(
                "SMA314",
                f"Step name '{step.name}' contains {', '.join(repr(c) for c in bad)}.",
                path=(*path, "Name"),
                step=step.name,
            )


def _check_graph(sink: Sink, definition: Definition, index: StepIndex) -> None:
    dag = build_dag(definition)
    by_name = {s.name: s for s in definition.steps}
    for ref in dag.dangling:
        step = by_name.get(ref.step)
        path = index.paths.get(id(step.raw), ("Steps",)) if step is not None else ("Steps",)
        if ref.kind == "depends_on":
            position = step.depends_on.index(ref.reference) if step is not None else 0
            sink.add(
                "SMA306",
                f"Step '{ref.step}' depends on '{ref.reference}', which is not a step of this pipeline.",
                path=(*path, "DependsOn", position),
                step=ref.step,
            )
        else:
            sink.add(
                "SMA307",
                f"Step '{ref.step}' reads properties of '{ref.reference}', "
                "which is not a step of this pipeline.",
                path=_reference_path(step.raw if step else {}, path, ref.reference),
                step=ref.step,
            )
    cycle = dag.find_cycle()
    if cycle:
        first = by_name.get(cycle[0])
        path = index.paths.get(id(first.raw), ("Steps",)) if first is not None else ("Steps",)
        sink.add("SMA308", "The steps form a cycle: " + " -> ".join(cycle) + ".", path=path, step=cycle[0])


def _reference_path(raw: Mapping[str, Any], path: JsonPath, reference: str) -> JsonPath:
    prefix = f"Steps.{reference}"
    for sub, mapping in walk_mappings(raw):
        get = mapping.get("Get")
        if isinstance(get, str) and (get == prefix or get.startswith((prefix + ".", prefix + "["))):
            if "IfSteps" in sub or "ElseSteps" in sub:
                continue
            return (*path, *sub, "Get")
    return path


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
