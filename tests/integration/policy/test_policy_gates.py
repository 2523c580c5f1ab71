"""Publish, render and apply refuse on policy errors like on lint errors, and write nothing.

Against moto (no S3 version afterwards) and the Kubernetes API emulator (no CR afterwards); a policy
from the ``policy`` setting gates every face without a flag.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.policy import read_policy
from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from jupyter_sagemaker_ack.services.gate import GateRefused
from jupyter_sagemaker_ack.services.publish import publish
from jupyter_sagemaker_ack.services.render import render
from tests.adversarial.conftest import assert_user_error, cli, files_under
from tests.fixtures.kubeapi import kube_request
from tests.fixtures.moto_server import AwsTestBed

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
NAME = "policy-pipeline"
API = "apis/sagemaker.services.k8s.aws/v1alpha1"
STRICT = "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  instanceTypes: ['ml.g5.*']\n"


def _policy(tmp_path: Path, text: str = STRICT) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def _definition(tmp_path: Path) -> Path:
    path = tmp_path / f"{NAME}.json"
    path.write_text(json.dumps(chain_definition(2), indent=1))
    return path


def _versions(aws: AwsTestBed) -> list[Any]:
    answer = aws.client("s3").list_object_versions(Bucket=aws.bucket)
    return list(answer.get("Versions", [])) + list(answer.get("DeleteMarkers", []))


def _instance_type() -> str:
    text = json.dumps(chain_definition(2))
    return str(
        json.loads(text)["Steps"][0]["Arguments"]["ProcessingResources"]["ClusterConfig"]["InstanceType"]
    )


def test_publish_refuses_a_policy_error_and_writes_nothing(aws: AwsTestBed, tmp_path: Path) -> None:
    outcome = cli("publish", str(_definition(tmp_path)), "--policy", str(_policy(tmp_path)))
    assert_user_error(outcome, "SMA902", "polic", "--force", exit_code=1)
    assert "error SMA902 " in outcome.stderr
    assert _instance_type() in outcome.stderr
    assert _versions(aws) == []


def test_publish_force_publishes_despite_a_policy_error(aws: AwsTestBed, tmp_path: Path) -> None:
    outcome = cli("publish", str(_definition(tmp_path)), "--policy", str(_policy(tmp_path)), "--force")
    assert outcome.exit_code == 0, outcome.output
    assert _versions(aws)


def test_the_policy_setting_gates_the_publish_service(
    aws: AwsTestBed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = aws.settings.with_values(policy=str(_policy(tmp_path)))
    with pytest.raises(GateRefused) as caught:
        publish(json.dumps(chain_definition(2)), settings, pipeline_name=NAME)
    assert "SMA902" in caught.value.problem
    assert "the policies found" in caught.value.problem
    assert _versions(aws) == []
    # An explicit empty list overrides the setting.
    assert publish(json.dumps(chain_definition(2)), settings, pipeline_name=NAME, policies=()).version_id


def test_publish_judges_the_region_it_publishes_to(aws: AwsTestBed, tmp_path: Path) -> None:
    policy = _policy(
        tmp_path, "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  regions: [eu-*]\n"
    )
    outcome = cli("publish", str(_definition(tmp_path)), "--policy", str(policy))
    assert_user_error(outcome, "SMA905", exit_code=1)
    assert "us-east-1" in outcome.stderr
    assert _versions(aws) == []


def test_render_refuses_a_policy_error_and_writes_no_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    policy = _policy(
        tmp_path,
        "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  requireTags: [team]\n",
    )
    args = ["render", str(_definition(tmp_path)), "--pipeline-name", NAME, "--role-arn", ROLE, "-o", str(out)]
    outcome = cli(*args, "--policy", str(policy))
    assert_user_error(outcome, "SMA909", exit_code=1)
    assert not out.exists()
    tagged = cli(*args, "--policy", str(policy), "--tag", "team=ml")
    assert tagged.exit_code == 0, tagged.output
    assert files_under(out)


def test_render_service_judges_the_role_it_renders_with() -> None:
    policy = read_policy(
        "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  roleArns: ['*:role/ml-*']\n",
        "roles.yaml",
    )
    with pytest.raises(GateRefused) as caught:
        render(
            parse_definition(json.dumps(chain_definition(2))),
            pipeline_name=NAME,
            role_arn=ROLE,
            policies=[policy],
        )
    assert "SMA901" in caught.value.problem
    assert "spec.roleARN" in caught.value.problem


@pytest.fixture
def kube_env(kubeconfig_path: Path, kube_namespace: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"KUBECONFIG": str(kubeconfig_path), "SAGEMAKER_ACK_NAMESPACE": kube_namespace}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def _crs(kubeapi: Any, namespace: str) -> list[str]:
    found = []
    for plural in ("pipelines", "pipelineexecutions"):
        answer = kube_request(f"{kubeapi.url}/{API}/namespaces/{namespace}/{plural}")
        found += [f"{plural}/{item['metadata']['name']}" for item in answer["items"]]
    return found


@pytest.mark.parametrize("via", ["flag", "setting"])
def test_apply_refuses_a_policy_error_and_creates_no_cr(
    via: str, kubeapi: Any, kube_namespace: str, kube_env: dict[str, str], tmp_path: Path
) -> None:
    docs = render(
        parse_definition(json.dumps(chain_definition(2))),
        pipeline_name=NAME,
        role_arn=ROLE,
        namespace=kube_namespace,
        execution=True,
        policies=(),
    ).docs
    path = tmp_path / "all.yaml"
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    policy = _policy(tmp_path)
    if via == "flag":
        outcome = cli("apply", str(path), "--policy", str(policy), env=kube_env)
    else:
        outcome = cli("apply", str(path), env={**kube_env, "SAGEMAKER_ACK_POLICY": str(policy)})
    assert_user_error(outcome, "SMA902", "--force", exit_code=1)
    assert _crs(kubeapi, kube_namespace) == []
