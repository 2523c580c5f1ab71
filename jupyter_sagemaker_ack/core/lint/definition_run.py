"""All definition rules over one parsed definition, placed by a locator.

Shared by the JSON-file path and by ``spec.pipelineDefinition`` inside a manifest (where the locator maps
into the YAML file), so both report exactly the same findings. The order is the order a reader would fix
them in: size, shape and version, parameters, steps, names and graph, then every string.
"""

from __future__ import annotations

import json

from ..definition import Definition
from .findings import Finding
from .positions import Locator
from .rules.definition import check_step_items, check_version
from .rules.graph import check_graph, check_step_names
from .rules.parameters import check_parameters, parameter_use_rule
from .rules.secrets import check_parameter_defaults
from .rules.sizes import check_definition_size
from .rules.steps import check_steps
from .scan import scan_strings
from .sink import Sink
from .step_index import StepIndex


def check_definition(
    definition: Definition,
    *,
    locator: Locator | None = None,
    file: str | None = None,
    text_length: int | None = None,
) -> list[Finding]:
    sink = Sink(file=file)
    index = StepIndex(definition.raw)
    if text_length is None:
        text_length = len(
            definition.source_text or json.dumps(definition.raw, separators=(",", ":"), default=str)
        )
    check_definition_size(sink, text_length)
    check_version(sink, definition.raw)
    check_step_items(sink, definition.raw.get("Steps"))
    check_parameters(sink, definition)
    check_parameter_defaults(sink, definition)
    check_steps(sink, definition, index)
    check_step_names(sink, definition, index)
    check_graph(sink, definition, index)
    scan_strings(sink, definition.raw, owner=index.owner, extra=(parameter_use_rule(definition, index),))
    return sink.resolve(locator)
