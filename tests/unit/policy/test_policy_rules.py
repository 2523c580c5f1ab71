"""Policy rules on hand-written definitions and manifests: each rule, parameter values, several policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.lint.api import read_documents
from jupyter_sagemaker_ack.core.lint.report import to_json, to_sarif
from jupyter_sagemaker_ack.core.manifests import PipelineOptions, dump_yaml, render_pipeline
from jupyter_sagemaker_ack.core.policy import (
    PipelineContext,
    PipelinePolicy,
    check_definition_text,
    check_documents,
    check_policies,
    read_policy,
)

ROLE = "arn:aws:iam::123456789012:role/ml-pipelines"
ECR = "763104351884.dkr.ecr.eu-west-1.amazonaws.com"

POLICY = """\
apiVersion: sagemaker-ack.io/v1alpha1
kind: PipelinePolicy
rules:
  roleArns: ["arn:aws:iam::123456789012:role/ml-*"]
  instanceTypes: ["ml.m5.*", "ml.g5.xlarge"]
  maxInstanceCount: 4
  maxRuntimeSeconds: 86400
  regions: ["eu-west-1"]
  imageRegistries: ["763104351884.dkr.ecr.*.amazonaws.com"]
  requireOutputKms: true
  requireNetworkIsolation: true
  requireTags: ["team", "cost-center"]
