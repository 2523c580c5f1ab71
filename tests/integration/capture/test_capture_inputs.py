"""Capturing a definition that already exists as data (dict, JSON text, bytes, file), and bad inputs.

None of this needs the SageMaker SDK: a DevOps engineer's machine may not have it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.adapters.sdk_capture import capture
from jupyter_sagemaker_ack.core.errors import UserError

from .schema_gaps import load_schema, new_gaps

# The article's one-step training definition, with its broken S3DataDistributionType value repaired.
ARTICLE_TRAINING = {
    "Version": "2020-12-01",
    "Steps": [
        {
            "Name": "AbaloneTrain",
            "Type": "Training",
            "Arguments": {
                "RoleArn": "arn:aws:iam::111122223333:role/SageMakerRole",
                "HyperParameters": {
                    "max_depth": "5",
                    "gamma": "4",
                    "eta": "0.2",
                    "min_child_weight": "6",
                    "objective": "multi:softmax",
                    "num_class": "10",
                    "num_round": "10",
                },
                "AlgorithmSpecification": {
                    "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
                    "TrainingInputMode": "File",
                },
                "OutputDataConfig": {"S3OutputPath": "s3://abalone-bucket/sagemaker/"},
                "ResourceConfig": {"InstanceCount": 1, "InstanceType": "ml.m4.xlarge", "VolumeSizeInGB": 5},
                "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
                "InputDataConfig": [
                    {
                        "ChannelName": channel,
                        "DataSource": {
                            "S3DataSource": {
                                "S3DataType": "S3Prefix",
                                "S3Uri": f"s3://abalone-bucket/sagemaker/xgboost/{channel}/",
                                "S3DataDistributionType": "FullyReplicated",
                            }
                        },
                        "ContentType": "text/libsvm",
                    }
                    for channel in ("train", "validation")
                ],
            },
        }
    ],
}
# Indented, as a person would save it: capture must keep these exact bytes.
ARTICLE_TEXT = json.dumps(ARTICLE_TRAINING, indent=2) + "\n"


def _assert_article(captured: Any, source: str) -> None:
    assert captured.source == source
    assert captured.data == ARTICLE_TRAINING
    assert captured.artifacts == {}
    assert captured.sdk_version is None


def test_dict_is_captured_as_the_json_the_sdk_would_write() -> None:
    captured = capture(ARTICLE_TRAINING)
    _assert_article(captured, "dict")
    assert captured.text == json.dumps(ARTICLE_TRAINING)  # json.dumps is what definition() returns


def test_json_string_bytes_and_file_keep_their_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "definition.json"
    path.write_text(ARTICLE_TEXT)
    for data, source in (
        (ARTICLE_TEXT, "json"),
        (ARTICLE_TEXT.encode(), "json"),
        (path, "file"),
        (str(path), "file"),
    ):
        captured = capture(data)
        _assert_article(captured, source)
        assert captured.text == ARTICLE_TEXT


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "definition.json"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE_TEXT.encode())
    assert capture(path).text == ARTICLE_TEXT


def test_captured_data_matches_the_published_schema_but_for_known_gaps(shared_dir: Path) -> None:
    assert new_gaps(capture(ARTICLE_TEXT).data, load_schema(shared_dir)) == {}


def test_a_new_kind_of_schema_disagreement_is_reported(shared_dir: Path) -> None:
    data = json.loads(ARTICLE_TEXT)
    data["Steps"][0]["Arguments"]["ResourceConfig"]["Accelerator"] = "none"
    data["Steps"][0]["Arguments"]["StoppingCondition"]["MaxRuntimeInSeconds"] = "one day"
    assert set(new_gaps(data, load_schema(shared_dir))) == {
        ("Steps[Training].Arguments.ResourceConfig.Accelerator", "additionalProperties"),
        ("Steps[Training].Arguments.StoppingCondition.MaxRuntimeInSeconds", "oneOf"),
    }


def test_the_articles_own_json_sample_is_rejected_with_the_line_to_fix(shared_dir: Path) -> None:
    article = (shared_dir / "seeds" / "000_0b48b3f4541cd137.txt").read_text()
    start = article.index('{\n  "Version"')
    sample = article[start : article.index("\nWith SageMaker", start)]
    with pytest.raises(UserError) as raised:
        capture(sample)
    assert "not valid JSON" in raised.value.problem
    broken_line = 1 + sample[: sample.index('"S3DataDistributionType": "\n')].count("\n")
    assert f"line {broken_line}," in raised.value.problem  # the unterminated string value
    assert raised.value.fix


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('// exported\n{"Steps": []}', "not valid JSON"),
        (b"{not json", "not valid JSON"),
        ('{"Version": "2020-12-01"}', "no 'Steps' list"),
        ('{"Version": "2020-12-01", "Steps": {}}', "no 'Steps' list"),
        ("[1, 2]", "JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        ({"Steps": [{1, 2}]}, "cannot be written as JSON"),
        (42, "Cannot capture a pipeline definition from a int"),
    ],
    ids=[
        "invalid-json",
        "text-before-json",
        "invalid-json-bytes",
        "no-steps",
        "steps-not-list",
        "array",
        "not-utf8",
        "unjsonable",
        "int",
    ],
)
def test_bad_data_is_a_user_error_with_a_fix(data: Any, problem: str) -> None:
    with pytest.raises(UserError) as raised:
        capture(data)
    assert problem in raised.value.problem
    assert raised.value.fix


def test_a_bad_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "definition.json"
    path.write_text('{"Version": "2020-12-01"}')
    with pytest.raises(UserError) as raised:
        capture(path)
    assert "no 'Steps' list" in raised.value.problem
    assert str(path) in raised.value.problem


def test_missing_file_and_directory_are_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "definition.json"
    with pytest.raises(UserError) as raised:
        capture(missing)
    assert str(missing) in raised.value.problem
    assert "does not exist" in raised.value.problem
    with pytest.raises(UserError) as raised:
        capture(str(tmp_path))
    assert "is a directory" in raised.value.problem


class _NoDefinition:
    name = "NotAPipeline"


class _TextPipeline:
    """A user's own pipeline-like object: duck typing accepts anything with definition() and name."""

    name = "HandMade"

    def __init__(self, result: Any) -> None:
        self._result = result

    def definition(self) -> Any:
        return self._result


