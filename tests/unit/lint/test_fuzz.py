"""Fuzzing the readers: any text gives findings or a clean result, never an exception."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_sagemaker_ack.core.lint import CODES, Finding, lint_definition, lint_text

from ._helpers import CORPUS

_SEEDS = [
    (CORPUS / "man_definition_bad_json.yaml").read_text(),
    (CORPUS / "def_cycle.json").read_text(),
    (CORPUS / "man_execution_undeclared_param.yaml").read_text(),
]
_YAML_BITS = st.sampled_from(
    [
        "\n",
        "  ",
        "\t",
        ": ",
        "- ",
        "|",
        ">",
        "'",
        '"',
        "{",
        "}",
        "[",
        "]",
        ",",
        "#",
        "&a ",
        "*a",
        "---\n",
        "!!",
        "%",
    ]
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)
_STEP_KEYS = st.sampled_from(
    ["Name", "Type", "Arguments", "DependsOn", "IfSteps", "Get", "Conditions", "Parameters"]
)


def _valid(findings: list[Finding]) -> None:
    assert isinstance(findings, list)
    for f in findings:
        assert f.code in CODES
        assert f.message
        assert f.line is None or f.line >= 1
        assert f.column is None or f.column >= 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.sampled_from(["x.yaml", "x.json", None]))
def test_any_text_lints_without_crashing(text: str, name: str | None) -> None:
    _valid(lint_text(text, name))


@settings(max_examples=100, deadline=None)
@given(st.lists(_YAML_BITS | st.text(alphabet="abcPipeline:0 ", max_size=6), max_size=60))
def test_yaml_like_text_lints_without_crashing(parts: list[str]) -> None:
    _valid(lint_text("".join(parts), "fuzz.yaml"))


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(_SEEDS), st.integers(min_value=0, max_value=4000), st.integers(0, 40), st.text(max_size=5)
)
def test_damaged_real_files_lint_without_crashing(seed: str, where: int, cut: int, insert: str) -> None:
    where %= len(seed) + 1
    damaged = seed[:where] + insert + seed[where + cut :]
    _valid(lint_text(damaged, "damaged.yaml"))
    _valid(lint_text(damaged, "damaged.json"))


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["Version", "Parameters", "Steps", "Metadata"]),
        st.lists(st.dictionaries(_STEP_KEYS, _JSON_VALUES, max_size=5), max_size=4) | _JSON_VALUES,
        max_size=4,
    )
)
def test_any_json_structure_lints_without_crashing(value: dict[str, object]) -> None:
    _valid(lint_definition(json.dumps(value, indent=1)))
    _valid(lint_text(json.dumps(value), "x.json"))
