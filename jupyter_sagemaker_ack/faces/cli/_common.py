"""What every subcommand shares: turning user mistakes into one clear line and an exit code.

A :class:`UserError` is the normal way a command refuses. A local file that cannot be read or written
(missing, a folder, no permission, a symlink loop, not UTF-8) is a user's mistake too, wherever in the
command it is met, so it ends the same way: one ``error:`` line, one ``fix:`` line, exit 2.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ...core import names
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
            _refuse(exc.problem, exc.fix)
        except UnicodeDecodeError as exc:
            _refuse(
                f"A file is not UTF-8 text (byte {exc.start}: {exc.reason}).",
                "Save the file as UTF-8 (the YAML and JSON this tool reads are UTF-8).",
            )
        except OSError as exc:
            _refuse(*local_file_error(exc))

    return wrapper  # type: ignore[return-value]


def _refuse(problem: str, fix: str) -> None:
    click.echo(f"error: {_one_line(problem)}", err=True)
    if fix:
        click.echo(f"fix: {_one_line(fix)}", err=True)
    sys.exit(EXIT_USER_ERROR)


def _one_line(text: str) -> str:
    return " ".join(text.splitlines())


def local_file_error(exc: OSError) -> tuple[str, str]:
    """(problem, fix) for a local file operation that failed."""
    where = f" {names.shown(exc.filename)}" if exc.filename else ""
    reason = exc.strerror or type(exc).__name__
    return (
        f"Cannot use the local path{where}: {reason}.",
        "Check that the path exists, is a file or folder as the command expects, and that you may read "
        "(or write) it.",
    )


def check_run(run: str) -> str:
    """A RUN argument: a PipelineExecution name or a pipeline execution ARN."""
    return names.check_run(run)


def check_namespace(namespace: str | None) -> str | None:
    return names.check_namespace(namespace) if namespace is not None else None
