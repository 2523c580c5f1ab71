"""The S3 side of publishing: bucket preflight, SSE-KMS puts with our own SHA-256, reads by VersionId.

Every object the project writes is encrypted with the resolved KMS key ARN and carries a SHA-256 checksum
computed here (S3 stand-ins accept wrong ones), so what was stored can be compared byte for byte later.
Reads always name a VersionId: the versioned bucket is the system of record.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from botocore.exceptions import BotoCoreError, ClientError

from ..core.errors import UserError
from .aws_session import AwsClients, aws_call, bucket_region_of, describe_failure, error_code, http_status
from .kms import KmsKey, resolve_key

SSE_KMS = "aws:kms"
METADATA_PREFIX = "sagemaker-ack-"


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str
    version_id: str | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def pinned_uri(self) -> str:
        return self.uri if not self.version_id else f"{self.uri}?versionId={quote(self.version_id, safe='')}"


def parse_s3_uri(uri: str) -> S3Location:
    """``s3://bucket/key[?versionId=V]`` -> :class:`S3Location`."""
    parts = urlsplit(uri)
    if parts.scheme != "s3" or not parts.netloc or not parts.path.strip("/"):
        raise UserError(
            f"'{uri}' is not an S3 object URI.",
            "Write it as s3://BUCKET/KEY, optionally with ?versionId=VERSION.",
        )
    version = parse_qs(parts.query).get("versionId", [None])[0]
    return S3Location(bucket=parts.netloc, key=parts.path.lstrip("/"), version_id=version or None)


