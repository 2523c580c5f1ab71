"""Every lint code is found from its code: the table names the module that raises it, and that module does."""

from __future__ import annotations

import importlib
import inspect

import pytest

from jupyter_sagemaker_ack.core.lint import CODES

PACKAGE = "jupyter_sagemaker_ack.core.lint"
CORE = "jupyter_sagemaker_ack.core"
MACHINERY = {"yaml_read", "yaml_text"}  # the YAML text rules are found while reading, in the reader


@pytest.mark.parametrize("code", sorted(CODES))
def test_the_module_a_code_names_exists_and_raises_it(code: str) -> None:
    module_name = CODES[code].module
    assert module_name.startswith(("rules.", "policy.")) or module_name in MACHINERY, module_name
    # Policy codes live beside lint, in core.policy; their module is named relative to core.
    package = CORE if module_name.startswith("policy.") else PACKAGE
    module = importlib.import_module(f"{package}.{module_name}")
    assert f'"{code}"' in inspect.getsource(module), f"{code} is not raised in {module_name}"


def test_every_rule_module_is_named_by_a_code() -> None:
    named = {entry.module for entry in CODES.values()}
    rules = importlib.import_module(f"{PACKAGE}.rules")
    families = {
        f"rules.{name}"
        for name in (
            "ack_edits",
            "definition",
            "executions",
            "graph",
            "manifest",
            "parameters",
            "placeholders",
            "provenance",
            "secrets",
            "sizes",
            "spec_fields",
            "steps",
            "values",
        )
    }
    assert families <= named
    assert rules.__doc__
    assert "CODES" in rules.__doc__


def test_codes_added_for_the_trust_issue_are_errors_or_escalate() -> None:
    assert CODES["SMA803"].severity == "error"
    assert CODES["SMA504"].severity == "error"
    assert CODES["SMA804"].severity == "warning"  # an error with --require-verified
