"""Adversarial cases of policies and signing: each ends in one error/fix pair, exit 2, nothing written.

A policy file that reads wrongly must never pass a pipeline by accident, so every way it can be wrong
is a usage mistake naming the file and the rule, raised before anything is linted, published or applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from tests.adversarial.conftest import assert_user_error, cli, files_under
from tests.fixtures.moto_server import AwsTestBed

HEAD = "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\n"
BOMB = (
    HEAD
    + 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    + "rules: {}\n"
)

# case -> (file content (str, or bytes), words the error/fix must say)
BAD_POLICIES: dict[str, tuple[str | bytes, tuple[str, ...]]] = {
    "not-yaml": ("rules: [unclosed\n  - x: {", ("not yaml", "PipelinePolicy")),
    "not-a-mapping": ("- just\n- a list\n", ("not a mapping",)),
    "wrong-kind": (
        "apiVersion: sagemaker-ack.io/v1alpha1\nkind: Pipeline\nrules: {}\n",
        ("'Pipeline'", "kind"),
    ),
    "wrong-api-version": ("apiVersion: v1\nkind: PipelinePolicy\nrules: {}\n", ("apiversion",)),
    "no-rules": (HEAD, ("rules",)),
    "unknown-rule": (
        HEAD + "rules:\n  instanceType: ['ml.m5.*']\n",
        ("unknown rule", "instanceType", "instanceTypes"),
    ),
    "glob-not-a-list": (HEAD + "rules:\n  roleArns: 'arn:aws:iam::1:role/*'\n", ("roleArns", "list")),
    "glob-not-a-string": (HEAD + "rules:\n  imageRegistries: [1, 2]\n", ("imageRegistries", "glob")),
    "count-a-string": (HEAD + "rules:\n  maxInstanceCount: '4'\n", ("maxInstanceCount", "whole number")),
    "count-negative": (HEAD + "rules:\n  maxInstanceCount: -1\n", ("maxInstanceCount",)),
    "runtime-a-bool": (HEAD + "rules:\n  maxRuntimeSeconds: true\n", ("maxRuntimeSeconds",)),
    "flag-not-a-bool": (
        HEAD + "rules:\n  requireOutputKms: 'yes please'\n",
        ("requireOutputKms", "true or false"),
    ),
    "two-documents": (HEAD + "rules: {}\n---\n" + HEAD + "rules: {}\n", ("2 documents",)),
    "empty-file": ("", ("0 documents",)),
    "alias-bomb": (BOMB, ("refused",)),
    "deep-nesting": (HEAD + "rules:\n  roleArns: " + "[" * 150 + "]" * 150 + "\n", ("levels",)),
    "duplicate-key": (HEAD + "rules:\n  maxInstanceCount: 1\n  maxInstanceCount: 100\n", ("polic",)),
    "not-utf8": (b"apiVersion: \xff\xfe\n", ("utf-8",)),
}


def _definition(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    path.write_text(json.dumps(chain_definition(2)))
    return path


@pytest.mark.parametrize("case", sorted(BAD_POLICIES))
def test_a_bad_policy_file_is_a_usage_mistake(case: str, tmp_path: Path) -> None:
    content, words = BAD_POLICIES[case]
    policy = tmp_path / "policy.yaml"
    if isinstance(content, bytes):
        policy.write_bytes(content)
    else:
        policy.write_text(content)
    outcome = cli("lint", str(_definition(tmp_path)), "--policy", str(policy))
    assert_user_error(outcome, "policy", *words)
    assert "SMA" not in outcome.stdout  # nothing was linted with a policy that did not read


@pytest.mark.parametrize(
    ("case", "make", "words"),
    [
        ("missing", lambda p: p / "nope.yaml", ("does not exist",)),
        ("folder", lambda p: p, ("is a folder",)),
    ],
)
def test_a_policy_path_that_is_not_a_file(
    case: str, make: Callable[[Path], Path], words: tuple[str, ...], tmp_path: Path
) -> None:
    outcome = cli("lint", str(_definition(tmp_path)), "--policy", str(make(tmp_path)))
    assert_user_error(outcome, "policy", *words)


def test_a_bad_policy_setting_refuses_publish_before_any_write(aws: AwsTestBed, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(HEAD + "rules:\n  instanceTypes: ml.m5.large\n")
    outcome = cli("publish", str(_definition(tmp_path)), env={"SAGEMAKER_ACK_POLICY": str(policy)})
    assert_user_error(outcome, "instanceTypes")
    assert aws.client("s3").list_object_versions(Bucket=aws.bucket).get("Versions") is None


def test_a_malformed_param_is_a_usage_mistake(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(HEAD + "rules: {}\n")
    outcome = cli("lint", str(_definition(tmp_path)), "--policy", str(policy), "--param", "NoEquals")
    assert_user_error(outcome, "--param", "NAME=VALUE")


# ----- signing ----------------------------------------------------------------------------------------
def _symmetric(aws: AwsTestBed) -> str:
    return aws.key_alias  # the test bed's SSE key: SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT


def _published_yaml(aws: AwsTestBed, tmp_path: Path) -> Path:
    assert cli("publish", str(_definition(tmp_path)), "--pipeline-name", "pipe").exit_code == 0
    out = tmp_path / "out"
    done = cli(
        "render",
        "--from",
        f"s3://{aws.bucket}/handoff/pipe/definition.json",
        "--pipeline-name",
        "pipe",
        "--role-arn",
        "arn:aws:iam::123456789012:role/r",
        "-o",
        str(out),
    )
    assert done.exit_code == 0, done.output
    return out / "pipeline.yaml"


SIGNER_MISTAKES: dict[str, tuple[Callable[[AwsTestBed, Path], list[str]], tuple[str, ...]]] = {
    "signer-is-a-symmetric-key": (
        lambda aws, p: ["--signer", _symmetric(aws)],
        ("SIGN_VERIFY", "create-key"),
    ),
    "signer-does-not-exist": (
        lambda aws, p: ["--signer", "alias/nobody"],
        ("does not exist", "alias/nobody"),
    ),
    "require-signature-without-signer": (lambda aws, p: ["--require-signature"], ("--signer",)),
    "both-signers": (
        lambda aws, p: ["--signer", "alias/x", "--signer-public-key", str(p / "k.der")],
        ("not both",),
    ),
    "public-key-missing": (
        lambda aws, p: ["--signer-public-key", str(p / "absent.der")],
        ("does not exist",),
    ),
    "public-key-garbage": (
        lambda aws, p: ["--signer-public-key", str(p / "pipe.json")],
        ("not a public key",),
    ),
}


@pytest.mark.parametrize("case", sorted(SIGNER_MISTAKES))
def test_verify_signer_mistakes(case: str, aws: AwsTestBed, tmp_path: Path) -> None:
    path = _published_yaml(aws, tmp_path)
    args, words = SIGNER_MISTAKES[case]
    outcome = cli("verify", str(path), *args(aws, tmp_path))
    assert_user_error(outcome, *words)


def _record_versions(aws: AwsTestBed) -> list[Any]:
    answer = aws.client("s3").list_object_versions(Bucket=aws.bucket)
    return list(answer.get("Versions", []))


@pytest.mark.parametrize(
    ("case", "key", "words"),
    [
        ("symmetric-sign-key", "symmetric", ("cannot sign", "SIGN_VERIFY")),
        ("missing-sign-key", "alias/nobody", ("does not exist",)),
    ],
)
def test_publish_with_a_key_that_cannot_sign_writes_nothing(
    case: str, key: str, words: tuple[str, ...], aws: AwsTestBed, tmp_path: Path
) -> None:
    sign_key = _symmetric(aws) if key == "symmetric" else key
    outcome = cli("publish", str(_definition(tmp_path)), "--sign-key", sign_key)
    assert_user_error(outcome, *words)
    assert _record_versions(aws) == []
    assert files_under(tmp_path) == ["pipe.json"]


def test_the_sign_key_setting_with_a_symmetric_key_refuses_too(aws: AwsTestBed, tmp_path: Path) -> None:
    outcome = cli("publish", str(_definition(tmp_path)), env={"SAGEMAKER_ACK_SIGN_KEY": _symmetric(aws)})
    assert_user_error(outcome, "cannot sign")
    assert _record_versions(aws) == []
