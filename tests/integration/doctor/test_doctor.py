"""``sagemaker-ack doctor`` on the sandbox: all ok when ready, and each misconfiguration named with its fix.

Each test breaks one thing on purpose (and mends it afterwards, the sandbox is shared), runs the real
command as a process and asserts the line, its status and its fix, and the exit code (1 on any error).
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition
from jupyter_sagemaker_ack.sandbox.kubeapi import KubeApiServer, write_kubeconfig
from jupyter_sagemaker_ack.services.doctor import run_doctor
from jupyter_sagemaker_ack.settings import resolve_settings

from .helpers import client, doctor, line, s3_versions


def kubectl(env, *args):
    done = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _admin(sandbox, action: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{sandbox.endpoints['kubernetes']}/_emulator/{action}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _cr_count(env) -> int:
    pipelines = json.loads(kubectl(env, "get", "pipelines", "-A", "-o", "json"))["items"]
    runs = json.loads(kubectl(env, "get", "pipelineexecutions", "-A", "-o", "json"))["items"]
    return len(pipelines) + len(runs)


@pytest.fixture
def reconciled_pipeline(sandbox_env, tmp_path):
    """A Pipeline the sandbox's controller has synced, so doctor can tell a controller watches."""
    pipeline = manifests.render_pipeline(
        parse_definition(chain_definition(1)), manifests.PipelineOptions("DoctorSeen", ROLE)
    )
    path = tmp_path / "pipeline.yaml"
    path.write_text(manifests.dump_yaml([pipeline]))
    kubectl(sandbox_env, "apply", "-f", str(path))
    kubectl(
        sandbox_env,
        "wait",
        "--for=condition=ACK.ResourceSynced",
        "--timeout=60s",
        f"pipeline/{pipeline['metadata']['name']}",
    )
    return pipeline