"""


def _definition(
    *,
    instance_type: Any = "ml.m5.xlarge",
    count: Any = 2,
    runtime: Any = 3600,
    role: Any = ROLE,
    image: str = f"{ECR}/xgboost:1.7",
    kms: Any = "alias/out",
    isolation: Any = True,
    parameters: list[dict[str, Any]] | None = None,
    branch: bool = False,
) -> dict[str, Any]:
    train = {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
            "OutputDataConfig": {"S3OutputPath": "s3://data/model", **({"KmsKeyId": kms} if kms else {})},
            "StoppingCondition": {"MaxRuntimeInSeconds": runtime},
            "ResourceConfig": {"InstanceType": instance_type, "InstanceCount": count, "VolumeSizeInGB": 30},
            "RoleArn": role,
            **({"EnableNetworkIsolation": isolation} if isolation is not None else {}),
        },
    }
    steps: list[dict[str, Any]] = [train]
    if branch:
        steps = [
            {
                "Name": "Gate",
                "Type": "Condition",
                "Arguments": {
                    "Conditions": [{"Type": "Equals", "LeftValue": 1, "RightValue": 1}],
                    "IfSteps": [train],
                    "ElseSteps": [],
                },
            }
        ]
    return {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": steps}


def _findings(definition: dict[str, Any], policy_text: str = POLICY, **kwargs: Any) -> list[Any]:
    policy = read_policy(policy_text, "policy.yaml")
    return check_definition_text([policy], json.dumps(definition, indent=1), "def.json", **kwargs)


def test_a_compliant_definition_has_no_findings() -> None:
    assert _findings(_definition()) == []


@pytest.mark.parametrize(
    ("change", "code", "field", "value"),
    [
        ({"role": "arn:aws:iam::999999999999:role/admin"}, "SMA901", "RoleArn", "role/admin"),
        ({"instance_type": "ml.p4d.24xlarge"}, "SMA902", "ResourceConfig.InstanceType", "ml.p4d.24xlarge"),
        ({"count": 8}, "SMA903", "ResourceConfig.InstanceCount", "8"),
        ({"runtime": 172800}, "SMA904", "StoppingCondition.MaxRuntimeInSeconds", "172800"),
        ({"image": "docker.io/me/xgb:1"}, "SMA906", "AlgorithmSpecification.TrainingImage", "docker.io"),
        ({"image": "python:3.11"}, "SMA906", "AlgorithmSpecification.TrainingImage", "docker.io"),
        ({"kms": None}, "SMA907", "OutputDataConfig", "no KmsKeyId"),
        ({"isolation": False}, "SMA908", "EnableNetworkIsolation", "False"),
        ({"isolation": None}, "SMA908", "EnableNetworkIsolation", "not set"),
    ],
)
def test_each_step_rule_names_step_field_value_and_rule(
    change: dict[str, Any], code: str, field: str, value: str
) -> None:
    found = _findings(_definition(**change))
    assert [f.code for f in found] == [code]
    (f,) = found
    assert f.step == "Train"
    assert f.severity == "error"
    assert field in f.message
    assert value in f.message
    assert "policy.yaml" in f.message
    assert f.file == "def.json"
    assert f.line is not None


def test_steps_inside_condition_branches_are_judged() -> None:
    found = _findings(_definition(branch=True, instance_type="ml.p3.2xlarge"))
    assert [(f.code, f.step) for f in found] == [("SMA902", "Train")]


def _parameterised(**param: Any) -> dict[str, Any]:
    return _definition(
        instance_type={"Get": "Parameters.TrainType"},
        parameters=[{"Name": "TrainType", "Type": "String", **param}],
    )


def test_a_parameter_is_judged_on_its_default() -> None:
    found = _findings(_parameterised(DefaultValue="ml.c5.xlarge"))
    assert [f.code for f in found] == ["SMA902"]
    assert found[0].parameter == "TrainType"
    assert "'ml.c5.xlarge' (parameter TrainType, default)" in found[0].message


def test_a_parameter_is_judged_on_every_enum_value_not_only_the_default() -> None:
    found = _findings(
        _parameterised(DefaultValue="ml.m5.xlarge", EnumValues=["ml.m5.xlarge", "ml.p4d.24xlarge"])
    )
    assert len(found) == 1
    assert "'ml.p4d.24xlarge' (parameter TrainType, enum)" in found[0].message


def test_param_values_are_judged_too() -> None:
    definition = _parameterised(DefaultValue="ml.m5.xlarge")
    assert _findings(definition) == []
    found = _findings(definition, params={"TrainType": "ml.p3.16xlarge"})
    assert ["--param" in f.message and "ml.p3.16xlarge" in f.message for f in found] == [True]


def test_a_parameter_with_no_value_is_a_warning_not_a_pass() -> None:
    found = _findings(_parameterised())
    assert [(f.code, f.severity) for f in found] == [("SMA910", "warning")]
    assert _findings(_parameterised(), params={"TrainType": "ml.m5.large"}) == []


def test_integer_parameters_and_joins_are_judged() -> None:
    definition = _definition(
        count={"Get": "Parameters.Count"},
        role={
            "Std:Join": {"On": "", "Values": ["arn:aws:iam::123456789012:role/", {"Get": "Parameters.Role"}]}
        },
        parameters=[
            {"Name": "Count", "Type": "Integer", "DefaultValue": 2, "EnumValues": [2, 16]},
            {"Name": "Role", "Type": "String", "DefaultValue": "ml-a", "EnumValues": ["ml-a", "root"]},
        ],
    )
    found = _findings(definition)
    assert sorted((f.code, f.parameter) for f in found) == [("SMA901", "Role"), ("SMA903", "Count")]
    assert any("role/root" in f.message for f in found)


def test_several_policies_combine_and_each_finding_names_its_policy() -> None:
    strict = read_policy(POLICY, "base.yaml")
    team = read_policy(
        "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  instanceTypes: ['ml.g5.*']\n",
        "team.yaml",
    )
    definition = parse_definition(_definition(instance_type="ml.m5.xlarge"))
    alone = check_policies([strict], definition)
    both = check_policies([strict, team], definition)
    assert alone == []
    assert [(f.code, "team.yaml" in f.message) for f in both] == [("SMA902", True)]


def test_an_empty_rule_set_allows_everything_and_an_empty_list_allows_nothing() -> None:
    anything = "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules: {}\n"
    assert _findings(_definition(role="x", kms=None, isolation=False), anything) == []
    nothing = "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n  roleArns: []\n"
    assert [f.code for f in _findings(_definition(), nothing)] == ["SMA901"]


def _manifest(definition: dict[str, Any], **options: Any) -> str:
    base: dict[str, Any] = {
        "pipeline_name": "churn",
        "role_arn": ROLE,
        "region": "eu-west-1",
        "tags": {"team": "ml", "cost-center": "42"},
    }
    doc = render_pipeline(parse_definition(definition), PipelineOptions(**{**base, **options}))
    return dump_yaml([doc])


def _manifest_findings(text: str, policy_text: str = POLICY) -> list[Any]:
    documents, _ = read_documents(text, "pipeline.yaml")
    return check_documents([read_policy(policy_text, "policy.yaml")], documents)


def test_a_compliant_manifest_has_no_findings() -> None:
    assert _manifest_findings(_manifest(_definition())) == []


@pytest.mark.parametrize(
    ("options", "code", "words"),
    [
        ({"role_arn": "arn:aws:iam::123456789012:role/Admin"}, "SMA901", "spec.roleARN"),
        ({"region": "us-east-1"}, "SMA905", "us-east-1"),
        ({"tags": {"team": "ml"}}, "SMA909", "cost-center"),
        ({"tags": {}}, "SMA909", "team, cost-center"),
    ],
)
def test_manifest_rules_role_region_and_tags(options: dict[str, Any], code: str, words: str) -> None:
    found = _manifest_findings(_manifest(_definition(), **options))
    assert [f.code for f in found] == [code]
    assert words in found[0].message
    assert found[0].file == "pipeline.yaml"


def test_findings_inside_the_inline_definition_point_at_their_yaml_line() -> None:
    text = _manifest(_definition(instance_type="ml.p4d.24xlarge"))
    (f,) = _manifest_findings(text)
    assert f.code == "SMA902"
    assert f.line is not None
    assert "ml.p4d.24xlarge" in text.splitlines()[f.line - 1]
    assert f.path is not None
    assert f.path.startswith("spec.pipelineDefinition")


def test_policy_findings_render_as_json_and_sarif() -> None:
    found = _findings(_definition(count=9))
    as_json = json.loads(to_json(found, files=1))
    assert "SMA903" in json.dumps(as_json)
    sarif = to_sarif(found, version="0")
    assert sarif["runs"][0]["results"][0]["ruleId"] == "SMA903"


def test_a_definition_alone_is_not_judged_on_role_tags_or_region_without_context() -> None:
    definition = parse_definition(_definition())
    policy = read_policy(POLICY, "p")
    assert check_policies([policy], definition) == []
    found = check_policies([policy], definition, context=PipelineContext(region="ap-south-1"))
    assert [f.code for f in found] == ["SMA905"]


def test_model_and_processing_steps_are_judged_by_field_name() -> None:
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {
                "Name": "Prep",
                "Type": "Processing",
                "Arguments": {
                    "ProcessingResources": {
                        "ClusterConfig": {
                            "InstanceType": "ml.t3.medium",
                            "InstanceCount": 1,
                            "VolumeSizeInGB": 5,
                        }
                    },
                    "AppSpecification": {"ImageUri": f"{ECR}/sk:1"},
                    "RoleArn": ROLE,
                    "NetworkConfig": {"EnableNetworkIsolation": True},
                    "ProcessingOutputConfig": {"Outputs": []},
                },
            },
            {
                "Name": "Model",
                "Type": "Model",
                "Arguments": {
                    "ExecutionRoleArn": "arn:aws:iam::1:role/other",
                    "PrimaryContainer": {"Image": "ghcr.io/x/y:1"},
                    "EnableNetworkIsolation": True,
                },
            },
        ],
    }
    found = _findings(definition)
    assert sorted((f.code, f.step) for f in found) == [
        ("SMA901", "Model"),
        ("SMA902", "Prep"),
        ("SMA906", "Model"),
        ("SMA907", "Prep"),
    ]


def test_policy_dataclass_defaults_judge_nothing() -> None:
    assert check_policies([PipelinePolicy()], parse_definition(_definition(role="x"))) == []


def test_the_instance_types_a_registered_model_may_be_deployed_on_are_judged() -> None:
    definition = {
        "Version": "2020-12-01",
        "Steps": [
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {
                    "ModelPackageGroupName": "g",
                    "InferenceSpecification": {
                        "Containers": [{"Image": f"{ECR}/xgb:1"}],
                        "SupportedRealtimeInferenceInstanceTypes": ["ml.m5.large", "ml.p3.2xlarge"],
                        "SupportedTransformInstanceTypes": ["ml.m5.large"],
                    },
                },
            }
        ],
    }
    (f,) = _findings(definition)
    assert f.code == "SMA902"
    assert "SupportedRealtimeInferenceInstanceTypes[1]" in f.message
    assert "ml.p3.2xlarge" in f.message


def test_the_values_a_pipeline_execution_in_the_same_set_gives_are_judged() -> None:
    from jupyter_sagemaker_ack.core.manifests import ExecutionOptions, render_execution

    definition = parse_definition(_parameterised(DefaultValue="ml.m5.xlarge"))
    base: dict[str, Any] = {
        "pipeline_name": "churn",
        "role_arn": ROLE,
        "region": "eu-west-1",
        "tags": {"team": "ml", "cost-center": "42"},
    }
    pipeline = render_pipeline(definition, PipelineOptions(**base))
    execution = render_execution(
        ExecutionOptions(pipeline_name="churn", run_id="r1", parameters={"TrainType": "ml.p4d.24xlarge"}),
        definition,
    )
    assert _manifest_findings(dump_yaml([pipeline])) == []
    (f,) = _manifest_findings(dump_yaml([pipeline, execution]))
    assert f.code == "SMA902"
    assert "ml.p4d.24xlarge" in f.message
    assert "execution" in f.message
