"""The `/_emulator/` admin endpoints: faults, access policy, watch window and state, changed at runtime.

Tests in other processes (and the sandbox CLI) use these; in-process tests can use the same objects directly.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .access import AccessPolicy
from .faults import FaultRule, Faults
from .handlers import json_response
from .status import bad_request
from .store import Store

Action = Callable[[Any], dict[str, Any]]


class Admin:
    def __init__(self, store: Store, faults: Faults, access: AccessPolicy, watch_window: int) -> None:
        self.store, self.faults, self.access, self.watch_window = store, faults, access, watch_window

    def routes(self) -> list[web.RouteDef]:
        actions: dict[str, Action] = {
            "faults": self._faults,
            "access": self._access,
            "reset": self._reset,
            "compact": self._compact,
            "watch-window": self._window,
        }
        routes = [web.post(f"/_emulator/{name}", self._handler(action)) for name, action in actions.items()]
        return [*routes, web.get("/_emulator/state", self._handler(lambda body: self._state()))]

    def _handler(self, action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            raw = await request.read()
            try:
                return json_response(action(json.loads(raw) if raw else {}))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                raise bad_request(f"bad emulator admin request: {exc}") from exc

        return handle

    def _state(self) -> dict[str, Any]:
        return {
            "resourceVersion": self.store.rv,
            "compactedResourceVersion": self.store.compacted_rv,
            "watchWindow": self.store.events.maxlen,
            "watchers": len(self.store.watchers),
            "faults": self.faults.snapshot(),
            "access": self.access.snapshot(),
        }

    def _faults(self, body: Any) -> dict[str, Any]:
        """Body: one or a list of {"action": "fail"|"delay"|"drop-watches"|"reset", ...FaultRule fields}."""
        for item in body if isinstance(body, list) else [body]:
            fields = dict(item)
            action = fields.pop("action", "fail")
            if action == "drop-watches":
                self.store.close_watchers(bool(fields.get("abrupt")))
            elif action == "reset":
                self.faults.reset()
            elif action in ("fail", "delay"):
                self.faults.add(
                    FaultRule(**fields) if action == "fail" else FaultRule(**{"count": -1, **fields})
                )
            else:
                raise ValueError(f"unknown fault action {action!r}: use fail, delay, drop-watches or reset")
        return self._state()

    def _access(self, body: Any) -> dict[str, Any]:
        """Body: {"reset": true} and/or {"default_allow": bool, "allow": [rule...], "deny": [rule...],
        "rbac": bool, "users": {token: {"name": ..., "groups": [...]}}}."""
        if body.get("reset"):
            self.access.reset()
        self.access.configure(
            body.get("default_allow"),
            body.get("allow"),
            body.get("deny"),
            body.get("rbac"),
            body.get("users"),
        )
        return self._state()

    def _compact(self, body: Any) -> dict[str, Any]:
        """Forget retained events, so watches from older resourceVersions get 410 Gone."""
        self.store.compact()
        return self._state()

    def _window(self, body: Any) -> dict[str, Any]:
        """Body: {"size": N}: keep only the last N events for watch resumption."""
        self.store.set_watch_window(int(body["size"]))
        return self._state()

    def _reset(self, body: Any) -> dict[str, Any]:
        self.faults.reset()
        self.access.reset()
        self.store.set_watch_window(self.watch_window)
        return self._state()
