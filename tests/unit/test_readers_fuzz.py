"""Fuzzing the readers and the name checks: whatever the input, a value, a UserError or findings, quickly.

The inputs are small (a few hundred characters) but built from the characters that matter (anchors,
aliases, brackets, quotes, tags, NaN and its kin), so the fuzzer finds the structures a hand-written case
would miss. Each example has a deadline: a reader that expands or recurses past its limits fails it.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_sagemaker_ack.core import bounded, manifests, names
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.core.lint import lint_text

FUZZ = settings(
    max_examples=200,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow],
)

YAML_ALPHABET = "ab01 \n\t-:,[]{}&*!|>'\"#?%@.~\ufeff\r"
JSON_ALPHABET = '[]{}",:0123456789.eE+- \nNaINfinitytruefalsenul\\u'

yaml_texts = st.text(alphabet=YAML_ALPHABET, max_size=300)
json_texts = st.text(alphabet=JSON_ALPHABET, max_size=300)


@st.composite
def alias_streams(draw: st.DrawFn) -> str:
    """Anchored values that alias earlier ones, as wide and as deep as the draw makes them."""
    width = draw(st.integers(1, 12))
    levels = draw(st.integers(1, 12))
    flow = draw(st.booleans())
    lines = ["v0: &v0 " + ("[x]" if flow else "x")]
    for level in range(1, levels):
        refs = [f"*v{draw(st.integers(0, level - 1))}" for _ in range(width)]
        lines.append(f"v{level}: &v{level} [" + ", ".join(refs) + "]")
    if draw(st.booleans()):
        lines.append("loop: &loop [*loop]")
    return "\n".join(lines) + "\n"


def _depth(value: Any) -> int:
    stack, deepest = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


@FUZZ
@given(st.one_of(yaml_texts, alias_streams()))
def test_load_manifests_gives_documents_or_a_user_error(text: str) -> None:
    try:
        docs = manifests.load_manifests(text)
    except UserError as error:
        refused = error
    else:
        refused = None
    if refused is not None:
        assert refused.problem
        assert refused.fix
        return
    for doc in docs:
        assert isinstance(doc, dict)
        json.dumps(doc, default=str, allow_nan=False)  # what the Kubernetes client will do with it


@FUZZ
@given(st.one_of(yaml_texts, alias_streams()))
def test_lint_gives_findings_for_any_yaml(text: str) -> None:
    for found in lint_text(text, "fuzz.yaml"):
        assert found.code.startswith("SMA")


@FUZZ
@given(json_texts)
def test_parse_definition_gives_a_definition_or_a_user_error(text: str) -> None:
    try:
        definition = parse_definition(text)
    except UserError as error:
        refused = error
    else:
        refused = None
    if refused is not None:
        assert refused.problem
        assert refused.fix
        return
    assert definition.digest.startswith("sha256:")


@FUZZ
@given(json_texts)
def test_lint_gives_findings_for_any_json(text: str) -> None:
    for found in lint_text(text, "fuzz.json"):
        assert found.code.startswith("SMA")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=30,
)


@FUZZ
@given(json_values, st.integers(0, 130))
def test_the_bounded_json_reader_reads_what_json_reads_within_the_depth(value: Any, wrap: int) -> None:
    for _ in range(wrap):
        value = [value]
    text = json.dumps(value)
    if _depth(value) > bounded.MAX_DEPTH:
        with pytest.raises(bounded.ReaderLimit) as raised:
            bounded.loads_json(text)
        assert raised.value.limit == "MAX_DEPTH"
    else:
        assert bounded.loads_json(text) == json.loads(text)


@FUZZ
@given(st.floats())
def test_only_finite_numbers_are_read(number: float) -> None:
    text = json.dumps({"x": number})
    try:
        value = bounded.loads_json(text)
    except bounded.NotJsonNumber:
        assert not math.isfinite(number)
    else:
        assert math.isfinite(value["x"])


name_texts = st.one_of(
    st.text(max_size=300),
    st.tuples(
        st.from_regex(r"\A[a-z0-9][-a-z0-9.]{0,70}[a-z0-9]\Z", fullmatch=True),
        st.sampled_from(["", "\n", "/", "/..", "%2F", "?", "#"]),
    ).map("".join),
)


@FUZZ
@given(name_texts)
def test_a_name_that_passes_its_check_is_one_clean_path_segment(text: str) -> None:
    problems: list[str] = []
    for check in (names.check_k8s_name, names.check_namespace, names.check_pipeline_name, names.check_run_id):
        try:
            accepted = check(text)
        except UserError as error:
            problems.append(error.problem)
            continue
        assert accepted == text
        assert quote(text, safe="") == text, "an accepted name never needs quoting"
        assert text.strip() == text
        assert ".." not in text
    assert all("\n" not in problem for problem in problems), "one error line, the newline shown"


@FUZZ
@given(st.text(max_size=600))
def test_run_and_role_checks_answer_quickly_and_in_full(text: str) -> None:
    for check in (names.check_run, names.check_role_arn):
        try:
            check(text)
        except UserError:
            continue
        assert not set(text) & {"\n", "\x00", " "}
