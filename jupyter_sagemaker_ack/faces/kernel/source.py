"""The pipeline a notebook variable holds, captured once, for the magics and the panel alike.

A SageMaker SDK ``Pipeline`` (v2 or v3), a captured definition, a core ``Definition``, a dict, JSON text or
a file path all become a :class:`PipelineSource`: the definition model for the picture and lint, the
pipeline name, and the publish input (the SDK's exact text and its code files) for publish and render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...core.definition import Definition, parse_definition
from ...core.errors import UserError
from ...core.names import k8s_name


@dataclass(frozen=True)
class PipelineSource:
    definition: Definition
    pipeline_name: str | None
    publish_input: Any

    @property
    def yaml_filename(self) -> str:
        return f"{k8s_name(self.pipeline_name or 'pipeline')}.yaml"

    def require_name(self) -> str:
        if not self.pipeline_name:
            raise UserError(
                "The pipeline has no name.",
                "Give the panel or magic a name: SageMakerAckPanel(pipeline, name='MyPipeline') or --name.",
            )
        return self.pipeline_name


def resolve_source(obj: Any, *, name: str | None = None, label: str | None = None) -> PipelineSource:
    """Capture ``obj`` (see the module docstring); ``label`` names it in the error for a non-pipeline."""
    if isinstance(obj, PipelineSource):
        return obj if name is None else PipelineSource(obj.definition, name, obj.publish_input)
    from ...services.publish import publish_input

    if isinstance(obj, Definition):
        return PipelineSource(obj, name, publish_input(obj))
    if obj is None or isinstance(obj, (int, float, bool, list, tuple, set)):
        raise _not_a_pipeline(obj, label)
    try:
        given = publish_input(obj)
    except UserError as exc:
        if label is not None and exc.problem.startswith("Cannot publish a"):
            raise _not_a_pipeline(obj, label) from None
        raise
    definition = parse_definition(given.text)
    return PipelineSource(definition, name or given.pipeline_name, given)


def _not_a_pipeline(obj: Any, label: str | None) -> UserError:
    what = f"'{label}'" if label else "The value"
    return UserError(
        f"{what} is not a pipeline (it holds a {type(obj).__name__}).",
        "Pass a SageMaker SDK Pipeline, a captured definition, a definition dict or its JSON text.",
    )
