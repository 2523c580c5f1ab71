"""Adversarial cases for ``lint``, ``verify`` and the review operation: hand edits, no AWS access, buckets
chosen by the file, secrets in command lines, password defaults, trailing newlines, bad paths and folders.

Each case asserts the exit code, the findings (code and severity) or exactly one ``error:``/``fix:`` pair,
no traceback, no secret echoed back, and, where a bucket is not trusted, that no request reached it.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.config import resolve_settings
from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition, pretty_json
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from jupyter_sagemaker_ack.services.publish import publish
from jupyter_sagemaker_ack.services.review import review_text
from tests.fixtures.moto_server import AwsTestBed
from tests.integration.lint.request_log import logged_s3

from .conftest import assert_no_traceback, assert_user_error, cli

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
MINE = "my-handoff-bucket"
OTHER = "bucket-the-yaml-chose"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PASSWORD = "correct-horse-battery"
_FINDING = re.compile(r": (error|warning) (SMA\d{3}) ")


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A CI job without AWS access: no credentials anywhere, S3 unreachable, a bucket configured."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_ENDPOINT_URL",
        "SAGEMAKER_ACK_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("SAGEMAKER_ACK_BUCKET", MINE)


# --- inputs -------------------------------------------------------------------------------------------


def _abalone() -> dict[str, Any]:
    return copy.deepcopy(dict(abalone_definition()))


def _provenance(bucket: str = MINE, definition: dict[str, Any] | None = None) -> manifests.Provenance:
    return manifests.Provenance(
        digest=parse_definition(definition or _abalone()).digest,
        definition_uri=f"s3://{bucket}/sagemaker-ack/abalone/definition.json",
        version_id="3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000",
    )


def _yaml(definition: dict[str, Any] | None = None, provenance: manifests.Provenance | None = None) -> str:
    doc = manifests.render_pipeline(
        parse_definition(definition or _abalone()),
        manifests.PipelineOptions(pipeline_name="abalone", role_arn=ROLE, provenance=provenance),
    )
    return manifests.dump_yaml([doc])


def _edited(text: str) -> str:
    edited = text.replace('"InstanceType": "ml.m5.xlarge"', '"InstanceType": "ml.p4d.24xlarge"', 1)
    assert edited != text
    return edited


def _processing(**fields: Any) -> dict[str, Any]:
    """The Abalone definition with ``fields`` set on its Processing step's arguments."""
    definition = _abalone()
    step = next(s for s in definition["Steps"] if s["Type"] == "Processing")
    for dotted, value in fields.items():
        target = step["Arguments"]
        *parents, last = dotted.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return definition


def _with_parameter(name: str, default: str) -> dict[str, Any]:
    definition = _abalone()
    definition["Parameters"].append({"Name": name, "Type": "String", "DefaultValue": default})
    return definition


Files = dict[str, str | bytes | None]  # None: a folder


def _write(root: Path, files: Files) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def _pinned_yaml(bucket: str = MINE) -> str:
    return _yaml(provenance=_provenance(bucket))


def _loop_folder() -> Files:
    return {"pipeline.yaml": _yaml(), "sub/.keep": ""}


# --- lint without AWS ---------------------------------------------------------------------------------

