"""``sagemaker-ack diff A B``: resolve each side (ACK YAML, definition JSON, S3 version) and compare them.

A side is a path to an ACK YAML file or folder (its Pipeline's inline definition), a definition JSON file,
or ``s3://BUCKET/KEY?versionId=V`` (a published version). The comparison itself is core.diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..adapters.local_files import read_text
from ..config import Settings
from ..core import ack
from ..core.definition import Definition, parse_definition
from ..core.diff import DefinitionDiff, diff_definitions
from ..core.errors import UserError
from ..core.manifests import definition_from_manifest, load_manifests

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class DiffResult:
    a: str
    b: str
    diff: DefinitionDiff

    @property
    def identical(self) -> bool:
        return self.diff.identical

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, **self.diff.to_dict()}


def resolve_definition(source: str | Path | Definition, settings: Settings | None = None) -> Definition:
    """The definition ``source`` names (see the module docstring)."""
    if isinstance(source, Definition):
        return source
    text = str(source)
    if text.startswith("s3://"):
        from .s3_source import load_definition_from_s3  # only S3 sides need boto3

        definition, _ = load_definition_from_s3(text, settings or _default_settings())
        return definition
    path = Path(text)
    if path.is_dir():
        return _from_yaml_files(sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES), text)
    if not path.is_file():
        raise UserError(f"'{text}' is neither a file, a folder nor an s3:// URI.", "Check the path.")
    if path.suffix in YAML_SUFFIXES:
        return _from_yaml_files([path], text)
    try:
        return parse_definition(path.read_bytes())
    except UserError as exc:
        raise UserError(f"{text}: {exc.problem}", exc.fix) from None


def _from_yaml_files(paths: list[Path], label: str) -> Definition:
    pipelines = []
    for path in paths:
        try:
            docs = load_manifests(read_text(path))
        except UserError as exc:
            raise UserError(f"{path}: {exc.problem}", exc.fix) from None
        pipelines += [d for d in docs if d.get("kind") == ack.PIPELINE_KIND]
    if len(pipelines) != 1:
        raise UserError(
            f"{label} holds {len(pipelines)} ACK Pipeline documents; diff compares exactly one per side.",
            "Point at the pipeline.yaml of one pipeline.",
        )
    return definition_from_manifest(pipelines[0])


def _default_settings() -> Settings:
    from ..config import resolve_settings

    return resolve_settings()


def diff(
    a: str | Path | Definition, b: str | Path | Definition, settings: Settings | None = None
) -> DiffResult:
    """Compare two definitions; ``result.identical`` is False when they differ in any way that matters."""
    return DiffResult(
        a=str(a) if not isinstance(a, Definition) else "A",
        b=str(b) if not isinstance(b, Definition) else "B",
        diff=diff_definitions(resolve_definition(a, settings), resolve_definition(b, settings)),
    )
