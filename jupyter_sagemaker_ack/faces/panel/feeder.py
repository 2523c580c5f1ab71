"""Feed run snapshots from the watch service into a widget without ever blocking the kernel.

Two daemon threads, both started through ``contextvars.copy_context().run`` (ipykernel drops widget
messages from threads that lack the kernel's context): a reader that consumes the blocking snapshot
iterator and keeps only the latest snapshot, and a writer, the one thing that touches the widget, which
pushes the latest snapshot at most every ``interval`` seconds. Bursts are coalesced, a slow front end
never backs up the watch, and an exception in either thread is handed to ``on_error`` instead of silently
freezing the panel.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..display.snapshots import as_wire

Snapshot = dict[str, Any]


def start_daemon(target: Callable[[], None], name: str) -> threading.Thread:
    """A daemon thread running ``target`` in a copy of the caller's context."""
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(target,), name=name, daemon=True)
    thread.start()
    return thread


class StatusFeeder:
    """Consume ``source()`` (an iterator of run snapshots) and push the latest one to ``push``."""

    def __init__(
        self,
        source: Callable[[], Iterable[Any]],
        push: Callable[[Snapshot], None],
        *,
        on_error: Callable[[BaseException], None],
        on_done: Callable[[Snapshot | None], None] | None = None,
        interval: float = 0.25,
    ) -> None:
        self._source = source
        self._push = push
        self._on_error = on_error
        self._on_done = on_done
        self._interval = interval
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._finished = threading.Event()
        self.ended = threading.Event()  # no more pushes will come (set before on_done runs)
        self.done = threading.Event()  # on_done has run too
        self._latest: Snapshot | None = None
        self._sequence = 0
        self.error: BaseException | None = None
        self._threads: list[threading.Thread] = []

    @property
    def latest(self) -> Snapshot | None:
        with self._lock:
            return self._latest

    def start(self) -> StatusFeeder:
        self._threads = [
            start_daemon(self._read, "sagemaker-ack-watch"),
            start_daemon(self._write, "sagemaker-ack-panel"),
        ]
        return self

    def stop(self) -> None:
        """Stop pushing (the reader ends at its next snapshot); the widget gets no further writes."""
        self._stopping.set()
        self._changed.set()

    def join(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    def _read(self) -> None:
        try:
            iterator = iter(self._source())
            for snapshot in iterator:
                wire = as_wire(snapshot)
                with self._lock:
                    self._latest = wire
                    self._sequence += 1
                self._changed.set()
                if self._stopping.is_set():
                    close = getattr(iterator, "close", None)
                    if callable(close):
                        close()
                    break
        except BaseException as exc:  # shown in the panel, never lost in a thread
            self.error = exc
        finally:
            self._finished.set()
            self._changed.set()

    def _write(self) -> None:
        pushed = 0
        try:
            while not self._stopping.is_set():
                self._changed.wait()
                self._changed.clear()
                if self._stopping.is_set():
                    break
                with self._lock:
                    latest, sequence = self._latest, self._sequence
                if latest is not None and sequence != pushed:
                    self._push(latest)
                    pushed = sequence
                if self._finished.is_set() and self._sequence == pushed:
                    break
                self._stopping.wait(self._interval)
        except BaseException as exc:
            self.error = self.error or exc
        finally:
            self.ended.set()
            if self.error is not None and not self._stopping.is_set():
                self._report(self.error)
            if self._on_done is not None and not self._stopping.is_set():
                try:
                    self._on_done(self.latest)
                except BaseException as exc:
                    self._report(exc)
            self.done.set()

    def _report(self, exc: BaseException) -> None:
        with contextlib.suppress(BaseException):  # nothing is left to show it with
            self._on_error(exc)


def is_finished(snapshot: Mapping[str, Any] | None) -> bool:
    return bool(snapshot and snapshot.get("outcome"))
