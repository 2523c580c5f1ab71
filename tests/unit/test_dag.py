"""The step graph: explicit, property and branch edges; order; cycles; dangling references."""

from __future__ import annotations

import pytest

from jupyter_sagemaker_ack.core.dag import build_dag
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition, chain_definition


def test_abalone_edges_of_every_kind():
    dag = build_dag(parse_definition(abalone_definition()))
    edges = {(e.source, e.target, e.kind) for e in dag.edges}
    assert ("PreprocessAbaloneData", "TrainAbaloneModel", "property") in edges
    assert ("TrainAbaloneModel", "EvaluateAbaloneModel", "property") in edges
    assert ("EvaluateAbaloneModel", "CheckMSEAbaloneEvaluation", "property") in edges
    assert ("CheckMSEAbaloneEvaluation", "RegisterAbaloneModel-RegisterModel", "condition_if") in edges
    assert ("CheckMSEAbaloneEvaluation", "AbaloneMSEFail", "condition_else") in edges
    assert ("TrainAbaloneModel", "RegisterAbaloneModel-RegisterModel", "property") in edges
    order = dag.topological_order()
    assert (
        order.index("TrainAbaloneModel") < order.index("EvaluateAbaloneModel") < order.index("AbaloneMSEFail")
    )
    assert dag.find_cycle() is None


def _defn(steps):
    return parse_definition({"Version": "2020-12-01", "Steps": steps})


def test_depends_on_edges_and_order_follow_definition_order_on_ties():
    dag = build_dag(
        _defn(
            [
                {"Name": "C", "Type": "Fail", "DependsOn": ["A"]},
                {"Name": "B", "Type": "Fail"},
                {"Name": "A", "Type": "Fail"},
            ]
        )
    )
    assert dag.topological_order() == ["B", "A", "C"]
    assert dag.predecessors("C") == ("A",)
    assert dag.successors("A") == ("C",)


def test_cycle_is_found_and_named():
    dag = build_dag(
        _defn(
            [
                {"Name": "A", "Type": "Fail", "DependsOn": ["C"]},
                {"Name": "B", "Type": "Fail", "DependsOn": ["A"]},
                {"Name": "C", "Type": "Fail", "Arguments": {"X": {"Get": "Steps.B.Properties.Foo"}}},
            ]
        )
    )
    cycle = dag.find_cycle()
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"A", "B", "C"}
    with pytest.raises(ValueError, match="cycle"):
        dag.topological_order()


def test_dangling_references_are_reported_not_added():
    dag = build_dag(
        _defn(
            [
                {
                    "Name": "A",
                    "Type": "Fail",
                    "DependsOn": ["Ghost"],
                    "Arguments": {"X": {"Get": "Steps.Nope.P"}},
                }
            ]
        )
    )
    assert dag.edges == ()
    assert {(d.step, d.reference, d.kind) for d in dag.dangling} == {
        ("A", "Ghost", "depends_on"),
        ("A", "Nope", "property"),
    }


def test_large_generated_graph_orders_every_step():
    defn = parse_definition(chain_definition(500))
    order = build_dag(defn).topological_order()
    assert len(order) == 500
    assert order.index("Step-00010") < order.index("Step-00011")


def test_wire_shape_lists_nodes_and_edges():
    defn = parse_definition(abalone_definition())
    wire = build_dag(defn).to_wire(defn, "AbalonePipeline")
    assert wire["pipelineName"] == "AbalonePipeline"
    assert {n["name"] for n in wire["nodes"]} == set(defn.step_names)
    assert {"source", "target", "kind"} == set(wire["edges"][0])
