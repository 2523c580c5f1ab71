"""The errors the emulator answers with, in SageMaker's JSON 1.1 error shape.

botocore reads ``__type`` as the error code and ``message`` as the text, so a client sees exactly the
``ClientError`` codes (ValidationException, ResourceNotFound, ConflictException, ThrottlingException) that
SageMaker itself would raise.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A SageMaker API error: code, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> dict[str, Any]:
        return {"__type": self.code, "message": self.message}


def validation_error(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def not_found(message: str) -> ApiError:
    return ApiError("ResourceNotFound", message)


def conflict(message: str) -> ApiError:
    return ApiError("ConflictException", message)


def throttled() -> ApiError:
    return ApiError("ThrottlingException", "Rate exceeded")
