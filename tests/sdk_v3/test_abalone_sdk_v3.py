"""The article's Abalone pipeline built with SageMaker SDK v3 and captured with every AWS endpoint closed.

SDK v3 is a ~1 GB install that conflicts with v2, so these tests run in a second environment (see the
capture work's report for the commands); they skip in an environment without v3.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

with pytest.MonkeyPatch.context() as _region:
    # SDK v3 will not even import without a region.
    if "AWS_DEFAULT_REGION" not in os.environ:
        _region.setenv("AWS_DEFAULT_REGION", "us-east-1")
    pytest.importorskip(
        "sagemaker.mlops.workflow.pipeline", reason="needs the SageMaker SDK v3 (pip install 'sagemaker>=3')"
    )

from jupyter_sagemaker_ack.adapters.sdk_capture import CapturedDefinition, capture
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.examples import abalone
from tests.integration.capture.aws_offline import closed_aws_environment, watch_network
from tests.integration.capture.schema_gaps import load_schema, new_gaps

pytestmark = [pytest.mark.sdk_v3, pytest.mark.filterwarnings("ignore")]


@dataclass
class Built:
    pipeline: Any
    captured: CapturedDefinition
    network: list[str]

    @property
    def data(self) -> Any:
        return self.captured.data

    def step(self, name: str) -> Any:
        return next(s for s in self.captured.definition().steps if s.name == name).raw


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    with closed_aws_environment(tmp_path_factory.mktemp("aws")) as port, watch_network(port) as network:
        pipeline = abalone.build_abalone_pipeline(sdk="v3")
        captured = capture(pipeline)
        yield Built(pipeline, captured, list(network))


def test_building_and_capturing_touch_no_network(built: Built) -> None:
    assert built.network == []


def test_capture_says_where_the_definition_came_from(built: Built) -> None:
    assert type(built.pipeline).__module__ == "sagemaker.mlops.workflow.pipeline"
    assert built.captured.source == "sdk-v3"
    assert built.captured.sdk_version is not None
    assert built.captured.sdk_version.startswith("sagemaker 3.")
    assert built.captured.pipeline_name == abalone.DEFAULT_NAME


def test_v3_definition_has_the_mlflow_config_key(built: Built) -> None:
    assert list(built.data) == [
        "Version",
        "Metadata",
        "Parameters",
        "PipelineExperimentConfig",
        "MlflowConfig",
        "Steps",
    ]


def test_capture_records_the_code_the_sdk_would_upload(built: Built) -> None:
    artifacts = dict(built.captured.artifacts)
    assert sorted(artifacts.values()) == sorted(
        [str(abalone.EVALUATE_SCRIPT), str(abalone.PREPROCESS_SCRIPT)]
    )
    for uri in artifacts:
        assert uri.startswith(f"s3://{abalone.DEFAULT_BUCKET}/{abalone.DEFAULT_NAME}/code/")
        assert f'"{uri}"' in built.captured.text


def test_training_step_is_the_articles(built: Built) -> None:
    arguments = built.step(abalone.TRAIN_STEP)["Arguments"]
    assert arguments["HyperParameters"] == {key: str(value) for key, value in abalone.HYPERPARAMETERS.items()}
    assert arguments["AlgorithmSpecification"]["TrainingImage"].endswith("/sagemaker-xgboost:1.7-1")
    assert arguments["ResourceConfig"] == {
        "InstanceType": "ml.m4.xlarge",
        "InstanceCount": 1,
        "VolumeSizeInGB": 5,
    }
    assert arguments["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    channels = {c["ChannelName"]: c for c in arguments["InputDataConfig"]}
    assert sorted(channels) == ["train", "validation"]
    for name, channel in channels.items():
        assert channel["ContentType"] == "text/libsvm"
        assert channel["DataSource"]["S3DataSource"]["S3Uri"] == {
            "Get": f"Steps.{abalone.PROCESS_STEP}.ProcessingOutputConfig.Outputs['{name}'].S3Output.S3Uri"
        }


def test_parameters_condition_and_branches(built: Built) -> None:
    assert {p["Name"]: p["Type"] for p in built.data["Parameters"]} == {
        "ProcessingInstanceCount": "Integer",
        "InputData": "String",
        "MseThreshold": "Float",
        "ModelApprovalStatus": "String",
    }
    assert built.step(abalone.EVAL_STEP)["PropertyFiles"] == [
        {"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]
    condition = built.step(abalone.CONDITION_STEP)["Arguments"]
    (check,) = condition["Conditions"]
    assert check["Type"] == "LessThanOrEqualTo"
    assert check["LeftValue"]["Std:JsonGet"]["Path"] == "regression_metrics.mse.value"
    assert check["RightValue"] == {"Get": "Parameters.MseThreshold"}
    (register,) = condition["IfSteps"]
    assert (register["Name"], register["Type"]) == (abalone.REGISTER_STEP, "RegisterModel")
    (fail,) = condition["ElseSteps"]
    assert (fail["Name"], fail["Type"]) == (abalone.FAIL_STEP, "Fail")


def test_definition_matches_the_published_schema_but_for_known_gaps(built: Built, shared_dir: Path) -> None:
    assert new_gaps(built.data, load_schema(shared_dir)) == {}


def test_capture_is_repeatable_and_round_trips(built: Built, closed_aws: int, tmp_path: Path) -> None:
    again = capture(built.pipeline)
    assert again.text == built.captured.text
    path = tmp_path / "abalone-v3.json"
    path.write_text(again.text)
    assert capture(path).text == built.captured.text


def test_captured_abalone_definition_helper(closed_aws: int) -> None:
    captured = abalone.captured_abalone_definition(sdk="v3", name="AbaloneV3")
    assert captured.pipeline_name == "AbaloneV3"
    assert all("/AbaloneV3/code/" in uri for uri in captured.artifacts)


def _transform_pipeline(**transformer_options: Any) -> Any:
    import boto3
    from sagemaker.core.transformer import Transformer
    from sagemaker.core.workflow.pipeline_context import PipelineSession
    from sagemaker.mlops.workflow.pipeline import Pipeline
    from sagemaker.mlops.workflow.steps import TransformStep

    session = PipelineSession(boto_session=boto3.Session(region_name="us-east-1"), default_bucket="scores")
    transformer = Transformer(
        model_name="abalone-model",
        instance_count=1,
        instance_type="ml.m5.large",
        output_path="s3://scores/out",
        sagemaker_session=session,
        **transformer_options,
    )
    step = TransformStep(name="BatchScore", step_args=transformer.transform(data="s3://scores/in"))
    return Pipeline(name="Scoring", steps=[step], sagemaker_session=session)


def test_a_step_that_needs_aws_is_named_with_the_fix(closed_aws: int) -> None:
    with watch_network(closed_aws) as network, pytest.raises(UserError) as raised:
        capture(_transform_pipeline())
    assert "Step 'BatchScore'" in raised.value.problem
    assert "sagemaker.DescribeModel" in raised.value.problem
    assert "allow_online=True" in raised.value.fix
    assert network == []
    fixed = capture(_transform_pipeline(base_transform_job_name="abalone-scoring"))
    assert fixed.data["Steps"][0]["Arguments"]["ModelName"] == "abalone-model"


def test_v3_definition_lints_clean_and_renders(built: Built) -> None:
    from jupyter_sagemaker_ack.core import manifests
    from jupyter_sagemaker_ack.core.lint import lint_definition

    findings = lint_definition(built.captured.text)
    assert findings == []
    definition = built.captured.definition()
    doc = manifests.render_pipeline(
        definition,
        manifests.PipelineOptions(
            abalone.DEFAULT_NAME, "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
        ),
    )
    assert manifests.definition_from_manifest(doc).digest == definition.digest
