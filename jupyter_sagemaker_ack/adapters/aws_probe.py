"""Read-only AWS probes for ``doctor``: short timeouts, few retries, and nothing that changes anything.

The KMS probe is a real GenerateDataKey + Decrypt round trip: it proves these credentials may use the key
exactly as S3 will on their behalf, and it creates nothing (the data key is thrown away). Bucket and key
policies are read to say whether they open anything to everyone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from .aws_session import AwsClients, error_code, make_client

CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
ATTEMPTS = 2


def probe_config(endpoint: str | None, region: str) -> Config:
    return Config(
        region_name=region,
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        retries={"mode": "standard", "total_max_attempts": ATTEMPTS},
        s3={"addressing_style": "path"} if endpoint else None,
    )


@dataclass
class ProbeClients(AwsClients):
    """:class:`AwsClients` whose clients give up in seconds, so a checklist never hangs on one service."""

    def _client(self, service: str, endpoint: str | None) -> Any:
        if service not in self._made:
            self._made[service] = make_client(
                self.settings,
                service,
                endpoint,
                region=self.region,
                config=probe_config(endpoint, self.region),
            )
        return self._made[service]


def kms_round_trip(clients: AwsClients, key_arn: str) -> None:
    """GenerateDataKey then Decrypt its ciphertext; raises ClientError, or ValueError on a wrong answer."""
    made = clients.kms.generate_data_key(KeyId=key_arn, KeySpec="AES_256")
    back = clients.kms.decrypt(CiphertextBlob=made["CiphertextBlob"], KeyId=key_arn)
    if back.get("Plaintext") != made.get("Plaintext"):
        raise ValueError("Decrypt did not give back the data key GenerateDataKey made")


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        document = json.loads(document)
    statements = (document or {}).get("Statement") or []
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


@dataclass(frozen=True)
class PolicyStance:
    """What a resource policy does: how many statements, which allow everyone without a condition."""

    statements: int
    open_to_everyone: tuple[str, ...]
    denies_insecure_transport: bool


def policy_stance(document: Any) -> PolicyStance:
    statements = _statements(document)
    open_sids = tuple(
        str(s.get("Sid") or f"#{i + 1}")
        for i, s in enumerate(statements)
        if s.get("Effect") == "Allow" and _is_everyone(s.get("Principal")) and not s.get("Condition")
    )
    secure = any(
        s.get("Effect") == "Deny" and "aws:SecureTransport" in json.dumps(s.get("Condition") or {})
        for s in statements
    )
    return PolicyStance(len(statements), open_sids, secure)


def bucket_policy(clients: AwsClients, bucket: str) -> PolicyStance | None:
    """The bucket policy's stance; None when the bucket has no policy."""
    try:
        text = clients.s3.get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchBucketPolicy":
            return None
        raise
    return policy_stance(text)


def key_policy(clients: AwsClients, key_arn: str) -> PolicyStance:
    return policy_stance(clients.kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
