"""``sagemaker-ack history PIPELINE``: every published version of a pipeline's definition, newest first.

Versions come from ListObjectVersions on the stable definition key; who published each one and its digest
come from the object's own metadata (a HEAD per version, done concurrently). A version without publish
metadata was written by something other than sagemaker-ack and is shown as such.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..adapters import s3_store
from ..adapters.aws_session import AwsClients
from ..adapters.s3_store import S3Location
from ..config import Settings
from ..core.errors import UserError
from ..core.handoff import definition_key

_WORKERS = 8


@dataclass(frozen=True)
class PublishedVersion:
    version_id: str
    time: datetime | None
    digest: str | None
    publisher: str | None
    is_latest: bool
    size: int | None
    kms_key_arn: str | None
    uri: str
    delete_marker: bool = False

    @property
    def pinned_uri(self) -> str:
        bucket, _, key = self.uri.removeprefix("s3://").partition("/")
        return S3Location(bucket, key, self.version_id).pinned_uri

    def to_dict(self) -> dict[str, Any]:
        return {
            "versionId": self.version_id,
            "time": self.time.isoformat() if self.time else None,
            "digest": self.digest,
            "publisher": self.publisher,
            "isLatest": self.is_latest,
            "size": self.size,
            "kmsKeyArn": self.kms_key_arn,
            "uri": self.pinned_uri,
            "deleteMarker": self.delete_marker,
        }


def history(
    pipeline_name: str, settings: Settings, *, clients: AwsClients | None = None
) -> list[PublishedVersion]:
    """The published versions of ``pipeline_name``'s definition under the configured bucket and prefix."""
    if not settings.bucket:
        raise UserError("No S3 bucket is configured.", "Pass --bucket or set SAGEMAKER_ACK_BUCKET.")
    clients = clients or AwsClients.from_settings(settings)
    key = definition_key(settings.prefix, pipeline_name)
    entries = s3_store.list_versions(clients, settings.bucket, key)
    if not entries:
        raise UserError(
            f"Nothing has been published for pipeline '{pipeline_name}' at s3://{settings.bucket}/{key}.",
            "Check the pipeline name, --bucket and --prefix, or publish it first.",
        )
    clients.s3  # noqa: B018  (make the client here, not in racing threads)

    def describe(entry: s3_store.VersionEntry) -> PublishedVersion:
        uri = f"s3://{settings.bucket}/{key}"
        if entry.delete_marker:
            return PublishedVersion(
                entry.version_id, entry.last_modified, None, None, entry.is_latest, None, None, uri, True
            )
        stored = s3_store.head(clients, S3Location(settings.bucket or "", key, entry.version_id))
        return PublishedVersion(
            version_id=entry.version_id,
            time=entry.last_modified,
            digest=stored.meta("definition-digest") if stored else None,
            publisher=stored.meta("published-by") if stored else None,
            is_latest=entry.is_latest,
            size=entry.size,
            kms_key_arn=stored.kms_key_arn if stored else None,
            uri=uri,
        )

    with ThreadPoolExecutor(max_workers=min(_WORKERS, len(entries))) as pool:
        return list(pool.map(describe, entries))
