"""Rendered ACK manifests: upstream CRD schema, upstream sample structure, round trip, folder output."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from jupyter_sagemaker_ack.core import ack, manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition

DEFN = parse_definition(json.dumps(abalone_definition()))


def _pipeline(**kw):
    return manifests.render_pipeline(DEFN, manifests.PipelineOptions("AbalonePipeline", ROLE, **kw))


def _execution(**kw):
    return manifests.render_execution(
        manifests.ExecutionOptions("AbalonePipeline", "20261128-120000-ab12", **kw), DEFN
    )


def _upstream_schema(shared_dir: Path, kind: str) -> dict:
    plural = ack.PLURALS[kind]
    crd = yaml.safe_load(
        (shared_dir / "ack" / "crds" / f"sagemaker.services.k8s.aws_{plural}.yaml").read_text()
    )
    return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]


def _closed(schema):
    """The structural schema with unknown fields forbidden, as the API server's pruning would drop them."""
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if out.get("type") == "object" and "properties" in out and "metadata" not in out["properties"]:
            out["additionalProperties"] = False
        return out
    return schema


@pytest.mark.parametrize(
    "doc",
    [
        _pipeline(),
        _pipeline(
            namespace="ml", max_parallel_steps=4, tags={"team": "ml"}, region="eu-west-1", adopt="adopt"
        ),
        _execution(),
        _execution(parameters={"MseThreshold": 7.5, "ProcessingInstanceCount": 2}, max_parallel_steps=2),
        _execution(
            selective_source_arn="arn:aws:sagemaker:us-east-1:123456789012:pipeline/x/execution/y",
            selected_steps=["TrainAbaloneModel"],
        ),
    ],
)
def test_rendered_manifest_validates_against_upstream_crd(shared_dir, doc):
    schema = _closed(_upstream_schema(shared_dir, doc["kind"]))
    jsonschema.validate(doc, schema)


def test_structure_matches_upstream_samples(shared_dir):
    samples = shared_dir / "ack" / "samples"
    for sample_file, ours in (("pipeline.yaml", _pipeline()), ("pipeline_execution.yaml", _execution())):
        sample = yaml.safe_load((samples / sample_file).read_text())
        assert ours["apiVersion"] == sample["apiVersion"]
        assert ours["kind"] == sample["kind"]
        assert set(sample["metadata"]) <= set(ours["metadata"])
        assert set(sample["spec"]) - {"tags", "parallelismConfiguration"} <= set(ours["spec"])
        for key, value in ours["spec"].items():
            if key in sample["spec"]:
                assert type(value) is type(sample["spec"][key]), key


def test_definition_is_an_indented_block_scalar_and_round_trips():
    text = manifests.dump_yaml([_pipeline(), _execution()])
    assert 'pipelineDefinition: |-\n    {\n      "Version": "2020-12-01",' in text
    docs = manifests.load_manifests(text)
    assert [d["kind"] for d in docs] == ["Pipeline", "PipelineExecution"]
    assert manifests.definition_from_manifest(docs[0]).digest == DEFN.digest
    assert docs[0]["metadata"]["annotations"]["sagemaker-ack.io/definition-digest"] == DEFN.digest


def test_parameters_are_strings_and_names_unique_per_run():
    doc = _execution(parameters={"MseThreshold": 7.5, "ProcessingInstanceCount": 2})
    assert doc["spec"]["pipelineParameters"] == [
        {"name": "MseThreshold", "value": "7.5"},
        {"name": "ProcessingInstanceCount", "value": "2"},
    ]
    other = manifests.render_execution(
        manifests.ExecutionOptions("AbalonePipeline", "20261128-120001-cd34"), DEFN
    )
    assert other["metadata"]["name"] != doc["metadata"]["name"]
    assert len(doc["spec"]["pipelineExecutionDisplayName"]) <= 82


def test_labels_and_ack_annotations():
    doc = _pipeline(region="eu-west-1", deletion_policy="retain", adopt="adopt-or-create", namespace="ml")
    meta = doc["metadata"]
    assert meta["namespace"] == "ml"
    assert meta["labels"]["app.kubernetes.io/managed-by"] == "jupyter-sagemaker-ack"
    assert meta["labels"]["app.kubernetes.io/part-of"]
    ann = meta["annotations"]
    assert ann["services.k8s.aws/region"] == "eu-west-1"
    assert ann["services.k8s.aws/deletion-policy"] == "retain"
    assert ann["services.k8s.aws/adoption-policy"] == "adopt-or-create"
    assert json.loads(ann["services.k8s.aws/adoption-fields"]) == {"pipelineName": "AbalonePipeline"}


