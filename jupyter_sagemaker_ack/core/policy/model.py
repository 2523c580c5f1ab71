"""The ``PipelinePolicy`` file: what a DevOps team allows a pipeline to use, read and validated.

A policy file is YAML (or JSON) read through :mod:`core.bounded`, so an alias bomb or a deep nest costs
nothing, then checked against :data:`SCHEMA`. Every mistake (not YAML, another kind, an unknown rule, a
glob that is not a string) is one :class:`UserError` naming the file, the rule and what to write instead:
a policy that reads wrongly must never pass a pipeline by accident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..bounded import load_yaml_all
from ..errors import UserError

API_VERSION = "sagemaker-ack.io/v1alpha1"
KIND = "PipelinePolicy"

_GLOBS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_POSITIVE = {"type": "integer", "minimum": 1}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "rules"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": API_VERSION},
        "kind": {"const": KIND},
        "metadata": {"type": "object"},
        "rules": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "roleArns": _GLOBS,
                "instanceTypes": _GLOBS,
                "maxInstanceCount": _POSITIVE,
                "maxRuntimeSeconds": _POSITIVE,
                "regions": _GLOBS,
                "imageRegistries": _GLOBS,
                "requireOutputKms": {"type": "boolean"},
                "requireNetworkIsolation": {"type": "boolean"},
                "requireTags": _GLOBS,
            },
        },
    },
}
RULES: tuple[str, ...] = tuple(SCHEMA["properties"]["rules"]["properties"])


@dataclass(frozen=True)
class PipelinePolicy:
    """One policy's rules; ``None`` (or ``False``) for a rule it does not set. ``source`` names its file."""

    source: str = "policy"
    role_arns: tuple[str, ...] | None = None
    instance_types: tuple[str, ...] | None = None
    max_instance_count: int | None = None
    max_runtime_seconds: int | None = None
    regions: tuple[str, ...] | None = None
    image_registries: tuple[str, ...] | None = None
    require_output_kms: bool = False
    require_network_isolation: bool = False
    require_tags: tuple[str, ...] = ()


def read_policy(text: str, source: str = "policy") -> PipelinePolicy:
    """The policy in ``text`` (one YAML or JSON document); a :class:`UserError` for any mistake."""
    fix_format = (
        f"Write one YAML document with apiVersion: {API_VERSION}, kind: {KIND} and a rules: mapping; "
        "docs/policy.md lists every rule."
    )
    try:
        documents = load_yaml_all(text)
    except UserError as error:  # a reader limit: the bounded reader's own words, naming the file
        raise UserError(f"The policy {source} is refused: {error.problem}", error.fix) from None
    except (yaml.YAMLError, ValueError) as error:
        where = ""
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(error, "problem", None) or ""
        said = f": {_short(str(problem))}" if problem else ""
        raise UserError(f"The policy {source} is not YAML{where}{said}.", fix_format) from None
    if len(documents) != 1:
        raise UserError(f"The policy {source} holds {len(documents)} documents, not one.", fix_format)
    value = documents[0]
    if not isinstance(value, Mapping):
        raise UserError(f"The policy {source} is not a mapping.", fix_format)
    if value.get("kind") != KIND:
        raise UserError(
            f"The policy {source} is a {_shown(value.get('kind'))}, not a {KIND}.",
            f"Pass a file with kind: {KIND} (and apiVersion: {API_VERSION}).",
        )
    import jsonschema  # about a second to import with its format checkers: only when a policy is read

    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(value), key=_error_order)
    if errors:
        raise _schema_error(errors[0], source)
    return _policy(value["rules"] or {}, source)


def _policy(rules: Mapping[str, Any], source: str) -> PipelinePolicy:
    def globs(name: str) -> tuple[str, ...] | None:
        value = rules.get(name)
        return tuple(value) if value is not None else None

    return PipelinePolicy(
        source=source,
        role_arns=globs("roleArns"),
        instance_types=globs("instanceTypes"),
        max_instance_count=rules.get("maxInstanceCount"),
        max_runtime_seconds=rules.get("maxRuntimeSeconds"),
        regions=globs("regions"),
        image_registries=globs("imageRegistries"),
        require_output_kms=bool(rules.get("requireOutputKms", False)),
        require_network_isolation=bool(rules.get("requireNetworkIsolation", False)),
        require_tags=globs("requireTags") or (),
    )


def _error_order(error: Any) -> tuple[int, str]:
    return (len(error.absolute_path), str(list(error.absolute_path)))


def _schema_error(error: Any, source: str) -> UserError:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    path = path or "(top level)"
    if error.validator == "additionalProperties" and path == "rules":
        known = set(RULES)
        unknown = sorted(str(k) for k in error.instance if k not in known)
        return UserError(
            f"The policy {source} has an unknown rule: {', '.join(unknown)}.",
            f"Use only these rules: {', '.join(RULES)} (names are case-sensitive).",
        )
    if error.validator == "additionalProperties":
        return UserError(
            f"The policy {source} has an unknown key at {path}: {_short(error.message)}.",
            "A policy holds apiVersion, kind, metadata and rules only.",
        )
    if error.validator == "const" and path == "apiVersion":
        return UserError(
            f"The policy {source} has apiVersion {_shown(error.instance)}.",
            f"Write apiVersion: {API_VERSION}.",
        )
    if error.validator == "required":
        return UserError(f"The policy {source} lacks a key: {_short(error.message)}.", _FIX_SHAPE)
    rule = str(error.absolute_path[1]) if len(error.absolute_path) > 1 else path
    return UserError(
        f"The policy {source}: {path} is {_shown(error.instance)}, which is not {_expected(rule)}.",
        f"Give {rule} {_expected(rule)}; docs/policy.md shows an example of each rule.",
    )


_FIX_SHAPE = f"Write apiVersion: {API_VERSION}, kind: {KIND} and a rules: mapping."


def _expected(rule: str) -> str:
    if rule in ("maxInstanceCount", "maxRuntimeSeconds"):
        return "a whole number of at least 1"
    if rule in ("requireOutputKms", "requireNetworkIsolation"):
        return "true or false"
    if rule == "rules":
        return "a mapping of rules"
    return "a list of non-empty glob strings"


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def _short(message: str) -> str:
    text = " ".join(message.split())
    return text if len(text) <= 120 else text[:117] + "..."