class _BrokenStep:
    step_type = "Processing"
    name = "Preprocess"

    def arguments(self) -> Any:
        raise ValueError("instance_count must be positive")


class _BrokenPipeline:
    name = "Broken"

    def definition(self) -> str:
        return json.dumps({"Steps": [_BrokenStep().arguments()]})


class _Parallelism:
    max_parallel_execution_steps = 2


class _DescribedPipeline(_TextPipeline):
    role_arn = "arn:aws:iam::111122223333:role/PipelineRole"
    description = "Abalone age model"
    display_name = "Abalone"
    parallelism_config = _Parallelism()


class _RegionlessStep:
    step_type = "Training"
    name = "Train"

    def arguments(self) -> Any:
        import boto3

        return boto3.Session(region_name=None).client("sagemaker")  # raises NoRegionError


class _RegionlessPipeline:
    name = "NoRegion"

    def definition(self) -> str:
        return json.dumps({"Steps": [_RegionlessStep().arguments()]})


def test_a_step_without_a_region_is_named_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(UserError) as raised:
        capture(_RegionlessPipeline())
    assert "needs an AWS region for building step 'Train'" in raised.value.problem
    assert "AWS_DEFAULT_REGION" in raised.value.fix


def test_a_duck_typed_pipeline_object_is_captured() -> None:
    captured = capture(_TextPipeline(ARTICLE_TEXT))
    assert captured.source == "object"
    assert captured.pipeline_name == "HandMade"
    assert captured.text == ARTICLE_TEXT
    assert captured.role_arn is None


def test_pipeline_level_settings_the_object_carries_are_kept() -> None:
    captured = capture(_DescribedPipeline(ARTICLE_TEXT))
    assert captured.role_arn == "arn:aws:iam::111122223333:role/PipelineRole"
    assert captured.description == "Abalone age model"
    assert captured.display_name == "Abalone"
    assert captured.max_parallel_execution_steps == 2


@pytest.mark.parametrize(
    ("pipeline", "problem"),
    [
        (_NoDefinition(), "has no definition() method"),
        (_TextPipeline({"Steps": []}), "returned a dict, not JSON text"),
        (_TextPipeline('{"Version": "2020-12-01"}'), "no 'Steps' list"),
        (
            _BrokenPipeline(),
            "failed while building step 'Preprocess': ValueError: instance_count must be positive",
        ),
    ],
    ids=["no-definition", "returns-dict", "not-a-definition", "step-raises"],
)
def test_bad_pipeline_objects_are_user_errors_with_a_fix(pipeline: Any, problem: str) -> None:
    with pytest.raises(UserError) as raised:
        capture(pipeline)
    assert problem in raised.value.problem
    assert raised.value.fix


def test_importing_the_adapter_imports_neither_the_sdk_nor_boto3() -> None:
    code = (
        "import sys, jupyter_sagemaker_ack.adapters.sdk_capture, jupyter_sagemaker_ack.examples.abalone\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sagemaker', 'boto3', 'botocore')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
