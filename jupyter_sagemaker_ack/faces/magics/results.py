"""What the magics return: the service's own object, displayed richly (HTML with a text/plain fallback).

``r = %sagemaker_ack publish pipeline`` gives a :class:`Result` whose attributes are those of the
Publication (``r.version_id``) and whose ``.value`` is the Publication itself. A subcommand that fails
returns a :class:`Problem` instead (never None): it shows itself once in its cell, even when the cell
assigns it (``r = %sagemaker_ack ...``), and reading a result from it says why there is none.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from ..display.views import problem_html


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


class ShownResult(Result):
    """A result its magic has already drawn in this cell (a followed run): as Out, it is not drawn again."""

    _shown_in: int | None = None

    @classmethod
    def of(cls, result: Result) -> ShownResult:
        shown = cls(result.value, result._html, result._text, result._extra)
        shown._shown_in = _execution_count()
        return shown

    def _ipython_display_(self) -> None:
        count = _execution_count()
        if count is not None and count == self._shown_in:
            return
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)  # type: ignore[no-untyped-call]


class CommandFailed(LookupError):
    """Raised when code reads a result (``r["outcome"]``) from a subcommand that failed."""


def _execution_count() -> int | None:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "execution_count", None)


class Problem:
    """A user mistake shown as one short message: what is wrong and how to fix it, never a traceback."""

    def __init__(self, problem: str, fix: str | None = None) -> None:
        self.problem = problem
        self.fix = fix
        self._shown_in: int | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def _ipython_display_(self) -> None:
        # The magic displays the problem as it happens; the same object as the cell's Out is not shown again.
        count = _execution_count()
        if count is not None and count == self._shown_in:
            return
        self._shown_in = count
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)  # type: ignore[no-untyped-call]

    def _repr_html_(self) -> str:
        return problem_html(self.problem, self.fix)

    def __repr__(self) -> str:
        return f"error: {self.problem}" + (f"\nfix: {self.fix}" if self.fix else "")

    def __bool__(self) -> bool:
        return False

    def __getitem__(self, key: Any) -> Any:
        raise CommandFailed(f"The command failed, so there is no {key!r}: {self.problem}")
