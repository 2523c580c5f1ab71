"""How the ACK SageMaker controller sees an AWS error: its message text and whether it is terminal.

The controller is written in Go with aws-sdk-go-v2: an error the service model declares (ResourceNotFound,
ConflictException...) prints as ``"<Code>: <message>"``, any other API error (ValidationException,
ThrottlingException...) as ``"api error <Code>: <message>"``. Its generator configuration makes
InvalidParameterCombination, InvalidParameterValue, MissingParameter and ResourceNotFound terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

TERMINAL_CODES = frozenset(
    {"InvalidParameterCombination", "InvalidParameterValue", "MissingParameter", "ResourceNotFound"}
)


@cache
def _modeled_errors() -> frozenset[str]:
    model = botocore.session.get_session().get_service_model("sagemaker")
    return frozenset(shape.name for shape in model.error_shapes)


@dataclass(frozen=True)
class AwsFailure:
    """``message`` is what conditions show (the API error); ``detail`` the whole Go error, as the runtime
    puts it in the Synced condition's reason (smithy's ``operation error ...`` around the API error)."""

    code: str | None
    message: str
    terminal: bool
    detail: str = ""

    @property
    def reason(self) -> str:
        return self.detail or self.message

    def is_not_found(self) -> bool:
        """The read path's NotFound: ResourceNotFound whose message ends in "does not exist"."""
        return self.code == "ResourceNotFound" and self.message.rstrip(".").endswith("does not exist")


def describe_failure(error: Exception) -> AwsFailure:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code", "Unknown"))
        text = str(details.get("Message", ""))
        shown = f"{code}: {text}" if code in _modeled_errors() else f"api error {code}: {text}"
        metadata = error.response.get("ResponseMetadata", {})
        detail = (
            f"operation error SageMaker: {error.operation_name}, https response error StatusCode: "
            f"{metadata.get('HTTPStatusCode', 400)}, RequestID: {metadata.get('RequestId', '')}, {shown}"
        )
        return AwsFailure(code, shown, code in TERMINAL_CODES, detail)
    if isinstance(error, BotoCoreError):
        return AwsFailure(None, str(error), False)
    return AwsFailure(None, f"{type(error).__name__}: {error}", False)


def raw_message(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Message", ""))
    return str(error)
