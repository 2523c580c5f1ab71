"""Every value a definition field can take before the run: a literal, or each value of a parameter.

A field set from a parameter (``{"Get": "Parameters.Role"}``) can take the parameter's default, each of
its enum values, and the value given with ``--param``; a ``Std:Join`` of such parts can take each
combination. A policy judges every one of them, so an allowed default cannot hide a forbidden enum value.
Values known only at run time (a step's property, an execution variable) are not judged here.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..definition import Definition

MAX_COMBINATIONS = 64
"""Combinations of a ``Std:Join`` judged; more would only repeat the same findings."""


@dataclass(frozen=True)
class Candidate:
    """One value a field can take and, when it comes from a parameter, where it came from."""

    value: Any
    parameter: str | None = None
    origin: str = "literal"  # literal | default | enum | --param

    def describe(self) -> str:
        if self.parameter is None:
            return repr(self.value) if not isinstance(self.value, str) else f"'{self.value}'"
        shown = repr(self.value) if not isinstance(self.value, str) else f"'{self.value}'"
        return f"{shown} (parameter {self.parameter}, {self.origin})"


@dataclass
class Resolved:
    """The candidates of one field, and the parameters that had no value to judge."""

    candidates: list[Candidate] = field(default_factory=list)
    unknown_parameters: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ParameterValues:
    """Each parameter's possible values: default, enum values and ``--param`` overrides."""

    values: Mapping[str, tuple[Candidate, ...]]

    @classmethod
    def of(
        cls,
        definition: Definition,
        overrides: Mapping[str, Any] | None = None,
        runs: Sequence[tuple[str, Mapping[str, Any]]] = (),
    ) -> ParameterValues:
        """``overrides``: ``--param`` values; ``runs``: ``(execution name, its parameter values)`` of the
        PipelineExecutions that run this pipeline."""
        given = dict(overrides or {})
        out: dict[str, tuple[Candidate, ...]] = {}
        for parameter in definition.parameters:
            found: list[Candidate] = []
            if parameter.default is not None:
                found.append(Candidate(parameter.default, parameter.name, "default"))
            for value in parameter.enum_values or ():
                found.append(Candidate(value, parameter.name, "enum"))
            if parameter.name in given:
                found.append(Candidate(given[parameter.name], parameter.name, "--param"))
            for run, values in runs:
                if parameter.name in values:
                    found.append(Candidate(values[parameter.name], parameter.name, f"execution {run}"))
            unique: list[Candidate] = []
            for candidate in found:
                if all(c.value != candidate.value for c in unique):
                    unique.append(candidate)
            out[parameter.name] = tuple(unique)
        return cls(out)


def resolve(value: Any, parameters: ParameterValues) -> Resolved:
    """The candidates of ``value``; none for what only the run knows."""
    resolved = Resolved()
    if isinstance(value, Mapping):
        name = _parameter_name(value)
        if name is not None:
            candidates = parameters.values.get(name)
            if candidates:
                resolved.candidates.extend(candidates)
            elif candidates is not None:
                resolved.unknown_parameters.append(name)
            return resolved
        join = value.get("Std:Join")
        if isinstance(join, Mapping) and isinstance(join.get("Values"), list):
            return _join(join, parameters)
        return resolved
    if isinstance(value, list):
        return resolved
    resolved.candidates.append(Candidate(value))
    return resolved


def _parameter_name(value: Mapping[str, Any]) -> str | None:
    get = value.get("Get")
    if len(value) == 1 and isinstance(get, str) and get.startswith("Parameters."):
        return get[len("Parameters.") :]
    return None


def _join(join: Mapping[str, Any], parameters: ParameterValues) -> Resolved:
    separator = join.get("On", "")
    parts = [resolve(part, parameters) for part in join["Values"]]
    resolved = Resolved(unknown_parameters=[n for p in parts for n in p.unknown_parameters])
    if not isinstance(separator, str) or any(not p.candidates for p in parts):
        return resolved
    for combination in itertools.islice(itertools.product(*(p.candidates for p in parts)), MAX_COMBINATIONS):
        text = separator.join(_text(c.value) for c in combination)
        from_parameters = [c for c in combination if c.parameter is not None]
        if from_parameters:
            first = from_parameters[0]
            resolved.candidates.append(Candidate(text, first.parameter, first.origin))
        else:
            resolved.candidates.append(Candidate(text))
    return resolved


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
