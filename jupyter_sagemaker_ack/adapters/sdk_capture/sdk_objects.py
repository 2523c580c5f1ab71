"""Capture ``definition()`` from a SageMaker SDK pipeline object (v2 or v3, found by duck typing).

The SDK is never imported to check a type: the object's class module says which SDK built it, and only
then are that SDK's session and telemetry modules imported (they are loaded already in that case).
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Mapping
from typing import Any

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.errors import UserError

from .offline import (
    SESSION_CLASSES,
    Flavour,
    OfflineCallBlocked,
    Recorder,
    innermost_step_name,
    offline_sdk,
)
from .result import CapturedDefinition, Source

_GENERIC_FIX = "Give the step that value explicitly so the SDK needs no lookup"
_ONLINE_FIX = (
    "or capture with allow_online=True to let the SDK make this call with your AWS credentials "
    "(nothing is uploaded either way)."
)
# Why the SDK makes a call, and how to avoid it, for the calls users meet in practice.
_CALLS: dict[tuple[str, str], tuple[str, str]] = {
    ("sagemaker", "DescribeModel"): (
        "it looks up the SageMaker model named in the step to derive a job name from its image",
        "Give the Transformer base_transform_job_name=..., or take model_name from a pipeline step "
        "(e.g. a ModelStep's properties.ModelName)",
    ),
    ("sagemaker", "DescribeModelPackage"): ("it looks up the model package named in the step", _GENERIC_FIX),
    ("sagemaker", "DescribeTrainingJob"): ("it looks up a training job named in the step", _GENERIC_FIX),
    ("sts", "GetCallerIdentity"): (
        "it asks AWS which account you are in (for a default bucket or role name)",
        "Give the session a default_bucket and the steps a full role ARN",
    ),
    ("iam", "GetRole"): ("it looks up the IAM role", "Give the full role ARN instead of a role name"),
    ("iam", "SimulatePrincipalPolicy"): (
        "it checks the IAM role's permissions",
        "Set SAGEMAKER_VALIDATE_ROLE=false before building the steps",
    ),
}


def flavour_of(obj: Any) -> Flavour | None:
    """Which SDK built ``obj``, from its class's module name alone (no SDK import)."""
    module = type(obj).__module__ or ""
    if module.startswith(("sagemaker.mlops.", "sagemaker.core.", "sagemaker.train.")):
        return "v3"
    if module.startswith("sagemaker."):
        return "v2"
    return None


def capture_object(pipeline: Any, *, allow_online: bool, bucket: str) -> CapturedDefinition:
    """Call ``pipeline.definition()`` offline and return its text, artifacts and pipeline extras."""
    build = getattr(pipeline, "definition", None)
    if not callable(build):
        raise UserError(
            f"Cannot capture a pipeline definition from a {type(pipeline).__name__}: it has no definition() "
            "method.",
            "Pass a SageMaker SDK Pipeline object (sagemaker.workflow.pipeline.Pipeline in SDK v2, "
            "sagemaker.mlops.workflow.pipeline.Pipeline in v3), a dict, a JSON string or a file path.",
        )
    flavour = flavour_of(pipeline)
    flavours: tuple[Flavour, ...]
    if flavour is not None:
        flavours = (flavour,)
    else:
        # A wrapper around an SDK pipeline: patch whichever SDK is loaded already, import none.
        flavours = tuple(f for f, (module, _) in SESSION_CLASSES.items() if module in sys.modules)
    with offline_sdk(flavours, bucket=bucket, allow_online=allow_online) as recorder:
        text = _run_definition(build, recorder)
        extras = _pipeline_extras(pipeline)
    source: Source = "sdk-v3" if flavour == "v3" else "sdk-v2" if flavour == "v2" else "object"
    name = getattr(pipeline, "name", None)
    return CapturedDefinition(
        text=text,
        source=source,
        pipeline_name=name if isinstance(name, str) else None,
        artifacts=recorder.artifacts,
        inline_artifacts=recorder.inline_artifacts,
        sdk_version=_sdk_version() if flavour is not None else None,
        placeholder_bucket=recorder.bucket if recorder.placeholder_used else None,
        **extras,
    )


