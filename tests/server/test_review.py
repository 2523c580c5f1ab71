"""``POST /sagemaker-ack/review``: lint findings, DAG and S3 verification of a YAML file in the contents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from tests.fixtures.moto_server import AwsTestBed
from tests.integration.lint.request_log import logged_s3

from .conftest import ack_pipeline_yaml


async def _review(jp_fetch, path: str) -> dict:
    response = await jp_fetch("sagemaker-ack", "review", method="POST", body=json.dumps({"path": path}))
    assert response.code == 200
    return json.loads(response.body)


async def test_a_rendered_manifest_has_its_dag_and_no_errors(jp_fetch, pipeline_yaml):
    result = await _review(jp_fetch, "manifests/pipeline.yaml")
    assert [f for f in result["findings"] if f["severity"] == "error"] == []
    dag = result["dag"]
    assert dag["pipelineName"] == "abalone"
    names = {node["name"] for node in dag["nodes"]}
    assert {"PreprocessAbaloneData", "TrainAbaloneModel", "CheckMSEAbaloneEvaluation"} <= names
    kinds = {edge["kind"] for edge in dag["edges"]}
    assert {"condition_if", "condition_else"} <= kinds
    assert result["verification"] is None, "nothing pinned, nothing to verify"


async def test_a_broken_file_gets_findings_with_lines_and_no_dag(jp_fetch, jp_root_dir: Path):
    text = ack_pipeline_yaml().replace("\n  pipelineName:", "\n\tpipelineName:", 1)
    (jp_root_dir / "broken.yml").write_text(text)
    result = await _review(jp_fetch, "broken.yml")
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    assert errors, result["findings"]
    assert any(f.get("line") for f in errors)
    assert result["dag"] is None


async def test_a_pinned_version_is_verified_or_says_why_not(jp_fetch, jp_root_dir: Path):
    provenance = manifests.Provenance(
        digest=parse_definition(abalone_definition()).digest,  # the core pins only the same bytes
        definition_uri="s3://no-such-bucket/abalone/definition.json",
        version_id="3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
    )
    (jp_root_dir / "pinned.yaml").write_text(ack_pipeline_yaml(provenance))
    result = await _review(jp_fetch, "pinned.yaml")
    verification = result["verification"]
    assert isinstance(verification, dict)
    # No S3 here: the report must say the published version could not be confirmed, never that it matches.
    assert verification.get("ok") is not True


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"path": "notes.txt"}, 400),
        ({"path": "no/such.yaml"}, 404),
        ({"path": "../outside-the-root.yaml"}, 404),
        ({}, 400),
        ({"path": ""}, 400),
    ],
)
async def test_bad_requests_are_answered_not_crashed(jp_fetch, jp_root_dir: Path, body, code):
    (jp_root_dir / "notes.txt").write_text("not yaml")
    (jp_root_dir.parent / "outside-the-root.yaml").write_text("kind: Pipeline\n")
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("sagemaker-ack", "review", method="POST", body=json.dumps(body))
    assert caught.value.code == code


async def test_a_folder_named_like_yaml_is_refused(jp_fetch, jp_root_dir: Path):
    (jp_root_dir / "dir.yaml").mkdir()
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("sagemaker-ack", "review", method="POST", body=json.dumps({"path": "dir.yaml"}))
    assert caught.value.code == 400


async def test_a_user_mistake_comes_back_as_problem_and_fix(jp_fetch):
    with pytest.raises(HTTPClientError) as caught:
        await jp_fetch("sagemaker-ack", "review", method="POST", body=json.dumps({"path": "notes.txt"}))
    answer = json.loads(caught.value.response.body)
    assert "YAML" in answer["problem"]
    assert answer["fix"]


async def test_a_published_manifest_is_verified_against_the_sandbox_s3(jp_fetch, sandbox_ready, jp_root_dir):
    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.core.definition import parse_definition
    from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
    from jupyter_sagemaker_ack.services import publish, render

    settings = resolve_settings()
    definition = parse_definition(abalone_definition())
    publication = publish.publish(definition, settings, pipeline_name="abalone-reviewed")
    rendered = render.render(
        definition, settings, pipeline_name="abalone-reviewed", provenance=publication.provenance()
    )
    (jp_root_dir / "published.yaml").write_text(rendered.yaml)
    verification = (await _review(jp_fetch, "published.yaml"))["verification"]
    assert verification["ok"] is True, verification

    tampered = rendered.yaml.replace('"InstanceType": "ml.m5.xlarge"', '"InstanceType": "ml.m5.24xlarge"', 1)
    assert tampered != rendered.yaml
    (jp_root_dir / "tampered.yaml").write_text(tampered)
    verification = (await _review(jp_fetch, "tampered.yaml"))["verification"]
    assert verification["ok"] is False, verification


async def test_the_review_asks_no_bucket_the_yaml_chose(
    jp_fetch, jp_root_dir: Path, aws: AwsTestBed, monkeypatch: pytest.MonkeyPatch
):
    chosen = "bucket-named-by-the-yaml"
    aws.client("s3").create_bucket(Bucket=chosen)  # it would answer, if it were asked
    provenance = manifests.Provenance(
        digest=parse_definition(abalone_definition()).digest,
        definition_uri=f"s3://{chosen}/abalone/definition.json",
        version_id="3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY",
    )
    (jp_root_dir / "elsewhere.yaml").write_text(ack_pipeline_yaml(provenance))
    with logged_s3(aws.url, monkeypatch) as log:
        result = await _review(jp_fetch, "elsewhere.yaml")
    verification = result["verification"]
    assert verification["ok"] is False
    assert verification["untrusted_buckets"] == [chosen]
    [check] = [c for c in verification["checks"] if c["check"] == "bucket trusted"]
    assert check["status"] == "fail"
    assert chosen in check["detail"]
    assert [(f["code"], f["severity"]) for f in result["findings"]] == [("SMA804", "warning")]
    assert result["dag"] is not None
    assert log.to_bucket(chosen) == []


async def test_the_review_judges_the_configured_policy(jp_fetch, pipeline_yaml, tmp_path, monkeypatch):
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  requireTags: [cost-center]\n"
    )
    monkeypatch.setenv("SAGEMAKER_ACK_POLICY", str(policy))
    result = await _review(jp_fetch, "manifests/pipeline.yaml")
    policy_findings = [f for f in result["findings"] if f["code"] == "SMA909"]
    assert len(policy_findings) == 1
    assert policy_findings[0]["severity"] == "error"
    assert "cost-center" in policy_findings[0]["message"]
