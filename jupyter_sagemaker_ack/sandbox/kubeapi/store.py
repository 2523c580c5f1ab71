"""The emulator's state: resource types, objects, the one resourceVersion counter and the event log.

Everything here runs on the server's event loop thread, so no locking is needed. Stored objects are
never mutated in place: writers build new dicts, so events can share them safely.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .selectors import Matcher
from .status import ApiError, not_found

Key = tuple[str, str]


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ResourceType:
    """One served resource (built-in or from a CRD): names, scope, schema and printer columns."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    schema: dict[str, Any] | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)
    status_subresource: bool = False
    short_names: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    verbs: list[str] = field(
        default_factory=lambda: [
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "create",
            "update",
            "watch",
        ]
    )
    custom: bool = True

    @property
    def key(self) -> Key:
        return (self.group, self.plural)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"


@dataclass
class Event:
    rv: int
    type: str
    key: Key
    obj: dict[str, Any]


@dataclass(eq=False)
class Watcher:
    """One open watch: what it filters on and the queue its stream reads from (None = closed)."""

    key: Key
    namespace: str | None
    labels: Matcher
    fields: Matcher
    queue: asyncio.Queue[Event | None] = field(default_factory=asyncio.Queue)
    abrupt: bool = False

    def matches(self, event: Event) -> bool:
        meta = event.obj.get("metadata", {})
        if event.key != self.key or (self.namespace and meta.get("namespace") != self.namespace):
            return False
        return self.labels(event.obj) and self.fields(event.obj)


class Store:
    def __init__(self, watch_window: int = 10_000) -> None:
        self.types: dict[Key, ResourceType] = {}
        self.objects: dict[Key, dict[tuple[str, str], dict[str, Any]]] = {}
        self.rv = 0
        self.events: deque[Event] = deque(maxlen=max(1, watch_window))
        self.compacted_rv = 0
        self.watchers: set[Watcher] = set()

    def set_watch_window(self, size: int) -> None:
        kept = list(self.events)[-max(1, size) :]
        if len(kept) < len(self.events):
            self.compacted_rv = max(self.compacted_rv, self.events[len(self.events) - len(kept) - 1].rv)
        self.events = deque(kept, maxlen=max(1, size))

    def compact(self) -> None:
        """Forget every retained event, as etcd compaction does: older watches get 410 Gone."""
        self.compacted_rv = self.rv
        self.events.clear()

    def register(self, rtype: ResourceType) -> None:
        self.types[rtype.key] = rtype
        self.objects.setdefault(rtype.key, {})

    def unregister(self, key: Key) -> None:
        self.types.pop(key, None)
        self.objects.pop(key, None)

    def resource(self, group: str, version: str, plural: str) -> ResourceType:
        rtype = self.types.get((group, plural))
        if rtype is None or rtype.version != version:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        return rtype

    def next_rv(self) -> str:
        self.rv += 1
        return str(self.rv)

    def get(self, rtype: ResourceType, namespace: str, name: str) -> dict[str, Any]:
        obj = self.objects[rtype.key].get((namespace, name))
        if obj is None:
            raise not_found(rtype.plural, rtype.group, name)
        return obj

    def find(self, rtype: ResourceType, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects[rtype.key].get((namespace, name))

    def select(
        self, rtype: ResourceType, namespace: str | None, labels: Matcher, fields: Matcher
    ) -> list[dict[str, Any]]:
        return [
            obj
            for (ns, _), obj in sorted(self.objects[rtype.key].items())
            if (not namespace or ns == namespace) and labels(obj) and fields(obj)
        ]

    def put(self, rtype: ResourceType, obj: dict[str, Any], event_type: str) -> None:
        meta = obj["metadata"]
        slot = (meta.get("namespace", ""), meta["name"])
        if event_type == "DELETED":
            self.objects[rtype.key].pop(slot, None)
        else:
            self.objects[rtype.key][slot] = obj
        if self.events.maxlen and len(self.events) == self.events.maxlen:
            self.compacted_rv = self.events[0].rv
        event = Event(int(meta["resourceVersion"]), event_type, rtype.key, obj)
        self.events.append(event)
        for watcher in list(self.watchers):
            if watcher.matches(event):
                watcher.queue.put_nowait(event)

    def replay(self, watcher: Watcher, since: int) -> list[Event]:
        if since < self.compacted_rv:
            raise ApiError(410, "Expired", f"too old resource version: {since} ({self.compacted_rv + 1})")
        return [e for e in self.events if e.rv > since and watcher.matches(e)]

    def close_watchers(self, abrupt: bool = False) -> int:
        """End every open watch: cleanly (stream ends) or abruptly (connection reset mid-stream)."""
        count = len(self.watchers)
        for watcher in list(self.watchers):
            watcher.abrupt = abrupt
            watcher.queue.put_nowait(None)
        self.watchers.clear()
        return count
