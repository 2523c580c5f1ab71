"""Lint verifies a pinned S3 version against moto (real HTTP on 127.0.0.1), unless told to stay offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

pytest.importorskip("moto")

from jupyter_sagemaker_ack.config import resolve_settings
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.manifests import PipelineOptions, dump_yaml, render_pipeline
from jupyter_sagemaker_ack.faces.cli import cli
from jupyter_sagemaker_ack.services.lint import lint_paths
from jupyter_sagemaker_ack.services.publish import publish
from tests.fixtures.moto_server import AwsTestBed

from .request_log import logged_s3

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
DEFINITION = {
    "Version": "2020-12-01",
    "Parameters": [],
    "Steps": [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "published"}}],
}


def _published_yaml(aws: AwsTestBed, tmp_path: Path) -> Path:
    text = json.dumps(DEFINITION)
    publication = publish(text, aws.settings, pipeline_name="LintVerify")
    doc = render_pipeline(
        parse_definition(text),
        PipelineOptions(pipeline_name="LintVerify", role_arn=ROLE, provenance=publication.provenance()),
    )
    path = tmp_path / "pipeline.yaml"
    path.write_text(dump_yaml([doc]))
    return path


def test_published_manifest_verifies_clean(aws: AwsTestBed, tmp_path: Path) -> None:
    path = _published_yaml(aws, tmp_path)
    assert lint_paths([path], settings=aws.settings) == []
    result = CliRunner().invoke(cli, ["lint", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "no problems found in 1 file"


def test_edited_definition_fails_verification_and_fails_offline(aws: AwsTestBed, tmp_path: Path) -> None:
    """A hand edit is an error against S3 (SMA801) and, without any AWS access, by its digest (SMA803)."""
    path = _published_yaml(aws, tmp_path)
    path.write_text(path.read_text().replace('"published"', '"edited by hand"'))
    findings = lint_paths([path], settings=aws.settings)
    assert {f.code for f in findings} == {"SMA801", "SMA803"}
    assert all(f.file == str(path) and f.line is not None for f in findings)
    assert CliRunner().invoke(cli, ["lint", str(path)]).exit_code == 1
    offline = CliRunner().invoke(cli, ["lint", "--offline", str(path)])
    assert offline.exit_code == 1
    assert "SMA802" in offline.output
    assert "error SMA803" in offline.output


OTHER_BUCKET = "someone-elses-bucket"


def _pinned_elsewhere(aws: AwsTestBed, tmp_path: Path) -> Path:
    """A YAML that pins a copy of the published definition in another (answering, versioned) bucket."""
    path = _published_yaml(aws, tmp_path)
    doc = yaml.safe_load(path.read_text())
    annotations = doc["metadata"]["annotations"]
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=OTHER_BUCKET)
    s3.put_bucket_versioning(Bucket=OTHER_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    key = annotations["sagemaker-ack.io/definition-uri"].split("/", 3)[3]
    body = s3.get_object(Bucket=aws.bucket, Key=key)["Body"].read()
    copy = s3.put_object(
        Bucket=OTHER_BUCKET,
        Key=key,
        Body=body,
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=annotations["sagemaker-ack.io/kms-key-arn"],
        ChecksumAlgorithm="SHA256",
    )
    annotations["sagemaker-ack.io/definition-uri"] = f"s3://{OTHER_BUCKET}/{key}"
    annotations["sagemaker-ack.io/definition-version-id"] = copy["VersionId"]
    path.write_text(dump_yaml([doc]))
    return path


def test_a_version_pinned_in_an_untrusted_bucket_is_reported_and_never_requested(
    aws: AwsTestBed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _pinned_elsewhere(aws, tmp_path)
    with logged_s3(aws.url, monkeypatch) as log:
        settings = resolve_settings()
        (found,) = lint_paths([path], settings=settings)
        assert (found.code, found.severity) == ("SMA804", "warning")
        assert OTHER_BUCKET in found.message
        assert f"--trust-bucket {OTHER_BUCKET}" in found.hint
        assert CliRunner().invoke(cli, ["lint", str(path)]).exit_code == 0
        strict = CliRunner().invoke(cli, ["lint", "--require-verified", str(path)])
        assert strict.exit_code == 1
        assert "error SMA804" in strict.output
        assert log.to_bucket(OTHER_BUCKET) == []

        trusted = CliRunner().invoke(cli, ["lint", "--trust-bucket", OTHER_BUCKET, str(path)])
        assert trusted.exit_code == 0, trusted.output
        assert trusted.output.strip() == "no problems found in 1 file"
        assert log.to_bucket(OTHER_BUCKET), "a trusted bucket is asked"


def test_require_verified_without_credentials_is_an_error(
    aws: AwsTestBed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _published_yaml(aws, tmp_path)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    lenient = CliRunner().invoke(cli, ["lint", str(path)])
    assert lenient.exit_code == 0, lenient.output
    assert "warning SMA802" in lenient.output
    strict = CliRunner().invoke(cli, ["lint", "--require-verified", str(path)])
    assert strict.exit_code == 1, strict.output
    assert "error SMA802" in strict.output
    assert "--require-verified" in strict.output