LINT_CASES: list[tuple[str, Callable[[], Files], list[str], int, dict[str, str], tuple[str, ...]]] = [
    # (id, files, extra args, exit code, {code: severity} exactly, strings that must not be printed)
    (
        "hand-edit-offline",
        lambda: {"p.yaml": _edited(_pinned_yaml())},
        ["--offline"],
        1,
        {"SMA803": "error", "SMA802": "warning"},
        (),
    ),
    (
        "hand-edit-no-aws",
        lambda: {"p.yaml": _edited(_pinned_yaml())},
        [],
        1,
        {"SMA803": "error", "SMA802": "warning"},
        (),
    ),
    (
        "hand-edit-of-a-render-never-published",
        lambda: {"p.yaml": _edited(_yaml())},
        [],
        1,
        {"SMA803": "error"},
        (),
    ),
    (
        "hand-edit-in-a-folder-beside-its-execution",
        lambda: {"out/pipeline.yaml": _edited(_yaml()), "out/run.yaml": _execution_yaml()},
        [],
        1,
        {"SMA803": "error"},
        (),
    ),
    (
        "require-verified-offline",
        lambda: {"p.yaml": _pinned_yaml()},
        ["--offline", "--require-verified"],
        1,
        {"SMA802": "error"},
        (),
    ),
    (
        "require-verified-nothing-pinned",
        lambda: {"p.yaml": _yaml()},
        ["--require-verified"],
        1,
        {"SMA802": "error"},
        (),
    ),
    (
        "require-verified-no-credentials",
        lambda: {"p.yaml": _pinned_yaml()},
        ["--require-verified"],
        1,
        {"SMA802": "error"},
        (),
    ),
    ("no-credentials-is-a-warning", lambda: {"p.yaml": _pinned_yaml()}, [], 0, {"SMA802": "warning"}, ()),
    ("untrusted-bucket", lambda: {"p.yaml": _pinned_yaml(OTHER)}, [], 0, {"SMA804": "warning"}, ()),
    (
        "untrusted-bucket-require-verified",
        lambda: {"p.yaml": _pinned_yaml(OTHER)},
        ["--require-verified"],
        1,
        {"SMA804": "error"},
        (),
    ),
    (
        "untrusted-bucket-offline",
        lambda: {"p.yaml": _pinned_yaml(OTHER)},
        ["--offline"],
        0,
        {"SMA802": "warning"},
        (),
    ),
    (
        "trusted-by-flag-but-no-credentials",
        lambda: {"p.yaml": _pinned_yaml(OTHER)},
        ["--trust-bucket", OTHER],
        0,
        {"SMA802": "warning"},
        (),
    ),
    (
        "require-verified-execution-only-is-fine",
        lambda: {"run.yaml": _execution_yaml()},
        ["--require-verified"],
        0,
        {},
        (),
    ),
    (
        "secret-export-in-entrypoint",
        lambda: {
            "d.json": json.dumps(
                _processing(
                    **{
                        "AppSpecification.ContainerEntrypoint": [
                            "bash",
                            "-c",
                            f"export AWS_SECRET_ACCESS_KEY={SECRET} && python preprocess.py",
                        ]
                    }
                )
            )
        },
        [],
        1,
        {"SMA502": "error"},
        (SECRET,),
    ),
    (
        "secret-env-prefix-in-arguments",
        lambda: {
            "d.json": json.dumps(
                _processing(
                    **{
                        "AppSpecification.ContainerArguments": [
                            f"AWS_SECRET_ACCESS_KEY={SECRET} python preprocess.py"
                        ]
                    }
                )
            )
        },
        [],
        1,
        {"SMA502": "error"},
        (SECRET,),
    ),
    (
        "secret-in-environment-command",
        lambda: {
            "d.json": json.dumps(
                _processing(Environment={"BOOT": f"export AWS_SECRET_ACCESS_KEY='{SECRET}'"})
            )
        },
        [],
        1,
        {"SMA502": "error"},
        (SECRET,),
    ),
    (
        "secret-in-entrypoint-of-a-manifest",
        lambda: {
            "p.yaml": _yaml(
                _processing(
                    **{
                        "AppSpecification.ContainerEntrypoint": [
                            "sh",
                            "-c",
                            f"AWS_SECRET_ACCESS_KEY={SECRET} aws s3 ls",
                        ]
                    }
                )
            )
        },
        [],
        1,
        {"SMA502": "error"},
        (SECRET,),
    ),
    (
        "password-in-a-command-line",
        lambda: {
            "d.json": json.dumps(
                _processing(
                    **{
                        "AppSpecification.ContainerArguments": [
                            f"DB_PASSWORD={PASSWORD} python preprocess.py"
                        ]
                    }
                )
            )
        },
        [],
        1,
        {"SMA503": "error"},
        (PASSWORD,),
    ),
    (
        "shell-variable-is-not-a-secret",
        lambda: {
            "d.json": json.dumps(
                _processing(
                    **{
                        "AppSpecification.ContainerEntrypoint": [
                            "sh",
                            "-c",
                            "export AWS_SECRET_ACCESS_KEY=$FROM_THE_ROLE && python preprocess.py",
                        ]
                    }
                )
            )
        },
        [],
        0,
        {},
        (),
    ),
    (
        "password-parameter-default",
        lambda: {"d.json": json.dumps(_with_parameter("DbPassword", PASSWORD))},
        [],
        1,
        {"SMA504": "error"},
        (PASSWORD,),
    ),
    (
        "token-parameter-default-in-a-manifest",
        lambda: {"p.yaml": _yaml(_with_parameter("ApiToken", PASSWORD))},
        [],
        1,
        {"SMA504": "error"},
        (PASSWORD,),
    ),
    (
        "secret-arn-parameter-default-is-fine",
        lambda: {
            "d.json": json.dumps(
                _with_parameter(
                    "DbPasswordSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"
                )
            )
        },
        [],
        0,
        {},
        (),
    ),
    (
        "role-arn-trailing-newline-in-a-definition",
        lambda: {"d.json": json.dumps(_processing(RoleArn=ROLE + "\n"))},
        [],
        1,
        {"SMA601": "error"},
        (),
    ),
    (
        "role-arn-trailing-newline-in-a-manifest",
        lambda: {"p.yaml": _yaml().replace(f"roleARN: {ROLE}", f'roleARN: "{ROLE}\\n"')},
        [],
        1,
        {"SMA601": "error"},
        (),
    ),
    (
        "s3-uri-trailing-newline",
        lambda: {
            "d.json": json.dumps(
                _processing(
                    ProcessingOutputConfig={
                        "Outputs": [
                            {
                                "OutputName": "train",
                                "S3Output": {
                                    "S3Uri": "s3://my-handoff-bucket/out\n",
                                    "LocalPath": "/opt/ml/processing/train",
                                    "S3UploadMode": "EndOfJob",
                                },
                            }
                        ]
                    }
                )
            )
        },
        [],
        1,
        {"SMA602": "error"},
        (),
    ),
    (
        "namespace-trailing-newline",
        lambda: {"p.yaml": _yaml().replace("metadata:\n", 'metadata:\n  namespace: "team-a\\n"\n', 1)},
        [],
        1,
        {"SMA207": "error"},
        (),
    ),
    (
        "folder-with-a-non-utf8-file",
        lambda: {"f/good.yaml": _yaml(), "f/bad.yaml": b"kind: \xff\xfe\n"},
        [],
        1,
        {"SMA103": "error"},
        (),
    ),
    (
        "folder-with-broken-yaml",
        lambda: {"f/good.yaml": _yaml(), "f/bad.yml": "kind: [Pipeline\n"},
        [],
        1,
        {"SMA103": "error"},
        (),
    ),
    (
        "folder-with-an-empty-file",
        lambda: {"f/good.yaml": _yaml(), "f/empty.yaml": ""},
        [],
        0,
        {"SMA106": "warning"},
        (),
    ),
    ("folder-with-a-folder-named-yaml", lambda: {"f/good.yaml": _yaml(), "f/trap.yaml": None}, [], 0, {}, ()),
    (
        "folder-with-a-hidden-broken-file",
        lambda: {"f/good.yaml": _yaml(), "f/.git/bad.yaml": "a: [\n"},
        [],
        0,
        {},
        (),
    ),
]


