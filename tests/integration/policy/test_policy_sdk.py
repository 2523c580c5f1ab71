"""Policies on the article's Abalone pipeline built with the real SageMaker SDK (v2 here; v3 in sdk_v3/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jupyter_sagemaker_ack.examples.abalone import (
    build_abalone_pipeline,
    captured_abalone_definition,
    installed_sdk,
)
from jupyter_sagemaker_ack.faces.cli import cli
from jupyter_sagemaker_ack.services.lint import lint_pipeline
from jupyter_sagemaker_ack.services.policy import load_policies

pytestmark = [
    pytest.mark.filterwarnings("ignore"),
    pytest.mark.skipif(installed_sdk() != "v2", reason="needs the SageMaker SDK v2"),
]

HEADER = "apiVersion: sagemaker-ack.io/v1alpha1\nkind: PipelinePolicy\nrules:\n"


def _policy(tmp_path: Path, rules: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rules)
    return path


def test_sdk_pipeline_object_is_judged_step_by_step(tmp_path: Path) -> None:
    policies = load_policies([_policy(tmp_path, "  instanceTypes: ['ml.m5.*']\n  requireOutputKms: true\n")])
    found = lint_pipeline(build_abalone_pipeline(), policies=policies)
    by_code = {(f.code, f.step) for f in found if f.code.startswith("SMA9")}
    assert ("SMA902", "AbaloneTrain") in by_code  # the article trains on ml.m4.xlarge
    assert {("SMA907", "AbaloneProcess"), ("SMA907", "AbaloneTrain"), ("SMA907", "AbaloneEval")} <= by_code
    assert ("SMA902", "AbaloneProcess") not in by_code  # ml.m5.xlarge is allowed
    assert lint_pipeline(build_abalone_pipeline()) == [f for f in found if not f.code.startswith("SMA9")]


def test_an_sdk_parameter_default_and_param_value_are_judged_through_the_cli(tmp_path: Path) -> None:
    definition = tmp_path / "abalone.json"
    definition.write_text(captured_abalone_definition().text)
    policy = _policy(tmp_path, "  maxInstanceCount: 2\n")
    ok = CliRunner().invoke(cli, ["lint", str(definition), "--policy", str(policy), "--format", "json"])
    assert ok.exit_code == 0, ok.output  # ProcessingInstanceCount defaults to 1
    over = CliRunner().invoke(
        cli, ["lint", str(definition), "--policy", str(policy), "--param", "ProcessingInstanceCount=8"]
    )
    assert over.exit_code == 1, over.output
    assert "SMA903" in over.output
    assert "ProcessingInstanceCount" in over.output
    assert "'8'" in over.output


def test_sarif_carries_policy_rules(tmp_path: Path) -> None:
    definition = tmp_path / "abalone.json"
    definition.write_text(captured_abalone_definition().text)
    policy = _policy(tmp_path, "  imageRegistries: ['763104351884.dkr.ecr.*.amazonaws.com']\n")
    result = CliRunner().invoke(cli, ["lint", str(definition), "--policy", str(policy), "--format", "sarif"])
    assert result.exit_code == 1
    sarif = json.loads(result.output)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"SMA906"}
    assert all(r["locations"] for r in results)
