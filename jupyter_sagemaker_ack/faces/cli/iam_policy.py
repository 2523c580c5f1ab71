"""``sagemaker-ack iam-policy --for ml-engineer|devops|controller``: the least-privilege IAM policy JSON."""

from __future__ import annotations

import click

from ...config import resolve_settings
from ...core import iam_policy
from ...services.doctor.policies import iam_policy_document
from ._common import user_errors


@click.command("iam-policy")
@click.option(
    "--for", "role", required=True, type=click.Choice(iam_policy.ROLES), help="Who the policy is for."
)
@click.option("--bucket", help="S3 bucket. Default: $SAGEMAKER_ACK_BUCKET.")
@click.option("--prefix", help="Key prefix inside the bucket. Default: sagemaker-ack.")
@click.option("--kms-key", help="KMS key ARN (an alias is resolved with kms:DescribeKey).")
@click.option("--region", help="AWS region. Default: $AWS_REGION.")
@click.option(
    "--account", help="AWS account id for SageMaker ARNs. Default: from the key or role ARN, or STS."
)
@click.option(
    "--role-arn", "role_arns", multiple=True, help="Pipeline role the controller may pass (repeatable)."
)
@user_errors
def iam_policy_command(
    role: str,
    bucket: str | None,
    prefix: str | None,
    kms_key: str | None,
    region: str | None,
    account: str | None,
    role_arns: tuple[str, ...],
) -> None:
    """Print the IAM policy ROLE needs, scoped to the configured bucket, prefix, KMS key and pipeline roles.

    \b
    ml-engineer: publish and history (S3 under the prefix, the KMS key).
    devops:      verify, diff, status and stop (S3 reads, kms:Decrypt, SageMaker run reads).
    controller:  the ACK SageMaker controller's IRSA role (Pipeline/PipelineExecution calls, iam:PassRole).
    """
    settings = resolve_settings({"bucket": bucket, "prefix": prefix, "kms_key": kms_key, "region": region})
    click.echo(
        iam_policy.policy_json(iam_policy_document(settings, role, role_arns=role_arns, account=account)),
        nl=False,
    )
