"""What every subcommand shares: turning user mistakes into one clear line and an exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ...core.errors import UserError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER_ERROR = 2


def user_errors(func: F) -> F:
    """Print a :class:`UserError` as ``error: <problem>`` (+ ``fix: ...``) and exit 2, with no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except UserError as exc:
            click.echo(f"error: {exc.problem}", err=True)
            if exc.fix:
                click.echo(f"fix: {exc.fix}", err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper  # type: ignore[return-value]
