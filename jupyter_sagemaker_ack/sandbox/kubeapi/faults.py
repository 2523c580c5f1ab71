"""Runtime fault injection: failing or slow answers for matching paths, and dropping open watches.

Tests change it from Python (`srv.faults`) or over HTTP (`POST /_emulator/faults`); it is consulted by a
middleware on every API request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class FaultRule:
    """Requests whose path contains ``path`` (and whose method is ``method``, if set) fail or wait."""

    path: str = ""
    method: str = ""
    status: int = 0
    delay: float = 0.0
    count: int = -1
    retry_after: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.count != 0 and self.path in path and self.method.upper() in ("", method.upper())


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rules: list[FaultRule] = []
        self.on_drop_watches: Callable[[bool], int] = lambda abrupt: 0

    def fail(
        self, path: str = "", status: int = 503, count: int = 1, method: str = "", retry_after: int = 0
    ) -> None:
        """Answer ``status`` (5xx or 429) for the next ``count`` matching requests (-1 = until reset)."""
        self.add(FaultRule(path=path, method=method, status=status, count=count, retry_after=retry_after))

    def delay(self, seconds: float, path: str = "", count: int = -1, method: str = "") -> None:
        self.add(FaultRule(path=path, method=method, delay=seconds, count=count))

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self.rules.append(rule)

    def drop_watches(self, abrupt: bool = False) -> int:
        """Close every open watch now: the stream ends, or with ``abrupt`` the connection is cut."""
        return self.on_drop_watches(abrupt)

    def reset(self) -> None:
        with self._lock:
            self.rules.clear()

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(r) for r in self.rules]

    def take(self, method: str, path: str) -> tuple[float, FaultRule | None]:
        """The delay and the failing rule (if any) for one request; consumes counted rules."""
        wait, failing = 0.0, None
        with self._lock:
            for rule in self.rules:
                if not rule.matches(method, path) or (rule.status and failing):
                    continue
                if rule.count > 0:
                    rule.count -= 1
                wait += rule.delay
                if rule.status:
                    failing = rule
            self.rules = [r for r in self.rules if r.count != 0]
        return wait, failing
