"""The emulator reads step graphs with its own walker, and it and the core agree on every edge.

The two readers are written separately, so a dependency one misses shows up as a disagreement here instead
of passing everywhere. The differential cases are generated with their true edges known in advance, so
both readers must find exactly those, in every place SageMaker lets a reference live.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

import pytest

from jupyter_sagemaker_ack.core.dag import build_dag, parameter_references
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples import abalone, synthetic
from jupyter_sagemaker_ack.sandbox.sagemaker.graph import read_graph, referenced_parameters

from .helpers import ROLE, steps_by_name, wait_for

Edge = tuple[str, str, str]


def core_view(raw: dict[str, Any]) -> tuple[set[Edge], list[str], set[str], list[tuple[str, Any, Any]]]:
    definition = parse_definition(raw)
    dag = build_dag(definition)
    edges = {(e.source, e.target, e.kind) for e in dag.edges}
    nodes = [(s.name, s.parent, s.branch) for s in definition.steps]
    return edges, dag.topological_order(), parameter_references(raw["Steps"]), nodes


def emulator_view(raw: dict[str, Any]) -> tuple[set[Edge], list[str], set[str], list[tuple[str, Any, Any]]]:
    graph = read_graph(raw)
    edges = {(link.source, link.target, link.kind) for link in graph.links}
    nodes = [(s.name, s.parent, s.branch and s.branch.removeprefix("condition_")) for s in graph.steps]
    return edges, graph.order(), referenced_parameters(raw["Steps"]), nodes


def sdk_abalone() -> dict[str, Any]:
    if abalone.installed_sdk() is None:
        pytest.skip("needs the SageMaker SDK (pip install 'sagemaker<3')")
    data: dict[str, Any] = json.loads(abalone.captured_abalone_definition().text)
    return data


EXAMPLES = {
    "synthetic-abalone": synthetic.abalone_definition,
    "synthetic-chain-40": lambda: synthetic.chain_definition(40),
    "sdk-abalone": sdk_abalone,
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_emulator_and_core_read_the_examples_alike(example: str) -> None:
    raw = EXAMPLES[example]()
    core, emulator = core_view(raw), emulator_view(raw)
    assert emulator[0] == core[0], "edges differ"
    assert emulator[1] == core[1], "run order differs"
    assert emulator[2] == core[2], "parameter references differ"
    assert emulator[3] == core[3], "steps or their branches differ"
    assert core[0], "an example with no edges would prove nothing"


def _reference(source: str, rng: random.Random) -> Any:
    """A value reading ``source``'s properties, in one of the forms SageMaker accepts."""
    get = {"Get": f"Steps.{source}.ProcessingOutputConfig.Outputs['out'].S3Output.S3Uri"}
    forms = [
        get,
        {"Std:Join": {"On": "/", "Values": ["s3://bucket", get, "x"]}},
        {"Std:JsonGet": {"PropertyFile": {"Get": f"Steps.{source}.PropertyFiles.Report"}, "Path": "a.b"}},
        {"Get": f"Steps.{source}.TrainingJobName"},
        [{"Deep": {"Deeper": [get]}}],
    ]
    return rng.choice(forms)


def generated(seed: int) -> tuple[dict[str, Any], set[Edge]]:
    """A random definition with Condition steps nested up to two deep, and the edges it really has."""
    rng = random.Random(seed)
    truth: set[Edge] = set()
    made: list[str] = []

    def new_step(prefix: str, parent: str | None, kind: str | None, depth: int) -> dict[str, Any]:
        name = f"{prefix}{len(made)}"
        earlier = list(made)
        made.append(name)
        if parent is not None and kind is not None:
            truth.add((parent, name, kind))
        condition = depth < 2 and rng.random() < 0.3
        arguments: dict[str, Any] = {"Inputs": []}
        step: dict[str, Any] = {"Name": name, "Type": "Condition" if condition else "Processing"}
        if earlier:
            for source in rng.sample(earlier, k=min(len(earlier), rng.randint(0, 2))):
                truth.add((source, name, "depends_on"))
                step.setdefault("DependsOn", []).append(source)
            for source in rng.sample(earlier, k=min(len(earlier), rng.randint(0, 2))):
                if source != parent or kind is None:
                    truth.add((source, name, "property"))
                    if condition:
                        arguments.setdefault("Conditions", []).append(
                            {"Type": "GreaterThan", "LeftValue": _reference(source, rng), "RightValue": 1}
                        )
                    else:
                        arguments["Inputs"].append({"Source": _reference(source, rng)})
        arguments["Inputs"].append({"Count": {"Get": f"Parameters.P{rng.randint(0, 2)}"}})
        if condition:
            arguments["IfSteps"] = [
                new_step("If", name, "condition_if", depth + 1) for _ in range(rng.randint(0, 2))
            ]
            arguments["ElseSteps"] = [
                new_step("Else", name, "condition_else", depth + 1) for _ in range(rng.randint(0, 2))
            ]
        step["Arguments"] = arguments
        return step

    steps = [new_step("S", None, None, 0) for _ in range(8)]
    parameters = [{"Name": f"P{i}", "Type": "Integer", "DefaultValue": i} for i in range(3)]
    return {"Version": "2020-12-01", "Metadata": {}, "Parameters": parameters, "Steps": steps}, truth


@pytest.mark.parametrize("seed", range(12))
def test_both_readers_find_every_generated_edge(seed: int) -> None:
    raw, truth = generated(seed)
    assert emulator_view(raw)[0] == truth
    assert core_view(raw)[0] == truth


def test_the_emulator_starts_each_step_after_every_edge_into_it(
    sagemaker_client: Any, sagemaker_emulator: Any
) -> None:
    sagemaker_emulator.configure(durations={"default": 0.05})
    raw, truth = generated(3)
    sagemaker_client.create_pipeline(
        PipelineName="generated", PipelineDefinition=json.dumps(raw), RoleArn=ROLE
    )
    arn = sagemaker_client.start_pipeline_execution(PipelineName="generated")["PipelineExecutionArn"]
    wait_for(sagemaker_client, arn, timeout=60)
    ran = steps_by_name(sagemaker_client, arn)

    def at(value: Any) -> float:
        return value.timestamp() if isinstance(value, datetime) else float(value)

    checked = 0
    for source, target, _ in truth:
        if source in ran and target in ran:
            assert at(ran[target]["StartTime"]) >= at(ran[source]["EndTime"]), (source, target)
            checked += 1
    assert checked
