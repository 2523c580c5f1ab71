"""The article's Abalone pipeline built with SageMaker SDK v2 and captured with every AWS endpoint closed."""

from __future__ import annotations

import json
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "sagemaker.workflow.pipeline", reason="needs the SageMaker SDK v2 (pip install 'sagemaker<3')"
)

from jupyter_sagemaker_ack.adapters.sdk_capture import (
    PLACEHOLDER_BUCKET,
    CapturedDefinition,
    OfflineCallBlocked,
    capture,
    offline_sdk,
)
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.examples import abalone

from .aws_offline import closed_aws_environment, watch_network
from .schema_gaps import load_schema, new_gaps

pytestmark = pytest.mark.filterwarnings("ignore")


@dataclass
class Built:
    pipeline: Any
    captured: CapturedDefinition
    network: list[str]

    @property
    def data(self) -> Any:
        return self.captured.data

    def step(self, name: str) -> dict[str, Any]:
        return next(s for s in self.captured.definition().steps if s.name == name).raw  # type: ignore[return-value]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    with closed_aws_environment(tmp_path_factory.mktemp("aws")) as port, watch_network(port) as network:
        pipeline = abalone.build_abalone_pipeline(sdk="v2")
        captured = capture(pipeline)
        yield Built(pipeline, captured, list(network))


def test_building_and_capturing_touch_no_network(built: Built) -> None:
    assert built.network == []


def test_capture_says_where_the_definition_came_from(built: Built) -> None:
    assert built.captured.source == "sdk-v2"
    assert built.captured.sdk_version is not None
    assert built.captured.sdk_version.startswith("sagemaker 2.")
    assert built.captured.pipeline_name == abalone.DEFAULT_NAME
    assert built.captured.placeholder_bucket is None  # the session had its own bucket


def test_capture_records_the_code_the_sdk_would_upload(built: Built) -> None:
    artifacts = dict(built.captured.artifacts)
    assert sorted(artifacts.values()) == sorted(
        [str(abalone.EVALUATE_SCRIPT), str(abalone.PREPROCESS_SCRIPT)]
    )
    for uri, local in artifacts.items():
        assert uri.startswith(f"s3://{abalone.DEFAULT_BUCKET}/{abalone.DEFAULT_NAME}/code/")
        assert uri.endswith("/" + Path(local).name)
    code_inputs = {
        step: next(i for i in built.step(step)["Arguments"]["ProcessingInputs"] if i["InputName"] == "code")
        for step in (abalone.PROCESS_STEP, abalone.EVAL_STEP)
    }
    by_file = {Path(local).name: uri for uri, local in artifacts.items()}
    assert code_inputs[abalone.PROCESS_STEP]["S3Input"]["S3Uri"] == by_file["preprocess.py"]
    assert code_inputs[abalone.EVAL_STEP]["S3Input"]["S3Uri"] == by_file["evaluate.py"]


