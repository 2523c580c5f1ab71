"""Values inside a definition at run time: ``Get`` of parameters and execution variables, ``Std:Join``,
and the condition types a ConditionStep evaluates.

Anything that needs a step's output (``Get: Steps.X...`` or ``Std:JsonGet`` on a property file) cannot be
known by an emulator that runs no jobs; it raises :class:`Unresolved` and the caller uses a configured
outcome instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class Unresolved(Exception):
    """The value depends on a step's output, which the emulator does not produce."""


def resolve(value: Any, variables: Mapping[str, Any]) -> Any:
    """The run-time value of ``value``; ``variables`` maps "Parameters.X" / "Execution.X" to values."""
    if isinstance(value, Mapping):
        if "Get" in value and isinstance(value["Get"], str):
            path = value["Get"]
            if path in variables:
                return variables[path]
            raise Unresolved(path)
        if "Std:Join" in value:
            join = value["Std:Join"]
            separator = str(join.get("On", ""))
            return separator.join(render(resolve(v, variables)) for v in join.get("Values", []))
        if "Std:JsonGet" in value:
            raise Unresolved("Std:JsonGet")
    return value


def render(value: Any) -> str:
    """Text of a resolved value as SageMaker writes it (JSON spelling for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def render_text(value: Any, variables: Mapping[str, Any]) -> str:
    """Best-effort text of ``value``: unresolved references are shown as ``{Get path}``."""
    try:
        return render(resolve(value, variables))
    except Unresolved:
        if isinstance(value, Mapping) and "Std:Join" in value:
            join = value["Std:Join"]
            return str(join.get("On", "")).join(render_text(v, variables) for v in join.get("Values", []))
        if isinstance(value, Mapping) and "Get" in value:
            return "{" + str(value["Get"]) + "}"
        return "{" + json.dumps(value) + "}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _equal(left: Any, right: Any) -> bool:
    left_number, right_number = _number(left), _number(right)
    if left_number is not None and right_number is not None:
        return left_number == right_number
    return render(left) == render(right)


def _compare(left: Any, right: Any) -> float:
    left_number, right_number = _number(left), _number(right)
    if left_number is not None and right_number is not None:
        return left_number - right_number
    left_text, right_text = render(left), render(right)
    return (left_text > right_text) - (left_text < right_text)


_COMPARISONS = {
    "GreaterThan": lambda d: d > 0,
    "GreaterThanOrEqualTo": lambda d: d >= 0,
    "LessThan": lambda d: d < 0,
    "LessThanOrEqualTo": lambda d: d <= 0,
}


def evaluate(condition: Mapping[str, Any], variables: Mapping[str, Any]) -> bool:
    """Truth of one condition (Equals, comparisons, In, Not, Or, And); raises Unresolved or ValueError."""
    kind = condition.get("Type")
    if kind in ("Equals", "NotEquals"):
        same = _equal(
            resolve(condition.get("LeftValue"), variables), resolve(condition.get("RightValue"), variables)
        )
        return same if kind == "Equals" else not same
    if kind in _COMPARISONS:
        difference = _compare(
            resolve(condition.get("LeftValue"), variables), resolve(condition.get("RightValue"), variables)
        )
        return bool(_COMPARISONS[kind](difference))
    if kind in ("In", "NotIn"):
        query = resolve(condition.get("QueryValue", condition.get("Value")), variables)
        candidates = condition.get("Values", condition.get("In")) or []
        found = any(_equal(query, resolve(candidate, variables)) for candidate in candidates)
        return found if kind == "In" else not found
    if kind == "Not":
        return not evaluate(condition.get("Expression") or {}, variables)
    if kind == "Or":
        return any(evaluate(c, variables) for c in condition.get("Conditions") or [])
    if kind == "And":
        return all(evaluate(c, variables) for c in condition.get("Conditions") or [])
    raise ValueError(f"unknown condition type {kind!r}")


def evaluate_all(conditions: list[Any], variables: Mapping[str, Any]) -> bool:
    """A ConditionStep is true when every one of its conditions is."""
    return all(evaluate(c, variables) for c in conditions if isinstance(c, Mapping))
