"""The Abalone pipeline of the source article, built with the real SageMaker SDK (v2 or v3), offline.

Processing with local code, XGBoost 1.7-1 training with the article's hyperparameters on libsvm
train/validation channels, evaluation with a PropertyFile, a condition on the evaluated MSE, then model
registration or a Fail step. Building it makes no AWS call (the SDK's session is patched while the steps
are built: see :mod:`jupyter_sagemaker_ack.adapters.sdk_capture.offline`). The SDK is imported only when
a builder runs, so importing this module is cheap and works without the SDK installed.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from jupyter_sagemaker_ack.core.errors import UserError

if TYPE_CHECKING:
    from jupyter_sagemaker_ack.adapters.sdk_capture import CapturedDefinition

Sdk = Literal["v2", "v3"]

CODE_DIR = Path(__file__).resolve().parent / "abalone_code"
PREPROCESS_SCRIPT = CODE_DIR / "preprocess.py"
EVALUATE_SCRIPT = CODE_DIR / "evaluate.py"

DEFAULT_ROLE_ARN = "arn:aws:iam::111122223333:role/SageMakerPipelineExecutionRole"
DEFAULT_BUCKET = "sagemaker-ack-abalone-example"
DEFAULT_REGION = "us-east-1"
DEFAULT_NAME = "AbalonePipeline"

XGBOOST_VERSION = "1.7-1"
SKLEARN_VERSION = "1.2-1"
# The article's training job, exactly.
HYPERPARAMETERS: dict[str, Any] = {
    "max_depth": 5,
    "gamma": 4,
    "eta": 0.2,
    "min_child_weight": 6,
    "objective": "multi:softmax",
    "num_class": 10,
    "num_round": 10,
}
TRAINING_INSTANCE_TYPE = "ml.m4.xlarge"
TRAINING_VOLUME_GB = 5
TRAINING_MAX_RUNTIME_S = 86400
PROCESSING_INSTANCE_TYPE = "ml.m5.xlarge"
LIBSVM = "text/libsvm"
MODEL_PACKAGE_GROUP = "AbaloneModelPackageGroup"
MSE_JSON_PATH = "regression_metrics.mse.value"
# Where a registered model may run, the same for SDK v2 and v3 (``model.register(**REGISTER_TARGETS, ...)``).
REGISTER_TARGETS: dict[str, list[str]] = {
    "content_types": ["text/csv"],
    "response_types": ["text/csv"],
    "inference_instances": ["ml.t2.medium", "ml.m5.large"],
    "transform_instances": ["ml.m5.large"],
}
FAIL_MESSAGE = "Execution failed: the evaluated MSE is above"

# Step and parameter names, shared by both builders so their definitions can be compared.
PROCESS_STEP = "AbaloneProcess"
TRAIN_STEP = "AbaloneTrain"
EVAL_STEP = "AbaloneEval"
CONDITION_STEP = "AbaloneMSECond"
REGISTER_STEP = "AbaloneRegisterModel"
FAIL_STEP = "AbaloneMSEFail"
PARAMETER_DEFAULTS: dict[str, Any] = {
    "ProcessingInstanceCount": 1,
    "InputData": "s3://sagemaker-sample-files/datasets/tabular/uci_abalone/abalone.csv",
    "MseThreshold": 6.0,
    "ModelApprovalStatus": "PendingManualApproval",
}


def installed_sdk() -> Sdk | None:
    """The major version of the installed SageMaker SDK (from package metadata; nothing is imported)."""
    try:
        version = importlib.metadata.version("sagemaker")
    except importlib.metadata.PackageNotFoundError:
        return None
    return "v3" if version.split(".", 1)[0] == "3" else "v2"


def build_abalone_pipeline(
    *,
    sdk: Sdk | None = None,
    role_arn: str = DEFAULT_ROLE_ARN,
    bucket: str = DEFAULT_BUCKET,
    region: str = DEFAULT_REGION,
    name: str = DEFAULT_NAME,
) -> Any:
    """The article's Abalone pipeline as an SDK ``Pipeline`` object (v2 or v3; default: the installed one)."""
    chosen = _resolve_sdk(sdk)
    with _offline_build(chosen, bucket=bucket, region=region):
        if chosen == "v2":
            from .abalone_v2 import build

            return build(role_arn=role_arn, bucket=bucket, region=region, name=name)
        from .abalone_v3 import build

        return build(role_arn=role_arn, bucket=bucket, region=region, name=name)


@functools.lru_cache(maxsize=8)
def captured_abalone_definition(
    *,
    sdk: Sdk | None = None,
    role_arn: str = DEFAULT_ROLE_ARN,
    bucket: str = DEFAULT_BUCKET,
    region: str = DEFAULT_REGION,
    name: str = DEFAULT_NAME,
) -> CapturedDefinition:
    """Build the Abalone pipeline and capture its definition, all offline (raises UserError without the SDK).

    The result is immutable and cached per arguments, so tests can call this freely. Tests that use it
    should skip when the SDK is missing: ``if installed_sdk() is None: pytest.skip(...)``.
    """
    from jupyter_sagemaker_ack.adapters.sdk_capture import capture

    pipeline = build_abalone_pipeline(sdk=sdk, role_arn=role_arn, bucket=bucket, region=region, name=name)
    with _sdk_environment(region):
        return capture(pipeline, bucket=bucket)


def _resolve_sdk(sdk: Sdk | None) -> Sdk:
    installed = installed_sdk()
    if installed is None:
        raise UserError(
            "The Abalone example needs the SageMaker Python SDK, which is not installed.",
            "Install it: pip install 'jupyter-sagemaker-ack[sdk]' (or 'sagemaker<3' for SDK v2).",
        )
    if sdk is None:
        return installed
    if sdk not in ("v2", "v3"):
        raise UserError(f"Unknown SageMaker SDK version {sdk!r}.", "Use sdk='v2' or sdk='v3'.")
    if sdk != installed:
        raise UserError(
            f"The Abalone example was asked for SDK {sdk}, but SDK {installed} is installed.",
            f"Install SDK {sdk} in this environment, or call it with sdk={installed!r}.",
        )
    return sdk


@contextmanager
def _sdk_environment(region: str) -> Iterator[None]:
    """Environment the SDK needs to build offline; restored afterwards.

    SDK v3 does not even import without a region, and its ModelTrainer asks IAM to check the role unless
    SAGEMAKER_VALIDATE_ROLE is false. A value the user has set already is kept.
    """
    wanted = {"AWS_DEFAULT_REGION": region, "SAGEMAKER_VALIDATE_ROLE": "false"}
    added = [key for key in wanted if key not in os.environ]
    for key in added:
        os.environ[key] = wanted[key]
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


@contextmanager
def _offline_build(sdk: Sdk, *, bucket: str, region: str) -> Iterator[None]:
    from jupyter_sagemaker_ack.adapters.sdk_capture import offline_sdk
    from jupyter_sagemaker_ack.adapters.sdk_capture.sdk_objects import blocked_error, blocked_in

    with _sdk_environment(region):
        with offline_sdk((sdk,), bucket=bucket) as recorder:
            try:
                yield
            except Exception as exc:
                blocked = blocked_in(exc)
                if blocked is None:
                    raise
                raise blocked_error(blocked) from exc
        if recorder.blocked:
            raise blocked_error(recorder.blocked[0])
