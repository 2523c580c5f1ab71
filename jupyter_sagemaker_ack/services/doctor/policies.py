"""The names an IAM policy is scoped to, from the settings: the key alias resolved to its ARN, the account.

The policy text itself is pure (core/iam_policy.py, core/rbac.py); only resolving an alias or asking STS
for the account needs AWS, and only when the settings do not already say it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...adapters import aws_probe
from ...adapters.aws_session import aws_call, default_region
from ...config import Settings
from ...core import iam_policy, rbac
from ...core.errors import UserError


def _arn_field(arn: str, index: int) -> str:
    parts = arn.split(":")
    return parts[index] if len(parts) > index else ""


def _is_key_arn(value: str) -> bool:
    return value.startswith("arn:") and _arn_field(value, 2) == "kms" and ":key/" in value


def policy_target(
    settings: Settings, *, role: str, role_arns: Sequence[str] = (), account: str | None = None
) -> iam_policy.PolicyTarget:
    """Everything :func:`core.iam_policy.policy_for` needs; asks AWS only for what the settings lack."""
    roles = tuple(role_arns) or ((settings.role_arn,) if settings.role_arn else ())
    key = settings.kms_key or ""
    known = [a for a in (key, *roles) if a.startswith("arn:")]
    region = (
        settings.region or (_arn_field(key, 3) if _is_key_arn(key) else "") or default_region(settings) or ""
    )
    account = account or next((_arn_field(a, 4) for a in known if _arn_field(a, 4)), "")
    if role != "controller" and key and not _is_key_arn(key):
        key, account = _resolve_key(settings, key, region)
    sign_key = settings.sign_key if role != "controller" else None
    if sign_key and not _is_key_arn(sign_key):
        sign_key, _ = _resolve_key(settings, sign_key, region)
    if not region:
        raise UserError(
            "No AWS region is configured, so the policy cannot name ARNs.", "Set AWS_REGION or pass --region."
        )
    target = iam_policy.PolicyTarget(
        bucket=settings.bucket or "",
        prefix=settings.prefix or "",
        kms_key_arn=key,
        region=region,
        account=account or "*",
        role_arns=roles,
        sign_key_arn=sign_key or None,
    )
    iam_policy.check_target(target, role)
    return target


def _resolve_key(settings: Settings, key: str, region: str) -> tuple[str, str]:
    from ...adapters.kms import resolve_key

    if not region:
        raise UserError(
            "No AWS region is configured to resolve the KMS alias in.", "Set AWS_REGION or pass --region."
        )
    clients = aws_probe.ProbeClients(region=region, settings=settings)
    try:
        arn = resolve_key(clients, key).arn
    except UserError as exc:
        raise UserError(
            f"The KMS key '{key}' is not an ARN and could not be resolved: {exc.problem}",
            "Pass --kms-key with the key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID).",
        ) from None
    return arn, _arn_field(arn, 4)


def iam_policy_document(
    settings: Settings, role: str, *, role_arns: Sequence[str] = (), account: str | None = None
) -> dict[str, Any]:
    return iam_policy.policy_for(
        role, policy_target(settings, role=role, role_arns=role_arns, account=account)
    )


def rbac_manifests(
    settings: Settings, role: str, subjects: Sequence[rbac.Subject], namespace: str | None = None
) -> list[dict[str, Any]]:
    ns = namespace or settings.namespace or "default"
    return rbac.manifests_for(role, ns, subjects)


def caller_account(settings: Settings) -> str:
    region = default_region(settings) or "us-east-1"
    clients = aws_probe.ProbeClients(region=region, settings=settings)
    with aws_call("identify the caller with", target="STS GetCallerIdentity"):
        return str(clients.sts.get_caller_identity()["Account"])
