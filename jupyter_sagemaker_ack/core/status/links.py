"""Where a person looks next: SageMaker console pages and CloudWatch log links built from ARNs.

ARNs carry the partition and region, so the links need no configuration; a step's job type (from the
``Metadata`` key of ``ListPipelineExecutionSteps``) says which console page and log group it has.
"""

from __future__ import annotations

from urllib.parse import quote

# ListPipelineExecutionSteps Metadata key -> (step type, console path, CloudWatch log group)
METADATA_KINDS: dict[str, tuple[str, str | None, str | None]] = {
    "TrainingJob": ("Training", "jobs", "/aws/sagemaker/TrainingJobs"),
    "ProcessingJob": ("Processing", "processing-jobs", "/aws/sagemaker/ProcessingJobs"),
    "TransformJob": ("Transform", "transform-jobs", "/aws/sagemaker/TransformJobs"),
    "TuningJob": ("Tuning", "hyper-tuning-jobs", "/aws/sagemaker/TrainingJobs"),
    "AutoMLJob": ("AutoML", "automl-jobs", None),
    "Model": ("Model", "models", None),
    "RegisterModel": ("RegisterModel", None, None),
    "Endpoint": ("Endpoint", "endpoints", "/aws/sagemaker/Endpoints"),
    "EndpointConfig": ("EndpointConfig", "endpointConfig", None),
    "Lambda": ("Lambda", None, "/aws/lambda"),
    "EMR": ("EMR", None, None),
    "Callback": ("Callback", None, None),
    "Condition": ("Condition", None, None),
    "Fail": ("Fail", None, None),
    "QualityCheck": ("QualityCheck", None, None),
    "ClarifyCheck": ("ClarifyCheck", None, None),
}
_CONSOLE_DOMAINS = {"aws": "console.aws.amazon.com", "aws-cn": "console.amazonaws.cn"}


def arn_parts(arn: str) -> tuple[str, str, str] | None:
    """``(partition, region, resource)`` of an ARN, or None."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[1], parts[3], parts[5]


def pipeline_name_of_arn(arn: str) -> str | None:
    """``arn:...:pipeline/NAME[/execution/ID]`` -> ``NAME`` (SageMaker keeps ARNs lower case)."""
    parts = arn_parts(arn)
    if parts is None or not parts[2].startswith("pipeline/"):
        return None
    return parts[2].split("/")[1]


def console_base(region: str, partition: str = "aws") -> str:
    domain = _CONSOLE_DOMAINS.get(partition, "console.aws.amazon.com")
    return f"https://{region}.{domain}"


def links(
    job_arn: str | None, metadata_kind: str | None, region: str | None = None
) -> tuple[str | None, str | None]:
    """The SageMaker console page and the CloudWatch logs of a step's job, when it has them."""
    if not job_arn or metadata_kind not in METADATA_KINDS:
        return None, None
    parts = arn_parts(job_arn)
    if parts is None:
        return None, None
    partition, arn_region, resource = parts
    region = arn_region or region
    if not region:
        return None, None
    _, console_path, log_group = METADATA_KINDS[metadata_kind]
    job_name = resource.split("/", 1)[-1] if "/" in resource else resource.rsplit(":", 1)[-1]
    base = console_base(region, partition)
    console = f"{base}/sagemaker/home?region={region}#/{console_path}/{job_name}" if console_path else None
    logs = None
    if log_group == "/aws/lambda":
        function = resource.split(":", 1)[-1].split(":", 1)[0]
        logs = cloudwatch_logs_url(region, f"/aws/lambda/{function}", None, partition)
    elif log_group:
        logs = cloudwatch_logs_url(region, log_group, job_name, partition)
    return console, logs


def cloudwatch_logs_url(region: str, group: str, stream_prefix: str | None, partition: str = "aws") -> str:
    """A CloudWatch Logs console link to a log group, filtered to streams starting with ``stream_prefix``."""

    def enc(text: str) -> str:
        # The console's fragment encoding: percent-encode, then write each '%' as '$25'.
        return quote(text, safe="").replace("%", "$25")

    target = enc(group)
    if stream_prefix:
        target += "$3FlogStreamNameFilter$3D" + enc(stream_prefix)
    base = console_base(region, partition)
    return f"{base}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{target}"


def execution_console_url(execution_arn: str) -> str | None:
    """The SageMaker console page of a pipeline execution."""
    parts = arn_parts(execution_arn)
    if parts is None:
        return None
    partition, region, resource = parts
    pieces = resource.split("/")
    if len(pieces) != 4 or pieces[0] != "pipeline" or pieces[2] != "execution":
        return None
    base = console_base(region, partition)
    return f"{base}/sagemaker/home?region={region}#/pipelines/{pieces[1]}/executions/{pieces[3]}"
