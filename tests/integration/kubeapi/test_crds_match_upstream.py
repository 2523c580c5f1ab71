"""The project's CRDs (core.ack.crd_documents) agree with the upstream ACK SageMaker CRDs.

Compared: group, names, scope, versions, status subresource, printer columns, and every schema field's
type, format, enum and required list. Descriptions are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from jupyter_sagemaker_ack.core.ack import crd_documents

UPSTREAM = ("sagemaker.services.k8s.aws_pipelines.yaml", "sagemaker.services.k8s.aws_pipelineexecutions.yaml")
_FIELD_FACTS = (
    "type",
    "format",
    "enum",
    "nullable",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
)


def _project_crds() -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in crd_documents()}


def _fields(schema: dict[str, Any], path: str = "") -> dict[str, dict[str, Any]]:
    """Each schema node by its path, with the facts that matter to the API server."""
    facts = {key: schema[key] for key in _FIELD_FACTS if key in schema}
    facts["required"] = sorted(schema.get("required") or [])
    out = {path or ".": facts}
    for name, sub in (schema.get("properties") or {}).items():
        out |= _fields(sub, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        out |= _fields(schema["items"], f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        out |= _fields(schema["additionalProperties"], f"{path}{{}}")
    return out


def _shape(crd: dict[str, Any]) -> dict[str, Any]:
    spec = crd["spec"]
    versions = [
        {
            "name": v["name"],
            "served": v.get("served"),
            "storage": v.get("storage"),
            "subresources": v.get("subresources"),
            "columns": [
                {k: c.get(k) for k in ("name", "jsonPath", "type", "priority", "format")}
                for c in v.get("additionalPrinterColumns") or []
            ],
        }
        for v in spec["versions"]
    ]
    return {"group": spec["group"], "names": spec["names"], "scope": spec["scope"], "versions": versions}


@pytest.mark.parametrize("filename", UPSTREAM)
def test_project_crd_matches_upstream(shared_dir: Path, filename: str) -> None:
    upstream = yaml.safe_load((shared_dir / "ack" / "crds" / filename).read_text(encoding="utf-8"))
    ours = _project_crds().get(upstream["metadata"]["name"])
    assert ours is not None, f"crd_documents() lacks {upstream['metadata']['name']}"
    assert ours["apiVersion"] == "apiextensions.k8s.io/v1"
    assert ours["kind"] == "CustomResourceDefinition"
    assert _shape(ours) == _shape(upstream)
    for theirs_v, ours_v in zip(upstream["spec"]["versions"], ours["spec"]["versions"], strict=True):
        expected = _fields(theirs_v["schema"]["openAPIV3Schema"])
        actual = _fields(ours_v["schema"]["openAPIV3Schema"])
        assert sorted(set(expected) - set(actual)) == [], "fields missing from the project's CRD"
        assert sorted(set(actual) - set(expected)) == [], "fields the upstream CRD does not have"
        differing = {
            path: (expected[path], actual[path]) for path in expected if expected[path] != actual[path]
        }
        assert differing == {}, "fields whose type, format, enum or required list differ (upstream, ours)"
