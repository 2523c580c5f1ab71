"""The generated IAM policies are enough and no more, proven against moto with IAM enforcement on.

moto enforces IAM when its server starts with ``INITIAL_NO_AUTH_ACTION_COUNT`` set: after that many
requests every call is signed-checked and authorised against the caller's IAM policies. What it covers
(moto 5.x, read from moto/core/authorization.py and moto/iam/access_control.py):
- S3: yes, per action and resource ARN (bucket, bucket/key). Its action names differ in two places: HEAD
  bucket is ``s3:HeadBucket`` (AWS: s3:ListBucket) and ``?publicAccessBlock`` / ``?encryption`` are
  authorised as ``s3:ListBucket``. SSE-KMS is not checked: moto's S3 never asks KMS.
- KMS, STS, IAM and every other JSON/query service: per action only; the resource is always ``*``, so a
  statement scoped to a key ARN never matches there, and a Condition without request context denies.
  ``sts:GetCallerIdentity`` is always allowed, as on AWS.
So :func:`for_moto` widens KMS statements to ``*`` and adds ``s3:HeadBucket`` beside ``s3:ListBucket``:
the action sets are proven, the KMS resource scoping is not. The statements only KMS-for-S3 or SageMaker
would need (kms:Decrypt for reads, the SageMaker run calls) cannot fail in moto: they are strict xfails
here (they fail the suite if moto ever starts enforcing them); the SageMaker statements (status and stop
run against the project's SageMaker emulator, not moto) are not parametrized here. Both are derived from
the code's own boto3 calls in tests/unit/test_iam_policy.py instead.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from jupyter_sagemaker_ack.core import iam_policy

from .helpers import run_cli

REGION = "us-east-1"
BUCKET = "sagemaker-ack-iam-proof"
ALIAS = "alias/sagemaker-ack-iam-proof"
PIPELINE = "iam-proof"
ROLE_ARN = "arn:aws:iam::123456789012:role/SageMakerRole"
OPERATIONS = {"ml-engineer": ("publish", "history"), "devops": ("verify", "diff")}
NOT_ENFORCED_BY_MOTO = {
    "DecryptDefinitions": "moto's S3 serves SSE-KMS objects without asking KMS for Decrypt"
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, data: bytes = b"") -> None:
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


@pytest.fixture(scope="module")
def enforcing_moto() -> Iterator[str]:
    """A moto server process of its own with IAM enforcement (off while a test sets up, on while it runs)."""
    pytest.importorskip("moto.server")
    port = _free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "1000000000"}
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def _auth(url: str, on: bool) -> None:
    _post(f"{url}/moto-api/reset-auth", b"0" if on else b"1000000000")


def _admin(url: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="admin",
        aws_secret_access_key="admin",
    )


def for_moto(policy: dict[str, Any]) -> dict[str, Any]:
    """The same policy in moto's dialect (see the module docstring): action sets kept, KMS resources widened."""
    statements = []
    for statement in policy["Statement"]:
        statement = dict(statement)
        actions = list(statement["Action"])
        if any(a.startswith("kms:") for a in actions):
            statement["Resource"] = "*"
        if "s3:ListBucket" in actions:
            statement["Action"] = [*actions, "s3:HeadBucket"]
        statements.append(statement)
    return {**policy, "Statement": statements}


