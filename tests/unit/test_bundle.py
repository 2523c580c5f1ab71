"""The pure parts of a GitOps bundle: substitutions, leftovers, run names, sizes and lifecycle findings."""

from __future__ import annotations

import json

import pytest

from jupyter_sagemaker_ack.core import bundle, manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.core.lint import lint_definition
from jupyter_sagemaker_ack.core.lint.rules.lifecycle import check_bundle_documents, check_bundle_files
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition, chain_definition

PROD = "arn:aws:iam::999999999999:role/Prod"


def env(**kw) -> bundle.Environment:
    values = {"name": "prod", "namespace": "ml-prod", "region": "eu-west-1", "role_arn": PROD, **kw}
    return bundle.Environment(**values)


def test_longer_keys_win_and_replacement_is_one_pass():
    raw = {"a": "s3://dev-bucket-2/x and s3://dev-bucket/y", "b": ["dev-bucket"]}
    out, counts = bundle.substitute(raw, {"dev-bucket": "prod", "dev-bucket-2": "prod-2", "prod": "never"})
    assert out == {"a": "s3://prod-2/x and s3://prod/y", "b": ["prod"]}
    assert counts == {"dev-bucket": 2, "dev-bucket-2": 1, "prod": 0}


def test_keys_of_the_definition_are_not_substituted():
    out, counts = bundle.substitute({"dev": "dev"}, {"dev": "prod"})
    assert out == {"dev": "prod"}
    assert counts == {"dev": 1}


def test_accounts_only_inside_iam_and_kms_arns_and_buckets_of_s3_uris():
    raw = {
        "x": "arn:aws:iam::111111111111:role/R",
        "y": "arn:aws:kms:us-east-1:222222222222:key/k",
        "z": "arn:aws:sagemaker:us-east-1:333333333333:pipeline/p",
        "u": ["s3://my-bucket/key", "arn:aws:s3:::other-bucket/k", "not s3 at all"],
    }
    assert bundle.account_ids(raw) == {"111111111111", "222222222222"}
    assert bundle.buckets(raw) == {"my-bucket", "other-bucket"}


def test_leftover_values_are_named_and_keep_allows_them():
    source = parse_definition(abalone_definition())
    with pytest.raises(UserError) as refused:
        bundle.environment_definition(source, env(substitutions={ROLE: PROD}))
    assert "sagemaker-ack-demo" in refused.value.problem
    assert "keep" in refused.value.fix
    kept = bundle.environment_definition(
        source, env(substitutions={ROLE: PROD}, keep=("sagemaker-ack-demo",))
    )
    assert ROLE not in json.dumps(kept.definition.raw)
    assert kept.definition.digest != source.digest


def test_run_id_depends_on_the_definition_and_the_parameters_only():
    one = parse_definition(abalone_definition())
    other = parse_definition(abalone_definition(bucket="b-2"))
    assert bundle.execution_run_id(one, {"A": 1}) == bundle.execution_run_id(one, {"A": "1"})
    assert bundle.execution_run_id(one, {"A": 1}) != bundle.execution_run_id(one, {"A": 2})
    assert bundle.execution_run_id(one, {"A": 1}) != bundle.execution_run_id(other, {"A": 1})


def test_an_overlay_that_changes_the_definition_drops_the_publication_claims():
    source = parse_definition(abalone_definition())
    provenance = manifests.Provenance(
        digest=source.digest, definition_uri="s3://b/p/definition.json", version_id="v1", published_by="me"
    )
    result = bundle.build_bundle(
        source,
        [
            env(substitutions={ROLE: PROD, "sagemaker-ack-demo": "prod-b"}),
            env(name="dev", role_arn=ROLE, keep=("123456789012", "sagemaker-ack-demo")),
        ],
        pipeline_name="abalone",
        base_role_arn=ROLE,
        provenance=provenance,
    )
    prod, dev = (o.patch["metadata"]["annotations"] for o in result.overlays)
    assert prod["sagemaker-ack.io/definition-uri"] is None  # removed by the strategic-merge patch
    assert prod["sagemaker-ack.io/source-definition-uri"] == "s3://b/p/definition.json"
    assert prod["sagemaker-ack.io/source-definition-version-id"] == "v1"
    assert "sagemaker-ack.io/definition-uri" not in dev  # unchanged bytes: the publication still holds
    assert result.base["metadata"]["annotations"]["sagemaker-ack.io/definition-version-id"] == "v1"