def _execution_yaml() -> str:
    doc = manifests.render_execution(manifests.ExecutionOptions(pipeline_name="abalone", run_id="run-1"))
    return manifests.dump_yaml([doc])


def _codes(output: str) -> dict[str, str]:
    return {code: severity for severity, code in _FINDING.findall(output)}


@pytest.mark.parametrize(
    ("files", "args", "exit_code", "codes", "hidden"),
    [pytest.param(*case[1:], id=case[0]) for case in LINT_CASES],
)
def test_lint_without_aws(
    no_aws: None,
    tmp_path: Path,
    files: Callable[[], Files],
    args: list[str],
    exit_code: int,
    codes: dict[str, str],
    hidden: tuple[str, ...],
) -> None:
    root = tmp_path / "in"
    written = files()
    _write(root, written)
    targets = sorted({str(root / name.split("/")[0]) for name in written})
    outcome = cli("lint", *args, *targets)
    assert_no_traceback(outcome)
    assert outcome.exit_code == exit_code, outcome.output
    assert _codes(outcome.stdout) == codes, outcome.output
    for secret in hidden:
        assert secret not in outcome.output
    for line in outcome.stdout.splitlines():
        if _FINDING.search(line):
            assert re.search(r"\S+:\d+:\d+", line), f"a finding without file:line:column: {line}"


