"""Provenance is bound to bytes: the core pins YAML only to a publication of the very definition rendered."""

from __future__ import annotations

import json

import pytest

from jupyter_sagemaker_ack.core import ack, manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition
from jupyter_sagemaker_ack.services.render import render

PUBLISHED = parse_definition(json.dumps(abalone_definition()))


def _changed():
    raw = abalone_definition()
    raw["Parameters"][0]["DefaultValue"] = 7
    return parse_definition(json.dumps(raw))


CHANGED = _changed()


def _provenance(definition):
    return manifests.Provenance(
        digest=definition.digest,
        definition_uri="s3://bucket/pipelines/AbalonePipeline/definition.json",
        version_id="v-published",
    )


def _annotations(doc):
    return doc["metadata"]["annotations"]


def test_the_two_definitions_differ_in_digest():
    assert PUBLISHED.digest != CHANGED.digest


@pytest.mark.parametrize(
    "render_doc",
    [
        pytest.param(
            lambda d, p: manifests.render_pipeline(
                d, manifests.PipelineOptions("AbalonePipeline", ROLE, provenance=p)
            ),
            id="pipeline",
        ),
        pytest.param(
            lambda d, p: manifests.render_execution(
                manifests.ExecutionOptions("AbalonePipeline", "20261128-120000-ab12", provenance=p), d
            ),
            id="execution",
        ),
    ],
)
def test_the_core_refuses_provenance_of_other_bytes_naming_both_digests(render_doc):
    with pytest.raises(UserError) as refused:
        render_doc(CHANGED, _provenance(PUBLISHED))
    assert PUBLISHED.digest in refused.value.problem
    assert CHANGED.digest in refused.value.problem
    assert "Publish" in refused.value.fix


def test_the_core_pins_provenance_of_the_same_bytes():
    doc = manifests.render_pipeline(
        PUBLISHED, manifests.PipelineOptions("AbalonePipeline", ROLE, provenance=_provenance(PUBLISHED))
    )
    annotations = _annotations(doc)
    assert annotations[ack.ANNOTATION_PREFIX + "definition-version-id"] == "v-published"
    assert annotations[ack.ANNOTATION_PREFIX + "definition-digest"] == PUBLISHED.digest


def test_render_looks_provenance_up_by_the_digest_of_what_it_renders():
    known = {PUBLISHED.digest: _provenance(PUBLISHED)}
    asked: list[str] = []

    def find(digest):
        asked.append(digest)
        return known.get(digest)

    pinned = render(
        PUBLISHED, pipeline_name="AbalonePipeline", role_arn=ROLE, execution=True, find_provenance=find
    )
    unpinned = render(
        CHANGED, pipeline_name="AbalonePipeline", role_arn=ROLE, execution=True, find_provenance=find
    )
    assert asked == [PUBLISHED.digest, CHANGED.digest]
    assert pinned.provenance == known[PUBLISHED.digest]
    assert all(
        _annotations(d)[ack.ANNOTATION_PREFIX + "definition-version-id"] == "v-published" for d in pinned.docs
    )
    assert unpinned.provenance is None
    pipeline_annotations = _annotations(unpinned.pipeline)
    assert ack.ANNOTATION_PREFIX + "definition-version-id" not in pipeline_annotations
    assert pipeline_annotations[ack.ANNOTATION_PREFIX + "definition-digest"] == CHANGED.digest
    assert "annotations" not in unpinned.execution["metadata"] or not any(
        "version-id" in k for k in _annotations(unpinned.execution)
    )


def test_render_refuses_an_explicit_provenance_of_other_bytes():
    with pytest.raises(UserError, match=CHANGED.digest):
        render(CHANGED, pipeline_name="AbalonePipeline", role_arn=ROLE, provenance=_provenance(PUBLISHED))
