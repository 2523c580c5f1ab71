"""Read a published definition back from S3 at a pinned VersionId, with its provenance.

``sagemaker-ack render --from s3://BUCKET/KEY?versionId=V`` and ``sagemaker-ack diff`` use this so
DevOps can regenerate the YAML from the system of record instead of trusting a notebook's file. The bytes
are checked against their SHA-256 and their recorded digest before anything is built from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..adapters import s3_store
from ..adapters.aws_session import AwsClients
from ..adapters.s3_store import S3Location, StoredObject
from ..config import Settings
from ..core.definition import Definition, parse_definition
from ..core.errors import UserError
from ..core.handoff import record_key_beside
from ..core.manifests import Provenance


@dataclass(frozen=True)
class PublishedDefinition:
    definition: Definition
    provenance: Provenance
    pipeline_name: str | None
    stored: StoredObject


def fetch_published(
    uri: str, settings: Settings, *, clients: AwsClients | None = None
) -> PublishedDefinition:
    """The definition at ``uri`` (current version unless ``?versionId=`` pins one), checked."""
    location = s3_store.parse_s3_uri(uri)
    clients = clients or AwsClients.from_settings(settings)
    stored = s3_store.get(clients, location)
    body = stored.body or b""
    if stored.checksum_sha256 and stored.checksum_sha256 != s3_store.sha256_b64(body):
        raise UserError(
            f"{stored.location.pinned_uri}: the bytes read do not match the object's SHA-256 checksum.",
            "Read it again; if it persists, the object is corrupt: publish the definition again.",
        )
    try:
        definition = parse_definition(body)
    except UserError as exc:
        raise UserError(f"{stored.location.pinned_uri}: {exc.problem}", exc.fix) from None
    recorded = stored.meta("definition-digest")
    if recorded and recorded != definition.digest:
        raise UserError(
            f"{stored.location.pinned_uri} does not match the digest it was published with "
            f"({recorded}, content is {definition.digest}).",
            "It was changed outside sagemaker-ack: find the last good version with `sagemaker-ack history`.",
        )
    record_key = record_key_beside(location.key)
    record_uri = S3Location(location.bucket, record_key).uri if record_key else None
    provenance = Provenance(
        digest=definition.digest,
        definition_uri=location.uri,
        version_id=stored.version_id,
        kms_key_arn=stored.kms_key_arn if stored.sse == s3_store.SSE_KMS else None,
        published_by=stored.meta("published-by"),
        published_at=stored.meta("published-at"),
        record_uri=record_uri,
        signature_key_arn=stored.meta("signature-key") or None,
        signature_algorithm=stored.meta("signature-algorithm") or None,
    )
    return PublishedDefinition(
        definition=definition,
        provenance=provenance,
        pipeline_name=stored.meta("pipeline-name"),
        stored=stored,
    )


def load_definition_from_s3(uri: str, settings: Settings) -> tuple[Definition, Provenance]:
    """For ``render --from``: the definition at ``uri`` and the provenance to annotate the YAML with."""
    published = fetch_published(uri, settings)
    return published.definition, published.provenance
