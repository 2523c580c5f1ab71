"""Rules for a pipeline definition's steps: the fields of each step type, conditions, common step fields.

Each rule reports on the raw parsed JSON by path, so a finding can be placed in the file (JSON, or the
YAML that embeds it) and always names its step. What each step type needs is in :mod:`.step_types`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any

from ...definition import Definition
from ..positions import JsonPath
from ..sink import Sink
from ..step_index import StepIndex
from ..walk import is_expression, type_name
from .step_types import (
    BINARY_CONDITIONS,
    CONDITION_TYPES,
    MAX_FAIL_MESSAGE,
    MAX_PROCESSING_INPUTS,
    STEP_SPECS,
    StepSpec,
)

_MISSING = object()


def check_steps(sink: Sink, definition: Definition, index: StepIndex) -> None:
    """Every step (nested ones included) against the rules of its type."""
    for step in definition.steps:
        path = index.paths.get(id(step.raw), ("Steps",))
        _check_step(sink, step.name, step.type, step.raw, path)


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
                    f"{rel} of step '{name}' is {type_name(value)}; SageMaker needs {wanted}.",
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
                    f"{rel}.{key} of step '{name}' is {type_name(item)}; SageMaker takes only strings here "
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
