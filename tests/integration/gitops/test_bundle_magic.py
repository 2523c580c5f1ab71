"""``%sagemaker_ack bundle pipeline -o DIR --environments ENVS.yaml`` in a real IPython shell."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition
from jupyter_sagemaker_ack.faces.magics.results import Problem
from tests.adversarial.conftest import files_under

ENVS = """\
environments:
  prod:
    namespace: ml-prod
    region: eu-west-1
    roleARN: arn:aws:iam::999999999999:role/Prod
    deletionPolicy: retain
    substitutions:
      "arn:aws:iam::123456789012:role/SageMakerExecutionRole": "arn:aws:iam::999999999999:role/Prod"
      "sagemaker-ack-demo": "prod-bucket"
"""


@pytest.fixture
def shell(monkeypatch, tmp_path) -> Iterator[Any]:
    from IPython.testing.globalipapp import get_ipython, start_ipython

    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "jupyter_sagemaker_ack")
    ip.user_ns["pipeline"] = abalone_definition()
    try:
        yield ip
    finally:
        ip.run_line_magic("unload_ext", "jupyter_sagemaker_ack")
        ip.user_ns.pop("pipeline", None)


def test_the_magic_writes_a_bundle_kustomize_builds(shell, tmp_path):
    (tmp_path / "envs.yaml").write_text(ENVS)
    out = tmp_path / "gitops"
    result = shell.run_line_magic(
        "sagemaker_ack", f"bundle pipeline -o {out} --environments {tmp_path / 'envs.yaml'} --name abalone"
    )
    assert not isinstance(result, Problem), result
    assert "overlays/prod" in repr(result)
    assert result.written == out
    built = subprocess.run(
        ["kubectl", "kustomize", str(out / "overlays" / "prod")], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    (pipeline,) = [d for d in yaml.safe_load_all(built.stdout) if d]
    assert pipeline["metadata"]["namespace"] == "ml-prod"
    assert "prod-bucket" in pipeline["spec"]["pipelineDefinition"]


def test_the_magic_refuses_a_leftover_account_and_writes_nothing(shell, tmp_path):
    (tmp_path / "envs.yaml").write_text(ENVS.replace('      "sagemaker-ack-demo": "prod-bucket"\n', ""))
    out = tmp_path / "gitops"
    result = shell.run_line_magic(
        "sagemaker_ack", f"bundle pipeline -o {out} --environments {tmp_path / 'envs.yaml'} --name abalone"
    )
    assert isinstance(result, Problem)
    assert "sagemaker-ack-demo" in result.problem
    assert files_under(tmp_path) == ["envs.yaml"]
