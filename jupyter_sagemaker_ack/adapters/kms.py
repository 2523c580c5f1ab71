"""Resolve the KMS key a user names (id, ARN, alias or alias ARN) to the key ARN, and check it is enabled.

S3 echoes back whatever ``SSEKMSKeyId`` it was given (and moto accepts aliases and unknown keys without
complaint), so the publisher resolves the key itself with DescribeKey and records only the key ARN.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from ..core.errors import UserError
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


def resolve_key(clients: AwsClients, key: str | None) -> KmsKey:
    """DescribeKey ``key`` and insist that it is an enabled symmetric key; aliases become the key ARN."""
    if not key:
        raise UserError(
            "No KMS key is configured for SSE-KMS.",
            "Pass --kms-key (key id, ARN or alias/NAME) or set SAGEMAKER_ACK_KMS_KEY.",
        )
    try:
        metadata = clients.kms.describe_key(KeyId=key)["KeyMetadata"]
    except ClientError as exc:
        if error_code(exc) in ("NotFoundException", "NotFound"):
            raise UserError(
                f"KMS key '{key}' does not exist in region {clients.region}.",
                "Check the key id or alias (aliases start with 'alias/') and the region.",
            ) from None
        raise describe_failure(exc, "describe KMS key", target=key) from None
    except BotoCoreError as exc:
        raise describe_failure(exc, "describe KMS key", target=key) from None
    arn = str(metadata["Arn"])
    state = str(metadata.get("KeyState") or ("Enabled" if metadata.get("Enabled") else "Disabled"))
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
