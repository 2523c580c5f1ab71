"""Resolve the KMS key a user names (id, ARN, alias or alias ARN) to the key ARN, and check it is enabled;
sign and verify hand-off records with an asymmetric key.

S3 echoes back whatever ``SSEKMSKeyId`` it was given (and moto accepts aliases and unknown keys without
complaint), so the publisher resolves the key itself with DescribeKey and records only the key ARN.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..core.errors import UserError
from ..core.signing import choose_algorithm
from .aws_session import AwsClients, describe_failure, error_code


@dataclass(frozen=True)
class KmsKey:
    requested: str
    arn: str
    state: str
    region: str

    @property
    def enabled(self) -> bool:
        return self.state == "Enabled"


def _describe(clients: AwsClients, key: str, what: str) -> dict[str, Any]:
    """DescribeKey's KeyMetadata for ``key``; a missing key or a failed call is a UserError naming ``what``."""
    try:
        return dict(clients.kms.describe_key(KeyId=key)["KeyMetadata"])
    except ClientError as exc:
        if error_code(exc) in ("NotFoundException", "NotFound"):
            raise UserError(
                f"{what} '{key}' does not exist in region {clients.region}.",
                "Check the key id or alias (aliases start with 'alias/') and the region.",
            ) from None
        raise describe_failure(exc, f"describe {what}", target=key) from None
    except BotoCoreError as exc:
        raise describe_failure(exc, f"describe {what}", target=key) from None


def _state(metadata: Mapping[str, Any]) -> str:
    return str(metadata.get("KeyState") or ("Enabled" if metadata.get("Enabled") else "Disabled"))


def resolve_key(clients: AwsClients, key: str | None) -> KmsKey:
    """DescribeKey ``key`` and insist that it is an enabled symmetric key; aliases become the key ARN."""
    if not key:
        raise UserError(
            "No KMS key is configured for SSE-KMS.",
            "Pass --kms-key (key id, ARN or alias/NAME) or set SAGEMAKER_ACK_KMS_KEY.",
        )
    metadata = _describe(clients, key, "KMS key")
    arn = str(metadata["Arn"])
    state = _state(metadata)
    resolved = KmsKey(
        requested=key, arn=arn, state=state, region=arn.split(":")[3] if arn.count(":") >= 5 else ""
    )
    if not resolved.enabled:
        raise UserError(
            f"KMS key '{key}' ({arn}) is {state}, so nothing can be encrypted with it.",
            "Enable it (aws kms enable-key) or pass another --kms-key.",
        )
    spec = metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec")
    if spec and spec != "SYMMETRIC_DEFAULT":
        raise UserError(
            f"KMS key '{key}' is an asymmetric key ({spec}); S3 SSE-KMS needs a symmetric key.",
            "Pass a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT).",
        )
    return resolved


@dataclass(frozen=True)
class SigningKey:
    """An enabled asymmetric KMS key for SIGN_VERIFY, and the algorithm a hand-off signs with."""

    requested: str
    arn: str
    algorithm: str


def resolve_signing_key(clients: AwsClients, key: str) -> SigningKey:
    """DescribeKey ``key`` and insist that it is an enabled SIGN_VERIFY key offering ECDSA or RSA-PSS."""
    metadata = _describe(clients, key, "KMS signing key")
    arn = str(metadata["Arn"])
    state = _state(metadata)
    if state != "Enabled":
        raise UserError(
            f"KMS signing key '{key}' ({arn}) is {state}.", "Enable it (aws kms enable-key) or pass another."
        )
    usage = metadata.get("KeyUsage")
    spec = metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec") or ""
    algorithm = choose_algorithm([str(a) for a in metadata.get("SigningAlgorithms") or ()])
    if usage != "SIGN_VERIFY" or algorithm is None:
        raise UserError(
            f"KMS key '{key}' ({spec or 'unknown spec'}, usage {usage}) cannot sign a hand-off: it needs an "
            "asymmetric SIGN_VERIFY key with ECDSA_SHA_256 or RSASSA_PSS_SHA_256.",
            "Create one with `aws kms create-key --key-usage SIGN_VERIFY --key-spec ECC_NIST_P256` and "
            "pass its ARN or alias.",
        )
    return SigningKey(requested=key, arn=arn, algorithm=algorithm)


def sign(clients: AwsClients, key: SigningKey, message: bytes) -> str:
    """KMS Sign of ``message`` (raw), as base64."""
    try:
        answer = clients.kms.sign(
            KeyId=key.arn, Message=message, MessageType="RAW", SigningAlgorithm=key.algorithm
        )
    except (ClientError, BotoCoreError) as exc:
        raise describe_failure(exc, "sign with KMS key", target=key.arn) from None
    return base64.b64encode(answer["Signature"]).decode("ascii")


def verify(clients: AwsClients, key: str, message: bytes, signature_b64: str, algorithm: str) -> bool:
    """KMS Verify: whether ``key`` made this signature of ``message`` (False for another key's)."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return False
    try:
        answer = clients.kms.verify(
            KeyId=key,
            Message=message,
            MessageType="RAW",
            Signature=signature,
            SigningAlgorithm=algorithm,
        )
    except ClientError as exc:
        if error_code(exc) in ("KMSInvalidSignatureException", "InvalidSignatureException"):
            return False
        if error_code(exc) in ("InvalidKeyUsageException", "KMSInvalidStateException", "ValidationException"):
            return False  # e.g. the record names an algorithm the signer key does not offer
        raise describe_failure(exc, "verify with KMS key", target=key) from None
    except BotoCoreError as exc:
        raise describe_failure(exc, "verify with KMS key", target=key) from None
    return bool(answer.get("SignatureValid"))
