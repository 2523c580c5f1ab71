"""IAM reads for readiness checks: a role's trust policy and the caller's account, nothing written.

The pipeline role (``roleARN`` of a Pipeline) must exist and trust ``sagemaker.amazonaws.com``, or every run
fails inside SageMaker long after the hand-off looked fine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.config import Config

from ..config import Settings
from .aws_session import make_client

SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"


@dataclass(frozen=True)
class RoleTrust:
    arn: str
    trusted_services: tuple[str, ...]

    @property
    def trusted_by_sagemaker(self) -> bool:
        return SAGEMAKER_PRINCIPAL in self.trusted_services


def role_name(role_arn: str) -> str:
    """``arn:aws:iam::123:role/path/Name`` -> ``Name`` (GetRole takes the name, not the path)."""
    return role_arn.rsplit("/", 1)[-1] if ":role/" in role_arn else role_arn


def iam_client(settings: Settings, region: str, config: Config) -> Any:
    # IAM is global; boto3 picks up AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL by itself.
    return make_client(settings, "iam", None, region=region, config=config)


def _services(principal: Any) -> list[str]:
    if not isinstance(principal, dict):
        return []
    service = principal.get("Service")
    return [str(s) for s in (service if isinstance(service, list) else [service]) if s]


def role_trust(client: Any, role_arn: str) -> RoleTrust:
    """GetRole and the services its trust policy lets call sts:AssumeRole (ClientErrors propagate)."""
    role = client.get_role(RoleName=role_name(role_arn))["Role"]
    document = role.get("AssumeRolePolicyDocument") or {}
    if isinstance(document, str):
        document = json.loads(unquote(document))
    statements = document.get("Statement") or []
    trusted: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action") or []
        actions = actions if isinstance(actions, list) else [actions]
        if statement.get("Effect") == "Allow" and any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            trusted.extend(_services(statement.get("Principal")))
    return RoleTrust(arn=str(role.get("Arn") or role_arn), trusted_services=tuple(trusted))
