"""Request validation against the SageMaker service model that ships with botocore.

SageMaker checks every member's pattern, length, range and enum server-side and answers a
``ValidationException`` worded by its request framework ("1 validation error detected: Value 'x' at
'pipelineName' failed to satisfy constraint: ..."). botocore only checks types, required members and minimums
on the client, so the emulator repeats the server's checks from the same model the client uses.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, OperationModel, ServiceModel, Shape, StructureShape

from .errors import ApiError, validation_error


@cache
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("sagemaker")


@cache
def operation_model(name: str) -> OperationModel | None:
    try:
        return service_model().operation_model(name)
    except Exception:
        return None


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:
        # Java-only constructs such as \p{L}: SageMaker checks them, the emulator lets them pass.
        return None


def _member_path(parent: str, name: str) -> str:
    lowered = name[:1].lower() + name[1:]
    return f"{parent}.{lowered}" if parent else lowered


def _check(value: Any, shape: Shape, path: str, errors: list[str]) -> None:
    meta = shape.metadata
    shown = value if not isinstance(value, str) or len(value) <= 200 else value[:200] + "..."
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            return
        for required in shape.required_members:
            if value.get(required) is None:
                errors.append(
                    f"Value null at '{_member_path(path, required)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for key, member_value in value.items():
            member = shape.members.get(key)
            if member is not None and member_value is not None:
                _check(member_value, member, _member_path(path, key), errors)
        return
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            return
        if "max" in meta and len(value) > meta["max"]:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {meta['max']}"
            )
        for index, item in enumerate(value, start=1):
            _check(item, shape.member, f"{path}.{index}.member", errors)
        return
    if shape.type_name == "string" and isinstance(value, str):
        if "enum" in meta and value not in shape.enum:
            allowed = ", ".join(shape.enum)
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{allowed}]"
            )
            return
        if "min" in meta and len(value) < meta["min"]:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: "
                f"Member must have length greater than or equal to {meta['min']}"
            )
        if "max" in meta and len(value) > meta["max"]:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {meta['max']}"
            )
        pattern = meta.get("pattern")
        compiled = _compiled(pattern) if pattern else None
        if compiled is not None and compiled.fullmatch(value) is None:
            errors.append(
                f"Value '{shown}' at '{path}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {pattern}"
            )
        return
    if shape.type_name in ("integer", "long") and isinstance(value, int):
        if "min" in meta and value < meta["min"]:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            errors.append(
                f"Value '{value}' at '{path}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {meta['max']}"
            )


def validate_request(operation: str, params: dict[str, Any]) -> None:
    """Raise the ValidationException SageMaker would answer for ``params``, or return."""
    model = operation_model(operation)
    if model is None or model.input_shape is None:
        raise ApiError("UnknownOperationException", f"Unknown operation {operation}")
    errors: list[str] = []
    _check(params, model.input_shape, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise validation_error(f"{count} validation {noun} detected: " + "; ".join(errors))
