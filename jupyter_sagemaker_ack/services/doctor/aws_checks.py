"""The AWS half of the checklist: credentials and region, the bucket, the KMS key, the pipeline role.

Each function returns its lines and never raises for an AWS failure: a failure is a line with its fix.
Nothing is written: reads, and a KMS data key that is made, decrypted and thrown away.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ...adapters import aws_probe, iam, s3_store
from ...adapters.aws_session import ACCESS_DENIED_CODES, KMS_DISABLED_CODES, default_region, error_code
from ...config import Settings
from ...core.errors import UserError
from .report import Check, error, ok, warning

CREDENTIALS_FIX = (
    "Configure AWS credentials: `aws configure` / `aws sso login` with AWS_PROFILE "
    "(%config SageMakerAck.profile), or an instance / pod role (IRSA)."
)


def _why(exc: Exception) -> str:
    if isinstance(exc, UserError):
        return exc.problem
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code, message = str(err.get("Code")), str(err.get("Message") or err.get("Code"))
        xml = re.search(r"<Code>(.*?)</Code>.*?<Message>(.*?)</Message>", message, re.DOTALL)
        if xml:  # an XML error body where the service speaks JSON (moto's KMS answers a denial so)
            code, message = xml.group(1), xml.group(2)
        return f"{code}: {message}"
    return f"{type(exc).__name__}: {exc}"


def _denied(exc: Exception) -> bool:
    return isinstance(exc, ClientError) and (
        error_code(exc) in ACCESS_DENIED_CODES
        or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 403
    )


def clients_for(settings: Settings) -> tuple[aws_probe.ProbeClients | None, list[Check]]:
    """Clients, and the region and credentials lines (an error line when either is missing)."""
    try:
        region = default_region(settings)
    except UserError as exc:
        return None, [error("aws region", exc.problem, exc.fix)]
    if not region:
        return None, [
            error(
                "aws region",
                "No AWS region is configured.",
                "Set AWS_REGION (or SAGEMAKER_ACK_REGION, %config SageMakerAck.region) to the bucket's region.",
            )
        ]
    where = settings.sources.get("region", "the AWS profile")
    return aws_probe.ProbeClients(region=region, settings=settings), [
        ok("aws region", f"{region} (from {where})")
    ]


def credentials(clients: aws_probe.ProbeClients) -> Check:
    try:
        who = clients.sts.get_caller_identity()
    except NoCredentialsError:
        return error("aws credentials", "No AWS credentials were found.", CREDENTIALS_FIX)
    except (ClientError, BotoCoreError) as exc:
        return error(
            "aws credentials",
            f"STS GetCallerIdentity refused these credentials: {_why(exc)}.",
            "Refresh or replace them (expired session? `aws sso login`), then run doctor again.",
        )
    return ok("aws credentials", f"{who.get('Arn')} (account {who.get('Account')})")


def bucket(clients: aws_probe.ProbeClients, settings: Settings) -> list[Check]:
    name = settings.bucket
    if not name:
        return [
            error("s3 bucket", "No S3 bucket is configured.", "Set SAGEMAKER_ACK_BUCKET or pass --bucket.")
        ]
    try:
        s3_store.check_bucket_region(clients, name)
    except (UserError, ClientError, BotoCoreError) as exc:
        fix = exc.fix if isinstance(exc, UserError) else "Check the bucket name, region and s3:ListBucket."
        return [error("s3 bucket", _why(exc), fix)]
    lines = [ok("s3 bucket", f"s3://{name} exists in {clients.region}")]
    lines.append(_guard("s3 versioning", lambda: _versioning(clients, name)))
    lines.append(_guard("s3 default encryption", lambda: _encryption(clients, name)))
    lines.append(_guard("s3 public access block", lambda: _public_access(clients, name)))
    lines.append(_guard("s3 bucket policy", lambda: _bucket_policy(clients, name)))
    return lines


def _guard(name: str, check: Callable[[], Check]) -> Check:
    """Run one check; a failure to read becomes a warning (denied) or an error line, never an exception."""
    try:
        return check()
    except Exception as exc:
        if _denied(exc):
            return warning(
                name,
                f"Not readable with these credentials ({_why(exc)}).",
                "Ask for read access to check it.",
            )
        if isinstance(exc, UserError):
            return error(name, exc.problem, exc.fix)
        if isinstance(exc, (ClientError, BotoCoreError)):
            return error(name, _why(exc), "Check the endpoint, the network and the permissions.")
        raise


def _versioning(clients: aws_probe.ProbeClients, name: str) -> Check:
    state = s3_store.bucket_versioning(clients, name)
    if state == "Enabled":
        return ok("s3 versioning", "Enabled")
    return error(
        "s3 versioning",
        f"Versioning is {state} on s3://{name}: a published definition could be overwritten without a trace.",
        f"aws s3api put-bucket-versioning --bucket {name} --versioning-configuration Status=Enabled",
    )


def _encryption(clients: aws_probe.ProbeClients, name: str) -> Check:
    found = s3_store.default_encryption(clients, name)
    if "aws:kms" in found:
        return ok("s3 default encryption", found)
    return warning(
        "s3 default encryption",
        f"Default encryption is {found}; publish encrypts every object with the KMS key anyway, other writers may not.",
        f"aws s3api put-bucket-encryption --bucket {name} --server-side-encryption-configuration "
        '\'{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms",'
        '"KMSMasterKeyID":"<key arn>"}}]}\'',
    )


def _public_access(clients: aws_probe.ProbeClients, name: str) -> Check:
    block = s3_store.public_access_block(clients, name)
    fix = (
        f"aws s3api put-public-access-block --bucket {name} --public-access-block-configuration "
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
    )
    if block is None:
        return warning(
            "s3 public access block", "No public access block on the bucket (the account's may apply).", fix
        )
    off = [k for k, v in block.items() if not v]
    if off:
        return warning("s3 public access block", f"Partly off: {', '.join(off)}.", fix)
    return ok("s3 public access block", "all four settings on")


def _bucket_policy(clients: aws_probe.ProbeClients, name: str) -> Check:
    stance = aws_probe.bucket_policy(clients, name)
    if stance is None:
        return ok("s3 bucket policy", "no bucket policy: access comes from IAM policies only")
    if stance.open_to_everyone:
        return error(
            "s3 bucket policy",
            f"Statement(s) {', '.join(stance.open_to_everyone)} allow everyone (Principal *) with no condition.",
            f"Remove them or add a condition (aws s3api get-bucket-policy --bucket {name}).",
        )
    secure = "denies insecure transport" if stance.denies_insecure_transport else "does not deny plain HTTP"
    return ok("s3 bucket policy", f"{stance.statements} statement(s), none open to everyone; {secure}")


def kms_key(clients: aws_probe.ProbeClients, settings: Settings) -> list[Check]:
    from ...adapters.kms import resolve_key

    if not settings.kms_key:
        return [
            error(
                "kms key",
                "No KMS key is configured.",
                "Set SAGEMAKER_ACK_KMS_KEY (key ARN, id or alias/NAME).",
            )
        ]
    try:
        key = resolve_key(clients, settings.kms_key)
    except UserError as exc:
        return [error("kms key", exc.problem, exc.fix)]
    lines = [ok("kms key", f"{key.arn} ({key.state})")]
    try:
        aws_probe.kms_round_trip(clients, key.arn)
        lines.append(
            ok("kms usable", "GenerateDataKey + Decrypt round trip succeeded with these credentials")
        )
    except (ClientError, BotoCoreError, ValueError) as exc:
        code = error_code(exc) if isinstance(exc, ClientError) else ""
        if code in KMS_DISABLED_CODES:
            fix = f"aws kms enable-key --key-id {key.arn}"
        elif _denied(exc):
            fix = "Grant kms:GenerateDataKey and kms:Decrypt on the key (`sagemaker-ack iam-policy --for ml-engineer`)."
        else:
            fix = "Check the key's state and policy (aws kms describe-key / get-key-policy)."
        lines.append(error("kms usable", f"These credentials cannot use the key: {_why(exc)}.", fix))
    lines.append(_guard("kms key policy", lambda: _key_policy(clients, key.arn)))
    return lines


def _key_policy(clients: aws_probe.ProbeClients, key_arn: str) -> Check:
    stance = aws_probe.key_policy(clients, key_arn)
    if stance.open_to_everyone:
        return error(
            "kms key policy",
            f"Statement(s) {', '.join(stance.open_to_everyone)} let everyone (Principal *) use the key "
            "unconditionally.",
            "Scope them to your account's principals "
            f"(aws kms get-key-policy --key-id {key_arn} --policy-name default).",
        )
    return ok("kms key policy", f"{stance.statements} statement(s), none open to everyone")


def pipeline_role(clients: aws_probe.ProbeClients, settings: Settings) -> Check:
    arn = settings.role_arn
    if not arn:
        return warning(
            "pipeline role",
            "No pipeline role is configured (SAGEMAKER_ACK_ROLE_ARN); rendered Pipelines need a roleARN.",
            "Set SAGEMAKER_ACK_ROLE_ARN to the SageMaker execution role's ARN.",
        )
    client: Any = iam.iam_client(settings, clients.region, aws_probe.probe_config(None, clients.region))
    try:
        trust = iam.role_trust(client, arn)
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return error(
                "pipeline role",
                f"The role {arn} does not exist.",
                "Create it with a trust policy for sagemaker.amazonaws.com, or set SAGEMAKER_ACK_ROLE_ARN to "
                "one that exists.",
            )
        if _denied(exc):
            return warning(
                "pipeline role",
                f"Cannot read {arn} (iam:GetRole denied).",
                "Ask for iam:GetRole on it to check it.",
            )
        return error(
            "pipeline role", f"GetRole failed: {_why(exc)}.", "Check the role ARN and the IAM endpoint."
        )
    except BotoCoreError as exc:
        return error(
            "pipeline role", f"GetRole failed: {_why(exc)}.", "Check the network and the IAM endpoint."
        )
    if not trust.trusted_by_sagemaker:
        trusted = ", ".join(trust.trusted_services) or "no service"
        return error(
            "pipeline role",
            f"{arn} is trusted by {trusted}, not {iam.SAGEMAKER_PRINCIPAL}: SageMaker cannot assume it.",
            f"aws iam update-assume-role-policy --role-name {iam.role_name(arn)} --policy-document "
            '\'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
            '{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}\'',
        )
    return ok("pipeline role", f"{trust.arn} exists and trusts {iam.SAGEMAKER_PRINCIPAL}")
