"""`meta.k8s.io/v1` Table output built from a CRD's additionalPrinterColumns (what `kubectl get` prints)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from .store import ResourceType

_NAME_COLUMN = {
    "name": "Name",
    "type": "string",
    "format": "name",
    "description": "Name must be unique within a namespace.",
    "priority": 0,
}
_AGE_COLUMN = {
    "name": "Age",
    "type": "date",
    "jsonPath": ".metadata.creationTimestamp",
    "description": "",
    "priority": 0,
}
_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def wants_table(accept: str) -> bool:
    return "as=Table" in accept


def jsonpath(obj: Any, path: str) -> Any:
    """Evaluate the simple JSONPaths CRD printer columns allow (`.a.b`, `.a[0].b`)."""
    for name, index in _TOKEN.findall(path.strip("{}")):
        if name:
            obj = obj.get(name) if isinstance(obj, dict) else None
        else:
            obj = obj[int(index)] if isinstance(obj, list) and int(index) < len(obj) else None
        if obj is None:
            return None
    return obj


def human_age(timestamp: str) -> str:
    try:
        then = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return "<invalid>"
    seconds = max(0, int((datetime.now(timezone.utc) - then).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if hours < 3:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if days < 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    return f"{days}d" if days < 730 else f"{days // 365}y"


def _columns(rtype: ResourceType) -> list[dict[str, Any]]:
    return rtype.columns if rtype.columns or not rtype.custom else [_AGE_COLUMN]


def _cell(column: dict[str, Any], obj: dict[str, Any]) -> Any:
    value = jsonpath(obj, column.get("jsonPath", ""))
    if value is None:
        return None
    if column.get("type") == "date":
        return human_age(value) if isinstance(value, str) else "<invalid>"
    if column.get("type") == "string" and not isinstance(value, str):
        return str(value)
    return value


def _row(rtype: ResourceType, obj: dict[str, Any], include: str) -> dict[str, Any]:
    cells = [obj["metadata"]["name"]] + [_cell(c, obj) for c in _columns(rtype)]
    row: dict[str, Any] = {"cells": cells}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        meta = {k: v for k, v in obj["metadata"].items() if k != "managedFields"}
        row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta}
    return row


def table(
    rtype: ResourceType, objs: list[dict[str, Any]], rv: str, include: str = "Metadata"
) -> dict[str, Any]:
    definitions = [_NAME_COLUMN] + [
        {
            "name": c["name"],
            "type": c.get("type", "string"),
            "format": c.get("format", ""),
            "description": c.get("description", ""),
            "priority": c.get("priority", 0),
        }
        for c in _columns(rtype)
    ]
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": rv},
        "columnDefinitions": definitions,
        "rows": [_row(rtype, obj, include) for obj in objs],
    }
