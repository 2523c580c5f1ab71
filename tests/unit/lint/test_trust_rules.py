"""The rules the trust issue added: a hand edit caught by its digest offline, secrets in command lines and
in parameter defaults, and shapes that are full matches (a trailing newline is not a role ARN)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.lint import lint_definition, lint_text
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition

DIGEST_ANNOTATION = "sagemaker-ack.io/definition-digest"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _processing(**app: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "ProcessingResources": {
            "ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}
        },
        "AppSpecification": {"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/p:1", **app},
        "RoleArn": ROLE,
    }
    environment = app.pop("Environment", None)
    if environment is not None:
        arguments["AppSpecification"].pop("Environment")
        arguments["Environment"] = environment
    return {
        "Version": "2020-12-01",
        "Parameters": [],
        "Steps": [{"Name": "Prep", "Type": "Processing", "Arguments": arguments}],
    }


def _codes(definition: dict[str, Any]) -> list[str]:
    return [f.code for f in lint_definition(json.dumps(definition))]


def _rendered(provenance: manifests.Provenance | None = None) -> str:
    definition = parse_definition(abalone_definition())
    doc = manifests.render_pipeline(
        definition, manifests.PipelineOptions(pipeline_name="abalone", role_arn=ROLE, provenance=provenance)
    )
    return manifests.dump_yaml([doc])


def test_a_definition_edited_after_render_is_an_error_offline_naming_both_digests() -> None:
    text = _rendered()
    assert lint_text(text, "pipeline.yaml") == []
    edited = text.replace('"InstanceType": "ml.m5.xlarge"', '"InstanceType": "ml.p4d.24xlarge"', 1)
    assert edited != text
    (found,) = lint_text(edited, "pipeline.yaml")
    assert (found.code, found.severity) == ("SMA803", "error")
    recorded = parse_definition(abalone_definition()).digest
    actual = parse_definition(manifests.load_manifests(edited)[0]["spec"]["pipelineDefinition"]).digest
    assert recorded in found.message
    assert actual in found.message
    assert found.line is not None
    assert "Render the YAML again" in found.hint
    assert "publish" in found.hint


def test_the_fix_names_the_published_version_to_render_from() -> None:
    provenance = manifests.Provenance(
        digest=parse_definition(abalone_definition()).digest,  # the core pins only the same bytes
        definition_uri="s3://team-bucket/p/definition.json",
        version_id="v9",
    )
    edited = _rendered(provenance).replace('"ml.m5.xlarge"', '"ml.p4d.24xlarge"', 1)
    (found,) = [f for f in lint_text(edited, "p.yaml") if f.code == "SMA803"]
    assert "sagemaker-ack render --from 's3://team-bucket/p/definition.json?versionId=v9'" in found.hint


def test_the_digest_annotation_alone_is_what_is_compared() -> None:
    text = _rendered().replace(DIGEST_ANNOTATION, "example.com/not-the-digest")
    assert lint_text(text, "p.yaml") == []


@pytest.mark.parametrize(
    ("app", "code"),
    [
        (
            {"ContainerEntrypoint": ["bash", "-c", f"export AWS_SECRET_ACCESS_KEY={SECRET} && python x.py"]},
            "SMA502",
        ),
        ({"ContainerEntrypoint": ["sh", "-c", f"AWS_SECRET_ACCESS_KEY={SECRET} python x.py"]}, "SMA502"),
        ({"ContainerArguments": [f"AWS_SECRET_ACCESS_KEY='{SECRET[:20]}' python x.py"]}, "SMA502"),
        ({"Environment": {"SETUP": f'export AWS_SECRET_ACCESS_KEY="{SECRET}"; run'}}, "SMA502"),
        ({"ContainerArguments": ["--db", "DB_PASSWORD=hunter2hunter2 python x.py"]}, "SMA503"),
        ({"ContainerArguments": ["--api-key=abcd1234efgh"]}, "SMA503"),
    ],
)
def test_a_secret_in_a_command_line_is_an_error_and_never_printed(app: dict[str, Any], code: str) -> None:
    findings = lint_definition(json.dumps(_processing(**app)))
    assert [(f.code, f.severity, f.step) for f in findings] == [(code, "error", "Prep")]
    for secret in (SECRET, SECRET[:20], "hunter2hunter2", "abcd1234efgh"):
        assert secret not in findings[0].message


@pytest.mark.parametrize(
    "app",
    [
        {"ContainerEntrypoint": ["sh", "-c", "export AWS_SECRET_ACCESS_KEY=$AWS_SECRET && python x.py"]},
        {"ContainerEntrypoint": ["sh", "-c", "AWS_SECRET_ACCESS_KEY=$(cat /run/secret) python x.py"]},
        {
            "ContainerArguments": [
                "--learning-rate=0.1",
                "--max-tokens=512",
                "--db-password-secret-name=prod/db",
            ]
        },
        {"ContainerArguments": ["--epochs", "10", "x=y"]},
    ],
)
def test_references_and_ordinary_arguments_are_not_secrets(app: dict[str, Any]) -> None:
    assert _codes(_processing(**app)) == []


@pytest.mark.parametrize(
    ("name", "default", "flagged"),
    [
        ("DbPassword", "hunter2", True),
        ("ApiToken", "tok-123456", True),
        ("api_key", "abc", True),
        ("ClientSecret", "s3cr3t-value", True),
        ("DbPasswordSecretArn", "arn:aws:secretsmanager:us-east-1:123456789012:secret:db", False),
        ("DbPasswordSecretName", "prod/db", False),
        ("DbPassword", "", False),
        ("MaxTokens", "512", False),
        ("InputData", "hunter2", False),
    ],
)
def test_a_literal_default_of_a_password_like_parameter_is_an_error(
    name: str, default: str, flagged: bool
) -> None:
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": name, "Type": "String", "DefaultValue": default}],
        "Steps": [{"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "x"}}],
    }
    findings = lint_definition(json.dumps(definition))
    assert [(f.code, f.parameter) for f in findings] == ([("SMA504", name)] if flagged else [])
    if flagged:
        assert default not in findings[0].message
        assert findings[0].line is not None


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("RoleArn", ROLE + "\n", "SMA601"),
        ("RoleArn", ROLE + "\n\n", "SMA601"),
        ("S3Uri", "s3://bucket-name/data\n", "SMA602"),
    ],
)
def test_a_trailing_newline_does_not_pass_a_shape_check(field: str, value: str, code: str) -> None:
    definition = _processing()
    arguments = definition["Steps"][0]["Arguments"]
    if field == "RoleArn":
        arguments["RoleArn"] = value
    else:
        arguments["ProcessingInputs"] = [
            {"InputName": "in", "S3Input": {"S3Uri": value, "LocalPath": "/opt/ml/processing/in"}}
        ]
    assert _codes(definition) == [code]


def test_a_trailing_newline_in_names_is_reported() -> None:
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "Epochs\n", "Type": "Integer", "DefaultValue": 1}],
        "Steps": [{"Name": "Stop\n", "Type": "Fail", "Arguments": {"ErrorMessage": "x"}}],
    }
    assert sorted(_codes(definition)) == ["SMA314", "SMA323"]


def test_a_manifest_role_arn_or_namespace_with_a_trailing_newline_is_reported() -> None:
    text = _rendered().replace(f"roleARN: {ROLE}", f'roleARN: "{ROLE}\\n"')
    text = text.replace("metadata:\n", 'metadata:\n  namespace: "team-a\\n"\n', 1)
    assert sorted(f.code for f in lint_text(text, "p.yaml")) == ["SMA207", "SMA601"]


@pytest.mark.parametrize("text", ["=" + "a-" * 20_000, "=" + "-a" * 20_000, '="' * 20_000, "=a=" * 20_000])
def test_hostile_command_strings_are_read_in_linear_time(text: str) -> None:
    definition = _processing(ContainerArguments=[text])
    started = time.perf_counter()
    lint_definition(json.dumps(definition))
    assert time.perf_counter() - started < 1.0  # the quadratic form took seconds at this size
