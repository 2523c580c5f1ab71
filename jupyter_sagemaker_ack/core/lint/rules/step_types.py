"""What each SageMaker step type needs: required fields and the types of the fields that matter.

Written from the SageMaker API reference and checked against what the SageMaker Python SDK (v2 and v3)
produces, not from the published definition schema, which is stale and rejects valid SDK output. Paths
are dotted, relative to the step's ``Arguments`` unless they start with ``@`` (a key of the step itself);
``a|b`` means either; ``X[]`` means every item of the list ``X``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepSpec:
    required: tuple[str, ...] = ()
    integers: tuple[str, ...] = ()
    strings: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    string_maps: tuple[str, ...] = ()
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    arguments_required: bool = True


_TRAINING = StepSpec(
    required=(
        "AlgorithmSpecification",
        "AlgorithmSpecification.TrainingImage|AlgorithmSpecification.AlgorithmName",
        "OutputDataConfig.S3OutputPath",
        "ResourceConfig",
        "ResourceConfig.InstanceType|ResourceConfig.InstanceGroups",
        "RoleArn",
        "StoppingCondition",
    ),
    integers=(
        "ResourceConfig.InstanceCount",
        "ResourceConfig.VolumeSizeInGB",
        "StoppingCondition.MaxRuntimeInSeconds",
        "StoppingCondition.MaxWaitTimeInSeconds",
    ),
    strings=("RoleArn", "AlgorithmSpecification.TrainingImage", "ResourceConfig.InstanceType"),
    objects=("AlgorithmSpecification", "OutputDataConfig", "ResourceConfig", "StoppingCondition"),
    lists=("InputDataConfig",),
    string_maps=("HyperParameters", "Environment"),
    choices=(("AlgorithmSpecification.TrainingInputMode", ("File", "Pipe", "FastFile")),),
)

_PROCESSING = StepSpec(
    required=(
        "ProcessingResources.ClusterConfig.InstanceType",
        "ProcessingResources.ClusterConfig.InstanceCount",
        "ProcessingResources.ClusterConfig.VolumeSizeInGB",
        "AppSpecification.ImageUri",
        "RoleArn",
    ),
    integers=(
        "ProcessingResources.ClusterConfig.InstanceCount",
        "ProcessingResources.ClusterConfig.VolumeSizeInGB",
        "StoppingCondition.MaxRuntimeInSeconds",
    ),
    strings=("RoleArn", "AppSpecification.ImageUri", "ProcessingResources.ClusterConfig.InstanceType"),
    objects=("ProcessingResources", "AppSpecification"),
    lists=(
        "ProcessingInputs",
        "ProcessingOutputConfig.Outputs",
        "AppSpecification.ContainerEntrypoint",
        "AppSpecification.ContainerArguments",
    ),
    string_maps=("Environment",),
)

STEP_SPECS: dict[str, StepSpec] = {
    "Training": _TRAINING,
    "Processing": _PROCESSING,
    "Transform": StepSpec(
        required=(
            "ModelName",
            "TransformInput.DataSource",
            "TransformOutput.S3OutputPath",
            "TransformResources.InstanceType",
            "TransformResources.InstanceCount",
        ),
        integers=("TransformResources.InstanceCount", "MaxConcurrentTransforms", "MaxPayloadInMB"),
        objects=("TransformInput", "TransformOutput", "TransformResources"),
        string_maps=("Environment",),
    ),
    "Tuning": StepSpec(
        required=(
            "HyperParameterTuningJobConfig",
            "HyperParameterTuningJobConfig.Strategy",
            "HyperParameterTuningJobConfig.ResourceLimits",
            "TrainingJobDefinition|TrainingJobDefinitions",
        ),
        integers=(
            "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs",
            "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs",
        ),
        objects=("HyperParameterTuningJobConfig", "TrainingJobDefinition"),
        lists=("TrainingJobDefinitions",),
        string_maps=("TrainingJobDefinition.StaticHyperParameters", "TrainingJobDefinition.Environment"),
    ),
    "Model": StepSpec(
        required=("ExecutionRoleArn", "PrimaryContainer|Containers"),
        strings=("ExecutionRoleArn",),
        objects=("PrimaryContainer",),
        lists=("Containers",),
        string_maps=("PrimaryContainer.Environment",),
    ),
    "RegisterModel": StepSpec(
        required=("InferenceSpecification|SourceAlgorithmSpecification|ModelPackageGroupName",),
        objects=("InferenceSpecification",),
        lists=("InferenceSpecification.Containers",),
    ),
    "Condition": StepSpec(required=("Conditions",), lists=("Conditions", "IfSteps", "ElseSteps")),
    "Fail": StepSpec(arguments_required=False),
    "Lambda": StepSpec(required=("@FunctionArn",), lists=("@OutputParameters",), arguments_required=False),
    "Callback": StepSpec(required=("@SqsQueueUrl",), lists=("@OutputParameters",), arguments_required=False),
    "QualityCheck": StepSpec(
        required=("@CheckType",),
        choices=(("@CheckType", ("DATA_QUALITY", "MODEL_QUALITY")),),
    ),
    "ClarifyCheck": StepSpec(
        required=("@CheckType",),
        choices=(("@CheckType", ("DATA_BIAS", "MODEL_BIAS", "MODEL_EXPLAINABILITY")),),
    ),
    "EMR": StepSpec(
        required=("ClusterId|ClusterConfig", "StepConfig.HadoopJarStep.Jar"),
        objects=("StepConfig", "StepConfig.HadoopJarStep"),
        lists=("StepConfig.HadoopJarStep.Args",),
    ),
    "AutoML": StepSpec(
        required=("InputDataConfig|AutoMLJobInputDataConfig", "OutputDataConfig.S3OutputPath", "RoleArn"),
        strings=("RoleArn",),
    ),
    "EndpointConfig": StepSpec(required=("ProductionVariants",), lists=("ProductionVariants",)),
    "Endpoint": StepSpec(required=("EndpointConfigName",)),
    "InferenceComponent": StepSpec(arguments_required=False),
    "Lineage": StepSpec(arguments_required=False),
}

STEP_TYPES = tuple(STEP_SPECS)
BINARY_CONDITIONS = ("Equals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo")
CONDITION_TYPES = (*BINARY_CONDITIONS, "In", "Not", "Or")
MAX_PROCESSING_INPUTS = 10
MAX_FAIL_MESSAGE = 1024
MAX_ENUM_VALUES = 16
