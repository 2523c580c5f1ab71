"""Derived names are valid, deterministic and distinct."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jupyter_sagemaker_ack.core import names
from jupyter_sagemaker_ack.core.errors import UserError

sagemaker_names = st.from_regex(r"\A[a-zA-Z0-9](-*[a-zA-Z0-9]){0,120}\Z", fullmatch=True)


def test_examples():
    assert names.k8s_name("abalone") == "abalone"
    derived = names.k8s_name("AbalonePipeline")
    assert derived.startswith("abalone-pipeline-")
    assert names.is_k8s_name(derived)


@given(st.text(max_size=300))
def test_k8s_name_is_always_a_valid_label(text):
    name = names.k8s_name(text)
    assert names.RFC1123_LABEL.match(name)
    assert len(name) <= 63
    assert names.k8s_name(text) == name


@given(sagemaker_names, sagemaker_names)
def test_distinct_pipeline_names_never_collide(a, b):
    if a != b:
        assert names.k8s_name(a) != names.k8s_name(b)


@given(sagemaker_names, st.binary(min_size=2, max_size=2))
def test_execution_names_are_valid_and_unique_per_run(pipeline, entropy):
    run = names.new_run_id(datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc), entropy)
    name = names.execution_name(pipeline, run)
    assert names.RFC1123_LABEL.match(name)
    assert len(name) <= 63
    assert name.endswith(run)
    display = names.execution_display_name(pipeline, run)
    assert names.SAGEMAKER_EXECUTION_DISPLAY_NAME.match(display)


@pytest.mark.parametrize(
    ("check", "good"),
    [
        (names.check_k8s_name, "abalone-20240101-120000-ab12"),
        (names.check_namespace, "ml-pipelines"),
        (names.check_pipeline_name, "AbalonePipeline"),
        (names.check_role_arn, "arn:aws:iam::123456789012:role/service-role/SageMaker"),
        (names.check_run, "arn:aws:sagemaker:us-east-1:123456789012:pipeline/abalone/execution/abc123"),
        (names.check_run_id, "20240101-120000-ab12"),
    ],
)
def test_a_trailing_newline_or_a_slash_never_passes_a_check(check, good):
    assert check(good) == good
    for bad in (good + "\n", "../" + good, good + "\x00", " " + good, good + "?x=1"):
        with pytest.raises(UserError, match="not a valid") as raised:
            check(bad)
        assert repr(bad)[:30] in raised.value.problem, "the refusal names the value, newline visible"
        assert "\n" not in raised.value.problem


def test_every_pattern_is_a_full_match():
    for pattern in (
        names.RFC1123_LABEL,
        names.RFC1123_SUBDOMAIN,
        names.SAGEMAKER_PIPELINE_NAME,
        names.SAGEMAKER_EXECUTION_DISPLAY_NAME,
        names.SAGEMAKER_STEP_NAME,
        names.ROLE_ARN,
        names.EXECUTION_ARN,
        names.RUN_ID,
    ):
        assert pattern.pattern.endswith("\\Z"), pattern.pattern


def test_length_limits():
    assert names.check_namespace("a" * 63)
    with pytest.raises(UserError):
        names.check_namespace("a" * 64)
    assert names.check_k8s_name("a" * 253)
    with pytest.raises(UserError):
        names.check_k8s_name("a" * 254)
    with pytest.raises(UserError):
        names.check_pipeline_name("a" * 257)
