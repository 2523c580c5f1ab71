"""The whole hand-off with a real SDK capture: the Abalone pipeline's code lands beside its definition."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_sagemaker_ack.examples import abalone
from jupyter_sagemaker_ack.services.publish import publish
from tests.fixtures.moto_server import AwsTestBed


@pytest.mark.slow
def test_captured_sdk_pipeline_publishes_its_code_encrypted_and_versioned(aws: AwsTestBed) -> None:
    if abalone.installed_sdk() != "v2":
        pytest.skip("needs the SageMaker SDK v2 (pip install 'sagemaker<3')")
    captured = abalone.captured_abalone_definition(sdk="v2", bucket=aws.bucket, name="AbalonePublish")
    assert captured.artifacts, "the Abalone pipeline has processing code to upload"

    publication = publish(captured, aws.settings)

    s3 = aws.client("s3")
    assert {a.uri for a in publication.artifacts} == set(captured.artifacts) | set(captured.inline_artifacts)
    for artifact in publication.artifacts:
        assert artifact.uri in captured.text  # the definition references exactly what was uploaded
        key = artifact.uri.removeprefix(f"s3://{aws.bucket}/")
        obj = s3.get_object(Bucket=aws.bucket, Key=key, VersionId=artifact.version_id)
        assert obj["SSEKMSKeyId"] == aws.key_arn
        if artifact.uri in captured.artifacts:
            assert obj["Body"].read() == Path(captured.artifacts[artifact.uri]).read_bytes()
    body = s3.get_object(Bucket=aws.bucket, Key="handoff/AbalonePublish/definition.json")["Body"].read()
    assert body == captured.text.encode()
    assert publish(captured, aws.settings).unchanged
