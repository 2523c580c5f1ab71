"""``verify``: the YAML, its annotations and the pinned S3 version must agree; every way they can part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from jupyter_sagemaker_ack.config import resolve_settings
from jupyter_sagemaker_ack.core.definition import parse_definition, pretty_json
from jupyter_sagemaker_ack.core.manifests import PipelineOptions, dump_yaml, render_pipeline
from jupyter_sagemaker_ack.faces.cli import cli
from jupyter_sagemaker_ack.services.publish import Publication, publish
from jupyter_sagemaker_ack.services.verify import verify
from tests.fixtures.moto_server import AwsTestBed
from tests.integration.lint.request_log import logged_s3

from .helpers import PIPELINE, ROLE_ARN, Captured, definition_dict, definition_text

DEF_KEY = f"handoff/{PIPELINE}/definition.json"


def _publish_and_render(aws: AwsTestBed, folder: Path, **kwargs: object) -> tuple[Publication, Path]:
    publication = publish(Captured(text=definition_text(**kwargs)), aws.settings)
    doc = render_pipeline(
        parse_definition(definition_text(**kwargs)),
        PipelineOptions(pipeline_name=PIPELINE, role_arn=ROLE_ARN, provenance=publication.provenance()),
    )
    folder.mkdir(exist_ok=True)
    path = folder / "pipeline.yaml"
    path.write_text(dump_yaml([doc]))
    return publication, path


def _statuses(report: object) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}  # type: ignore[attr-defined]


def test_published_yaml_verifies_and_cli_exits_0(aws: AwsTestBed, tmp_path: Path) -> None:
    _, path = _publish_and_render(aws, tmp_path / "out")
    report = verify(path, aws.settings)
    assert report.ok, report.table()
    assert set(_statuses(report).values()) == {"ok"}
    assert {
        "inline definition = annotated digest",
        "S3 object = annotated digest",
        "inline definition = S3 object",
        "SSE-KMS with recorded key",
        "bucket versioning Enabled",
        "pinned version is current",
    } <= set(_statuses(report))

    result = CliRunner().invoke(cli, ["verify", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output
    as_json = CliRunner().invoke(cli, ["verify", str(path), "--json"])
    assert json.loads(as_json.output)["ok"] is True


def test_tampered_inline_definition_fails_and_names_the_step(aws: AwsTestBed, tmp_path: Path) -> None:
    _, path = _publish_and_render(aws, tmp_path)
    doc = yaml.safe_load(path.read_text())
    tampered = definition_dict()
    tampered["Steps"][1]["Arguments"]["ResourceConfig"]["InstanceType"] = "ml.p4d.24xlarge"
    doc["spec"]["pipelineDefinition"] = pretty_json(tampered)
    path.write_text(dump_yaml([doc]))

    report = verify(path, aws.settings)
    assert not report.ok
    statuses = _statuses(report)
    assert statuses["inline definition = annotated digest"] == "fail"
    assert statuses["inline definition = S3 object"] == "fail"
    assert statuses["S3 object = annotated digest"] == "ok"
    [differences] = report.differences.values()
    assert [c.name for c in differences.steps_changed] == ["Train"]
    assert differences.steps_changed[0].fields == ("Arguments.ResourceConfig.InstanceType",)

    result = CliRunner().invoke(cli, ["verify", str(path)])
    assert result.exit_code == 1
    assert "Train (Arguments.ResourceConfig.InstanceType)" in result.output
    assert "NOT verified" in result.output


def test_object_overwritten_later_by_someone_else_fails(aws: AwsTestBed, tmp_path: Path) -> None:
    _, path = _publish_and_render(aws, tmp_path)
    aws.client("s3").put_object(Bucket=aws.bucket, Key=DEF_KEY, Body=b'{"Version":"2020-12-01","Steps":[]}')
    report = verify(path, aws.settings)
    assert not report.ok
    [check] = [c for c in report.checks if c.name == "pinned version is current"]
    assert check.status == "fail"
    assert "overwritten outside sagemaker-ack" in check.detail


def test_a_newer_publish_makes_the_old_yaml_stale(aws: AwsTestBed, tmp_path: Path) -> None:
    _, path = _publish_and_render(aws, tmp_path)
    newer = publish(Captured(text=definition_text(threshold=0.95)), aws.settings)
    report = verify(path, aws.settings)
    [check] = [c for c in report.checks if c.name == "pinned version is current"]
    assert check.status == "fail"
    assert "superseded by a newer publish" in check.detail
    assert newer.version_id in check.detail


def test_deleted_pinned_version_fails(aws: AwsTestBed, tmp_path: Path) -> None:
    publication, path = _publish_and_render(aws, tmp_path)
    aws.client("s3").delete_object(Bucket=aws.bucket, Key=DEF_KEY, VersionId=publication.version_id)
    report = verify(path, aws.settings)
    assert _statuses(report)["S3 version exists"] == "fail"
    assert not report.ok


def test_wrong_recorded_key_and_suspended_versioning_fail(aws: AwsTestBed, tmp_path: Path) -> None:
    _, path = _publish_and_render(aws, tmp_path)
    doc = yaml.safe_load(path.read_text())
    other_key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    doc["metadata"]["annotations"]["sagemaker-ack.io/kms-key-arn"] = other_key
    path.write_text(dump_yaml([doc]))
    aws.client("s3").put_bucket_versioning(Bucket=aws.bucket, VersioningConfiguration={"Status": "Suspended"})
    statuses = _statuses(verify(path, aws.settings))
    assert statuses["SSE-KMS with recorded key"] == "fail"
    assert statuses["bucket versioning Enabled"] == "fail"
    assert statuses["S3 object = annotated digest"] == "ok"


def test_yaml_without_provenance_is_not_verified(aws: AwsTestBed, tmp_path: Path) -> None:
    doc = render_pipeline(
        parse_definition(definition_text()), PipelineOptions(pipeline_name=PIPELINE, role_arn=ROLE_ARN)
    )
    path = tmp_path / "pipeline.yaml"
    path.write_text(dump_yaml([doc]))
    report = verify(path, aws.settings)
    assert not report.ok
    assert _statuses(report) == {"provenance annotations": "fail"}


def test_verify_of_a_file_without_pipeline_is_a_user_error(aws: AwsTestBed, tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    result = CliRunner().invoke(cli, ["verify", str(path)])
    assert result.exit_code == 2
    assert "No ACK Pipeline document" in result.output


def test_yaml_rendered_from_s3_verifies(aws: AwsTestBed, tmp_path: Path) -> None:
    publication = publish(Captured(text=definition_text()), aws.settings)
    out = tmp_path / "out"
    rendered = CliRunner().invoke(
        cli,
        [
            "render",
            "--from",
            publication.pinned_uri,
            "--pipeline-name",
            PIPELINE,
            "--role-arn",
            ROLE_ARN,
            "-o",
            str(out),
        ],
    )
    assert rendered.exit_code == 0, rendered.output
    doc = yaml.safe_load((out / "pipeline.yaml").read_text())
    assert doc["metadata"]["annotations"]["sagemaker-ack.io/definition-version-id"] == publication.version_id
    result = CliRunner().invoke(cli, ["verify", str(out)])
    assert result.exit_code == 0, result.output


def test_verify_without_a_configured_region_uses_the_recorded_keys_region(
    aws: AwsTestBed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, path = _publish_and_render(aws, tmp_path)
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)
    settings = resolve_settings()
    assert settings.region is None
    report = verify(path, settings)
    assert report.ok, report.table()


def test_a_pinned_uri_in_an_untrusted_bucket_fails_without_a_request(
    aws: AwsTestBed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, path = _publish_and_render(aws, tmp_path)
    other = "bucket-chosen-by-the-yaml"
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=other)
    s3.put_bucket_versioning(Bucket=other, VersioningConfiguration={"Status": "Enabled"})
    doc = yaml.safe_load(path.read_text())
    annotations = doc["metadata"]["annotations"]
    body = s3.get_object(Bucket=aws.bucket, Key=DEF_KEY)["Body"].read()
    copy = s3.put_object(
        Bucket=other,
        Key=DEF_KEY,
        Body=body,
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=annotations["sagemaker-ack.io/kms-key-arn"],
        ChecksumAlgorithm="SHA256",
    )
    annotations["sagemaker-ack.io/definition-uri"] = f"s3://{other}/{DEF_KEY}"
    annotations["sagemaker-ack.io/definition-version-id"] = copy["VersionId"]
    path.write_text(dump_yaml([doc]))

    with logged_s3(aws.url, monkeypatch) as log:
        settings = resolve_settings()
        report = verify(path, settings)
        assert not report.ok
        assert report.untrusted == [other]
        [check] = [c for c in report.checks if c.name == "bucket trusted"]
        assert check.status == "fail"
        assert other in check.detail
        assert f"--trust-bucket {other}" in check.detail
        assert "S3 version exists" not in _statuses(report)
        result = CliRunner().invoke(cli, ["verify", str(path)])
        assert result.exit_code == 1
        assert f"--trust-bucket {other}" in result.output
        assert log.to_bucket(other) == []

        trusted = CliRunner().invoke(cli, ["verify", "--trust-bucket", other, str(path)])
        assert trusted.exit_code == 0, trusted.output
        assert log.to_bucket(other)


def test_with_no_configured_bucket_nothing_is_trusted(
    aws: AwsTestBed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, path = _publish_and_render(aws, tmp_path)
    monkeypatch.delenv("SAGEMAKER_ACK_BUCKET")
    with logged_s3(aws.url, monkeypatch) as log:
        report = verify(path, resolve_settings())
        assert report.untrusted == [aws.bucket]
        assert "no bucket is configured" in report.checks[-1].detail
        assert log.requests == []
        assert verify(path, resolve_settings(), trust_buckets=[aws.bucket]).ok
