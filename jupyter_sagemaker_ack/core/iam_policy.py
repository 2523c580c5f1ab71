"""Least-privilege IAM policies for the three parties of the hand-off, generated from the configured names.

Each statement's actions are the ones the project's own calls need (read from adapters/s3_store.py,
adapters/kms.py and adapters/sagemaker_api.py), each statement named by its ``Sid`` and the operations that
fail without it (:data:`NEEDED_BY`), so tests can remove one statement and watch exactly that operation
fail. The ACK controller's statements are the SageMaker calls its Pipeline and PipelineExecution
reconcilers make, plus ``iam:PassRole`` on the pipeline roles, for SageMaker only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import UserError

ROLES = ("ml-engineer", "devops", "controller")
POLICY_VERSION = "2012-10-17"

# Sid -> the user operations that fail with AccessDenied when that statement is missing.
NEEDED_BY: Mapping[str, tuple[str, ...]] = {
    "FindBucket": ("publish",),
    "ReadBucketSettings": ("publish", "verify"),
    "ListDefinitionVersions": ("history",),
    "ReadDefinitions": ("publish", "history", "verify", "diff"),
    "WriteDefinitions": ("publish",),
    "EncryptDefinitions": ("publish",),
    "DecryptDefinitions": ("verify", "diff"),
    "WatchRuns": ("status",),
    "StopRuns": ("stop",),
    "SignHandoffRecords": ("publish --sign-key",),
    "VerifySignatures": ("verify --require-signature",),
    "ManagePipelines": ("controller",),
    "PassPipelineRole": ("controller",),
}

# The SageMaker calls of adapters/sagemaker_api.py (status, the sidebar's history, stop), as IAM actions.
STATUS_ACTIONS = (
    "sagemaker:DescribePipelineExecution",
    "sagemaker:ListPipelineExecutionSteps",
    "sagemaker:DescribePipelineDefinitionForExecution",
    "sagemaker:ListPipelineExecutions",
)
STOP_ACTIONS = ("sagemaker:StopPipelineExecution",)
# What the ACK SageMaker controller (v1.9.x) calls for Pipeline and PipelineExecution resources.
CONTROLLER_ACTIONS = (
    "sagemaker:CreatePipeline",
    "sagemaker:DescribePipeline",
    "sagemaker:UpdatePipeline",
    "sagemaker:DeletePipeline",
    "sagemaker:StartPipelineExecution",
    "sagemaker:DescribePipelineExecution",
    "sagemaker:StopPipelineExecution",
    "sagemaker:UpdatePipelineExecution",
    "sagemaker:ListPipelineExecutions",
    "sagemaker:ListPipelineExecutionSteps",
    "sagemaker:AddTags",
    "sagemaker:ListTags",
)


@dataclass(frozen=True)
class PolicyTarget:
    """The names a policy is scoped to: bucket, key prefix, KMS key ARN, region, account, pipeline roles."""

    bucket: str
    prefix: str
    kms_key_arn: str
    region: str
    account: str
    role_arns: tuple[str, ...] = ()
    partition: str = "aws"
    # The asymmetric KMS key hand-off records are signed with (the sign_key setting), when one is used.
    sign_key_arn: str | None = None


def _statement(sid: str, actions: Sequence[str], resources: Sequence[str], **extra: Any) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": resources[0] if len(resources) == 1 else list(resources),
        **extra,
    }


def _objects_arn(target: PolicyTarget) -> str:
    prefix = target.prefix.strip("/")
    return f"arn:{target.partition}:s3:::{target.bucket}/{prefix + '/' if prefix else ''}*"


def _pipelines_arn(target: PolicyTarget) -> str:
    return f"arn:{target.partition}:sagemaker:{target.region}:{target.account}:pipeline/*"


def check_target(target: PolicyTarget, role: str) -> None:
    if role not in ROLES:
        raise UserError(f"There is no policy for '{role}'.", f"Pass --for with one of: {', '.join(ROLES)}.")
    if role != "controller" and not target.bucket:
        raise UserError(
            "No S3 bucket is configured, so the policy cannot name it.",
            "Pass --bucket or set SAGEMAKER_ACK_BUCKET.",
        )
    if role != "controller" and not target.kms_key_arn.startswith(f"arn:{target.partition}:kms:"):
        raise UserError(
            f"The KMS key '{target.kms_key_arn or '(none)'}' is not a key ARN, and a policy must name the key.",
            "Pass --kms-key with the key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), or configured credentials "
            "that may kms:DescribeKey so the alias can be resolved.",
        )
    if role == "controller" and not target.role_arns:
        raise UserError(
            "No pipeline role is configured, so the controller's iam:PassRole cannot name it.",
            "Pass --role-arn (once per pipeline role) or set SAGEMAKER_ACK_ROLE_ARN.",
        )


def policy_for(role: str, target: PolicyTarget) -> dict[str, Any]:
    """The IAM policy document for ``role`` (ml-engineer, devops or controller)."""
    check_target(target, role)
    bucket_arn = f"arn:{target.partition}:s3:::{target.bucket}"
    objects = _objects_arn(target)
    key = target.kms_key_arn
    statements: list[dict[str, Any]]
    if role == "ml-engineer":
        statements = [
            _statement("FindBucket", ["s3:ListBucket", "s3:GetBucketLocation"], [bucket_arn]),
            _statement(
                "ReadBucketSettings",
                ["s3:GetBucketVersioning", "s3:GetEncryptionConfiguration", "s3:GetBucketPublicAccessBlock"],
                [bucket_arn],
            ),
            _statement("ListDefinitionVersions", ["s3:ListBucketVersions"], [bucket_arn]),
            _statement("ReadDefinitions", ["s3:GetObject", "s3:GetObjectVersion"], [objects]),
            # DeleteObjectVersion only undoes the versions a failed publish wrote (never a whole key).
            _statement("WriteDefinitions", ["s3:PutObject", "s3:DeleteObjectVersion"], [objects]),
            _statement(
                "EncryptDefinitions", ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"], [key]
            ),
        ]
        if target.sign_key_arn:
            statements.append(
                _statement("SignHandoffRecords", ["kms:DescribeKey", "kms:Sign"], [target.sign_key_arn])
            )
    elif role == "devops":
        statements = [
            _statement("ReadBucketSettings", ["s3:GetBucketVersioning"], [bucket_arn]),
            _statement("ReadDefinitions", ["s3:GetObject", "s3:GetObjectVersion"], [objects]),
            _statement("DecryptDefinitions", ["kms:Decrypt"], [key]),
            _statement("WatchRuns", STATUS_ACTIONS, [_pipelines_arn(target)]),
            _statement("StopRuns", STOP_ACTIONS, [_pipelines_arn(target)]),
        ]
        if target.sign_key_arn:
            statements.append(
                _statement("VerifySignatures", ["kms:DescribeKey", "kms:Verify"], [target.sign_key_arn])
            )
    else:
        statements = [
            _statement("ManagePipelines", CONTROLLER_ACTIONS, [_pipelines_arn(target)]),
            _statement(
                "PassPipelineRole",
                ["iam:PassRole"],
                list(target.role_arns),
                Condition={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            ),
        ]
    return {"Version": POLICY_VERSION, "Statement": statements}


def without_statement(policy: Mapping[str, Any], sid: str) -> dict[str, Any]:
    """The same policy less the statement ``sid`` (what a test removes to prove the statement is needed)."""
    kept = [s for s in policy["Statement"] if s.get("Sid") != sid]
    if len(kept) == len(policy["Statement"]):
        raise KeyError(sid)
    return {**policy, "Statement": kept}


def policy_json(policy: Mapping[str, Any]) -> str:
    return json.dumps(policy, indent=2) + "\n"
