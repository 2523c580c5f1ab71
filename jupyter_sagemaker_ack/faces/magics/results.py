"""What the magics return: the service's own object, displayed richly (HTML with a text/plain fallback).

``r = %sagemaker_ack publish pipeline`` gives a :class:`Result` whose attributes are those of the
Publication (``r.version_id``) and whose ``.value`` is the Publication itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..panel.views import problem_html


class Result:
    """A service result with its HTML and text renderings (and extra MIME types, e.g. a run snapshot)."""

    def __init__(self, value: Any, html: str, text: str, extra: Mapping[str, Any] | None = None) -> None:
        self.value = value
        self._html = html
        self._text = text
        self._extra = dict(extra or {})

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/plain": self._text, "text/html": self._html, **self._extra}

    def _repr_html_(self) -> str:
        return self._html

    def __repr__(self) -> str:
        return self._text

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.value, name)

    def __iter__(self) -> Any:
        return iter(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __getitem__(self, key: Any) -> Any:
        return self.value[key]


class Problem:
    """A user mistake shown as one short message: what is wrong and how to fix it, never a traceback."""

    def __init__(self, problem: str, fix: str | None = None) -> None:
        self.problem = problem
        self.fix = fix

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def _repr_html_(self) -> str:
        return problem_html(self.problem, self.fix)

    def __repr__(self) -> str:
        return f"error: {self.problem}" + (f"\nfix: {self.fix}" if self.fix else "")