def test_training_step_is_the_articles(built: Built) -> None:
    arguments = built.step(abalone.TRAIN_STEP)["Arguments"]
    assert arguments["HyperParameters"] == {
        "max_depth": "5",
        "gamma": "4",
        "eta": "0.2",
        "min_child_weight": "6",
        "objective": "multi:softmax",
        "num_class": "10",
        "num_round": "10",
    }
    assert arguments["AlgorithmSpecification"]["TrainingImage"] == (
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
    )
    assert arguments["ResourceConfig"] == {
        "VolumeSizeInGB": 5,
        "InstanceCount": 1,
        "InstanceType": "ml.m4.xlarge",
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
    parameters = {p["Name"]: p["Type"] for p in built.data["Parameters"]}
    assert parameters == {
        "ProcessingInstanceCount": "Integer",
        "InputData": "String",
        "MseThreshold": "Float",
        "ModelApprovalStatus": "String",
    }
    assert built.step(abalone.EVAL_STEP)["PropertyFiles"] == [
        {"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]
    condition = built.step(abalone.CONDITION_STEP)["Arguments"]
    assert condition["Conditions"] == [
        {
            "Type": "LessThanOrEqualTo",
            "LeftValue": {
                "Std:JsonGet": {
                    "PropertyFile": {"Get": f"Steps.{abalone.EVAL_STEP}.PropertyFiles.EvaluationReport"},
                    "Path": "regression_metrics.mse.value",
                }
            },
            "RightValue": {"Get": "Parameters.MseThreshold"},
        }
    ]
    # SDK v2's ModelStep names its step "<name>-RegisterModel"
    (register,) = condition["IfSteps"]
    assert register["Type"] == "RegisterModel"
    assert register["Name"].startswith(abalone.REGISTER_STEP)
    assert [(s["Name"], s["Type"]) for s in condition["ElseSteps"]] == [(abalone.FAIL_STEP, "Fail")]


def test_definition_matches_the_published_schema_but_for_known_gaps(built: Built, shared_dir: Path) -> None:
    assert new_gaps(built.data, load_schema(shared_dir)) == {}


def test_capture_is_repeatable(built: Built, closed_aws: int) -> None:
    again = capture(built.pipeline)
    assert again.text == built.captured.text
    assert again.artifacts == built.captured.artifacts


def test_outside_a_capture_the_sdk_talks_to_aws_as_before(
    closed_aws: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    pipeline = abalone.build_abalone_pipeline(sdk="v2")
    capture(pipeline)
    with watch_network(closed_aws) as network, pytest.raises(Exception) as raised:
        pipeline.sagemaker_session.default_bucket()
    assert not isinstance(raised.value, (UserError, OfflineCallBlocked))
    assert any(f"127.0.0.1:{closed_aws}" in event for event in network)


def test_other_threads_keep_their_aws_access_during_a_capture(
    closed_aws: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    outcome: dict[str, BaseException] = {}

    def call_sts(key: str) -> None:
        try:
            boto3.client("sts", region_name="us-east-1").get_caller_identity()
        except BaseException as exc:  # recorded for the assertion below
            outcome[key] = exc

    with offline_sdk(("v2",)):
        call_sts("capturing thread")
        other = threading.Thread(target=call_sts, args=("other thread",))
        other.start()
        other.join()
    assert isinstance(outcome["capturing thread"], OfflineCallBlocked)
    assert type(outcome["other thread"]).__name__ == "EndpointConnectionError"


def _processing_pipeline(*, default_bucket: str | None) -> Any:
    """A processing step with local code, on a session with or without its own default bucket."""
    import boto3
    from sagemaker.sklearn.processing import SKLearnProcessor
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.pipeline_context import PipelineSession
    from sagemaker.workflow.steps import ProcessingStep

    session = PipelineSession(
        boto_session=boto3.Session(region_name="us-east-1"), default_bucket=default_bucket
    )
    processor = SKLearnProcessor(
        framework_version="1.2-1",
        role=abalone.DEFAULT_ROLE_ARN,
        instance_type="ml.m5.large",
        instance_count=1,
        sagemaker_session=session,
    )
    step = ProcessingStep(name="Prepare", step_args=processor.run(code=str(abalone.PREPROCESS_SCRIPT)))
    return Pipeline(name="Prepare", steps=[step], sagemaker_session=session)


def test_without_a_session_bucket_the_placeholder_or_the_given_bucket_is_used(closed_aws: int) -> None:
    with watch_network(closed_aws) as network:
        pipeline = _processing_pipeline(default_bucket=None)
        placeholder = capture(pipeline)
        chosen = capture(pipeline, bucket="team-artifacts")
    assert network == []
    assert placeholder.placeholder_bucket == PLACEHOLDER_BUCKET
    assert [uri.split("/")[2] for uri in placeholder.artifacts] == [PLACEHOLDER_BUCKET]
    assert chosen.placeholder_bucket == "team-artifacts"
    (uri,) = chosen.artifacts
    assert uri.startswith("s3://team-artifacts/Prepare/code/")
    assert f'"{uri}"' in chosen.text
    assert pipeline.sagemaker_session._default_bucket is None  # the session learnt nothing


def test_generated_code_archives_are_kept_and_not_uploaded(closed_aws: int) -> None:
    import boto3
    from sagemaker.processing import FrameworkProcessor
    from sagemaker.sklearn.estimator import SKLearn
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.pipeline_context import PipelineSession
    from sagemaker.workflow.steps import ProcessingStep, TrainingStep

    with watch_network(closed_aws) as network:
        with offline_sdk(("v2",)):  # the estimator and processor look up nothing, but be sure
            session = PipelineSession(
                boto_session=boto3.Session(region_name="us-east-1"), default_bucket="code"
            )
            options: dict[str, Any] = {
                "framework_version": "1.2-1",
                "role": abalone.DEFAULT_ROLE_ARN,
                "instance_type": "ml.m5.large",
                "sagemaker_session": session,
            }
            estimator = SKLearn(entry_point="preprocess.py", source_dir=str(abalone.CODE_DIR), **options)
            processor = FrameworkProcessor(estimator_cls=SKLearn, instance_count=1, **options)
            steps = [
                TrainingStep(name="Fit", step_args=estimator.fit()),
                ProcessingStep(
                    name="Score",
                    step_args=processor.run(code="evaluate.py", source_dir=str(abalone.CODE_DIR)),
                ),
            ]
            pipeline = Pipeline(name="Frameworks", steps=steps, sagemaker_session=session)
        captured = capture(pipeline)
    assert network == []
    archives = {uri: path for uri, path in captured.artifacts.items() if uri.endswith("/sourcedir.tar.gz")}
    assert len(archives) == 2
    for uri, path in archives.items():
        assert uri in captured.text
        with tarfile.open(path) as archive:
            assert {"preprocess.py", "evaluate.py"} <= set(archive.getnames())
    (runner,) = captured.inline_artifacts
    assert runner.endswith("/runproc.sh")
    assert runner in captured.text
    assert "tar -xzf sourcedir.tar.gz" in captured.inline_artifacts[runner]


def _transform_pipeline(**transformer_options: Any) -> Any:
    import boto3
    from sagemaker.transformer import Transformer
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.pipeline_context import PipelineSession
    from sagemaker.workflow.steps import TransformStep

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
    pipeline = _transform_pipeline()
    with watch_network(closed_aws) as network, pytest.raises(UserError) as raised:
        capture(pipeline)
    message = str(raised.value)
    assert "Step 'BatchScore'" in message
    assert "sagemaker.DescribeModel" in message
    assert "base_transform_job_name" in message
    assert "allow_online=True" in message
    assert network == []


def test_the_suggested_fix_makes_the_step_capturable(closed_aws: int) -> None:
    captured = capture(_transform_pipeline(base_transform_job_name="abalone-scoring"))
    (step,) = captured.data["Steps"]
    assert step["Type"] == "Transform"
    assert step["Arguments"]["ModelName"] == "abalone-model"


def test_allow_online_lets_the_lookup_through_but_still_uploads_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moto_server = pytest.importorskip("moto.server")
    import boto3

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        sagemaker_api = boto3.client("sagemaker", region_name="us-east-1")
        sagemaker_api.create_model(
            ModelName="abalone-model",
            ExecutionRoleArn=abalone.DEFAULT_ROLE_ARN,
            PrimaryContainer={
                "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
            },
        )
        s3 = boto3.client("s3", region_name="us-east-1")

        def stored() -> dict[str, list[str]]:
            # moto's state is per process: buckets of other tests (the ``aws`` fixture's) may be there
            buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
            return {
                name: [o["Key"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])]
                for name in buckets
            }

        before = stored()
        captured = capture(_transform_pipeline(), allow_online=True)
        assert captured.data["Steps"][0]["Arguments"]["ModelName"] == "abalone-model"
        assert stored() == before  # no bucket made, nothing uploaded
    finally:
        server.stop()


def test_captured_text_round_trips_through_every_data_input(built: Built, tmp_path: Path) -> None:
    text = built.captured.text
    path = tmp_path / "abalone.json"
    path.write_text(text)
    for data, source in (
        (text, "json"),
        (text.encode(), "json"),
        (json.loads(text), "dict"),
        (path, "file"),
        (str(path), "file"),
    ):
        again = capture(data)
        assert again.source == source
        assert again.data == built.data
        if source != "dict":
            assert again.text == text