def sha256_b64(data: bytes) -> str:
    """The SHA-256 of ``data`` as S3 writes it in ``x-amz-checksum-sha256`` (base64)."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str
    version_id: str | None
    sse: str | None
    kms_key_arn: str | None
    checksum_sha256: str | None
    metadata: Mapping[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None
    size: int | None = None
    body: bytes | None = field(default=None, repr=False)

    @property
    def location(self) -> S3Location:
        return S3Location(self.bucket, self.key, self.version_id)

    def meta(self, name: str) -> str | None:
        return self.metadata.get(METADATA_PREFIX + name)


def _stored(bucket: str, key: str, response: Mapping[str, Any], body: bytes | None = None) -> StoredObject:
    return StoredObject(
        bucket=bucket,
        key=key,
        version_id=response.get("VersionId"),
        sse=response.get("ServerSideEncryption"),
        kms_key_arn=response.get("SSEKMSKeyId"),
        checksum_sha256=response.get("ChecksumSHA256"),
        metadata={str(k).lower(): str(v) for k, v in (response.get("Metadata") or {}).items()},
        last_modified=response.get("LastModified"),
        size=response.get("ContentLength"),
        body=body,
    )


def metadata_value(value: str) -> str:
    """S3 user metadata must be ASCII; anything else is percent-encoded."""
    return value if value.isascii() else quote(value, safe="/:@ ")


@dataclass(frozen=True)
class Preflight:
    """What was found out about the bucket and key before anything is written."""

    bucket: str
    region: str
    versioning: str
    versioning_enabled_now: bool
    kms_key: KmsKey
    caller_arn: str
    default_encryption: str
    public_access_block: Mapping[str, bool] | None

    def report(self) -> list[tuple[str, str]]:
        """(item, finding) lines for people."""
        pab = self.public_access_block
        if pab is None:
            pab_text = "not set on the bucket, or not readable (account settings may still apply)"
        elif all(pab.values()):
            pab_text = "all four settings on"
        else:
            pab_text = "partly off: " + ", ".join(k for k, v in pab.items() if not v)
        return [
            ("bucket", f"s3://{self.bucket} in {self.region}"),
            (
                "versioning",
                self.versioning + (" (enabled by this publish)" if self.versioning_enabled_now else ""),
            ),
            ("kms key", f"{self.kms_key.arn} ({self.kms_key.state})"),
            ("default encryption", self.default_encryption),
            ("public access block", pab_text),
            ("publisher", self.caller_arn),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "region": self.region,
            "versioning": self.versioning,
            "versioningEnabledNow": self.versioning_enabled_now,
            "kmsKeyArn": self.kms_key.arn,
            "kmsKeyState": self.kms_key.state,
            "defaultEncryption": self.default_encryption,
            "publicAccessBlock": dict(self.public_access_block)
            if self.public_access_block is not None
            else None,
            "publisher": self.caller_arn,
        }


def caller_arn(clients: AwsClients) -> str:
    """The ARN of whoever the credentials belong to (never the credentials themselves)."""
    with aws_call("identify the caller with", target="STS GetCallerIdentity"):
        return str(clients.sts.get_caller_identity()["Arn"])


def check_bucket_region(clients: AwsClients, bucket: str) -> None:
    """The bucket exists, is reachable, and lives in the configured region."""
    target = f"s3://{bucket}"
    try:
        response = clients.s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        status = http_status(exc)
        where = bucket_region_of(exc)
        if status == 404 or error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
            raise UserError(
                f"Bucket '{bucket}' does not exist (or is not visible to this account).",
                "Create it (versioned, SSE-KMS) or pass the right --bucket.",
            ) from None
        if where and where != clients.region:
            raise _region_mismatch(bucket, where, clients.region) from None
        raise describe_failure(exc, "reach bucket", target=target) from None
    except BotoCoreError as exc:
        raise describe_failure(exc, "reach bucket", target=target) from None
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    where = headers.get("x-amz-bucket-region") or response.get("BucketRegion")
    if not where:
        with aws_call("get the location of", target=target):
            where = clients.s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
    if where != clients.region:
        raise _region_mismatch(bucket, str(where), clients.region)


def _region_mismatch(bucket: str, actual: str, configured: str) -> UserError:
    return UserError(
        f"Bucket '{bucket}' is in region {actual}, but the configured region is {configured}.",
        f"Set AWS_REGION={actual} (or pass --region {actual}), or use a bucket in {configured}.",
    )


def bucket_versioning(clients: AwsClients, bucket: str) -> str:
    """``Enabled``, ``Suspended`` or ``Disabled`` (never enabled)."""
    with aws_call("read the versioning state of", target=f"s3://{bucket}"):
        status = clients.s3.get_bucket_versioning(Bucket=bucket).get("Status")
    return str(status) if status else "Disabled"


def ensure_versioning(clients: AwsClients, bucket: str, *, enable: bool) -> tuple[str, bool]:
    """Versioning state after this call and whether this call enabled it; an error when off and not asked."""
    return _settle_versioning(clients, bucket, bucket_versioning(clients, bucket), enable=enable)


def _settle_versioning(clients: AwsClients, bucket: str, state: str, *, enable: bool) -> tuple[str, bool]:
    if state == "Enabled":
        return state, False
    if not enable:
        raise UserError(
            f"Versioning is {state.lower()} on bucket '{bucket}', so a published definition could be "
            "overwritten without a trace.",
            f"Enable it (aws s3api put-bucket-versioning --bucket {bucket} "
            "--versioning-configuration Status=Enabled) or pass --enable-versioning.",
        )
    with aws_call("enable versioning on", target=f"s3://{bucket}"):
        clients.s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    state = bucket_versioning(clients, bucket)
    if state != "Enabled":
        raise UserError(f"Versioning on bucket '{bucket}' is still {state}.", "Enable it by hand and retry.")
    return state, True


def default_encryption(clients: AwsClients, bucket: str) -> str:
    try:
        rules = clients.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except ClientError as exc:
        if error_code(exc) == "ServerSideEncryptionConfigurationNotFoundError":
            return "none configured (each object is encrypted explicitly)"
        if http_status(exc) == 403:
            return "unknown (no permission to read it)"
        raise describe_failure(exc, "read default encryption of", target=f"s3://{bucket}") from None
    found = []
    for rule in rules:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        algorithm = default.get("SSEAlgorithm", "?")
        key = default.get("KMSMasterKeyID")
        found.append(f"{algorithm} ({key})" if key else algorithm)
    return ", ".join(found) or "none configured"


def public_access_block(clients: AwsClients, bucket: str) -> dict[str, bool] | None:
    try:
        config = clients.s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchPublicAccessBlockConfiguration" or http_status(exc) == 403:
            return None
        raise describe_failure(exc, "read the public access block of", target=f"s3://{bucket}") from None
    return {str(k): bool(v) for k, v in config.items()}


def preflight(
    clients: AwsClients, bucket: str | None, kms_key: str | None, *, enable_versioning: bool
) -> Preflight:
    """Check everything a publish needs before the first byte is written.

    The reads run side by side (one round trip), and their verdicts are taken in a fixed order, so the
    error a user sees is the same as if they had run one after another. Enabling versioning, the only
    write, happens after every other check passed.
    """
    if not bucket:
        raise UserError(
            "No S3 bucket is configured to publish to.",
            "Pass --bucket or set SAGEMAKER_ACK_BUCKET.",
        )
    clients.s3, clients.kms, clients.sts  # noqa: B018  (make the clients here, not in racing threads)
    with ThreadPoolExecutor(max_workers=6) as pool:
        region = pool.submit(check_bucket_region, clients, bucket)
        key_found = pool.submit(resolve_key, clients, kms_key)
        versioning_found = pool.submit(bucket_versioning, clients, bucket)
        caller = pool.submit(caller_arn, clients)
        encryption = pool.submit(default_encryption, clients, bucket)
        access_block = pool.submit(public_access_block, clients, bucket)
    region.result()
    key = key_found.result()
    if key.region and key.region != clients.region:
        raise UserError(
            f"KMS key {key.arn} is in region {key.region}, but bucket '{bucket}' is in {clients.region}.",
            "S3 can only use a KMS key of its own region: pass a key from the bucket's region.",
        )
    state = versioning_found.result()
    publisher, encryption_found, pab = caller.result(), encryption.result(), access_block.result()
    versioning, enabled_now = _settle_versioning(clients, bucket, state, enable=enable_versioning)
    return Preflight(
        bucket=bucket,
        region=clients.region,
        versioning=versioning,
        versioning_enabled_now=enabled_now,
        kms_key=key,
        caller_arn=publisher,
        default_encryption=encryption_found,
        public_access_block=pab,
    )


def put_encrypted(
    clients: AwsClients,
    location: S3Location,
    body: bytes,
    *,
    kms_key_arn: str,
    metadata: Mapping[str, str],
    content_type: str = "application/json",
) -> StoredObject:
    """PUT with SSE-KMS under ``kms_key_arn`` and our own SHA-256; the stored object as S3 reports it.

    S3's answer carries the VersionId, the encryption, the key ARN and the checksum it stored, so no
    read-back is needed to know what was written.
    """
    stored = _put(clients, location, body, kms_key_arn, metadata, content_type, if_absent=False)
    assert stored is not None  # only a conditional PUT can be refused
    return stored


def put_encrypted_if_absent(
    clients: AwsClients,
    location: S3Location,
    body: bytes,
    *,
    kms_key_arn: str,
    metadata: Mapping[str, str],
    content_type: str = "application/json",
) -> StoredObject | None:
    """Like :func:`put_encrypted`, but only when the key has no current object (``If-None-Match: *``).

    None when S3 refused because an object is already there: then nothing was written.
    """
    return _put(clients, location, body, kms_key_arn, metadata, content_type, if_absent=True)


def _put(
    clients: AwsClients,
    location: S3Location,
    body: bytes,
    kms_key_arn: str,
    metadata: Mapping[str, str],
    content_type: str,
    *,
    if_absent: bool,
) -> StoredObject | None:
    checksum = sha256_b64(body)
    condition = {"IfNoneMatch": "*"} if if_absent else {}
    try:
        response = clients.s3.put_object(
            Bucket=location.bucket,
            Key=location.key,
            Body=body,
            ContentType=content_type,
            ServerSideEncryption=SSE_KMS,
            SSEKMSKeyId=kms_key_arn,
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=checksum,
            Metadata={METADATA_PREFIX + k: metadata_value(v) for k, v in metadata.items() if v},
            **condition,
        )
    except ClientError as exc:
        if if_absent and (http_status(exc) == 412 or error_code(exc) == "PreconditionFailed"):
            return None
        raise describe_failure(exc, "upload", target=location.uri) from None
    except BotoCoreError as exc:
        raise describe_failure(exc, "upload", target=location.uri) from None
    stored = _stored(location.bucket, location.key, response)
    if not stored.version_id or stored.version_id == "null":
        raise UserError(
            f"S3 returned no VersionId for {location.uri}: the bucket is not versioning objects.",
            "Enable versioning on the bucket and publish again.",
        )
    return stored


def _read_kwargs(location: S3Location) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"Bucket": location.bucket, "Key": location.key, "ChecksumMode": "ENABLED"}
    if location.version_id:
        kwargs["VersionId"] = location.version_id
    return kwargs


def _is_missing(exc: ClientError) -> bool:
    """No such key or version, or (405) the current version is a delete marker."""
    code = error_code(exc)
    return code in ("NoSuchKey", "NoSuchVersion", "404", "NotFound", "InvalidArgument") or http_status(
        exc
    ) in (
        404,
        405,
    )


def head(clients: AwsClients, location: S3Location) -> StoredObject | None:
    """The object's metadata (the current version unless the location pins one); None when there is none."""
    try:
        response = clients.s3.head_object(**_read_kwargs(location))
    except ClientError as exc:
        if _is_missing(exc):
            return None
        raise describe_failure(exc, "read", target=location.pinned_uri) from None
    except BotoCoreError as exc:
        raise describe_failure(exc, "read", target=location.pinned_uri) from None
    return _stored(location.bucket, location.key, response)


