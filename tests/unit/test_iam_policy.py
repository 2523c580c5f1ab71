"""The IAM policies name exactly the actions the project's own boto3 calls need, scoped to the settings.

The calls are read from the adapters' source (every ``clients.s3.X``, ``clients.kms.X`` and SageMaker
``self.client.X``), so a new call without a policy update fails here; the moto proof of the same policies
is tests/integration/doctor/test_iam_policies.py.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.core import iam_policy
from jupyter_sagemaker_ack.core.errors import UserError

ADAPTERS = Path(iam_policy.__file__).resolve().parent.parent / "adapters"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::111122223333:role/SageMakerExecution"
TARGET = iam_policy.PolicyTarget("team-bucket", "handoff/", KEY, "eu-west-1", "111122223333", (ROLE,))

# boto3 operation -> the IAM actions AWS checks for it (S3's own, and KMS's on the caller's behalf).
S3_KMS_ACTIONS = {
    "head_bucket": {"s3:ListBucket"},
    "get_bucket_location": {"s3:GetBucketLocation"},
    "get_bucket_versioning": {"s3:GetBucketVersioning"},
    "get_bucket_encryption": {"s3:GetEncryptionConfiguration"},
    "get_public_access_block": {"s3:GetBucketPublicAccessBlock"},
    "put_object": {"s3:PutObject", "kms:GenerateDataKey"},
    "head_object": {"s3:GetObject", "s3:GetObjectVersion"},
    "get_object": {"s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt"},
    "list_object_versions": {"s3:ListBucketVersions"},
    "delete_object": {"s3:DeleteObjectVersion"},  # only ever with a VersionId (delete_version)
    "describe_key": {"kms:DescribeKey"},
}
# Called only on request (`publish --enable-versioning`): deliberately not in the least-privilege policy.
# Called only when asked for: publish --enable-versioning, publish --sign-key, verify --require-signature.
OPT_IN = {"put_bucket_versioning", "sign", "verify"}
# What the DevOps side calls: verify / diff read by VersionId and check versioning; status and stop.
DEVOPS_OPS = {"get_bucket_versioning", "get_object", "head_object"}


def _calls(module: str, receiver: str) -> set[str]:
    """Methods called on ``<...>.<receiver>`` in an adapter module, and paginated operations."""
    tree = ast.parse((ADAPTERS / module).read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if isinstance(owner, ast.Attribute) and owner.attr == receiver:
            if node.func.attr == "get_paginator":
                found.add(ast.literal_eval(node.args[0]))
            else:
                found.add(node.func.attr)
    return found


def _actions(policy: dict) -> set[str]:
    return {a for s in policy["Statement"] for a in s["Action"]}


def test_the_mapping_covers_every_s3_and_kms_call_of_the_code():
    called = _calls("s3_store.py", "s3") | _calls("kms.py", "kms")
    assert called - OPT_IN == set(S3_KMS_ACTIONS)


def test_ml_engineer_has_what_publish_and_history_call_and_nothing_else():
    needed = set().union(*S3_KMS_ACTIONS.values())
    granted = _actions(iam_policy.policy_for("ml-engineer", TARGET))
    assert granted == needed
    assert "s3:PutBucketVersioning" not in granted


def test_devops_reads_only():
    needed = set().union(*(S3_KMS_ACTIONS[op] for op in DEVOPS_OPS)) | set(iam_policy.STATUS_ACTIONS)
    granted = _actions(iam_policy.policy_for("devops", TARGET))
    assert granted == needed | set(iam_policy.STOP_ACTIONS)
    assert not {a for a in granted if a.startswith(("s3:Put", "s3:Delete"))}
    assert "kms:GenerateDataKey" not in granted


def test_sagemaker_actions_are_the_calls_of_the_sagemaker_adapter():
    called = _calls("sagemaker_api.py", "client")
    as_actions = {"sagemaker:" + "".join(w.capitalize() for w in op.split("_")) for op in called}
    assert as_actions == set(iam_policy.STATUS_ACTIONS) | set(iam_policy.STOP_ACTIONS)


def test_resources_are_the_bucket_the_prefix_and_the_key():
    policy = iam_policy.policy_for("ml-engineer", TARGET)
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["FindBucket"]["Resource"] == "arn:aws:s3:::team-bucket"
    assert by_sid["WriteDefinitions"]["Resource"] == "arn:aws:s3:::team-bucket/handoff/*"
    assert by_sid["EncryptDefinitions"]["Resource"] == KEY
    assert policy["Version"] == "2012-10-17"
    assert all(s["Effect"] == "Allow" and s["Sid"] in iam_policy.NEEDED_BY for s in policy["Statement"])
    assert not any(s["Resource"] == "*" for s in policy["Statement"])


def test_an_empty_prefix_scopes_to_the_whole_bucket():
    target = iam_policy.PolicyTarget("b", "", KEY, "eu-west-1", "1")
    policy = iam_policy.policy_for("devops", target)
    assert {s["Sid"]: s for s in policy["Statement"]}["ReadDefinitions"]["Resource"] == "arn:aws:s3:::b/*"


def test_controller_manages_pipelines_and_passes_only_the_pipeline_roles_to_sagemaker():
    policy = iam_policy.policy_for("controller", TARGET)
    manage, pass_role = policy["Statement"]
    assert manage["Resource"] == "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/*"
    for action in ("CreatePipeline", "UpdatePipeline", "DeletePipeline", "StartPipelineExecution", "AddTags"):
        assert f"sagemaker:{action}" in manage["Action"]
    assert not any(re.match(r"s3:|kms:", a) for a in manage["Action"])
    assert pass_role["Action"] == ["iam:PassRole"]
    assert pass_role["Resource"] == ROLE
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


@pytest.mark.parametrize(
    ("role", "target", "words"),
    [
        ("ml-engineer", iam_policy.PolicyTarget("b", "", "alias/mine", "r", "1"), "not a key ARN"),
        ("devops", iam_policy.PolicyTarget("", "", KEY, "r", "1"), "No S3 bucket"),
        ("controller", iam_policy.PolicyTarget("", "", "", "r", "1"), "No pipeline role"),
        ("admin", TARGET, "no policy for 'admin'"),
    ],
    ids=["alias-key", "no-bucket", "no-role", "unknown-role"],
)
def test_refuses_what_a_policy_cannot_name(role, target, words):
    with pytest.raises(UserError, match=words) as raised:
        iam_policy.policy_for(role, target)
    assert raised.value.fix


def test_without_statement_removes_exactly_one():
    policy = iam_policy.policy_for("ml-engineer", TARGET)
    smaller = iam_policy.without_statement(policy, "WriteDefinitions")
    assert len(smaller["Statement"]) == len(policy["Statement"]) - 1
    assert "WriteDefinitions" not in {s["Sid"] for s in smaller["Statement"]}
    with pytest.raises(KeyError):
        iam_policy.without_statement(policy, "NoSuchSid")


def test_signing_statements_come_only_with_a_sign_key():
    signing = "arn:aws:kms:eu-west-1:123456789012:key/5f1c0b7e-0000-4000-8000-00000000abcd"
    for role in ("ml-engineer", "devops"):
        assert not {"kms:Sign", "kms:Verify"} & _actions(iam_policy.policy_for(role, TARGET))
    signed = replace(TARGET, sign_key_arn=signing)
    by_sid = {s["Sid"]: s for s in iam_policy.policy_for("ml-engineer", signed)["Statement"]}
    assert by_sid["SignHandoffRecords"]["Action"] == ["kms:DescribeKey", "kms:Sign"]
    assert by_sid["SignHandoffRecords"]["Resource"] == signing
    by_sid = {s["Sid"]: s for s in iam_policy.policy_for("devops", signed)["Statement"]}
    assert by_sid["VerifySignatures"]["Action"] == ["kms:DescribeKey", "kms:Verify"]
    assert "kms:Sign" not in _actions(iam_policy.policy_for("devops", signed))
