"""A policy judges the Abalone pipeline built with SDK v3 like the v2 one: same steps, same fields."""

from __future__ import annotations

import os

import pytest

with pytest.MonkeyPatch.context() as _region:
    if "AWS_DEFAULT_REGION" not in os.environ:
        _region.setenv("AWS_DEFAULT_REGION", "us-east-1")
    pytest.importorskip(
        "sagemaker.mlops.workflow.pipeline", reason="needs the SageMaker SDK v3 (pip install 'sagemaker>=3')"
    )

from jupyter_sagemaker_ack.core.policy import read_policy
from jupyter_sagemaker_ack.examples import abalone
from jupyter_sagemaker_ack.services.lint import lint_pipeline

pytestmark = [pytest.mark.sdk_v3, pytest.mark.filterwarnings("ignore")]

POLICY = """\
apiVersion: sagemaker-ack.io/v1alpha1
kind: PipelinePolicy
rules:
  instanceTypes: ["ml.m5.*"]
  roleArns: ["arn:aws:iam::123456789012:role/ml-*"]
"""


def test_v3_pipeline_is_judged_on_instance_types_and_roles() -> None:
    pipeline = abalone.build_abalone_pipeline(sdk="v3")
    found = [
        f
        for f in lint_pipeline(pipeline, policies=[read_policy(POLICY, "p.yaml")])
        if f.code.startswith("SMA9")
    ]
    assert ("SMA902", "AbaloneTrain") in {(f.code, f.step) for f in found}
    assert {f.step for f in found if f.code == "SMA901"} >= {"AbaloneProcess", "AbaloneTrain", "AbaloneEval"}