def test_ready_sandbox_is_all_ok_in_seconds_and_doctor_writes_nothing(sandbox_env, reconciled_pipeline):
    s3 = client(sandbox_env, "s3")
    s3.put_object(Bucket=sandbox_env["SAGEMAKER_ACK_BUCKET"], Key="doctor/marker", Body=b"x")
    versions, crs = s3_versions(sandbox_env), _cr_count(sandbox_env)
    kms = client(sandbox_env, "kms")
    keys = [
        (k["KeyId"], kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"])
        for k in kms.list_keys()["Keys"]
    ]

    code, report = doctor(sandbox_env)

    assert code == 0, report
    assert {c["status"] for c in report["checks"]} == {"ok"}, [
        c for c in report["checks"] if c["status"] != "ok"
    ]
    assert report["seconds"] < 10
    assert "trusts sagemaker.amazonaws.com" in line(report, "pipeline role")["detail"]
    assert "GenerateDataKey + Decrypt" in line(report, "kms usable")["detail"]
    assert "ACK conditions" in line(report, "ack controller")["detail"]
    assert "12 access reviews allowed" in line(report, "kube access")["detail"]
    # doctor changed nothing: no S3 version, no CR, no key state
    assert s3_versions(sandbox_env) == versions
    assert _cr_count(sandbox_env) == crs
    assert [
        (k["KeyId"], kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"])
        for k in kms.list_keys()["Keys"]
    ] == keys


def test_human_output_has_one_line_per_check_and_the_fix_under_it(sandbox_env, tmp_path):
    env = {**sandbox_env, "SAGEMAKER_ACK_ROLE_ARN": "arn:aws:iam::123456789012:role/NoSuchRole"}
    done = subprocess.run(
        ["python", "-m", "jupyter_sagemaker_ack", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    role = next(i for i, text in enumerate(lines) if text.startswith("error") and "pipeline role" in text)
    assert "does not exist" in lines[role]
    assert (
        lines[role + 1].strip().startswith("fix: Create it with a trust policy for sagemaker.amazonaws.com")
    )
    assert lines[-1].startswith("doctor: ")
    assert "1 error" in lines[-1]


def test_bucket_without_versioning(sandbox_env):
    s3 = client(sandbox_env, "s3")
    bucket = sandbox_env["SAGEMAKER_ACK_BUCKET"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    try:
        code, report = doctor(sandbox_env)
    finally:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    check = line(report, "s3 versioning")
    assert code == 1
    assert check["status"] == "error"
    assert "Suspended" in check["detail"]
    assert (
        check["fix"]
        == f"aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Enabled"
    )


def test_bucket_policy_open_to_everyone(sandbox_env):
    s3 = client(sandbox_env, "s3")
    bucket = sandbox_env["SAGEMAKER_ACK_BUCKET"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Everyone",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    try:
        code, report = doctor(sandbox_env)
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
    check = line(report, "s3 bucket policy")
    assert code == 1
    assert check["status"] == "error"
    assert "Everyone" in check["detail"]
    assert "Principal *" in check["detail"]
    assert "get-bucket-policy" in check["fix"]


def test_disabled_kms_key(sandbox_env):
    kms = client(sandbox_env, "kms")
    key = kms.describe_key(KeyId=sandbox_env["SAGEMAKER_ACK_KMS_KEY"])["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key)
    try:
        code, report = doctor(sandbox_env)
    finally:
        kms.enable_key(KeyId=key)
    check = line(report, "kms key")
    assert code == 1
    assert check["status"] == "error"
    assert "Disabled" in check["detail"]
    assert "aws kms enable-key" in check["fix"]


def test_unreachable_kube_api(sandbox_env, tmp_path):
    kubeconfig = write_kubeconfig(tmp_path / "config", "http://127.0.0.1:9")  # discard port: nobody listens
    code, report = doctor({**sandbox_env, "KUBECONFIG": str(kubeconfig)})
    check = line(report, "kube context")
    assert code == 1
    assert check["status"] == "error"
    assert "Cannot reach the Kubernetes API at http://127.0.0.1:9" in check["detail"]
    assert "kubectl cluster-info" in check["fix"]
    assert line(report, "ack crds")["status"] == "warning"  # not checked, said so
    assert report["seconds"] < 15


@pytest.fixture
def bare_cluster(tmp_path):
    """A Kubernetes API with no controller (and, with crds=[], no ACK CRDs either)."""
    servers = []

    def start(crds=None):
        server = KubeApiServer(crds=crds).start()
        servers.append(server)
        return write_kubeconfig(tmp_path / f"config-{len(servers)}", server.url)

    yield start
    for server in servers:
        server.stop()


def test_missing_crds(sandbox_env, bare_cluster):
    code, report = doctor({**sandbox_env, "KUBECONFIG": str(bare_cluster(crds=[]))})
    check = line(report, "ack crds")
    assert code == 1
    assert check["status"] == "error"
    assert "are not installed" in check["detail"]
    assert "helm install -n ack-system" in check["fix"]
    assert "sagemaker-chart" in check["fix"]


def test_no_controller_watching(sandbox_env, bare_cluster, tmp_path, monkeypatch):
    kubeconfig = bare_cluster()
    env = {**sandbox_env, "KUBECONFIG": str(kubeconfig)}
    pipeline = manifests.render_pipeline(
        parse_definition(chain_definition(1)), manifests.PipelineOptions("NobodyWatches", ROLE)
    )
    path = tmp_path / "p.yaml"
    path.write_text(manifests.dump_yaml([pipeline]))
    kubectl(env, "apply", "-f", str(path))
    code, report = doctor(env)  # just created: doctor cannot tell yet
    assert code == 0
    assert line(report, "ack controller")["status"] == "warning"
    time.sleep(1.1)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    check = run_doctor(resolve_settings(), controller_grace_seconds=1.0).check("ack controller")
    assert check.status == "error"
    assert "No ACK controller watches default" in check.detail
    assert "Pipeline/nobody-watches-" in check.detail
    assert "helm install" in check.fix
    assert "watchNamespace" in check.fix


def test_pipeline_role_missing(sandbox_env):
    code, report = doctor({**sandbox_env, "SAGEMAKER_ACK_ROLE_ARN": "arn:aws:iam::123456789012:role/Gone"})
    check = line(report, "pipeline role")
    assert code == 1
    assert check["status"] == "error"
    assert "does not exist" in check["detail"]
    assert "trust policy for sagemaker.amazonaws.com" in check["fix"]


def test_pipeline_role_not_trusted_by_sagemaker(sandbox_env):
    iam = client(sandbox_env, "iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    arn = iam.create_role(RoleName="DoctorEc2Role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    try:
        code, report = doctor({**sandbox_env, "SAGEMAKER_ACK_ROLE_ARN": arn})
    finally:
        iam.delete_role(RoleName="DoctorEc2Role")
    check = line(report, "pipeline role")
    assert code == 1
    assert check["status"] == "error"
    assert "trusted by ec2.amazonaws.com, not sagemaker.amazonaws.com" in check["detail"]
    assert check["fix"].startswith("aws iam update-assume-role-policy --role-name DoctorEc2Role")


def test_access_review_denied(sandbox, sandbox_env):
    _admin(sandbox, "access", {"deny": [{"verb": "delete", "resource": "pipelineexecutions"}]})
    try:
        code, report = doctor(sandbox_env)
    finally:
        _admin(sandbox, "access", {"reset": True})
    check = line(report, "kube access")
    assert code == 1
    assert check["status"] == "error"
    assert "You may not delete on pipelineexecutions in namespace default" in check["detail"]
    assert "sagemaker-ack rbac --for ml-engineer" in check["fix"]


def test_no_credentials(sandbox_env, tmp_path):
    env = {
        k: v
        for k, v in sandbox_env.items()
        if not k.startswith("AWS_ACCESS") and not k.startswith("AWS_SECRET")
    }
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    code, report = doctor(env)
    check = line(report, "aws credentials")
    assert code == 1
    assert check["status"] == "error"
    assert check["detail"] == "No AWS credentials were found."
    assert "aws sso login" in check["fix"]
    assert line(report, "s3 bucket")["status"] == "warning"  # not checked, said so
    assert line(report, "kube context")["status"] == "ok"  # the cluster half still ran


def test_magic_doctor_returns_the_report(sandbox_env, monkeypatch):
    from IPython.testing.globalipapp import get_ipython

    for name, value in sandbox_env.items():
        monkeypatch.setenv(name, value)
    ip = get_ipython()
    ip.run_line_magic("load_ext", "jupyter_sagemaker_ack")
    result = ip.run_line_magic("sagemaker_ack", "doctor")
    names = [c.name for c in result.value.checks]
    assert "kms usable" in names
    assert "kube access" in names
    assert "doctor:" in repr(result)


def test_writes_nothing_when_the_bucket_is_broken(sandbox_env):
    """A broken setup must not tempt doctor into repairs: versioning stays off, no object appears."""
    s3 = client(sandbox_env, "s3")
    bucket = sandbox_env["SAGEMAKER_ACK_BUCKET"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    try:
        before = s3_versions(sandbox_env)
        doctor(sandbox_env)
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
        assert s3_versions(sandbox_env) == before
    finally:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def test_json_is_for_ci(sandbox_env, tmp_path: Path):
    code, report = doctor(sandbox_env)
    assert set(report) == {"ok", "summary", "seconds", "checks"}
    assert report["ok"] is (code == 0)
    assert all(set(c) == {"name", "status", "detail", "fix"} for c in report["checks"])