class Bed:
    """One account in moto: the bucket and key, admin access while setting up, a user with one policy."""

    def __init__(self, url: str, tmp: Path) -> None:
        self.url, self.tmp = url, tmp
        _post(f"{url}/moto-api/reset")
        _auth(url, on=False)
        s3 = _admin(url, "s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        kms = _admin(url, "kms")
        self.key_arn = kms.create_key(Description="iam proof")["KeyMetadata"]["Arn"]
        kms.create_alias(AliasName=ALIAS, TargetKeyId=self.key_arn)
        self.admin_env = self.env("admin", "admin")
        self.definition = tmp / "definition.json"
        self.definition.write_text(json.dumps(_definition()))
        self.changed = tmp / "changed.json"  # what the user publishes: a new version, so publish must write
        self.changed.write_text(json.dumps(_definition(threshold=0.9)))

    def env(self, key_id: str, secret: str) -> dict[str, str]:
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAGEMAKER_ACK_"))}
        return {
            **base,
            "HOME": str(home),
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_CONFIG_FILE": str(home / "no-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL_S3": self.url,
            "AWS_ENDPOINT_URL_KMS": self.url,
            "AWS_ENDPOINT_URL_STS": self.url,
            "AWS_ENDPOINT_URL_IAM": self.url,
            "SAGEMAKER_ACK_BUCKET": BUCKET,
            "SAGEMAKER_ACK_PREFIX": "teams/ml",
            "SAGEMAKER_ACK_KMS_KEY": ALIAS,
            "SAGEMAKER_ACK_ROLE_ARN": ROLE_ARN,
        }

    def generated(self, role: str) -> dict[str, Any]:
        done = run_cli(self.admin_env, "iam-policy", "--for", role)
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def user(self, name: str, policy: dict[str, Any]) -> dict[str, str]:
        iam = _admin(self.url, "iam")
        iam.create_user(UserName=name)
        if policy["Statement"]:  # IAM refuses an empty policy: a user without one has none
            document = json.dumps(for_moto(policy))
            iam.put_user_policy(UserName=name, PolicyName="generated", PolicyDocument=document)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return self.env(key["AccessKeyId"], key["SecretAccessKey"])

    def published(self) -> Path:
        """Publish (as admin) and render the YAML that verify and diff read; returns the Pipeline YAML."""
        done = run_cli(self.admin_env, "publish", str(self.definition), "--pipeline-name", PIPELINE, "--json")
        assert done.returncode == 0, done.stderr
        published = json.loads(done.stdout)["definition"]
        uri = f"{published['uri']}?versionId={published['versionId']}"
        out = self.tmp / "out"
        rendered = run_cli(
            self.admin_env,
            "render",
            "--from",
            uri,
            "--pipeline-name",
            PIPELINE,
            "--role-arn",
            ROLE_ARN,
            "-o",
            str(out),
        )
        assert rendered.returncode == 0, rendered.stderr
        return out / "pipeline.yaml"

    def enforce(self) -> None:
        _auth(self.url, on=True)


def _definition(**changes: Any) -> dict[str, Any]:
    from tests.integration.publish.helpers import definition_dict

    return definition_dict(**changes)


def operation(
    bed: Bed, env: dict[str, str], name: str, yaml_path: Path | None
) -> subprocess.CompletedProcess[str]:
    if name == "publish":
        return run_cli(env, "publish", str(bed.changed), "--pipeline-name", PIPELINE)
    if name == "history":
        return run_cli(env, "history", PIPELINE)
    assert yaml_path is not None
    if name == "verify":
        return run_cli(env, "verify", str(yaml_path))
    return run_cli(env, "diff", str(bed.definition), _uri_of(yaml_path))


def _uri_of(yaml_path: Path) -> str:
    import yaml

    annotations = yaml.safe_load(yaml_path.read_text())["metadata"]["annotations"]
    uri = next(v for k, v in annotations.items() if k.endswith("definition-uri"))
    version = next(v for k, v in annotations.items() if k.endswith("version-id"))
    return f"{uri}?versionId={version}"


def _setup(
    url: str, tmp: Path, role: str, change: Callable[[dict[str, Any]], dict[str, Any]] = lambda p: p
) -> tuple[Bed, dict[str, str], Path]:
    """A fresh account, the published definition (for devops), and a user with ``change(generated policy)``."""
    bed = Bed(url, tmp)
    yaml_path = bed.published()
    env = bed.user(f"{role}-user", change(bed.generated(role)))
    bed.enforce()
    return bed, env, yaml_path


@pytest.mark.parametrize("role", sorted(OPERATIONS))
def test_the_generated_policy_is_enough(enforcing_moto, tmp_path, role):
    bed, env, yaml_path = _setup(enforcing_moto, tmp_path, role)
    for name in OPERATIONS[role]:
        done = operation(bed, env, name, yaml_path)
        assert done.returncode == 0, f"{name} with exactly the {role} policy: {done.stdout}{done.stderr}"


def test_enforcement_is_on_a_user_without_a_policy_may_do_nothing(enforcing_moto, tmp_path):
    bed, env, _ = _setup(enforcing_moto, tmp_path, "ml-engineer", lambda p: {**p, "Statement": []})
    done = operation(bed, env, "publish", None)
    assert done.returncode == 2
    assert "error: " in done.stderr
    assert "Access denied" in done.stderr


def test_devops_may_not_publish(enforcing_moto, tmp_path):
    bed, env, _ = _setup(enforcing_moto, tmp_path, "devops")
    done = operation(bed, env, "publish", None)
    assert done.returncode == 2
    assert "Access denied" in done.stderr


def _statement_cases() -> list[Any]:
    cases = []
    for role, operations in sorted(OPERATIONS.items()):
        sample = iam_policy.PolicyTarget(
            BUCKET, "p", "arn:aws:kms:us-east-1:1:key/k", REGION, "1", (ROLE_ARN,)
        )
        for statement in iam_policy.policy_for(role, sample)["Statement"]:
            sid = statement["Sid"]
            if not set(iam_policy.NEEDED_BY[sid]) & set(operations):
                continue  # the SageMaker statements (status, stop): moto is not the SageMaker here
            reason = NOT_ENFORCED_BY_MOTO.get(sid)
            marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)] if reason else []
            cases.append(pytest.param(role, sid, marks=marks, id=f"{role}-without-{sid}"))
    return cases


