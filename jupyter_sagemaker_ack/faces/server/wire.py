"""JSON for the wire: turn the services' result objects into the shapes of docs/CONTRACTS.md.

Services return dataclasses or objects with ``to_wire()`` / ``to_dict()``; the handlers need plain JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import inspect
from collections.abc import Mapping
from typing import Any

from ...core.errors import UserError


def to_wire(value: Any) -> Any:
    """A JSON-ready copy of a service result, using the object's own wire method when it has one."""
    if not isinstance(value, type):
        for method in ("to_wire", "to_dict"):
            convert = getattr(value, method, None)
            if callable(convert) and _takes_no_arguments(convert):
                return to_wire(convert())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_wire(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_wire(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _takes_no_arguments(function: Any) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)


def without_steps(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A run snapshot as the runs list carries it: everything but the per-step detail."""
    return {k: v for k, v in snapshot.items() if k not in ("steps", "dag")}


def problem(error: UserError) -> dict[str, str]:
    return {"problem": error.problem, "fix": error.fix}