def _run_definition(build: Any, recorder: Recorder) -> str:
    try:
        result = build()
    except Exception as exc:
        blocked = blocked_in(exc) or (recorder.blocked[0] if recorder.blocked else None)
        if blocked is not None:
            raise blocked_error(blocked) from exc
        raise _failure_error(exc, innermost_step_name(exc.__traceback__)) from exc
    if recorder.blocked:
        # The SDK swallowed the error; the definition may silently lack what the call would have given.
        raise blocked_error(recorder.blocked[0])
    if isinstance(result, bytes):
        result = result.decode("utf-8")
    if not isinstance(result, str):
        raise UserError(
            f"pipeline.definition() returned a {type(result).__name__}, not JSON text.",
            "Pass a SageMaker SDK Pipeline object, whose definition() returns a JSON string.",
        )
    try:
        parse_definition(result)
    except UserError as exc:
        raise type(exc)(f"pipeline.definition() returned something else: {exc.problem}", exc.fix) from None
    return result


def blocked_in(exc: BaseException | None) -> OfflineCallBlocked | None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OfflineCallBlocked):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def blocked_error(blocked: OfflineCallBlocked) -> UserError:
    reason, fix = _CALLS.get(
        (blocked.service, blocked.operation),
        (f"it calls {blocked.service}.{blocked.operation}", _GENERIC_FIX),
    )
    where = f"Step '{blocked.step}'" if blocked.step else "The pipeline"
    return UserError(
        f"{where} cannot be built without calling AWS: the SageMaker SDK calls "
        f"{blocked.service}.{blocked.operation} because {reason}.",
        f"{fix}, {_ONLINE_FIX}",
    )


def _failure_error(exc: Exception, step: str | None) -> UserError:
    where = f"building step '{step}'" if step else "building the pipeline definition"
    if type(exc).__name__ == "NoRegionError":
        return UserError(
            f"The SageMaker SDK needs an AWS region for {where} and none is set.",
            "Set AWS_DEFAULT_REGION, or give the step's session a region: "
            "PipelineSession(boto_session=boto3.Session(region_name='us-east-1')).",
        )
    return UserError(
        f"pipeline.definition() failed while {where}: {type(exc).__name__}: {exc}",
        "Fix that step's arguments in the notebook and capture again.",
    )


def _pipeline_extras(pipeline: Any) -> dict[str, Any]:
    extras: dict[str, Any] = {
        "role_arn": _first_str(pipeline, "role_arn", "role") or _configured_role(pipeline),
        "description": _first_str(pipeline, "description", "pipeline_description"),
        "display_name": _first_str(pipeline, "display_name", "pipeline_display_name"),
        "max_parallel_execution_steps": _parallelism(pipeline),
    }
    return extras


def _first_str(obj: Any, *names: str) -> str | None:
    for name in names:
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value
    return None


def _configured_role(pipeline: Any) -> str | None:
    """The pipeline role from the SDK's config file (SageMaker.Pipeline.RoleArn), if the user has one."""
    config = getattr(getattr(pipeline, "sagemaker_session", None), "sagemaker_config", None)
    value: Any = config
    for key in ("SageMaker", "Pipeline", "RoleArn"):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, str) and value else None


def _parallelism(pipeline: Any) -> int | None:
    config = getattr(pipeline, "parallelism_config", None)
    if isinstance(config, Mapping):
        value = config.get("MaxParallelExecutionSteps")
    else:
        value = getattr(config, "max_parallel_execution_steps", None)
    if value is None:
        value = getattr(pipeline, "max_parallel_execution_steps", None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _sdk_version() -> str | None:
    try:
        return f"sagemaker {importlib.metadata.version('sagemaker')}"
    except importlib.metadata.PackageNotFoundError:
        return None
