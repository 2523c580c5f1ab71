"""The definition model: parsing, nested steps, canonical bytes and digest."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jupyter_sagemaker_ack.core.definition import DefinitionError, canonical_bytes, digest, parse_definition
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition


def test_parses_parameters_and_nested_condition_steps():
    defn = parse_definition(json.dumps(abalone_definition()))
    assert [p.name for p in defn.parameters] == [
        "ProcessingInstanceCount",
        "InputData",
        "MseThreshold",
        "ModelApprovalStatus",
    ]
    assert defn.parameter("MseThreshold").type == "Float"
    assert defn.parameter("MseThreshold").default == 6.0
    register = defn.step("RegisterAbaloneModel-RegisterModel")
    fail = defn.step("AbaloneMSEFail")
    assert (register.parent, register.branch) == ("CheckMSEAbaloneEvaluation", "if")
    assert (fail.parent, fail.branch) == ("CheckMSEAbaloneEvaluation", "else")
    assert len(defn.steps) == 6


def test_source_text_is_kept_exactly():
    text = json.dumps(abalone_definition(), indent=3)
    assert parse_definition(text).text() == text
    assert parse_definition(text.encode()).text() == text


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ('{"Version": "2020-12-01", "Steps": [', "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"Version": "2020-12-01"}', "no 'Steps' list"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_input_names_problem_and_fix(data, words):
    with pytest.raises(DefinitionError) as info:
        parse_definition(data)
    assert words in info.value.problem
    assert info.value.fix


def test_json_error_reports_line_and_column():
    with pytest.raises(DefinitionError, match=r"line 3, column"):
        parse_definition('{\n "Steps": [],\n "X": "unterminated\n}')


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=6), st.randoms(use_true_random=False))
def test_digest_ignores_key_order_and_whitespace(doc, rnd):
    keys = list(doc)
    rnd.shuffle(keys)
    shuffled = {k: doc[k] for k in keys}
    assert digest(json.dumps(shuffled, indent=rnd.choice([None, 1, 4]))) == digest(doc)
    assert canonical_bytes(shuffled) == canonical_bytes(doc)


@given(st.dictionaries(st.text(max_size=6), json_values, min_size=1, max_size=6), st.data())
def test_digest_changes_with_any_value(doc, data):
    key = data.draw(st.sampled_from(sorted(doc)))
    new_value = data.draw(json_values.filter(lambda v: v != doc[key] or type(v) is not type(doc[key])))
    changed = {**doc, key: new_value}
    if json.dumps(changed, sort_keys=True) != json.dumps(doc, sort_keys=True):
        assert digest(changed) != digest(doc)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"Version": "2020-12-01", "Steps": [], "X": NaN}', "NaN is not a JSON number"),
        ('{"Version": "2020-12-01", "Steps": [], "X": Infinity}', "Infinity is not a JSON number"),
        ('{"Version": "2020-12-01", "Steps": [], "X": -Infinity}', "-Infinity is not a JSON number"),
        ('{"Version": "2020-12-01", "Steps": [], "X": 1e999}', "too large for a float"),
        ('{"Version": "2020-12-01", "Steps": [], "X": ' + "9" * 5000 + "}", "too long to read"),
        ("[" * 100_000 + "]" * 100_000, "more than 100 levels"),
        ('{"Steps": [' + '{"a": ' * 200 + "1" + "}" * 200 + "]}", "more than 100 levels"),
    ],
    ids=["nan", "infinity", "minus-infinity", "float-overflow", "huge-integer", "deep-list", "deep-object"],
)
def test_numbers_json_cannot_carry_and_deep_nesting_are_definition_errors(text, words):
    with pytest.raises(DefinitionError, match=words):
        parse_definition(text)


def test_a_parsed_mapping_with_nan_is_refused_too():
    """lint parses the JSON itself and hands the mapping over: the same rule applies."""
    with pytest.raises(DefinitionError, match="not a JSON number"):
        parse_definition({"Version": "2020-12-01", "Steps": [{"Name": "a", "X": float("nan")}]})


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = json.dumps({"Version": "2020-12-01", "Steps": [], "Note": "[" * 500 + '\\"{' * 300})
    assert parse_definition(text).raw["Note"].startswith("[[[")


def test_a_deep_but_allowed_definition_still_parses():
    nested: object = 1
    for _ in range(90):
        nested = {"a": nested}
    definition = parse_definition(json.dumps({"Version": "2020-12-01", "Steps": [], "Deep": nested}))
    assert definition.digest.startswith("sha256:")
