"""Derived names are valid, deterministic and distinct."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from jupyter_sagemaker_ack.core import names

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
