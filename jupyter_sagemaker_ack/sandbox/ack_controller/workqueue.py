"""A delaying work queue: each key at most once, due at the earliest time anyone asked for."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Hashable


class DelayQueue:
    def __init__(self) -> None:
        self._due: dict[Hashable, float] = {}
        self._heap: list[tuple[float, int, Hashable]] = []
        self._counter = itertools.count()
        self._cv = threading.Condition()
        self._closed = False

    def add(self, key: Hashable, delay: float = 0.0) -> None:
        due = time.monotonic() + max(0.0, delay)
        with self._cv:
            current = self._due.get(key)
            if current is not None and current <= due:
                return
            self._due[key] = due
            heapq.heappush(self._heap, (due, next(self._counter), key))
            self._cv.notify()

    def forget(self, key: Hashable) -> None:
        with self._cv:
            self._due.pop(key, None)

    def get(self) -> Hashable | None:
        """The next due key, waiting as long as needed; None once closed."""
        with self._cv:
            while not self._closed:
                while self._heap and self._due.get(self._heap[0][2]) != self._heap[0][0]:
                    heapq.heappop(self._heap)  # superseded by an earlier request, or forgotten
                if self._heap:
                    due, _, key = self._heap[0]
                    wait = due - time.monotonic()
                    if wait <= 0:
                        heapq.heappop(self._heap)
                        del self._due[key]
                        return key
                    self._cv.wait(wait)
                else:
                    self._cv.wait()
            return None

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()
