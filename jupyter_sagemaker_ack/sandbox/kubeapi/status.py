"""Kubernetes `Status` error objects: clients branch on their reason and code, so they must look real."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An API failure that is answered as a `metav1.Status` body with the same HTTP code."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.metadata = metadata or {}

    def body(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": dict(self.metadata),
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            status["details"] = self.details
        return status


def _named(code: int, reason: str, plural: str, group: str, name: str, text: str) -> ApiError:
    qualified = f"{plural}.{group}" if group else plural
    details = {"name": name, "group": group, "kind": plural}
    return ApiError(code, reason, text.format(f'{qualified} "{name}"'), details)


def not_found(plural: str, group: str, name: str) -> ApiError:
    return _named(404, "NotFound", plural, group, name, "{} not found")


def already_exists(plural: str, group: str, name: str) -> ApiError:
    return _named(409, "AlreadyExists", plural, group, name, "{} already exists")


def conflict(plural: str, group: str, name: str) -> ApiError:
    text = "Operation cannot be fulfilled on {}: the object has been modified; please apply your changes to "
    return _named(409, "Conflict", plural, group, name, text + "the latest version and try again")


def invalid(kind: str, group: str, name: str, causes: list[dict[str, str]]) -> ApiError:
    text = ", ".join(f"{c['field']}: {c['message']}" for c in causes)
    qualified_kind = f"{kind}.{group}" if group else kind
    message = f'{qualified_kind} "{name}" is invalid: '
    message += f"[{text}]" if len(causes) > 1 else text
    return ApiError(422, "Invalid", message, {"name": name, "group": group, "kind": kind, "causes": causes})


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def method_not_allowed(
    message: str = "the server does not allow this method on the requested resource",
) -> ApiError:
    return ApiError(405, "MethodNotAllowed", message)
