"""Follow one object by watch: list once, watch from its resourceVersion, survive drops and ``410 Gone``.

The caller sees a ``SYNC`` event with the object as listed (None when absent), then the watch's ADDED /
MODIFIED / DELETED events. A watch that ends (timeout, server closed it, connection cut) resumes from the
last resourceVersion seen, so no event is lost or repeated; a ``410 Gone`` (that version is too old) lists
again and says so with a new ``SYNC``; failures reconnect with exponential backoff. ``stop()`` from another
thread interrupts a blocked read at once. :func:`follow` turns a watch into a paced iterator for a waiter:
each event as it comes, ``None`` when a delay passes without news, until a timeout.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .connect import KubeCluster
from .objects import KubeObjects, collection_path

SYNC = "SYNC"


@dataclass(frozen=True)
class WatchEvent:
    type: str  # SYNC, ADDED, MODIFIED, DELETED
    obj: dict[str, Any] | None


class Gone(Exception):
    """The watch's resourceVersion is too old (HTTP 410): list again."""


class ObjectWatch:
    """One object followed by watch until :meth:`stop`."""

    def __init__(
        self,
        cluster: KubeCluster,
        kind: str,
        namespace: str,
        name: str,
        *,
        timeout_seconds: int = 300,
        reconnect_delay: Callable[[int], float] = lambda n: min(30.0, 0.5 * 2 ** max(0, n - 1)),
    ) -> None:
        self.cluster = cluster
        self.objects = KubeObjects(cluster)
        self.kind, self.namespace, self.name = kind, namespace, name
        self.timeout_seconds = timeout_seconds
        self.reconnect_delay = reconnect_delay
        self._stopped = threading.Event()
        self._response: Any = None
        self._lock = threading.Lock()
        self.reconnects = 0
        self.relists = 0

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            response = self._response
        if response is not None:
            # best effort: a blocked read ends at its timeout anyway
            with contextlib.suppress(Exception):
                response.shutdown()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def events(self) -> Iterator[WatchEvent]:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        rv: str | None = None
        failures = 0
        while not self.stopped:
            try:
                if rv is None:
                    items, rv = self.objects.list_objects(
                        self.kind, self.namespace, field_selector=f"metadata.name={self.name}"
                    )
                    found = next(
                        (i for i in items if (i.get("metadata") or {}).get("name") == self.name), None
                    )
                    yield WatchEvent(SYNC, found)
                    failures = 0
                opened = time.monotonic()
                got_any = False
                for kind, obj in self._stream(rv):
                    got_any = True
                    failures = 0
                    new_rv = (obj.get("metadata") or {}).get("resourceVersion")
                    if new_rv:
                        rv = str(new_rv)
                    if kind in ("ADDED", "MODIFIED", "DELETED"):
                        yield WatchEvent(kind, obj)
                    if self.stopped:
                        return
                if not got_any and time.monotonic() - opened < 1.0:
                    failures += 1  # closed at once: do not spin
                    self._pause(failures)
                self.reconnects += 1
            except Gone:
                self.relists += 1
                rv = None
            except (ApiException, HTTPError, OSError, ValueError) as exc:
                if self.stopped:
                    return
                if isinstance(exc, ApiException) and exc.status == 410:
                    self.relists += 1
                    rv = None
                    continue
                failures += 1
                self.reconnects += 1
                self._pause(failures)
            except Exception:
                if self.stopped:
                    return
                raise

    def _pause(self, failures: int) -> None:
        self._stopped.wait(self.reconnect_delay(failures))

    def _stream(self, rv: str) -> Iterator[tuple[str, dict[str, Any]]]:
        from kubernetes.client.exceptions import ApiException

        api = self.cluster.api_client
        query = [
            ("watch", "true"),
            ("resourceVersion", rv),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", str(self.timeout_seconds)),
            ("fieldSelector", f"metadata.name={self.name}"),
        ]
        serialized = api.param_serialize(
            method="GET",
            resource_path=collection_path(self.kind, self.namespace),
            query_params=query,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        rest = api.call_api(*serialized, _request_timeout=(5.0, self.timeout_seconds + 15.0))
        response = rest.response
        if not 200 <= rest.status <= 299:
            rest.read()
            raise ApiException.from_response(
                http_resp=rest, body=rest.data.decode("utf-8", "replace"), data=None
            )
        with self._lock:
            self._response = response
        if self.stopped:
            response.shutdown()
        try:
            buffer = b""
            for chunk in response.stream(amt=None, decode_content=False):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    kind = str(event.get("type"))
                    obj = event.get("object") or {}
                    if kind == "ERROR":
                        if obj.get("code") == 410:
                            raise Gone(str(obj.get("message")))
                        raise ApiException(status=int(obj.get("code") or 500), reason=str(obj.get("message")))
                    yield kind, obj
        finally:
            with self._lock:
                self._response = None
            response.close()


def watch_object(
    cluster: KubeCluster, kind: str, namespace: str, name: str, *, timeout_seconds: int = 300
) -> ObjectWatch:
    """An :class:`ObjectWatch` on one ACK object; iterate ``.events()``, call ``.stop()`` to end it."""
    return ObjectWatch(cluster, kind, namespace, name, timeout_seconds=timeout_seconds)


def follow(
    cluster: KubeCluster,
    kind: str,
    namespace: str,
    name: str,
    *,
    timeout: float | None,
    delay: Callable[[int], float],
    watch_timeout: int = 60,
) -> Iterator[WatchEvent | None]:
    """Each event of the object as it arrives, ``None`` after ``delay(n)`` seconds without news (the n-th
    quiet look), until ``timeout`` seconds (None: until the caller stops iterating). A watch that fails
    for good raises its error here."""
    events: queue.Queue[WatchEvent | BaseException] = queue.Queue()
    watcher = ObjectWatch(cluster, kind, namespace, name, timeout_seconds=watch_timeout)

    def run() -> None:
        try:
            for event in watcher.events():
                events.put(event)
        except Exception as exc:
            events.put(exc)

    threading.Thread(target=run, name=f"sagemaker-ack-follow-{name}", daemon=True).start()
    deadline = None if timeout is None else time.monotonic() + timeout
    quiet = 0
    try:
        while True:
            wait = delay(quiet)
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                wait = min(wait, left)
            try:
                item = events.get(timeout=max(0.0, wait))
            except queue.Empty:
                quiet += 1
                yield None
                continue
            if isinstance(item, BaseException):
                raise item
            quiet = 0
            yield item
    finally:
        watcher.stop()
