"""history, diff across S3 versions and files, reading a pinned version back, and the publish command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.core.manifests import PipelineOptions, dump_yaml, render_pipeline
from jupyter_sagemaker_ack.faces.cli import cli
from jupyter_sagemaker_ack.services.diff import diff
from jupyter_sagemaker_ack.services.history import history
from jupyter_sagemaker_ack.services.publish import publish
from jupyter_sagemaker_ack.services.s3_source import load_definition_from_s3
from tests.fixtures.moto_server import AwsTestBed

from .helpers import PIPELINE, ROLE_ARN, Captured, definition_dict, definition_text

DEF_KEY = f"handoff/{PIPELINE}/definition.json"


def test_history_lists_published_versions_newest_first(aws: AwsTestBed) -> None:
    first = publish(Captured(text=definition_text()), aws.settings)
    second = publish(Captured(text=definition_text(extra_step=True)), aws.settings)
    publish(Captured(text=definition_text(extra_step=True)), aws.settings)  # unchanged: no version

    versions = history(PIPELINE, aws.settings)
    assert [v.version_id for v in versions] == [second.version_id, first.version_id]
    assert [v.digest for v in versions] == [second.digest, first.digest]
    assert versions[0].is_latest
    assert not versions[1].is_latest
    assert {v.publisher for v in versions} == {first.published_by}

    result = CliRunner().invoke(cli, ["history", PIPELINE])
    assert result.exit_code == 0, result.output
    assert second.version_id in result.output
    assert first.version_id in result.output
    listed = json.loads(CliRunner().invoke(cli, ["history", PIPELINE, "--json"]).output)
    assert [v["versionId"] for v in listed] == [second.version_id, first.version_id]


def test_history_of_an_unknown_pipeline_is_a_user_error(aws: AwsTestBed) -> None:
    with pytest.raises(UserError, match="Nothing has been published for pipeline 'nobody'"):
        history("nobody", aws.settings)


def test_load_definition_from_s3_gives_definition_and_provenance(aws: AwsTestBed) -> None:
    publication = publish(Captured(text=definition_text()), aws.settings)
    publish(Captured(text=definition_text(threshold=0.8)), aws.settings)  # a newer version exists

    definition, provenance = load_definition_from_s3(publication.pinned_uri, aws.settings)
    assert definition.digest == publication.digest
    assert provenance == publication.provenance()  # the same pins render would get from the publish


def test_load_definition_from_s3_refuses_content_that_lost_its_digest(aws: AwsTestBed) -> None:
    publication = publish(Captured(text=definition_text()), aws.settings)
    s3 = aws.client("s3")
    head = s3.head_object(Bucket=aws.bucket, Key=DEF_KEY)
    s3.put_object(
        Bucket=aws.bucket,
        Key=DEF_KEY,
        Body=definition_text(threshold=0.1).encode(),
        Metadata=head["Metadata"],  # someone copied the metadata but changed the content
    )
    with pytest.raises(UserError, match="does not match the digest it was published with"):
        load_definition_from_s3(f"s3://{aws.bucket}/{DEF_KEY}", aws.settings)
    assert load_definition_from_s3(publication.pinned_uri, aws.settings)[0].digest == publication.digest


def test_diff_between_two_s3_versions_names_what_changed(aws: AwsTestBed) -> None:
    first = publish(Captured(text=definition_text()), aws.settings)
    second = publish(
        Captured(text=definition_text(instance_type="ml.g5.xlarge", extra_step=True)), aws.settings
    )
    result = diff(first.pinned_uri, second.pinned_uri, aws.settings)
    assert not result.identical
    assert result.diff.steps_added == ("Report",)
    assert [(c.name, c.fields) for c in result.diff.steps_changed] == [
        ("Train", ("Arguments.ResourceConfig.InstanceType",))
    ]

    cli_result = CliRunner().invoke(cli, ["diff", first.pinned_uri, second.pinned_uri])
    assert cli_result.exit_code == 1
    assert "+ step Report" in cli_result.output
    assert "~ step Train: Arguments.ResourceConfig.InstanceType" in cli_result.output
    assert "+ edge Train -> Report (depends_on)" in cli_result.output


def test_diff_of_yaml_and_json_ignores_formatting(aws: AwsTestBed, tmp_path: Path) -> None:
    publication = publish(Captured(text=definition_text()), aws.settings)
    doc = render_pipeline(
        parse_definition(definition_text()), PipelineOptions(pipeline_name=PIPELINE, role_arn=ROLE_ARN)
    )
    yaml_file = tmp_path / "pipeline.yaml"
    yaml_file.write_text(dump_yaml([doc]))
    json_file = tmp_path / "definition.json"
    json_file.write_text(json.dumps(definition_dict(), sort_keys=True))  # other key order, no indent

    for a, b in ((yaml_file, json_file), (json_file, publication.pinned_uri)):
        result = CliRunner().invoke(cli, ["diff", str(a), str(b)])
        assert result.exit_code == 0, result.output
        assert "same" in result.output


def test_publish_command_prints_preflight_and_json(aws: AwsTestBed, tmp_path: Path) -> None:
    path = tmp_path / f"{PIPELINE}.json"
    path.write_text(definition_text())
    result = CliRunner().invoke(cli, ["publish", str(path)])
    assert result.exit_code == 0, result.output
    assert "versioning:" in result.output
    assert "Enabled" in result.output
    assert "public access block:" in result.output
    assert "default encryption:" in result.output
    assert f"{PIPELINE}: published" in result.output

    again = CliRunner().invoke(cli, ["publish", str(path), "--json"])
    assert again.exit_code == 0, again.output
    data = json.loads(again.output)
    assert data["unchanged"] is True
    assert data["kmsKeyArn"] == aws.key_arn


def test_publish_command_errors_exit_2_without_traceback(aws: AwsTestBed, tmp_path: Path) -> None:
    aws.client("s3").create_bucket(Bucket="unversioned-bucket")
    path = tmp_path / "definition.json"
    path.write_text(definition_text())
    result = CliRunner().invoke(
        cli, ["publish", str(path), "--bucket", "unversioned-bucket", "--pipeline-name", PIPELINE]
    )
    assert result.exit_code == 2
    assert "error: Versioning is disabled" in result.output
    assert "fix:" in result.output
    assert "--enable-versioning" in result.output
    assert "Traceback" not in result.output
