"""The Abalone pipeline with SageMaker SDK v3 building blocks (``sagemaker.mlops``/``core``/``train``)."""

from __future__ import annotations

import boto3
from sagemaker.core import image_uris
from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.processing import ScriptProcessor
from sagemaker.core.shapes import (
    ProcessingInput,
    ProcessingOutput,
    ProcessingS3Input,
    ProcessingS3Output,
    StoppingCondition,
)
from sagemaker.core.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.model_step import ModelStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.steps import ProcessingStep, TrainingStep
from sagemaker.serve.model_builder import ModelBuilder
from sagemaker.train.configs import Compute, InputData, OutputDataConfig
from sagemaker.train.model_trainer import ModelTrainer

from . import abalone as spec


def build(*, role_arn: str, bucket: str, region: str, name: str) -> Pipeline:
    session = PipelineSession(boto_session=boto3.Session(region_name=region), default_bucket=bucket)
    instance_count = ParameterInteger(
        name="ProcessingInstanceCount", default_value=spec.PARAMETER_DEFAULTS["ProcessingInstanceCount"]
    )
    input_data = ParameterString(name="InputData", default_value=spec.PARAMETER_DEFAULTS["InputData"])
    mse_threshold = ParameterFloat(name="MseThreshold", default_value=spec.PARAMETER_DEFAULTS["MseThreshold"])
    approval_status = ParameterString(
        name="ModelApprovalStatus", default_value=spec.PARAMETER_DEFAULTS["ModelApprovalStatus"]
    )

    sklearn_image = image_uris.retrieve(
        framework="sklearn",
        region=region,
        version=spec.SKLEARN_VERSION,
        py_version="py3",
        instance_type=spec.PROCESSING_INSTANCE_TYPE,
    )
    processor = ScriptProcessor(
        image_uri=sklearn_image,
        command=["python3"],
        role=role_arn,
        instance_type=spec.PROCESSING_INSTANCE_TYPE,
        instance_count=instance_count,
        base_job_name="abalone-process",
        sagemaker_session=session,
    )
    process = ProcessingStep(
        name=spec.PROCESS_STEP,
        step_args=processor.run(
            inputs=[_input("input", input_data, "/opt/ml/processing/input")],
            outputs=[
                _output(bucket, name, spec.PROCESS_STEP, split) for split in ("train", "validation", "test")
            ],
            code=str(spec.PREPROCESS_SCRIPT),
        ),
    )

    xgboost_image = image_uris.retrieve(
        framework="xgboost",
        region=region,
        version=spec.XGBOOST_VERSION,
        instance_type=spec.TRAINING_INSTANCE_TYPE,
    )
    outputs = process.properties.ProcessingOutputConfig.Outputs
    trainer = ModelTrainer(
        training_image=xgboost_image,
        role=role_arn,
        compute=Compute(
            instance_type=spec.TRAINING_INSTANCE_TYPE,
            instance_count=1,
            volume_size_in_gb=spec.TRAINING_VOLUME_GB,
        ),
        stopping_condition=StoppingCondition(max_runtime_in_seconds=spec.TRAINING_MAX_RUNTIME_S),
        output_data_config=OutputDataConfig(s3_output_path=f"s3://{bucket}/sagemaker/"),
        hyperparameters=dict(spec.HYPERPARAMETERS),
        input_data_config=[
            InputData(
                channel_name=channel, data_source=outputs[channel].S3Output.S3Uri, content_type=spec.LIBSVM
            )
            for channel in ("train", "validation")
        ],
        base_job_name="abalone-train",
        sagemaker_session=session,
    )
    train = TrainingStep(name=spec.TRAIN_STEP, step_args=trainer.train())

    evaluator = ScriptProcessor(
        image_uri=xgboost_image,
        command=["python3"],
        role=role_arn,
        instance_type=spec.PROCESSING_INSTANCE_TYPE,
        instance_count=1,
        base_job_name="abalone-eval",
        sagemaker_session=session,
    )
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name=spec.EVAL_STEP,
        step_args=evaluator.run(
            inputs=[
                _input("model", train.properties.ModelArtifacts.S3ModelArtifacts, "/opt/ml/processing/model"),
                _input("test", outputs["test"].S3Output.S3Uri, "/opt/ml/processing/test"),
            ],
            outputs=[_output(bucket, name, spec.EVAL_STEP, "evaluation")],
            code=str(spec.EVALUATE_SCRIPT),
        ),
        property_files=[report],
    )

    evaluation_uri = evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri
    model = ModelBuilder(
        image_uri=xgboost_image,
        s3_model_data_url=train.properties.ModelArtifacts.S3ModelArtifacts,
        role_arn=role_arn,
        sagemaker_session=session,
    )
    register = ModelStep(
        name=spec.REGISTER_STEP,
        step_args=model.register(
            **spec.REGISTER_TARGETS,
            model_package_group_name=spec.MODEL_PACKAGE_GROUP,
            approval_status=approval_status,
            model_metrics=ModelMetrics(
                model_statistics=MetricsSource(
                    s3_uri=Join(on="/", values=[evaluation_uri, "evaluation.json"]),
                    content_type="application/json",
                )
            ),
        ),
    )
    fail = FailStep(
        name=spec.FAIL_STEP,
        error_message=Join(on=" ", values=[spec.FAIL_MESSAGE, mse_threshold]),
    )
    condition = ConditionStep(
        name=spec.CONDITION_STEP,
        conditions=[
            ConditionLessThanOrEqualTo(
                left=JsonGet(step_name=evaluate.name, property_file=report, json_path=spec.MSE_JSON_PATH),
                right=mse_threshold,
            )
        ],
        if_steps=[register],
        else_steps=[fail],
    )
    return Pipeline(
        name=name,
        parameters=[instance_count, input_data, mse_threshold, approval_status],
        steps=[process, train, evaluate, condition],
        sagemaker_session=session,
    )


def _input(name: str, source: object, destination: str) -> ProcessingInput:
    return ProcessingInput(
        input_name=name,
        s3_input=ProcessingS3Input(
            s3_uri=source, local_path=destination, s3_data_type="S3Prefix", s3_input_mode="File"
        ),
    )


def _output(bucket: str, pipeline: str, step: str, name: str) -> ProcessingOutput:
    """An output under s3://bucket/pipeline/<execution id>/step/name, as SDK v2 lays them out by default."""
    uri = Join(
        on="/",
        values=["s3:/", bucket, pipeline, ExecutionVariables.PIPELINE_EXECUTION_ID, step, "output", name],
    )
    return ProcessingOutput(
        output_name=name,
        s3_output=ProcessingS3Output(
            s3_uri=uri, local_path=f"/opt/ml/processing/{name}", s3_upload_mode="EndOfJob"
        ),
    )
