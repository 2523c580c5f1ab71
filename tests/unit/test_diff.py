"""Semantic diff of definitions: steps, fields, parameters, edges; formatting and key order never count."""

from __future__ import annotations

import copy
import json
from typing import Any

from jupyter_sagemaker_ack.core.dag import Edge
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.diff import changed_paths, diff_definitions
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition, chain_definition


def _reordered(value: Any) -> Any:
    """The same document with every object's keys in reverse order."""
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


def test_key_order_and_formatting_are_not_differences() -> None:
    raw = abalone_definition()
    a = parse_definition(json.dumps(raw))
    b = parse_definition(json.dumps(_reordered(raw), indent=4))
    result = diff_definitions(a, b)
    assert result.identical
    assert result.lines() == []
    assert result.to_dict()["identical"] is True


def test_changed_field_is_reported_with_its_path() -> None:
    raw = abalone_definition()
    changed = copy.deepcopy(raw)
    changed["Steps"][1]["Arguments"]["ResourceConfig"]["InstanceType"] = "ml.p3.2xlarge"
    result = diff_definitions(parse_definition(raw), parse_definition(changed))
    assert [(c.name, c.fields) for c in result.steps_changed] == [
        ("TrainAbaloneModel", ("Arguments.ResourceConfig.InstanceType",))
    ]
    assert result.steps_that_differ == ("TrainAbaloneModel",)
    assert result.edges_added == result.edges_removed == ()
    assert "~ step TrainAbaloneModel: Arguments.ResourceConfig.InstanceType" in result.lines()


def test_steps_added_and_removed_with_their_edges() -> None:
    before = parse_definition(chain_definition(3, fan_out=1))
    after_raw = chain_definition(3, fan_out=1)
    removed = after_raw["Steps"].pop()
    first = after_raw["Steps"][0]["Name"]
    after_raw["Steps"].append({"Name": "Extra", "Type": "Fail", "Arguments": {}, "DependsOn": [first]})
    after = parse_definition(after_raw)
    result = diff_definitions(before, after)
    assert result.steps_added == ("Extra",)
    assert result.steps_removed == (removed["Name"],)
    assert Edge(first, "Extra", "depends_on") in result.edges_added
    assert all(e.target == removed["Name"] or e.source == removed["Name"] for e in result.edges_removed)
    assert result.edges_removed
    assert "+ step Extra" in result.lines()
    assert f"- step {removed['Name']}" in result.lines()


def test_parameter_changes() -> None:
    raw = abalone_definition()
    changed = copy.deepcopy(raw)
    changed["Parameters"][2]["DefaultValue"] = 9.5  # MseThreshold
    changed["Parameters"].append({"Name": "Region", "Type": "String", "DefaultValue": "eu-west-1"})
    del changed["Parameters"][0]
    result = diff_definitions(parse_definition(raw), parse_definition(changed))
    assert result.parameters_added == ("Region",)
    assert result.parameters_removed == ("ProcessingInstanceCount",)
    [change] = result.parameters_changed
    assert change.name == "MseThreshold"
    assert change.fields == ("default",)
    assert change.after["default"] == 9.5
    assert any(line.startswith("~ parameter MseThreshold: default ") for line in result.lines())


def test_dependency_change_shows_as_field_and_edge() -> None:
    steps = [
        {"Name": "A", "Type": "Fail", "Arguments": {}},
        {"Name": "B", "Type": "Fail", "Arguments": {}},
        {"Name": "C", "Type": "Fail", "Arguments": {}, "DependsOn": ["A"]},
    ]
    before = parse_definition({"Version": "2020-12-01", "Steps": steps})
    moved = copy.deepcopy(steps)
    moved[2]["DependsOn"] = ["B"]
    result = diff_definitions(before, parse_definition({"Version": "2020-12-01", "Steps": moved}))
    assert [(c.name, c.fields) for c in result.steps_changed] == [("C", ("DependsOn[0]",))]
    assert result.edges_added == (Edge("B", "C", "depends_on"),)
    assert result.edges_removed == (Edge("A", "C", "depends_on"),)


def test_condition_branch_steps_are_compared_as_their_own_steps() -> None:
    raw = abalone_definition()
    changed = copy.deepcopy(raw)
    condition = changed["Steps"][3]
    condition["Arguments"]["ElseSteps"][0]["Arguments"]["ErrorMessage"] = "changed message"
    result = diff_definitions(parse_definition(raw), parse_definition(changed))
    # only the nested Fail step changed, not the ConditionStep that holds it
    assert [c.name for c in result.steps_changed] == [condition["Arguments"]["ElseSteps"][0]["Name"]]


def test_other_top_level_changes_are_reported() -> None:
    raw = abalone_definition()
    changed = copy.deepcopy(raw)
    changed["PipelineExperimentConfig"] = {"ExperimentName": "x"}
    result = diff_definitions(parse_definition(raw), parse_definition(changed))
    assert result.other_changed == ("PipelineExperimentConfig",)
    assert not result.identical


def test_changed_paths_treats_type_changes_and_lengths() -> None:
    assert list(changed_paths({"a": 1}, {"a": 1.0})) == ["a"]
    assert list(changed_paths({"a": [1, 2]}, {"a": [1, 2, 3]})) == ["a"]
    assert list(changed_paths({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]})) == ["a[1].b"]
    assert list(changed_paths({"a": 1}, {"b": 1})) == ["a", "b"]
    assert list(changed_paths(1, 2)) == ["(whole value)"]
