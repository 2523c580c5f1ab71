"""Definitions built without the SageMaker SDK: a small Abalone-shaped one and generated large ones.

Tests, benchmarks and the sandbox demo use them where installing or running the SDK would cost seconds.
They have the shape ``pipeline.definition()`` produces (SDK v2), so every rule that holds for SDK output
must hold for them too.
"""

from __future__ import annotations

from typing import Any

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
HYPERPARAMETERS = {
    "max_depth": "5",
    "gamma": "4",
    "eta": "0.2",
    "min_child_weight": "6",
    "objective": "multi:softmax",
    "num_class": "10",
    "num_round": "10",
}


def _output_uri(step: str, output: str) -> str:
    return f"Steps.{step}.ProcessingOutputConfig.Outputs['{output}'].S3Output.S3Uri"


def _processing(name: str, bucket: str, code: str, outputs: list[str]) -> dict[str, Any]:
    return {
        "Name": name,
        "Type": "Processing",
        "Arguments": {
            "ProcessingResources": {
                "ClusterConfig": {
                    "InstanceType": "ml.m5.xlarge",
                    "InstanceCount": {"Get": "Parameters.ProcessingInstanceCount"},
                    "VolumeSizeInGB": 30,
                }
            },
            "AppSpecification": {
                "ImageUri": SKLEARN_IMAGE,
                "ContainerEntrypoint": ["python3", f"/opt/ml/processing/input/code/{code}"],
            },
            "RoleArn": ROLE,
            "ProcessingInputs": [
                {
                    "InputName": "code",
                    "AppManaged": False,
                    "S3Input": {
                        "S3Uri": f"s3://{bucket}/AbalonePipeline/code/{code}",
                        "LocalPath": "/opt/ml/processing/input/code",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                        "S3DataDistributionType": "FullyReplicated",
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": out,
                        "AppManaged": False,
                        "S3Output": {
                            "S3Uri": f"s3://{bucket}/AbalonePipeline/{out}",
                            "LocalPath": f"/opt/ml/processing/{out}",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                    for out in outputs
                ]
            },
        },
    }


def abalone_definition(bucket: str = "sagemaker-ack-demo") -> dict[str, Any]:
    """The article's Abalone pipeline: preprocess, XGBoost training, evaluation, condition, register or fail."""
    preprocess = _processing(
        "PreprocessAbaloneData", bucket, "preprocess.py", ["train", "validation", "test"]
    )
    evaluate = _processing("EvaluateAbaloneModel", bucket, "evaluate.py", ["evaluation"])
    evaluate["PropertyFiles"] = [
        {"PropertyFileName": "EvaluationReport", "OutputName": "evaluation", "FilePath": "evaluation.json"}
    ]
    train = {
        "Name": "TrainAbaloneModel",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": XGBOOST_IMAGE, "TrainingInputMode": "File"},
            "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/AbalonePipeline/model"},
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
            "ResourceConfig": {"VolumeSizeInGB": 30, "InstanceCount": 1, "InstanceType": "ml.m5.xlarge"},
            "RoleArn": ROLE,
            "InputDataConfig": [
                {
                    "DataSource": {
                        "S3DataSource": {
                            "S3DataType": "S3Prefix",
                            "S3Uri": {"Get": _output_uri("PreprocessAbaloneData", channel)},
                            "S3DataDistributionType": "FullyReplicated",
                        }
                    },
                    "ContentType": "text/libsvm",
                    "ChannelName": channel,
                }
                for channel in ("train", "validation")
            ],
            "HyperParameters": dict(HYPERPARAMETERS),
        },
    }
    evaluate["Arguments"]["ProcessingInputs"].append(
        {
            "InputName": "model",
            "AppManaged": False,
            "S3Input": {
                "S3Uri": {"Get": "Steps.TrainAbaloneModel.ModelArtifacts.S3ModelArtifacts"},
                "LocalPath": "/opt/ml/processing/model",
                "S3DataType": "S3Prefix",
                "S3InputMode": "File",
                "S3DataDistributionType": "FullyReplicated",
            },
        }
    )
    register = {
        "Name": "RegisterAbaloneModel-RegisterModel",
        "Type": "RegisterModel",
        "Arguments": {
            "ModelPackageGroupName": "AbaloneModelPackageGroup",
            "InferenceSpecification": {
                "Containers": [
                    {
                        "Image": XGBOOST_IMAGE,
                        "ModelDataUrl": {"Get": "Steps.TrainAbaloneModel.ModelArtifacts.S3ModelArtifacts"},
                    }
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
                "SupportedRealtimeInferenceInstanceTypes": ["ml.t2.medium", "ml.m5.xlarge"],
                "SupportedTransformInstanceTypes": ["ml.m5.xlarge"],
            },
            "ModelApprovalStatus": {"Get": "Parameters.ModelApprovalStatus"},
        },
    }
    fail = {
        "Name": "AbaloneMSEFail",
        "Type": "Fail",
        "Arguments": {
            "ErrorMessage": {
                "Std:Join": {
                    "On": " ",
                    "Values": ["Execution failed due to MSE >", {"Get": "Parameters.MseThreshold"}],
                }
            }
        },
    }
    condition = {
        "Name": "CheckMSEAbaloneEvaluation",
        "Type": "Condition",
        "Arguments": {
            "Conditions": [
                {
                    "Type": "LessThanOrEqualTo",
                    "LeftValue": {
                        "Std:JsonGet": {
                            "PropertyFile": {
                                "Get": "Steps.EvaluateAbaloneModel.PropertyFiles.EvaluationReport"
                            },
                            "Path": "regression_metrics.mse.value",
                        }
                    },
                    "RightValue": {"Get": "Parameters.MseThreshold"},
                }
            ],
            "IfSteps": [register],
            "ElseSteps": [fail],
        },
    }
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [
            {"Name": "ProcessingInstanceCount", "Type": "Integer", "DefaultValue": 1},
            {
                "Name": "InputData",
                "Type": "String",
                "DefaultValue": f"s3://{bucket}/abalone/abalone-dataset.csv",
            },
            {"Name": "MseThreshold", "Type": "Float", "DefaultValue": 6.0},
            {"Name": "ModelApprovalStatus", "Type": "String", "DefaultValue": "PendingManualApproval"},
        ],
        "PipelineExperimentConfig": {
            "ExperimentName": {"Get": "Execution.PipelineName"},
            "TrialName": {"Get": "Execution.PipelineExecutionId"},
        },
        "Steps": [preprocess, train, evaluate, condition],
    }


