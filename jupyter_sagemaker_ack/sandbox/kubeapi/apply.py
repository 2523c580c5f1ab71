"""Field ownership (managedFields) and server-side apply.

Each manager owns a set of leaf field paths (lists are atomic, as for CRD lists without a list type).
Updates move changed fields to their manager; apply merges the manager's configuration, drops fields it
stopped applying, and answers 409 naming the fields and managers when another manager owns a field whose
value would change (unless ``force``).
"""

from __future__ import annotations

import copy
from typing import Any

from .status import ApiError

Path = tuple[str, ...]
_MISSING = object()
_META_TRACKED = ("labels", "annotations", "finalizers")
_UNTRACKED_TOP = {"apiVersion", "kind", "metadata"}


def _leaves(value: Any, prefix: Path, out: set[Path]) -> None:
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            _leaves(sub, (*prefix, key), out)
    else:
        out.add(prefix)


def field_paths(obj: dict[str, Any], subresource: str, status_isolated: bool) -> set[Path]:
    """The leaf paths of ``obj`` that belong to ``subresource`` ('' for the main resource)."""
    out: set[Path] = set()
    if subresource == "status":
        if "status" in obj:
            _leaves(obj["status"], ("status",), out)
        return out
    meta = obj.get("metadata") or {}
    for key in _META_TRACKED:
        if meta.get(key):
            if key == "finalizers":
                out.add(("metadata", key))
            else:
                _leaves(meta[key], ("metadata", key), out)
    for key, value in obj.items():
        if key in _UNTRACKED_TOP or (key == "status" and status_isolated):
            continue
        _leaves(value, (key,), out)
    return out


def get_path(obj: Any, path: Path) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return _MISSING
        obj = obj[key]
    return obj


def _delete_path(obj: dict[str, Any], path: Path) -> None:
    parents = [obj]
    for key in path[:-1]:
        nxt = parents[-1].get(key)
        if not isinstance(nxt, dict):
            return
        parents.append(nxt)
    parents[-1].pop(path[-1], None)
    for depth in range(len(parents) - 1, 0, -1):
        if not parents[depth]:
            parents[depth - 1].pop(path[depth - 1], None)


