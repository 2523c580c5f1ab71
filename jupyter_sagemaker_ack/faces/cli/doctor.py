"""``sagemaker-ack doctor``: is this account and cluster ready? One read-only checklist, each line with its fix."""

from __future__ import annotations

import json
import sys

import click

from ...config import resolve_settings
from ...services.doctor import run_doctor
from ._common import user_errors


@click.command()
@click.option("--bucket", help="S3 bucket. Default: $SAGEMAKER_ACK_BUCKET.")
@click.option("--kms-key", help="KMS key id, ARN or alias. Default: $SAGEMAKER_ACK_KMS_KEY.")
@click.option("--region", help="AWS region. Default: $AWS_REGION.")
@click.option("--namespace", "-n", help="Kubernetes namespace. Default: $SAGEMAKER_ACK_NAMESPACE.")
@click.option("--context", "kube_context", help="kubeconfig context. Default: the current one.")
@click.option("--role-arn", help="Pipeline execution role. Default: $SAGEMAKER_ACK_ROLE_ARN.")
@click.option("--json", "as_json", is_flag=True, help="Print the checklist as JSON (for CI).")
@user_errors
def doctor(
    bucket: str | None,
    kms_key: str | None,
    region: str | None,
    namespace: str | None,
    kube_context: str | None,
    role_arn: str | None,
    as_json: bool,
) -> None:
    """Check credentials, bucket, KMS key, pipeline role, cluster, ACK controller and access; change nothing.

    Exit 0 when every line is ok or a warning, 1 when any is an error.
    """
    settings = resolve_settings(
        {
            "bucket": bucket,
            "kms_key": kms_key,
            "region": region,
            "namespace": namespace,
            "kube_context": kube_context,
            "role_arn": role_arn,
        }
    )
    report = run_doctor(settings)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.text())
    sys.exit(1 if report.failed else 0)