def test_provenance_annotations_round_trip():
    prov = manifests.Provenance(
        digest=DEFN.digest,
        definition_uri="s3://b/p/AbalonePipeline/definition.json",
        version_id="v1",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
    )
    doc = _pipeline(provenance=prov)
    assert manifests.Provenance.from_annotations(doc["metadata"]["annotations"]) == prov


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"pipeline_name": "bad_name"}, "not a valid SageMaker pipeline name"),
        ({"role_arn": "my-role"}, "not an IAM role ARN"),
        ({"max_parallel_steps": 2**31}, "between 1 and"),
        ({"deletion_policy": "keep"}, "Unknown deletion policy"),
    ],
)
def test_bad_options_raise_user_errors(kwargs, words):
    opts = {"pipeline_name": "AbalonePipeline", "role_arn": ROLE, **kwargs}
    with pytest.raises(UserError, match=words):
        manifests.render_pipeline(DEFN, manifests.PipelineOptions(**opts))


def test_undeclared_execution_parameter_is_refused():
    with pytest.raises(UserError, match="declares no parameter 'Nope'"):
        _execution(parameters={"Nope": 1})


def test_folder_works_with_kubectl_kustomize(tmp_path):
    files = manifests.render_folder([_pipeline(), _execution()])
    assert set(files) == {"pipeline.yaml", "execution.yaml", "kustomization.yaml"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    out = subprocess.run(["kubectl", "kustomize", str(tmp_path)], capture_output=True, text=True, check=True)
    docs = manifests.load_manifests(out.stdout)
    assert sorted(d["kind"] for d in docs) == ["Pipeline", "PipelineExecution"]
    pipeline = next(d for d in docs if d["kind"] == "Pipeline")
    assert manifests.definition_from_manifest(pipeline).digest == DEFN.digest


def test_project_crds_validate_rendered_manifests():
    for doc in (_pipeline(), _execution()):
        crd = next(c for c in ack.crd_documents() if c["spec"]["names"]["kind"] == doc["kind"])
        jsonschema.validate(doc, _closed(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]))


def _bomb(levels: int = 9) -> str:
    lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (_bomb(), "MAX_NODES"),
        ("a: &a [*a]\n", "contains it"),
        ("a: " + "[" * 150 + "]" * 150 + "\n", "MAX_DEPTH"),
        ("kind: Pipeline\nspec:\n  x: .nan\n", "not a JSON number"),
        ("kind: Pipeline\nspec: {x: 1, x: 2}\n", "appears twice"),
        ("kind: Pipeline\nspec: {when: 2024-13-45}\n", "month must be"),
        ("kind: Pipeline\nspec: !!python/object/apply:os.system [id]\n", "cannot be read"),
        ("kind: Pipeline\nn: " + "9" * 5000 + "\n", "cannot be read"),
        ("s: &s " + "y" * 10_000 + "\nl: [" + ",".join(["*s"] * 1_500) + "]\n", "MAX_ALIAS_CHARS"),
        ("a: &a x\nl: [" + ",".join(["*a"] * 10_001) + "]\n", "MAX_ALIASES"),
    ],
    ids=[
        "alias-bomb", "recursive-alias", "deep", "nan", "duplicate-key", "bad-date", "python-tag",
        "huge-integer", "alias-string-bomb", "too-many-aliases",
    ],
)  # fmt: skip
def test_load_manifests_refuses_hostile_yaml_with_a_user_error(text, words):
    with pytest.raises(UserError, match=words):
        manifests.load_manifests(text)


def test_a_trailing_newline_does_not_make_a_name_or_role_valid():
    with pytest.raises(UserError, match="not an IAM role ARN"):
        manifests.render_pipeline(DEFN, manifests.PipelineOptions("abalone", ROLE + "\n"))
    with pytest.raises(UserError, match="not a valid SageMaker pipeline name"):
        manifests.render_pipeline(DEFN, manifests.PipelineOptions("abalone\n", ROLE))
    with pytest.raises(UserError, match="namespace"):
        manifests.render_pipeline(DEFN, manifests.PipelineOptions("abalone", ROLE, namespace="ns\n"))


def test_load_manifests_reads_bom_crlf_and_merge_keys():
    text = "\ufeffbase: &b {kind: Pipeline}\r\nobject:\r\n  <<: *b\r\n  apiVersion: v1\r\n"
    assert manifests.load_manifests(text) == [
        {"base": {"kind": "Pipeline"}, "object": {"kind": "Pipeline", "apiVersion": "v1"}}
    ]