@pytest.mark.parametrize(("role", "sid"), _statement_cases())
def test_each_statement_is_needed(enforcing_moto, tmp_path, role, sid):
    bed, env, yaml_path = _setup(
        enforcing_moto, tmp_path, role, lambda p: iam_policy.without_statement(p, sid)
    )
    failing = [name for name in OPERATIONS[role] if name in iam_policy.NEEDED_BY[sid]]
    assert failing, f"{sid} names no {role} operation"
    for name in failing:
        done = operation(bed, env, name, yaml_path)
        output = done.stdout + done.stderr
        assert done.returncode != 0, f"{name} succeeded without {sid}"
        assert "Access denied" in output or "AccessDenied" in output, output


def _doctor_lines(env: dict[str, str]) -> dict[str, dict[str, str]]:
    done = run_cli(env, "doctor", "--json")
    assert "Traceback" not in done.stderr, done.stderr
    return {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def test_doctor_with_exactly_the_ml_engineer_policy(enforcing_moto, tmp_path):
    _bed, env, _ = _setup(enforcing_moto, tmp_path, "ml-engineer")
    lines = _doctor_lines(env)
    assert lines["aws credentials"]["detail"].startswith("arn:aws:iam::123456789012:user/ml-engineer-user")
    for name in ("s3 bucket", "s3 versioning", "kms key", "kms usable"):
        assert lines[name]["status"] == "ok", lines[name]
    # what doctor may read beyond the hand-off's needs is a warning, never an error
    assert lines["kms key policy"]["status"] == "warning"
    assert "Not readable with these credentials" in lines["kms key policy"]["detail"]
    assert lines["s3 bucket policy"]["status"] == "warning"
    assert lines["pipeline role"]["status"] == "warning"
    assert "iam:GetRole denied" in lines["pipeline role"]["detail"]


def test_doctor_names_a_key_these_credentials_may_not_use(enforcing_moto, tmp_path):
    def describe_only(policy: dict[str, Any]) -> dict[str, Any]:
        statements = [
            {**s, "Action": ["kms:DescribeKey"]} if s["Sid"] == "EncryptDefinitions" else s
            for s in policy["Statement"]
        ]
        return {**policy, "Statement": statements}

    _bed, env, _ = _setup(enforcing_moto, tmp_path, "ml-engineer", describe_only)
    lines = _doctor_lines(env)
    assert lines["kms key"]["status"] == "ok"
    usable = lines["kms usable"]
    assert usable["status"] == "error"
    assert "These credentials cannot use the key: AccessDenied" in usable["detail"]
    assert "kms:GenerateDataKey and kms:Decrypt" in usable["fix"]
    assert "sagemaker-ack iam-policy --for ml-engineer" in usable["fix"]