def chain_definition(n_steps: int, fan_out: int = 3, bucket: str = "sagemaker-ack-demo") -> dict[str, Any]:
    """``n_steps`` processing steps, each depending on up to ``fan_out`` earlier ones (a layered DAG)."""
    steps = []
    for i in range(n_steps):
        step = _processing(f"Step-{i:05d}", bucket, "preprocess.py", ["out"])
        deps = [f"Step-{j:05d}" for j in range(max(0, i - fan_out), i) if (i + j) % 2 == 0]
        if deps:
            step["DependsOn"] = deps
        if i > 0:
            step["Arguments"]["ProcessingInputs"].append(
                {
                    "InputName": "previous",
                    "AppManaged": False,
                    "S3Input": {
                        "S3Uri": {
                            "Get": f"Steps.Step-{i - 1:05d}.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri"
                        },
                        "LocalPath": "/opt/ml/processing/previous",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                        "S3DataDistributionType": "FullyReplicated",
                    },
                }
            )
        steps.append(step)
    return {
        "Version": "2020-12-01",
        "Metadata": {},
        "Parameters": [{"Name": "ProcessingInstanceCount", "Type": "Integer", "DefaultValue": 1}],
        "PipelineExperimentConfig": {
            "ExperimentName": {"Get": "Execution.PipelineName"},
            "TrialName": {"Get": "Execution.PipelineExecutionId"},
        },
        "Steps": steps,
    }
