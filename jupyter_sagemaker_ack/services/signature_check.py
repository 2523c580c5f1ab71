"""``verify --require-signature``: the hand-off record of the pinned version is signed by the expected key.

The record of the pinned definition version is found among the versions of the record beside it (the
newest whose definition URI and VersionId are the pinned ones). It must carry a signature covering every
field of ``core.signing.SIGNED_FIELDS``, made by the signer (``--signer``: checked with KMS Verify, and
the record must name that key) or by the key whose public key is given (``--signer-public-key``: checked
offline). A field changed after signing, in S3 or anywhere, breaks the signature.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..adapters import kms, s3_store
from ..adapters.aws_session import AwsClients
from ..adapters.s3_store import S3Location
from ..core.errors import UserError
from ..core.handoff import record_key_beside
from ..core.manifests import Provenance
from ..core.signing import SIGNED_FIELDS, load_public_key, statement, verify_offline

MAX_RECORD_VERSIONS = 50
"""Record versions read, newest first, to find the pinned definition version's record."""
CHECK = "hand-off record signed by the signer"


@dataclass
class Signer:
    """Who must have signed: a KMS key (``key``, ARN or alias) or a public key read from a file."""

    key: str | None = None
    public_key: Any = None
    source: str = ""
    resolved: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return self.key or self.source


def check_signature(
    report: Any,
    document: str,
    clients: AwsClients,
    provenance: Provenance,
    definition: S3Location,
    signer: Signer,
) -> None:
    """Add the signature check of one Pipeline document to ``report`` (a ``VerifyReport``).

    A signer that cannot have signed anything (missing, symmetric, disabled) is a usage mistake, raised
    before any record is read.
    """
    if signer.key is not None and "arn" not in signer.resolved:
        signer.resolved["arn"] = kms.resolve_signing_key(clients, signer.key).arn
    record_key = record_key_beside(definition.key)
    if record_key is None:
        report.add(document, CHECK, False, f"{definition.uri} is not a published definition key")
        return
    raw = _record_for(clients, S3Location(definition.bucket, record_key), provenance)
    if raw is None:
        report.add(
            document,
            CHECK,
            False,
            f"no hand-off record pins {provenance.definition_uri} @ {provenance.version_id}",
        )
        return
    signature = raw.get("signature")
    if not isinstance(signature, Mapping) or not isinstance(signature.get("value"), str):
        report.add(document, CHECK, False, "the version is unsigned (published without --sign-key)")
        return
    fields = signature.get("signedFields")
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        report.add(document, CHECK, False, "the signature names no signed fields")
        return
    missing = [f for f in SIGNED_FIELDS if f not in fields]
    if missing:
        report.add(document, CHECK, False, f"the signature does not cover {', '.join(missing)}")
        return
    algorithm = str(signature.get("algorithm") or "")
    message = statement(raw, fields)
    named = str(signature.get("keyArn") or "")
    if signer.public_key is not None:
        valid = verify_offline(signer.public_key, message, signature["value"], algorithm)
        detail = f"offline with {signer.source}"
    else:
        expected = signer.resolved["arn"]
        if named != expected:
            report.add(
                document, CHECK, False, f"signed by another key ({named or 'unnamed'}), not {expected}"
            )
            return
        valid = kms.verify(clients, expected, message, signature["value"], algorithm)
        detail = f"KMS Verify with {expected}"
    report.add(
        document,
        CHECK,
        valid,
        f"{algorithm}, {detail}"
        if valid
        else f"the signature does not match the record ({algorithm}, {detail}): a signed field was changed "
        "after signing, or another key signed it",
    )


def _record_for(clients: AwsClients, location: S3Location, provenance: Provenance) -> dict[str, Any] | None:
    """The newest record version that pins the provenance's definition version, as stored (raw JSON)."""
    read = 0
    for entry in s3_store.list_versions(clients, location.bucket, location.key):
        if entry.delete_marker:
            continue
        read += 1
        if read > MAX_RECORD_VERSIONS:
            break
        try:
            stored = s3_store.get_optional(
                clients, S3Location(location.bucket, location.key, entry.version_id)
            )
        except UserError:
            continue
        if stored is None or stored.body is None:
            continue
        try:
            raw = json.loads(stored.body)
        except (ValueError, RecursionError):
            continue
        definition = raw.get("definition") if isinstance(raw, dict) else None
        if (
            isinstance(definition, Mapping)
            and definition.get("uri") == provenance.definition_uri
            and definition.get("versionId") == provenance.version_id
        ):
            return dict(raw)
    return None


def signer_from(key: str | None, public_key_file: str | None) -> Signer:
    """The signer ``verify --require-signature`` expects: a KMS key, or a public key file (not both)."""
    if key and public_key_file:
        raise UserError(
            "Give --signer or --signer-public-key, not both.",
            "Use --signer KEY to verify through KMS, or --signer-public-key FILE to verify offline.",
        )
    if public_key_file:
        path = Path(public_key_file)
        if not path.is_file():
            raise UserError(
                f"The public key file {path} does not exist.",
                "Pass the DER or PEM file of the signer's public key (aws kms get-public-key).",
            )
        data = path.read_bytes()[: 1 << 16]
        return Signer(public_key=load_public_key(data, str(path)), source=str(path))
    if not key:
        raise UserError(
            "--require-signature needs the expected signer.",
            "Add --signer KEY (ARN or alias/NAME of the KMS signing key) or --signer-public-key FILE.",
        )
    return Signer(key=key)