def encode(paths: set[Path]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path in sorted(paths):
        node = tree
        for key in path:
            node = node.setdefault(f"f:{key}", {})
    return tree


def decode(fields: dict[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for key, sub in fields.items():
        if not key.startswith("f:"):
            continue
        path = (*prefix, key[2:])
        children = decode(sub, path) if isinstance(sub, dict) else set()
        out |= children or {path}
    return out


def _entry(manager: str, operation: str, api_version: str, now: str, subresource: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now,
    }
    entry |= {"fieldsType": "FieldsV1", "fieldsV1": {}}
    if subresource:
        entry["subresource"] = subresource
    return entry


def _owned(entries: list[dict[str, Any]]) -> list[tuple[dict[str, Any], set[Path]]]:
    return [(e, decode(e.get("fieldsV1") or {})) for e in entries]


def _rebuild(pairs: list[tuple[dict[str, Any], set[Path]]]) -> list[dict[str, Any]]:
    out = []
    for entry, paths in pairs:
        if paths:
            out.append({**entry, "fieldsV1": encode(paths)})
    return out


def _find(
    pairs: list[tuple[dict[str, Any], set[Path]]], manager: str, op: str, sub: str, fresh: dict[str, Any]
) -> int:
    for i, (entry, _) in enumerate(pairs):
        if entry["manager"] == manager and entry["operation"] == op and entry.get("subresource", "") == sub:
            return i
    pairs.append((fresh, set()))
    return len(pairs) - 1


def record_update(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    manager: str,
    subresource: str,
    status_isolated: bool,
    now: str,
) -> list[dict[str, Any]]:
    """managedFields after a non-apply write: the writer takes every field it changed."""
    # As the real server: managedFields sent with the write (e.g. kubectl's client-side-apply migration) win.
    sent = new.get("metadata", {}).get("managedFields")
    entries = list(sent or (old or {}).get("metadata", {}).get("managedFields") or [])
    before = field_paths(old or {}, subresource, status_isolated)
    after = field_paths(new, subresource, status_isolated)
    changed = {p for p in after if old is None or get_path(old, p) != get_path(new, p)}
    removed = before - after
    pairs = _owned(entries)
    for i, (entry, paths) in enumerate(pairs):
        pairs[i] = (entry, paths - changed - removed)
    if changed:
        fresh = _entry(manager, "Update", new["apiVersion"], now, subresource)
        i = _find(pairs, manager, "Update", subresource, fresh)
        pairs[i] = ({**pairs[i][0], "time": now, "apiVersion": new["apiVersion"]}, pairs[i][1] | changed)
    return _rebuild(pairs)


def _conflict_error(conflicts: list[tuple[str, str, Path]]) -> ApiError:
    causes, lines = [], []
    for manager, api_version, path in conflicts:
        dotted = "." + ".".join(path)
        causes.append(
            {
                "type": "FieldManagerConflict",
                "message": f'conflict with "{manager}" using {api_version}',
                "field": dotted,
            }
        )
        lines.append(f'conflict with "{manager}" using {api_version}: {dotted}')
    noun = "conflict" if len(conflicts) == 1 else "conflicts"
    message = f"Apply failed with {len(conflicts)} {noun}: " + "\n".join(lines)
    return ApiError(409, "Conflict", message, {"causes": causes})


def _merge(live: Any, config: Any) -> Any:
    if isinstance(live, dict) and isinstance(config, dict):
        out = dict(live)
        for key, value in config.items():
            out[key] = _merge(live.get(key), value)
        return out
    return copy.deepcopy(config)


def server_side_apply(
    live: dict[str, Any],
    config: dict[str, Any],
    manager: str,
    force: bool,
    subresource: str,
    status_isolated: bool,
    now: str,
) -> dict[str, Any]:
    """The object after ``manager`` applies ``config`` to ``live`` (``{}`` when creating)."""
    entries = list(live.get("metadata", {}).get("managedFields") or [])
    applied = field_paths(config, subresource, status_isolated)
    pairs = _owned(entries)
    conflicts: list[tuple[str, str, Path]] = []
    for i, (entry, paths) in enumerate(pairs):
        if entry["manager"] == manager:
            continue
        clashing = {p for p in paths & applied if get_path(live, p) != get_path(config, p)}
        if clashing and not force:
            conflicts += [(entry["manager"], entry["apiVersion"], p) for p in sorted(clashing)]
        pairs[i] = (entry, paths - clashing)
    if conflicts:
        raise _conflict_error(conflicts)
    fresh = _entry(manager, "Apply", config.get("apiVersion", ""), now, subresource)
    mine = _find(pairs, manager, "Apply", subresource, fresh)
    previously = pairs[mine][1]
    result = copy.deepcopy(live)
    others = set().union(*(paths for i, (_, paths) in enumerate(pairs) if i != mine))
    for path in previously - applied - others:
        _delete_path(result, path)
    config_meta = config.get("metadata") or {}
    for key, value in config.items():
        if key == "metadata":
            meta = result.setdefault("metadata", {})
            for meta_key in _META_TRACKED:
                if meta_key in config_meta:
                    meta[meta_key] = _merge(meta.get(meta_key), config_meta[meta_key])
        elif (key == "status") != (subresource == "status") and (subresource or status_isolated):
            continue
        else:
            result[key] = _merge(result.get(key), value)
    pairs[mine] = ({**pairs[mine][0], "time": now, "apiVersion": config.get("apiVersion", "")}, applied)
    result.setdefault("metadata", {})["managedFields"] = _rebuild(pairs)
    return result
