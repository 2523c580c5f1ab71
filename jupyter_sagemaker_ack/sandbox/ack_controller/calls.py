"""What the controller did that a CR does not show: every SageMaker call it made, and every reconcile error it
only logged (the real controller writes no condition for some, a region change for one).

Tests read it in-process (``AckControllerEmulator.calls``); ``--call-log FILE`` appends it as JSON lines,
so the calls of a controller in another process (the sandbox's) can be counted too.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Entry:
    """One SageMaker call (``operation`` set) or one logged reconcile error (``error`` set)."""

    kind: str
    namespace: str
    name: str
    operation: str | None = None
    region: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


class CallLog:
    def __init__(self, path: Path | None = None) -> None:
        self._entries: list[Entry] = []
        self._lock = threading.Lock()
        self._path = path

    def add(self, entry: Entry) -> None:
        with self._lock:
            self._entries.append(entry)
            if self._path is not None:
                with self._path.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(asdict(entry), default=str) + "\n")

    def calls(self, operation: str | None = None, name: str | None = None) -> list[Entry]:
        """The SageMaker calls made, optionally of one operation and for one CR name."""
        with self._lock:
            found = [e for e in self._entries if e.operation is not None]
        return [e for e in found if operation in (None, e.operation) and name in (None, e.name)]

    def errors(self, name: str | None = None) -> list[Entry]:
        with self._lock:
            return [e for e in self._entries if e.error is not None and name in (None, e.name)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
