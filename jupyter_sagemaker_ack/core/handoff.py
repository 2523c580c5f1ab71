"""The hand-off's pure rules: where a pipeline's definition and record live in S3, and the record's schema.

Publishing writes them, ``history`` lists the definition's versions and ``render --from`` finds the record
beside a definition; all three share these rules, so they live here, apart from any S3 call. The record is
the one object that ties a definition version to its code versions, KMS key and publisher.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFINITION_FILE = "definition.json"
RECORD_FILE = "handoff-record.json"
RECORD_SCHEMA = "sagemaker-ack.io/handoff-record/v1"


def _key(prefix: str | None, pipeline_name: str, file: str) -> str:
    return "/".join(p for p in ((prefix or "").strip("/"), pipeline_name, file) if p)


def definition_key(prefix: str | None, pipeline_name: str) -> str:
    """The stable key of a pipeline's definition: every publish is a new version of this one key."""
    return _key(prefix, pipeline_name, DEFINITION_FILE)


def record_key(prefix: str | None, pipeline_name: str) -> str:
    """The key of the hand-off record, beside the definition."""
    return _key(prefix, pipeline_name, RECORD_FILE)


def record_key_beside(key: str) -> str | None:
    """The record key of the definition at ``key``; None when ``key`` is not a definition key."""
    if key == DEFINITION_FILE:
        return RECORD_FILE
    if key.endswith("/" + DEFINITION_FILE):
        return key[: -len(DEFINITION_FILE)] + RECORD_FILE
    return None


@dataclass(frozen=True)
class RecordedObject:
    """One S3 object version the record pins, with the SHA-256 (base64, as S3 reports it) of its bytes."""

    uri: str
    version_id: str
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"uri": self.uri, "versionId": self.version_id, "sha256": self.sha256}


@dataclass(frozen=True)
class RecordedDefinition(RecordedObject):
    digest: str = ""
    size: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "digest": self.digest, "bytes": self.size}


@dataclass(frozen=True)
class RecordSignature:
    """A KMS signature of the record's ``signed_fields`` (see :mod:`core.signing`), stored in the record."""

    key_arn: str
    algorithm: str
    value: str
    """Base64 of the signature bytes."""
    signed_fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "keyArn": self.key_arn,
            "algorithm": self.algorithm,
            "value": self.value,
            "signedFields": list(self.signed_fields),
        }


@dataclass(frozen=True)
class HandoffRecord:
    """What one publish handed off: the definition version, the code versions, the key and who did it."""

    pipeline_name: str
    definition: RecordedDefinition
    artifacts: tuple[RecordedObject, ...]
    kms_key_arn: str
    versioning: str
    region: str | None
    published_by: str
    published_at: str
    tool_version: str
    source_notebook: str | None = None
    git_commit: str | None = None
    sdk_version: str | None = None
    signature: RecordSignature | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.unsigned_dict()
        if self.signature is not None:
            out["signature"] = self.signature.to_dict()
        return out

    def unsigned_dict(self) -> dict[str, Any]:
        """The record without its signature: what a signature covers (some of) the fields of."""
        return {
            "schema": RECORD_SCHEMA,
            "pipelineName": self.pipeline_name,
            "definition": self.definition.to_dict(),
            "artifacts": [a.to_dict() for a in self.artifacts],
            "kmsKeyArn": self.kms_key_arn,
            "versioning": self.versioning,
            "region": self.region,
            "publishedBy": self.published_by,
            "publishedAt": self.published_at,
            "sourceNotebook": self.source_notebook,
            "gitCommit": self.git_commit,
            "toolVersion": self.tool_version,
            "sdkVersion": self.sdk_version,
        }

    def to_json(self) -> bytes:
        """The record's bytes as stored: indented, keys sorted, UTF-8."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")

    def pins(
        self,
        definition_uri: str,
        definition_version_id: str | None,
        kms_key_arn: str,
        artifact_sha256: Mapping[str, str],
    ) -> bool:
        """This record already describes a publish of exactly this: the same definition version, key and code.

        Code at a fixed URI can change while the definition stays the same, so code is compared by content.
        """
        return (
            self.definition.uri == definition_uri
            and self.definition.version_id == definition_version_id
            and self.kms_key_arn == kms_key_arn
            and {a.uri: a.sha256 for a in self.artifacts} == dict(artifact_sha256)
        )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _recorded(item: object) -> RecordedObject | None:
    if not isinstance(item, Mapping):
        return None
    uri, version_id = _text(item.get("uri")), _text(item.get("versionId"))
    if uri is None or version_id is None:
        return None
    return RecordedObject(uri=uri, version_id=version_id, sha256=_text(item.get("sha256")) or "")


def parse_record(body: bytes | str) -> HandoffRecord | None:
    """The record in ``body``; None when it is not a readable record of this schema (then it is replaced)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, Mapping) or data.get("schema") != RECORD_SCHEMA:
        return None
    definition = data.get("definition")
    recorded = _recorded(definition)
    if recorded is None or not isinstance(definition, Mapping):
        return None
    raw_artifacts = data.get("artifacts") or []
    artifacts = [_recorded(a) for a in raw_artifacts] if isinstance(raw_artifacts, list) else [None]
    if None in artifacts:
        return None
    size = definition.get("bytes")
    return HandoffRecord(
        pipeline_name=_text(data.get("pipelineName")) or "",
        definition=RecordedDefinition(
            uri=recorded.uri,
            version_id=recorded.version_id,
            sha256=recorded.sha256,
            digest=_text(definition.get("digest")) or "",
            size=size if isinstance(size, int) and not isinstance(size, bool) else 0,
        ),
        artifacts=tuple(a for a in artifacts if a is not None),  # none is None: checked above
        kms_key_arn=_text(data.get("kmsKeyArn")) or "",
        versioning=_text(data.get("versioning")) or "",
        region=_text(data.get("region")),
        published_by=_text(data.get("publishedBy")) or "",
        published_at=_text(data.get("publishedAt")) or "",
        tool_version=_text(data.get("toolVersion")) or "",
        source_notebook=_text(data.get("sourceNotebook")),
        git_commit=_text(data.get("gitCommit")),
        sdk_version=_text(data.get("sdkVersion")),
        signature=_signature(data.get("signature")),
    )


def _signature(value: object) -> RecordSignature | None:
    if not isinstance(value, Mapping):
        return None
    key, algorithm, signed = _text(value.get("keyArn")), _text(value.get("algorithm")), value.get("value")
    fields = value.get("signedFields")
    if key is None or algorithm is None or not isinstance(signed, str) or not isinstance(fields, list):
        return None
    if not all(isinstance(f, str) for f in fields):
        return None
    return RecordSignature(key_arn=key, algorithm=algorithm, value=signed, signed_fields=tuple(fields))