def test_lint_json_of_a_hand_edit_offline_names_both_digests(no_aws: None, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(_edited(_pinned_yaml()))
    outcome = cli("lint", "--offline", "--format", "json", str(path))
    assert outcome.exit_code == 1
    payload = json.loads(outcome.stdout)
    [edit] = [f for f in payload["findings"] if f["code"] == "SMA803"]
    assert edit["message"].count("sha256:") == 2
    assert "render --from" in edit["hint"]
    assert payload["summary"]["errors"] == 1


def test_lint_a_symlink_loop_in_a_folder(no_aws: None, tmp_path: Path) -> None:
    root = tmp_path / "f"
    _write(root, _loop_folder())
    (root / "sub" / "again").symlink_to(root, target_is_directory=True)
    (root / "self.yaml").symlink_to(root / "self.yaml")
    outcome = cli("lint", str(root))
    assert_no_traceback(outcome)
    assert outcome.exit_code == 0, outcome.output


# --- user mistakes: one error and one fix, exit 2 -----------------------------------------------------

USER_ERRORS: list[tuple[str, Callable[[Path], list[str]], tuple[str, ...]]] = [
    ("lint-missing-file", lambda d: ["lint", str(d / "nope.yaml")], ("does not exist",)),
    ("lint-missing-beside-a-good-file", lambda d: ["lint", _good(d), str(d / "nope")], ("does not exist",)),
    ("lint-a-device", lambda d: ["lint", os.devnull], ("not a file or a folder",)),
    ("verify-missing-file", lambda d: ["verify", str(d / "nope.yaml")], ("does not exist",)),
    ("lint-a-symlink-loop", lambda d: ["lint", _loop(d)], ("symbolic link", "loops")),
    ("verify-a-symlink-loop", lambda d: ["verify", _loop(d)], ("symbolic link", "loops")),
    ("verify-a-device", lambda d: ["verify", os.devnull], ("not a file or a folder",)),
    ("verify-non-utf8", lambda d: ["verify", _bytes(d, b"kind: \xff\n")], ("utf-8",)),
    ("verify-broken-yaml", lambda d: ["verify", _text(d, "kind: [Pipeline\n")], ("sagemaker-ack lint",)),
    ("verify-a-list-not-an-object", lambda d: ["verify", _text(d, "- a\n- b\n")], ("kubernetes object",)),
    (
        "verify-no-pipeline",
        lambda d: ["verify", _text(d, "apiVersion: v1\nkind: ConfigMap\n")],
        ("no ack pipeline",),
    ),
    ("verify-no-credentials", lambda d: ["verify", _text(d, _pinned_yaml())], ("credentials",)),
    (
        "lint-trust-bucket-given-a-uri",
        lambda d: ["lint", "--trust-bucket", f"s3://{OTHER}/k", _good(d)],
        ("--trust-bucket", "bucket name"),
    ),
    (
        "verify-trust-bucket-empty",
        lambda d: ["verify", "--trust-bucket", " ", _text(d, _pinned_yaml())],
        ("--trust-bucket",),
    ),
]


def _loop(root: Path) -> str:
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    return str(root / "loop.yaml")


def _good(root: Path) -> str:
    return _text(root, _yaml(), "good.yaml")


def _text(root: Path, text: str, name: str = "p.yaml") -> str:
    (root / name).write_text(text)
    return str(root / name)


def _bytes(root: Path, data: bytes) -> str:
    (root / "p.yaml").write_bytes(data)
    return str(root / "p.yaml")


@pytest.mark.parametrize(("args", "mentions"), [pytest.param(*c[1:], id=c[0]) for c in USER_ERRORS])
def test_user_mistakes(
    no_aws: None, tmp_path: Path, args: Callable[[Path], list[str]], mentions: tuple[str, ...]
) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    command = args(tmp_path)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert_user_error(cli(*command), *mentions)
    assert sorted(p.name for p in tmp_path.iterdir()) == made, "nothing is written"
    assert set(before) <= set(made)


# --- against S3 (moto): untrusted buckets are never asked ---------------------------------------------


def _published(aws: AwsTestBed, tmp_path: Path, bucket: str | None = None) -> Path:
    """The Abalone YAML rendered from a real publish; ``bucket``: a copy of the version there instead."""
    definition = parse_definition(abalone_definition())
    publication = publish(definition, aws.settings, pipeline_name="abalone")
    provenance = publication.provenance()
    if bucket is not None:
        s3 = aws.client("s3")
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        key = provenance.definition_uri.split("/", 3)[3]
        copy = s3.put_object(
            Bucket=bucket,
            Key=key,
            Body=pretty_json(definition.raw).encode(),
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=aws.key_arn,
            ChecksumAlgorithm="SHA256",
        )
        provenance = manifests.Provenance(
            digest=provenance.digest,
            definition_uri=f"s3://{bucket}/{key}",
            version_id=copy["VersionId"],
            kms_key_arn=aws.key_arn,
        )
    path = tmp_path / "pipeline.yaml"
    path.write_text(_yaml(provenance=provenance))
    return path


S3_CASES = [
    ("lint-untrusted", ["lint"], OTHER, 0, "warning SMA804"),
    ("lint-untrusted-require-verified", ["lint", "--require-verified"], OTHER, 1, "error SMA804"),
    ("lint-untrusted-json", ["lint", "--format", "json"], OTHER, 0, '"code": "SMA804"'),
    ("verify-untrusted", ["verify"], OTHER, 1, f"--trust-bucket {OTHER}"),
    ("verify-untrusted-json", ["verify", "--json"], OTHER, 1, '"untrusted_buckets"'),
    ("lint-trusted-by-flag", ["lint", "--trust-bucket", OTHER], OTHER, 0, "no problems found"),
    ("verify-trusted-by-flag", ["verify", "--trust-bucket", OTHER], OTHER, 0, "verified: the YAML is what"),
    ("lint-configured-bucket", ["lint", "--require-verified"], None, 0, "no problems found"),
]


@pytest.mark.parametrize(
    ("args", "bucket", "exit_code", "said"), [pytest.param(*c[1:], id=c[0]) for c in S3_CASES]
)
def test_verification_asks_trusted_buckets_only(
    aws: AwsTestBed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    bucket: str | None,
    exit_code: int,
    said: str,
) -> None:
    path = _published(aws, tmp_path, bucket)
    with logged_s3(aws.url, monkeypatch) as log:
        outcome = cli(*args, str(path))
    assert_no_traceback(outcome)
    assert outcome.exit_code == exit_code, outcome.output
    assert said in outcome.output
    trusted = bucket is None or OTHER in args
    if bucket is not None:
        assert bool(log.to_bucket(bucket)) is trusted, log.requests
    else:
        assert log.to_bucket(aws.bucket)


REVIEW_CASES = [
    ("review-untrusted", lambda p: p.read_text(), OTHER, False, {"SMA804"}, True),
    ("review-hand-edit", lambda p: _edited(p.read_text()), None, False, {"SMA801", "SMA803"}, True),
    ("review-clean", lambda p: p.read_text(), None, True, set(), True),
    (
        "review-broken-yaml",
        lambda p: p.read_text().replace("\n  pipelineName:", "\n\tpipelineName:", 1),
        None,
        None,
        {"SMA101"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("text", "bucket", "ok", "codes", "has_dag"), [pytest.param(*c[1:], id=c[0]) for c in REVIEW_CASES]
)
def test_the_review_operation(
    aws: AwsTestBed,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: Callable[[Path], str],
    bucket: str | None,
    ok: bool | None,
    codes: set[str],
    has_dag: bool,
) -> None:
    path = _published(aws, tmp_path, bucket)
    with logged_s3(aws.url, monkeypatch) as log:
        review = review_text(text(path), "pipeline.yaml", resolve_settings()).to_wire()
    assert {f["code"] for f in review["findings"]} >= codes
    assert {f["code"] for f in review["findings"] if f["severity"] == "error"} <= codes
    assert (review["dag"] is not None) is has_dag
    if ok is None:
        assert review["verification"] is None or review["verification"]["ok"] is False
    else:
        assert review["verification"]["ok"] is ok, review["verification"]
    if bucket is not None:
        assert log.to_bucket(bucket) == []
        assert review["verification"]["untrusted_buckets"] == [bucket]


def test_the_review_without_credentials_says_why_and_how(no_aws: None) -> None:
    review = review_text(_pinned_yaml(), "pipeline.yaml", resolve_settings()).to_wire()
    verification = review["verification"]
    assert verification["ok"] is False
    assert "credentials" in verification["problem"].lower()
    assert verification["fix"]
    assert [(f["code"], f["severity"]) for f in review["findings"]] == [("SMA802", "warning")]
