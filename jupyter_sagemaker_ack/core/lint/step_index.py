"""Where each step and parameter sits in a definition, so any path can name its step or parameter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .positions import JsonPath

Owner = Callable[[JsonPath], tuple[str | None, str | None]]
"""The step or parameter a path lies in: ``(step, None)``, ``(None, parameter)`` or ``(None, None)``."""


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
