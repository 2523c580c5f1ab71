"""A bad command line is a user mistake like any other: one ``error:`` and one ``fix:`` line, exit 2.

Click's own checks (an unknown command or option, an option without its value) used to print
``Usage:``/``Error:``; the group re-words them for every subcommand, nested ones included.
"""

from __future__ import annotations

import pytest

from .conftest import assert_user_error, cli

CASES = [
    pytest.param(("nosuchcmd",), ("nosuchcmd", "--help"), id="unknown-command"),
    pytest.param(("--bogus",), ("--bogus", "--help"), id="unknown-group-option"),
    pytest.param(("lint", "--bogus"), ("--bogus", "lint --help"), id="unknown-option"),
    pytest.param(("apply", "--namespace"), ("--namespace", "apply --help"), id="missing-value"),
    pytest.param(("sandbox", "status", "--bogus"), ("--bogus", "sandbox status --help"), id="nested"),
]


@pytest.mark.parametrize(("args", "mentions"), CASES)
def test_a_bad_command_line_is_one_error_and_one_fix(
    args: tuple[str, ...], mentions: tuple[str, ...]
) -> None:
    outcome = cli(*args)
    assert_user_error(outcome, *mentions)
    assert "Usage:" not in outcome.output, outcome.output
