"""boto3 clients for S3, KMS and STS built from one :class:`Settings`, and AWS errors turned into UserErrors.

Every AWS call of the publisher, verify, history and diff goes through the clients made here, so region,
per-service endpoints and the retry policy (botocore's ``standard`` mode: backoff on throttling and 5xx)
are decided in one place. Credentials come from boto3's own chain and are never read, logged or stored here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from ..config import Settings
from ..core.errors import UserError

DEFAULT_MAX_ATTEMPTS = 5  # attempts in all, the first one included
RETRY_MODE = "standard"

ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "403", "Forbidden"})
THROTTLING_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "503",
    }
)
KMS_DISABLED_CODES = frozenset({"DisabledException", "KMS.DisabledException", "KMSInvalidStateException"})


_loader_lock = threading.Lock()
_shared_loader: list[Any] = []


def new_session() -> boto3.session.Session:
    """A fresh boto3 session (credentials resolved anew) sharing one loader of the service models.

    Parsing botocore's service models is most of the cost of a client (~0.1-0.2 s for S3); the models
    never change within a process, credentials may, so only the loader is shared.
    """
    with _loader_lock:
        if not _shared_loader:
            _shared_loader.append(botocore.loaders.create_loader())
        loader = _shared_loader[0]
    core = botocore.session.Session()
    core.register_component("data_loader", loader)
    return boto3.session.Session(botocore_session=core)


@dataclass
class AwsClients:
    """The S3, KMS and STS clients of one settings object, made on first use."""

    region: str
    settings: Settings
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    _made: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> AwsClients:
        region = settings.region or new_session().region_name
        if not region:
            raise UserError(
                "No AWS region is configured.",
                "Set AWS_REGION (or SAGEMAKER_ACK_REGION), or pass --region.",
            )
        return cls(region=region, settings=settings, max_attempts=max_attempts)

    def _client(self, service: str, endpoint: str | None) -> Any:
        if service not in self._made:
            config = Config(
                region_name=self.region,
                retries={"mode": RETRY_MODE, "total_max_attempts": self.max_attempts},
                s3={"addressing_style": "path"} if endpoint else None,
            )
            if "session" not in self._made:
                self._made["session"] = new_session()
            self._made[service] = self._made["session"].client(service, endpoint_url=endpoint, config=config)
        return self._made[service]

    @property
    def s3(self) -> Any:
        return self._client("s3", self.settings.s3_endpoint)

    @property
    def kms(self) -> Any:
        return self._client("kms", self.settings.kms_endpoint)

    @property
    def sts(self) -> Any:
        return self._client("sts", self.settings.sts_endpoint)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def http_status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def bucket_region_of(exc: ClientError) -> str | None:
    headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    region = headers.get("x-amz-bucket-region") or exc.response.get("Error", {}).get("Region")
    return str(region) if region else None


def describe_failure(exc: Exception, action: str, *, target: str) -> UserError:
    """One clear UserError for a failed AWS call: what was tried on what, why, and the fix."""
    if isinstance(exc, UserError):
        return exc
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return UserError(
            f"No AWS credentials were found to {action} {target}.",
            "Configure credentials (AWS_PROFILE, `aws sso login`, or an instance/pod role) and try again.",
        )
    if isinstance(exc, NoRegionError):
        return UserError("No AWS region is configured.", "Set AWS_REGION or pass --region.")
    if isinstance(exc, EndpointConnectionError):
        return UserError(
            f"Could not reach the AWS endpoint to {action} {target}: {exc}.",
            "Check the network and the endpoint settings (AWS_ENDPOINT_URL_S3/KMS/STS).",
        )
    if isinstance(exc, ClientError):
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message") or code
        status = http_status(exc)
        if code in ACCESS_DENIED_CODES or status == 403:
            return UserError(
                f"Access denied: could not {action} {target}.",
                "Ask for the missing permission (s3:PutObject/GetObject/ListBucketVersions on the bucket, "
                "kms:GenerateDataKey/Decrypt/DescribeKey on the key) or use credentials that have it.",
            )
        if code == "NoSuchBucket":
            return UserError(
                f"The bucket of {target} does not exist.",
                "Create it (versioned, SSE-KMS) or pass the right --bucket.",
            )
        if code in KMS_DISABLED_CODES:
            return UserError(
                f"The KMS key is disabled or not usable, so S3 cannot {action} {target}: {message}.",
                "Enable the key (kms:EnableKey) or pass another --kms-key.",
            )
        if code in THROTTLING_CODES or status == 503:
            return UserError(
                f"AWS kept throttling requests to {action} {target} after retries ({code}).",
                "Try again in a minute; nothing was left half-published.",
            )
        if status in (301, 307) or code in ("PermanentRedirect", "AuthorizationHeaderMalformed"):
            where = bucket_region_of(exc)
            return UserError(
                f"The bucket of {target} is in another region{f' ({where})' if where else ''}.",
                f"Set AWS_REGION{f'={where}' if where else ''} or pass --region to match the bucket.",
            )
        return UserError(
            f"Could not {action} {target}: {code}: {message}.", "Check the bucket, key and permissions."
        )
    if isinstance(exc, BotoCoreError):
        return UserError(f"Could not {action} {target}: {exc}.", "Check the AWS configuration.")
    raise exc


@contextmanager
def aws_call(action: str, *, target: str) -> Iterator[None]:
    """Turn any AWS failure inside the block into :func:`describe_failure`'s UserError."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise describe_failure(exc, action, target=target) from None
