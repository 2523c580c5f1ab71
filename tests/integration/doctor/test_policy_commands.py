"""``iam-policy`` and ``rbac`` as a user runs them: the documents on stdout, mistakes as one error and fix."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from .helpers import run_cli

KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ROLE = "arn:aws:iam::111122223333:role/SageMakerExecution"


@pytest.fixture
def offline(tmp_path):
    """No AWS at all: no credentials, no config, no metadata service."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAGEMAKER_ACK_", "KUBECONFIG"))}
    return {
        **env,
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "SAGEMAKER_ACK_BUCKET": "team-bucket",
        "SAGEMAKER_ACK_PREFIX": "handoff",
    }


def test_iam_policy_needs_no_aws_when_the_settings_name_arns(offline):
    done = run_cli(offline, "iam-policy", "--for", "devops", "--kms-key", KEY)
    assert done.returncode == 0, done.stderr
    policy = json.loads(done.stdout)
    assert {s["Sid"] for s in policy["Statement"]} >= {"ReadDefinitions", "DecryptDefinitions", "WatchRuns"}
    read = next(s for s in policy["Statement"] if s["Sid"] == "ReadDefinitions")
    assert read["Resource"] == "arn:aws:s3:::team-bucket/handoff/*"
    watch = next(s for s in policy["Statement"] if s["Sid"] == "WatchRuns")
    assert watch["Resource"] == "arn:aws:sagemaker:eu-west-1:111122223333:pipeline/*"


def test_controller_policy_passes_each_role_given(offline):
    other = ROLE + "2"
    done = run_cli(
        offline,
        "iam-policy",
        "--for",
        "controller",
        "--role-arn",
        ROLE,
        "--role-arn",
        other,
        "--region",
        "eu-west-1",
    )
    assert done.returncode == 0, done.stderr
    passing = json.loads(done.stdout)["Statement"][1]
    assert passing["Resource"] == [ROLE, other]


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["iam-policy", "--for", "controller", "--region", "eu-west-1"], "No pipeline role is configured"),
        (
            ["iam-policy", "--for", "ml-engineer", "--kms-key", "alias/x", "--region", "eu-west-1"],
            "could not be resolved",
        ),
    ],
    ids=["controller-without-role", "alias-without-credentials"],
)
def test_mistakes_are_one_error_and_one_fix(offline, args, problem):
    done = run_cli(offline, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("error: ")
    assert problem in lines[0]
    assert lines[1].startswith("fix: ")
    assert "Traceback" not in done.stderr


def test_rbac_prints_a_role_and_binding_for_the_namespace(offline):
    done = run_cli(offline, "rbac", "--for", "ml-engineer", "-n", "team-a", "--group", "ml", "--user", "bob")
    assert done.returncode == 0, done.stderr
    role, binding = yaml.safe_load_all(done.stdout)
    assert role["metadata"] == {
        **role["metadata"],
        "name": "sagemaker-ack-ml-engineer",
        "namespace": "team-a",
    }
    assert [s["name"] for s in binding["subjects"]] == ["bob", "ml"]


def test_rbac_without_a_subject_binds_the_roles_group(offline):
    done = run_cli(offline, "rbac", "--for", "devops")
    assert done.returncode == 0, done.stderr
    _, binding = yaml.safe_load_all(done.stdout)
    assert binding["metadata"]["namespace"] == "default"
    assert binding["subjects"] == [
        {"kind": "Group", "name": "sagemaker-ack:devops", "apiGroup": "rbac.authorization.k8s.io"}
    ]


def test_an_unknown_role_is_a_usage_error(offline):
    done = run_cli(offline, "rbac", "--for", "admin")
    assert done.returncode == 2
    assert "'admin' is not one of 'ml-engineer', 'devops'" in done.stderr