def get(clients: AwsClients, location: S3Location) -> StoredObject:
    """The object's bytes and metadata; a UserError naming the version when it is missing."""
    stored = get_optional(clients, location)
    if stored is None:
        raise UserError(
            f"{location.pinned_uri} does not exist (deleted, never published, or a wrong VersionId).",
            "Check the URI and VersionId with `sagemaker-ack history PIPELINE`.",
        )
    return stored


def get_optional(clients: AwsClients, location: S3Location) -> StoredObject | None:
    """Like :func:`get`, but None when the object or version does not exist."""
    try:
        response = clients.s3.get_object(**_read_kwargs(location))
        body = response["Body"].read()
    except ClientError as exc:
        if _is_missing(exc):
            return None
        raise describe_failure(exc, "read", target=location.pinned_uri) from None
    except BotoCoreError as exc:
        raise describe_failure(exc, "read", target=location.pinned_uri) from None
    return _stored(location.bucket, location.key, response, body=body)


@dataclass(frozen=True)
class VersionEntry:
    version_id: str
    last_modified: datetime | None
    is_latest: bool
    size: int | None
    delete_marker: bool = False


def list_versions(clients: AwsClients, bucket: str, key: str) -> list[VersionEntry]:
    """Every version (and delete marker) of exactly ``key``, newest first."""
    entries: list[VersionEntry] = []
    with aws_call("list the versions of", target=f"s3://{bucket}/{key}"):
        paginator = clients.s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=bucket, Prefix=key):
            for item in page.get("Versions", []):
                if item.get("Key") == key:
                    entries.append(
                        VersionEntry(
                            version_id=str(item["VersionId"]),
                            last_modified=item.get("LastModified"),
                            is_latest=bool(item.get("IsLatest")),
                            size=item.get("Size"),
                        )
                    )
            for item in page.get("DeleteMarkers", []):
                if item.get("Key") == key:
                    entries.append(
                        VersionEntry(
                            version_id=str(item["VersionId"]),
                            last_modified=item.get("LastModified"),
                            is_latest=bool(item.get("IsLatest")),
                            size=None,
                            delete_marker=True,
                        )
                    )
    entries.sort(key=lambda e: (e.last_modified is not None, e.last_modified), reverse=True)
    return entries


def delete_version(clients: AwsClients, location: S3Location) -> None:
    """Remove exactly one version (the undo of a failed publish); the previous version becomes current."""
    if not location.version_id:
        raise ValueError("delete_version needs a VersionId: never delete a whole key")
    with aws_call("remove the version just written of", target=location.pinned_uri):
        clients.s3.delete_object(Bucket=location.bucket, Key=location.key, VersionId=location.version_id)
