"""The one error type for user mistakes: it names the problem and the fix, and faces show it without a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A mistake the user can fix (bad input, missing configuration, unreachable service).

    Faces print ``problem`` and ``fix`` on one or two lines and never a traceback.
    """

    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(problem if not fix else f"{problem} {fix}")
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return self.problem if not self.fix else f"{self.problem} Fix: {self.fix}"
