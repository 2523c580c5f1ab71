"""A pipeline definition checked the way SageMaker checks it on CreatePipeline/UpdatePipeline.

The step graph comes from the emulator's own walker (``graph.py``), never from the project's core, so the
client and its stand-in cannot share a blind spot. This module adds SageMaker's acceptance rules (unique
step names, known step types, references that resolve, no cycle) and turns every violation into the
``ValidationException`` a client would get.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .caching import CacheSetting, read_cache_config
from .errors import validation_error
from .graph import DefinitionShapeError, ParameterSpec, PipelineGraph, read_graph, referenced_parameters
from .retries import RetryPolicy, read_policies

STEP_TYPES = frozenset(
    {
        "Training", "Processing", "Transform", "Tuning", "Model", "RegisterModel", "CreateModel", "Condition",
        "Callback", "Lambda", "QualityCheck", "ClarifyCheck", "EMR", "Fail", "AutoML", "Endpoint",
        "EndpointConfig", "Notebook", "BedrockCustomModel", "BedrockCustomModelDeployment",
        "BedrockProvisionedModelThroughput", "BedrockModelImport", "InferenceComponent", "Lineage",
    }
)  # fmt: skip
PARAMETER_TYPES = frozenset({"String", "Integer", "Float", "Boolean"})
CONDITION_TYPES = frozenset(
    {"Equals", "NotEquals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"}
    | {"In", "NotIn", "Not", "Or", "And"}
)
_STEP_NAME = re.compile(r"^[A-Za-z0-9\-_]{1,64}$")


@dataclass(frozen=True)
class Plan:
    """A definition SageMaker accepted, with the graph an execution walks."""

    graph: PipelineGraph
    text: str
    retry_policies: dict[str, list[RetryPolicy]]
    caching: dict[str, CacheSetting]

    @property
    def parameters(self) -> dict[str, ParameterSpec]:
        return {p.name: p for p in self.graph.parameters}


def load_plan(text: str) -> Plan:
    """Parse and check a definition; raise ValidationException like SageMaker on anything it rejects."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise validation_error(
            f"Unable to parse pipeline definition. {exc.msg} at line {exc.lineno}."
        ) from None
    if not isinstance(raw, Mapping):
        raise validation_error("Unable to parse pipeline definition. The definition must be a JSON object.")
    try:
        graph = read_graph(raw)
    except DefinitionShapeError as exc:
        raise validation_error(f"Invalid pipeline definition: {exc}") from None
    problems = list(_problems(raw, graph))
    retry_policies: dict[str, list[RetryPolicy]] = {}
    caching: dict[str, CacheSetting] = {}
    for node in graph.steps:
        policies, policy_problems = read_policies(node.name, node.raw.get("RetryPolicies"))
        setting, cache_problems = read_cache_config(node.name, node.raw.get("CacheConfig"))
        problems += policy_problems + cache_problems
        if policies:
            retry_policies[node.name] = policies
        if setting is not None and setting.enabled:
            caching[node.name] = setting
    for name, reference in graph.missing:
        problems.append(f"Step '{name}' references step '{reference}' which does not exist.")
    if not problems:
        cycle = graph.cycle()
        if cycle:
            problems.append("Pipeline definition has a cycle: " + " -> ".join(cycle))
    if problems:
        raise validation_error("Invalid pipeline definition: " + " ".join(problems))
    return Plan(graph=graph, text=text, retry_policies=retry_policies, caching=caching)


def _problems(raw: Mapping[str, Any], graph: PipelineGraph) -> list[str]:
    problems: list[str] = []
    seen_params: set[str] = set()
    for item in raw.get("Parameters") or []:
        if not isinstance(item, Mapping) or not isinstance(item.get("Name"), str):
            problems.append("Every parameter needs a Name.")
            continue
        name = item["Name"]
        if name in seen_params:
            problems.append(f"Parameter name '{name}' is used more than once.")
        seen_params.add(name)
        if item.get("Type", "String") not in PARAMETER_TYPES:
            problems.append(f"Parameter '{name}' has unknown Type {item.get('Type')!r}.")
    seen_steps: set[str] = set()
    for step in graph.steps:
        if not _STEP_NAME.match(step.name):
            problems.append(f"Step name '{step.name}' must match [A-Za-z0-9-_]{{1,64}}.")
        if step.name in seen_steps:
            problems.append(f"Step name '{step.name}' is used more than once.")
        seen_steps.add(step.name)
        if step.type not in STEP_TYPES:
            problems.append(f"Step '{step.name}' has unknown Type '{step.type}'.")
        if step.type == "Condition":
            for kind in sorted(_condition_types(step.arguments.get("Conditions")) - CONDITION_TYPES):
                problems.append(f"Step '{step.name}' has a condition of unknown Type {kind!r}.")
    for reference in sorted(referenced_parameters(raw.get("Steps"))):
        if reference not in seen_params:
            problems.append(f"Parameter '{reference}' is referenced but not defined.")
    return problems


def _condition_types(conditions: Any) -> set[str]:
    found: set[str] = set()
    stack = list(conditions) if isinstance(conditions, list) else []
    while stack:
        item = stack.pop()
        if not isinstance(item, Mapping):
            continue
        found.add(str(item.get("Type")))
        stack.extend(item.get("Conditions") or [])
        if isinstance(item.get("Expression"), Mapping):
            stack.append(item["Expression"])
    return found
