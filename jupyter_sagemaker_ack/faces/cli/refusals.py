"""How a command shows a refusal by the lint gate: the findings as lint prints them, then one error/fix pair.

A refusal by the rules exits 1, as ``sagemaker-ack lint`` does on an error finding; a bad argument or any
other user mistake stays exit 2 (``_common.user_errors``). The fix names ``--force``, the override.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ...services.gate import CLI_OVERRIDE, GateRefused, where

F = TypeVar("F", bound=Callable[..., Any])

EXIT_REFUSED = 1


def gate_refusals(func: F) -> F:
    """Print a :class:`GateRefused` (findings, then ``error:`` and ``fix:``) on stderr and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GateRefused as refused:
            shown = refused.naming(CLI_OVERRIDE)
            for f in shown.findings:
                click.echo(_flat(f"{where(f)}: {f.severity} {f.code} {f.message}"), err=True)
                if f.hint:
                    click.echo("  hint: " + _flat(f.hint), err=True)
            click.echo(f"error: {shown.problem}", err=True)
            click.echo(f"fix: {shown.fix}", err=True)
            sys.exit(EXIT_REFUSED)

    return wrapper  # type: ignore[return-value]


def _flat(text: str) -> str:
    """One line per finding, whatever a hostile file put in its names."""
    return " ".join(text.split())
