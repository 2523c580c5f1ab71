"""Turning CustomResourceDefinition documents into served resource types, and finding the default CRDs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from jupyter_sagemaker_ack.core.ack import crd_documents
from jupyter_sagemaker_ack.core.errors import UserError

from .store import ResourceType


def crd_type(crd: dict[str, Any]) -> ResourceType:
    """The resource type a CRD serves (its storage version, else its first served version)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions = [v for v in spec.get("versions") or [] if v.get("served", True)]
    if not versions or not names.get("plural") or not names.get("kind") or not spec.get("group"):
        raise ValueError(f"CRD {crd.get('metadata', {}).get('name')!r} lacks group, names or served versions")
    version = next((v for v in versions if v.get("storage")), versions[0])
    return ResourceType(
        group=spec["group"],
        version=version["name"],
        plural=names["plural"],
        singular=names.get("singular") or names["kind"].lower(),
        kind=names["kind"],
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        schema=(version.get("schema") or {}).get("openAPIV3Schema"),
        columns=list(version.get("additionalPrinterColumns") or []),
        status_subresource="status" in (version.get("subresources") or {}),
        short_names=list(names.get("shortNames") or []),
        categories=list(names.get("categories") or []),
    )


def established_status(crd: dict[str, Any]) -> dict[str, Any]:
    names = (crd.get("spec") or {}).get("names") or {}
    conditions = [
        {"type": kind, "status": "True", "reason": reason, "message": message, "lastTransitionTime": None}
        for kind, reason, message in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        )
    ]
    return {"conditions": conditions, "acceptedNames": names, "storedVersions": [crd_type(crd).version]}


def load_crd_files(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise UserError(
                f"Cannot read CRD file {path}: {exc.strerror}.", "Pass an existing YAML file."
            ) from exc
        docs += [
            d
            for d in yaml.safe_load_all(text)
            if isinstance(d, dict) and d.get("kind") == "CustomResourceDefinition"
        ]
    return docs


def default_crds() -> list[dict[str, Any]]:
    """The project's own CRDs (core.ack.crd_documents), the ones the sandbox's API server serves."""
    return list(crd_documents())