def test_render_marks_a_pipeline_over_256_kib_for_server_side_apply():
    big = parse_definition(chain_definition(150))
    small = parse_definition(abalone_definition())
    opts = manifests.PipelineOptions(pipeline_name="p", role_arn=ROLE)
    annotations = manifests.render_pipeline(big, opts)["metadata"]["annotations"]
    assert annotations[manifests.SYNC_OPTIONS_ANNOTATION] == "ServerSideApply=true"
    assert (
        manifests.SYNC_OPTIONS_ANNOTATION
        not in manifests.render_pipeline(small, opts)["metadata"]["annotations"]
    )


@pytest.mark.parametrize(("steps", "codes"), [(10, set()), (100, {"SMA704"}), (800, {"SMA701"})])
def test_definition_size_warns_past_100_kib_and_errors_past_1_mib(steps, codes):
    found = {f.code for f in lint_definition(json.dumps(chain_definition(steps)))} & {"SMA701", "SMA704"}
    assert found == codes


def test_lifecycle_findings_of_a_bundle():
    source = parse_definition(abalone_definition())
    pipeline = manifests.render_pipeline(source, manifests.PipelineOptions("p", ROLE))
    retained = manifests.render_pipeline(
        source, manifests.PipelineOptions("p", ROLE, deletion_policy="retain")
    )
    deleted = manifests.render_pipeline(
        source, manifests.PipelineOptions("p", ROLE, deletion_policy="delete")
    )
    run = manifests.render_execution(manifests.ExecutionOptions("p", "r1"))
    assert [f.code for f in check_bundle_documents([pipeline, retained, deleted, run])] == [
        "SMA951",
        "SMA951",
        "SMA952",
    ]
    assert all(f.severity == "warning" for f in check_bundle_documents([pipeline, run]))


def test_a_patched_base_is_judged_by_its_overlays_patch():
    source = parse_definition(abalone_definition())
    base = manifests.render_pipeline(source, manifests.PipelineOptions("p", ROLE))
    patch = {
        "kind": "Pipeline",
        "metadata": {"name": "p", "annotations": {"services.k8s.aws/deletion-policy": "retain"}},
    }
    files = {"base/pipeline.yaml": [base], "overlays/prod/pipeline-patch.yaml": [patch]}
    assert check_bundle_files(files, ["overlays/prod/pipeline-patch.yaml"]) == []
    assert [f.file for f in check_bundle_files(files, [])] == ["base/pipeline.yaml"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("environments:\n  prod: {namespace: a, region: eu-west-1, roleARN: x, color: red}\n", ["color"]),
        ("environments:\n  prod: {region: eu-west-1, roleARN: x}\n", ["namespace", "missing"]),
        ("environments: [prod]\n", ["environments", "object"]),
    ],
)
def test_environments_schema_errors_name_the_place(text, words):
    with pytest.raises(UserError) as refused:
        bundle.parse_environments(text)
    for word in words:
        assert word in refused.value.problem


def test_execution_defaults_to_on_when_parameters_are_given():
    (prod,) = bundle.parse_environments(
        f"environments:\n  prod: {{namespace: a, region: eu-west-1, roleARN: '{PROD}', parameters: {{A: 1}}}}\n"
    )
    assert prod.execution
    assert prod.parameters == {"A": 1}


def test_gitops_health_keys_are_per_kind_and_flux_says_what_kstatus_misses():
    from jupyter_sagemaker_ack.core import gitops_health

    data = gitops_health.argocd_patch()["data"]
    assert sorted(data) == [
        "resource.customizations.health.sagemaker.services.k8s.aws_Pipeline",
        "resource.customizations.health.sagemaker.services.k8s.aws_PipelineExecution",
    ]
    assert "*" not in "".join(data)
    assert "Failed" in gitops_health.FLUX_EXPLANATION
    kinds = {e["kind"] for e in gitops_health.FLUX_HEALTH_CHECK_EXPRS}
    assert kinds == {"Pipeline", "PipelineExecution"}
