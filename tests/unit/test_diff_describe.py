"""The semantic diff said in words for a reviewer: a changed parameter default is named, never "none"."""

from __future__ import annotations

import copy

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.diff import diff_definitions
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition


def _parameter(raw: dict, name: str) -> dict:
    return next(p for p in raw["Parameters"] if p["Name"] == name)


def test_a_changed_parameter_default_is_named_with_old_and_new_value() -> None:
    raw = abalone_definition()
    changed = copy.deepcopy(raw)
    _parameter(changed, "MseThreshold")["DefaultValue"] = 5.0
    result = diff_definitions(parse_definition(raw), parse_definition(changed))
    assert result.steps_that_differ == ()  # no step changed: the parameter is the whole difference
    assert result.describe() == ["parameter MseThreshold: default 6.0 -> 5.0"]
    assert result.to_dict()["summary"] == result.describe()


def test_every_kind_of_change_is_described_and_identical_says_nothing() -> None:
    raw = abalone_definition()
    assert diff_definitions(parse_definition(raw), parse_definition(raw)).describe() == []
    changed = copy.deepcopy(raw)
    changed["Parameters"].append({"Name": "Extra", "Type": "String", "DefaultValue": "x"})
    changed["Steps"][1]["Arguments"]["ResourceConfig"]["InstanceType"] = "ml.p3.2xlarge"
    removed = changed["Parameters"].pop(0)["Name"]
    described = diff_definitions(parse_definition(raw), parse_definition(changed)).describe()
    assert "parameter Extra added" in described
    assert f"parameter {removed} removed" in described
    assert "step TrainAbaloneModel changed: Arguments.ResourceConfig.InstanceType" in described
