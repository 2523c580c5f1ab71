"""What a capture returns: the definition text exactly as produced, and what the publisher needs beside it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jupyter_sagemaker_ack.core.definition import Definition

Source = Literal["sdk-v2", "sdk-v3", "object", "dict", "json", "file"]


@dataclass(frozen=True)
class CapturedDefinition:
    """A pipeline definition captured without touching AWS.

    ``text`` is exactly what ``pipeline.definition()`` returned (or what the file or string held), so its
    digest is the digest of what the SDK would have sent. ``artifacts`` maps each S3 URI the SDK would
    have uploaded a local file to (code, scripts) to that local file; ``inline_artifacts`` maps the S3
    URIs the SDK would have written from an in-memory string to that string. The publisher uploads both,
    encrypted and versioned, before anyone runs the pipeline.
    """

    text: str
    source: Source
    pipeline_name: str | None = None
    artifacts: Mapping[str, str] = field(default_factory=dict)
    inline_artifacts: Mapping[str, str] = field(default_factory=dict)
    sdk_version: str | None = None
    role_arn: str | None = None
    description: str | None = None
    display_name: str | None = None
    max_parallel_execution_steps: int | None = None
    placeholder_bucket: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "artifacts", MappingProxyType(dict(self.artifacts)))
        object.__setattr__(self, "inline_artifacts", MappingProxyType(dict(self.inline_artifacts)))

    @property
    def data(self) -> Any:
        """The definition as parsed JSON (a new object on every call)."""
        return json.loads(self.text)

    def definition(self) -> Definition:
        """The core model of this definition (parameters, steps, raw dict, source text)."""
        from jupyter_sagemaker_ack.core.definition import parse_definition

        return parse_definition(self.text)
