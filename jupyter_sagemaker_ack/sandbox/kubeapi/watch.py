"""Watch streams: newline-delimited JSON events, resume from a resourceVersion, bookmarks, 410 Gone."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from aiohttp import web

from .selectors import Matcher
from .status import ApiError
from .store import Event, ResourceType, Store, Watcher
from .tables import table


def _line(kind: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": kind, "object": obj}, separators=(",", ":")).encode() + b"\n"


class WatchStream:
    """One watch request from open to close."""

    def __init__(
        self, store: Store, rtype: ResourceType, namespace: str | None, labels: Matcher, fields: Matcher
    ) -> None:
        self.store = store
        self.rtype = rtype
        self.watcher = Watcher(rtype.key, namespace, labels, fields)

    def _encode(self, event: Event, as_table: bool) -> bytes:
        if as_table:
            return _line(event.type, table(self.rtype, [event.obj], str(event.rv)))
        return _line(event.type, event.obj)

    def _initial(self, since: str) -> list[Event]:
        if since in ("", "0"):
            objs = self.store.select(
                self.rtype, self.watcher.namespace, self.watcher.labels, self.watcher.fields
            )
            return [Event(int(o["metadata"]["resourceVersion"]), "ADDED", self.rtype.key, o) for o in objs]
        try:
            return self.store.replay(self.watcher, int(since))
        except ValueError as exc:
            raise ApiError(400, "BadRequest", f"invalid resource version: {since}") from exc

    async def serve(
        self, request: web.Request, query: dict[str, str], as_table: bool, bookmark_every: float
    ) -> web.StreamResponse:
        timeout = float(query.get("timeoutSeconds") or 1800)
        bookmarks = query.get("allowWatchBookmarks") == "true"
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        try:
            initial = self._initial(query.get("resourceVersion", ""))
        except ApiError as exc:
            await response.prepare(request)
            await response.write(_line("ERROR", exc.body()))
            return response
        self.store.watchers.add(self.watcher)
        try:
            await response.prepare(request)
            for event in initial:
                await response.write(self._encode(event, as_table))
            await self._pump(
                request, response, time.monotonic() + timeout, bookmarks, bookmark_every, as_table
            )
        except ConnectionResetError:
            pass
        finally:
            self.store.watchers.discard(self.watcher)
        return response

    async def _pump(
        self,
        request: web.Request,
        response: web.StreamResponse,
        deadline: float,
        bookmarks: bool,
        every: float,
        as_table: bool,
    ) -> None:
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = await asyncio.wait_for(self.watcher.queue.get(), min(left, every))
            except asyncio.TimeoutError:
                if bookmarks and not as_table:
                    meta = {"resourceVersion": str(self.store.rv)}
                    await response.write(
                        _line(
                            "BOOKMARK",
                            {"kind": self.rtype.kind, "apiVersion": self.rtype.api_version, "metadata": meta},
                        )
                    )
                continue
            if event is None:
                if self.watcher.abrupt and request.transport is not None:
                    request.transport.close()
                return
            await response.write(self._encode(event, as_table))
