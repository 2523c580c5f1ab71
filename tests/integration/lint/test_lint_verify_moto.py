"""Lint verifies a pinned S3 version against moto (real HTTP on 127.0.0.1), unless told to stay offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("moto")

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.manifests import PipelineOptions, dump_yaml, render_pipeline
from jupyter_sagemaker_ack.faces.cli import cli
from jupyter_sagemaker_ack.services.lint import lint_paths
from jupyter_sagemaker_ack.services.publish import publish
from tests.fixtures.moto_server import AwsTestBed

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
