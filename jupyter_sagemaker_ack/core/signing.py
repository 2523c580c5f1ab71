"""What a signed hand-off signs, and the offline check of a signature with the signer's public key.

The signature covers the record's fields that say what was handed off and by whom (:data:`SIGNED_FIELDS`:
the definition's digest, S3 URI and VersionId, the code versions, the publisher and the time), as
canonical JSON (keys sorted, no spaces, UTF-8). KMS signs at most 4 KiB of raw message, so what KMS
signs is a short statement naming the SHA-256 of that JSON; the statement binds the fields just as
well and stays small however many artifacts the record pins.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from .errors import UserError

SIGNED_FIELDS: tuple[str, ...] = (
    "schema",
    "pipelineName",
    "definition",
    "artifacts",
    "kmsKeyArn",
    "region",
    "publishedBy",
    "publishedAt",
)
STATEMENT_PREFIX = "sagemaker-ack.io/handoff-signature/v1 sha256:"
ALGORITHMS = ("ECDSA_SHA_256", "RSASSA_PSS_SHA_256")
"""The KMS signing algorithms a hand-off uses, in order of preference."""


def signed_bytes(record: Mapping[str, Any], fields: Sequence[str] = SIGNED_FIELDS) -> bytes:
    """The canonical JSON of ``fields`` of ``record`` (a field the record lacks is signed as null)."""
    chosen = {name: record.get(name) for name in fields}
    return json.dumps(chosen, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def statement(record: Mapping[str, Any], fields: Sequence[str] = SIGNED_FIELDS) -> bytes:
    """The message KMS signs for ``record``: the statement of its signed fields' SHA-256."""
    return (STATEMENT_PREFIX + hashlib.sha256(signed_bytes(record, fields)).hexdigest()).encode("ascii")


def choose_algorithm(offered: Sequence[str]) -> str | None:
    """The first of :data:`ALGORITHMS` that a key offers, else None."""
    return next((a for a in ALGORITHMS if a in offered), None)


def load_public_key(data: bytes, source: str) -> Any:
    """A SubjectPublicKeyInfo public key from PEM or DER bytes (what ``aws kms get-public-key`` gives)."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return serialization.load_pem_public_key(data)
        return serialization.load_der_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UserError(
            f"{source} is not a public key (PEM or DER SubjectPublicKeyInfo).",
            "Save the signer's public key with `aws kms get-public-key --key-id KEY --query PublicKey "
            "--output text | base64 -d > key.der` and pass that file.",
        ) from None


def verify_offline(public_key: Any, message: bytes, signature_b64: str, algorithm: str) -> bool:
    """Whether ``signature_b64`` is ``algorithm``'s signature of ``message`` under ``public_key``."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return False
    try:
        if algorithm == "ECDSA_SHA_256" and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return True
        if algorithm == "RSASSA_PSS_SHA_256" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(
                signature,
                message,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size),
                hashes.SHA256(),
            )
            return True
    except InvalidSignature:
        return False
    return False
