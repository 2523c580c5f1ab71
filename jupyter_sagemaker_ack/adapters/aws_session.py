"""The one boto3 session strategy, S3/KMS/STS clients built from one :class:`Settings`, and AWS errors as UserErrors.

Every AWS client of the project (S3, KMS and STS here, SageMaker in :mod:`.sagemaker_api`) comes from
:func:`session_for`, so a profile change reaches all of them at once. Region, per-service endpoints and the
retry policy (botocore's ``standard`` mode: backoff on throttling and 5xx) are decided here too.
Credentials come from boto3's own chain and are never logged or stored here.
"""

from __future__ import annotations

import os
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


_lock = threading.Lock()
_shared_loader: list[Any] = []
_sessions: dict[tuple[Any, ...], boto3.session.Session] = {}
# Where boto3 reads credentials and profiles from besides ~/.aws: a change to any of them is a new session.
CREDENTIAL_SOURCES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


def _file_stamp(path: str) -> tuple[float, int] | None:
    try:
        info = os.stat(os.path.expanduser(path))
    except OSError:
        return None
    return (info.st_mtime, info.st_size)


def session_key(settings: Settings) -> tuple[Any, ...]:
    """What decides which credentials a session resolves: the profile, the variables and files boto3 reads.

    The region and the endpoints are given to each client, so they need no session of their own. The key
    holds an access key *id* (not secret) and file times, never a secret.
    """
    env = tuple(os.environ.get(name) for name in CREDENTIAL_SOURCES)
    config_file = os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    credentials_file = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    return (settings.profile, env, _file_stamp(config_file), _file_stamp(credentials_file))


def session_for(settings: Settings) -> boto3.session.Session:
    """The one boto3 session of these settings, shared by S3, KMS, STS and SageMaker in this process.

    Sessions are kept per :func:`session_key`: a changed profile (``AWS_PROFILE``, ``%config
    SageMakerAck.profile``), credential variables or credential files give a new session to every client
    made after the change, and unchanged settings reuse one session and its resolved credentials. All
    sessions share one loader of botocore's service models, whose parsing is most of a client's cost.
    """
    from botocore.exceptions import ConfigParseError, ProfileNotFound

    key = session_key(settings)
    with _lock:
        if key in _sessions:
            return _sessions[key]
        if not _shared_loader:
            _shared_loader.append(botocore.loaders.create_loader())
        core = botocore.session.Session(profile=settings.profile)
        core.register_component("data_loader", _shared_loader[0])
        try:
            core.get_scoped_config()  # reads the profile, so an unknown one is refused here
            session = boto3.session.Session(botocore_session=core)
        except ProfileNotFound:
            raise UserError(
                f"The AWS profile '{settings.profile}' ({settings.sources.get('profile', 'default')}) is not "
                "in the AWS config files.",
                "Add it to ~/.aws/config (aws configure --profile NAME), or set AWS_PROFILE / "
                "%config SageMakerAck.profile to an existing one.",
            ) from None
        except ConfigParseError as exc:
            raise UserError(
                f"The AWS config file cannot be read: {exc}.",
                "Fix the file's INI syntax (see `aws configure list`), or point AWS_CONFIG_FILE elsewhere.",
            ) from None
        _sessions[key] = session
        return session


def make_client(
    settings: Settings, service: str, endpoint: str | None, *, region: str, config: Config
) -> Any:
    """A client of ``service`` from :func:`session_for` (boto3 sessions are not thread-safe to make clients)."""
    session = session_for(settings)
    with _lock:
        return session.client(service, endpoint_url=endpoint, region_name=region, config=config)


def default_region(settings: Settings) -> str | None:
    """The configured region, else the profile's (an unknown profile is refused here, before any request)."""
    session = session_for(settings)
    return settings.region or session.region_name


def has_credentials(settings: Settings) -> bool:
    """Whether boto3's credential chain finds any credentials for these settings (without calling AWS)."""
    try:
        return session_for(settings).get_credentials() is not None
    except Exception:  # a broken profile is "no credentials" here; the caller then says why it cannot ask
        return False


@dataclass
class AwsClients:
    """The S3, KMS and STS clients of one settings object, made on first use."""

    region: str
    settings: Settings
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    _made: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> AwsClients:
        region = default_region(settings)
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
            self._made[service] = make_client(
                self.settings, service, endpoint, region=self.region, config=config
            )
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
