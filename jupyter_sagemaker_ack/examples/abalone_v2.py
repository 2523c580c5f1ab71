"""The Abalone pipeline with SageMaker SDK v2 building blocks (``sagemaker.workflow``); see abalone.py."""

from __future__ import annotations

from typing import Any, cast

import boto3
from sagemaker import image_uris
from sagemaker.estimator import Estimator
from sagemaker.inputs import TrainingInput
from sagemaker.model import Model
from sagemaker.model_metrics import MetricsSource, ModelMetrics
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.sklearn.processing import SKLearnProcessor
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.steps import ProcessingStep, TrainingStep

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

    processor = SKLearnProcessor(
        framework_version=spec.SKLEARN_VERSION,
        role=role_arn,
        instance_type=spec.PROCESSING_INSTANCE_TYPE,
        instance_count=instance_count,
        base_job_name="abalone-process",
        sagemaker_session=session,
    )
    process = ProcessingStep(
        name=spec.PROCESS_STEP,
        step_args=processor.run(
            inputs=[ProcessingInput(source=input_data, destination="/opt/ml/processing/input")],
            outputs=[
                ProcessingOutput(output_name=split, source=f"/opt/ml/processing/{split}")
                for split in ("train", "validation", "test")
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
    estimator = Estimator(
        image_uri=xgboost_image,
        role=role_arn,
        instance_type=spec.TRAINING_INSTANCE_TYPE,
        instance_count=1,
        volume_size=spec.TRAINING_VOLUME_GB,
        max_run=spec.TRAINING_MAX_RUNTIME_S,
        output_path=f"s3://{bucket}/sagemaker/",
        hyperparameters=dict(spec.HYPERPARAMETERS),
        sagemaker_session=session,
    )
    outputs = process.properties.ProcessingOutputConfig.Outputs
    train = TrainingStep(
        name=spec.TRAIN_STEP,
        step_args=estimator.fit(
            inputs={
                channel: TrainingInput(s3_data=outputs[channel].S3Output.S3Uri, content_type=spec.LIBSVM)
                for channel in ("train", "validation")
            }
        ),
    )

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
                ProcessingInput(
                    source=train.properties.ModelArtifacts.S3ModelArtifacts,
                    destination="/opt/ml/processing/model",
                ),
                ProcessingInput(source=outputs["test"].S3Output.S3Uri, destination="/opt/ml/processing/test"),
            ],
            outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")],
            code=str(spec.EVALUATE_SCRIPT),
        ),
        property_files=[report],
    )

    model = Model(
        image_uri=xgboost_image,
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        role=role_arn,
        sagemaker_session=session,
    )
    register = ModelStep(
        name=spec.REGISTER_STEP,
        step_args=model.register(
            **spec.REGISTER_TARGETS,
            model_package_group_name=spec.MODEL_PACKAGE_GROUP,
            approval_status=approval_status,
            model_metrics=_model_metrics(evaluate),
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
                # JsonGet is a valid operand; the SDK's annotation leaves it out.
                left=cast(
                    Any, JsonGet(step_name=evaluate.name, property_file=report, json_path=spec.MSE_JSON_PATH)
                ),
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


def _model_metrics(evaluate: ProcessingStep) -> ModelMetrics:
    output = evaluate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri
    return ModelMetrics(
        model_statistics=MetricsSource(
            s3_uri=Join(on="/", values=[output, "evaluation.json"]), content_type="application/json"
        )
    )
