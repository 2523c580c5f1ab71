"""What the manifest rules read: a document's value and a way to place its paths in its file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .positions import JsonPath, Position


class Document(Protocol):
    """A manifest document and a way to place paths (and offsets inside string values) in its file."""

    value: Any
    file: str | None

    def position(
        self, path: JsonPath, *, key: bool = False, within: int | None = None
    ) -> Position | None: ...

    def scalar_position(self, path: JsonPath) -> Callable[[int], Position | None]: ...


@dataclass
class PlainDocument:
    """A manifest given as a Python mapping: no positions, only paths."""

    value: Any
    file: str | None = None

    def position(self, path: JsonPath, *, key: bool = False, within: int | None = None) -> Position | None:
        return None

    def scalar_position(self, path: JsonPath) -> Callable[[int], Position | None]:
        return lambda offset: None
