"""Answers shared by every viewer that asks at about the same time: the runs and pipelines lists.

Each open sidebar polls the lists about once a second; without sharing, ten sidebars would list the CRs ten
times a second. A request that finds an answer younger than ``max_age`` gets it; one that finds the same
question already being answered waits for that answer. Runs on the server's event loop (no lock needed).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any


class SharedAnswers:
    """The last answer to each question, kept ``max_age`` seconds, and the questions being answered now."""

    def __init__(self, max_age: float) -> None:
        self._max_age = max_age
        self._answers: dict[Hashable, tuple[float, Any]] = {}
        self._pending: dict[Hashable, asyncio.Future[Any]] = {}
        self.computed = 0

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> Any:
        """The answer to ``key``: a recent one, the one being computed, or a new one (errors are not kept)."""
        known = self._answers.get(key)
        if known is not None and time.monotonic() - known[0] < self._max_age:
            return known[1]
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            self.computed += 1
            answer = await compute()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody else waited
            raise
        else:
            self._answers[key] = (time.monotonic(), answer)
            future.set_result(answer)
            return answer
        finally:
            del self._pending[key]
