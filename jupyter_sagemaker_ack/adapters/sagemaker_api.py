"""The SageMaker Pipelines API as the status engine and stop need it: describe, every page of steps, stop.

One boto3 client per :class:`Settings` (region, endpoint, botocore ``standard`` retries), from the same
session strategy as S3 (:func:`.aws_session.session_for`). Throttling that
outlasts botocore's retries is raised as :class:`Throttled` (and a dropped connection as :class:`Transient`)
so the caller's polling policy can back off instead of failing; every other AWS failure becomes a
:class:`UserError` with the AWS message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..config import Settings
from ..core.errors import UserError
from . import aws_session
from .aws_session import session_for

STEPS_PAGE_SIZE = 100
EXECUTIONS_PAGE_SIZE = 100
# botocore retries throttling itself; a few attempts, then the polling policy takes over.
MAX_ATTEMPTS = 3
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
    }
)


def _session(settings: Settings | None = None) -> Any:
    """The boto3 session SageMaker clients come from: :func:`.aws_session.session_for`, as for S3."""
    from ..config import resolve_settings

    return session_for(settings if settings is not None else resolve_settings())


class Transient(UserError):
    """SageMaker could not answer now (throttling, a dropped connection): back off and ask again later."""


class Throttled(Transient):
    """SageMaker kept throttling after botocore's retries."""


class NotFound(UserError):
    """The execution or pipeline does not exist in SageMaker (in this account and region)."""


def has_credentials(settings: Settings | None = None) -> bool:
    """Whether boto3's credential chain finds any credentials for these settings (without calling AWS)."""
    from ..config import resolve_settings

    return aws_session.has_credentials(settings if settings is not None else resolve_settings())


@dataclass
class SageMakerApi:
    """The few SageMaker Pipelines operations of status, runs and stop."""

    client: Any
    region: str

    @classmethod
    def from_settings(cls, settings: Settings, *, max_attempts: int = MAX_ATTEMPTS) -> SageMakerApi:
        from botocore.config import Config

        region = aws_session.default_region(settings)
        if not region:
            raise UserError(
                "No AWS region is configured for SageMaker.",
                "Set AWS_REGION (or SAGEMAKER_ACK_REGION), or pass --region.",
            )
        config = Config(region_name=region, retries={"mode": "standard", "total_max_attempts": max_attempts})
        client = aws_session.make_client(
            settings, "sagemaker", settings.sagemaker_endpoint, region=region, config=config
        )
        return cls(client=client, region=region)

    def describe_execution(self, arn: str) -> dict[str, Any]:
        with _sagemaker_call("describe", arn):
            answer: dict[str, Any] = self.client.describe_pipeline_execution(PipelineExecutionArn=arn)
        return answer

    def list_steps(self, arn: str) -> list[dict[str, Any]]:
        """Every step of the execution: all pages (the SDK's list_steps() stops after the first)."""
        steps: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "PipelineExecutionArn": arn,
                "MaxResults": STEPS_PAGE_SIZE,
                "SortOrder": "Ascending",
            }
            if token:
                params["NextToken"] = token
            with _sagemaker_call("list the steps of", arn):
                page = self.client.list_pipeline_execution_steps(**params)
            steps.extend(page.get("PipelineExecutionSteps") or [])
            token = page.get("NextToken")
            if not token:
                return steps

    def definition_for_execution(self, arn: str) -> str:
        with _sagemaker_call("read the definition of", arn):
            answer = self.client.describe_pipeline_definition_for_execution(PipelineExecutionArn=arn)
        return str(answer.get("PipelineDefinition") or "")

    def stop_execution(self, arn: str) -> None:
        with _sagemaker_call("stop", arn):
            self.client.stop_pipeline_execution(PipelineExecutionArn=arn)

    def list_executions(self, pipeline_name: str, *, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent executions of a pipeline (newest first), at most ``limit``."""
        out: list[dict[str, Any]] = []
        token: str | None = None
        while len(out) < limit:
            params: dict[str, Any] = {
                "PipelineName": pipeline_name,
                "SortBy": "CreationTime",
                "SortOrder": "Descending",
                "MaxResults": min(EXECUTIONS_PAGE_SIZE, limit - len(out)),
            }
            if token:
                params["NextToken"] = token
            with _sagemaker_call("list the executions of", f"pipeline {pipeline_name}"):
                page = self.client.list_pipeline_executions(**params)
            out.extend(page.get("PipelineExecutionSummaries") or [])
            token = page.get("NextToken")
            if not token:
                break
        return out[:limit]


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


@contextmanager
def _sagemaker_call(action: str, target: str) -> Iterator[None]:
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
        ReadTimeoutError,
    )

    try:
        yield
    except ClientError as exc:
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message") or code
        if code in THROTTLING_CODES:
            raise Throttled(f"{code}: {message}", "Try again in a minute.") from None
        if code in ("ResourceNotFound", "ResourceNotFoundException", "ValidationException") and (
            "does not exist" in message or "not found" in message.lower()
        ):
            raise NotFound(
                f"SageMaker has no {target}: {message}",
                "Check the ARN, the AWS account and the region (AWS_REGION).",
            ) from None
        if code in ("AccessDenied", "AccessDeniedException"):
            raise UserError(
                f"Access denied: could not {action} {target} in SageMaker: {message}",
                "Use credentials allowed sagemaker:DescribePipelineExecution, ListPipelineExecutionSteps, "
                "ListPipelineExecutions and StopPipelineExecution.",
            ) from None
        raise UserError(
            f"Could not {action} {target} in SageMaker: {code}: {message}",
            "Check the name or ARN, the AWS account and region (AWS_REGION) and the credentials' permissions; "
            "the error code above is SageMaker's own.",
        ) from None
    except (NoCredentialsError, PartialCredentialsError):
        raise UserError(
            f"No AWS credentials were found to {action} {target}.",
            "Configure credentials (AWS_PROFILE, `aws sso login`, or a pod role), or follow the run "
            "through its PipelineExecution CR instead.",
        ) from None
    except (EndpointConnectionError, ConnectionClosedError, ReadTimeoutError, ConnectTimeoutError) as exc:
        raise Transient(
            f"Could not reach SageMaker to {action} {target}: {exc}.",
            "Check the network and AWS_ENDPOINT_URL_SAGEMAKER.",
        ) from None
    except BotoCoreError as exc:
        raise UserError(
            f"Could not {action} {target} in SageMaker: {exc}.", "Check the AWS configuration."
        ) from None
