"""What `kubectl kustomize` (the real one) builds from a bundle: CRD-valid objects, one set per environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from jupyter_sagemaker_ack.core import ack, bundle
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition
from tests.adversarial.conftest import cli

PROD_ROLE = "arn:aws:iam::999999999999:role/SageMakerProdExec"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
PROD_KEY = "arn:aws:kms:eu-west-1:999999999999:key/prod"
ENVS = f"""\
environments:
  prod:
    namespace: ml-prod
    region: eu-west-1
    roleARN: {PROD_ROLE}
    parallelism: 8
    parameters: {{ProcessingInstanceCount: 2, ModelApprovalStatus: Approved}}
    deletionPolicy: retain
    substitutions:
      "{ROLE}": "{PROD_ROLE}"
      "{KEY}": "{PROD_KEY}"
      "sagemaker-ack-demo": "prod-bucket"
  staging:
    namespace: ml-staging
    region: us-west-2
    roleARN: arn:aws:iam::555555555555:role/Staging
    substitutions:
      "123456789012": "555555555555"
      "sagemaker-ack-demo": "staging-bucket"
  dev:
    namespace: ml-dev
    region: us-east-1
    roleARN: {ROLE}
    keep: ["123456789012", "sagemaker-ack-demo"]
"""


def source_definition() -> dict:
    raw = abalone_definition()
    raw["Steps"][0]["Arguments"]["ProcessingOutputConfig"] = {"KmsKeyId": KEY}
    return raw


def kustomize(folder: Path) -> list[dict]:
    done = subprocess.run(["kubectl", "kustomize", str(folder)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, list[dict]]]:
    tmp = tmp_path_factory.mktemp("bundle")
    (tmp / "def.json").write_text(json.dumps(source_definition()))
    (tmp / "envs.yaml").write_text(ENVS)
    out = tmp / "out"
    outcome = cli(
        "bundle",
        str(tmp / "def.json"),
        "-o",
        str(out),
        "--environments",
        str(tmp / "envs.yaml"),
        "--pipeline-name",
        "abalone",
    )
    assert outcome.exit_code == 0, outcome.output
    return out, {env: kustomize(out / "overlays" / env) for env in ("prod", "staging", "dev")}


def _by_kind(docs: list[dict], kind: str) -> dict:
    return next(d for d in docs if d["kind"] == kind)


def _closed(schema):
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if out.get("type") == "object" and "properties" in out and "metadata" not in out["properties"]:
            out["additionalProperties"] = False
        return out
    return schema


@pytest.mark.parametrize("env", ["prod", "staging", "dev"])
def test_every_overlay_builds_objects_the_upstream_and_project_crds_accept(built, shared_dir, env):
    docs = built[1][env]
    assert {d["kind"] for d in docs} >= {"Pipeline"}
    project = {c["spec"]["names"]["kind"]: c for c in ack.crd_documents()}
    for doc in docs:
        plural = ack.PLURALS[doc["kind"]]
        upstream = yaml.safe_load(
            (shared_dir / "ack" / "crds" / f"sagemaker.services.k8s.aws_{plural}.yaml").read_text()
        )
        jsonschema.validate(doc, _closed(upstream["spec"]["versions"][0]["schema"]["openAPIV3Schema"]))
        jsonschema.validate(
            doc, _closed(project[doc["kind"]]["spec"]["versions"][0]["schema"]["openAPIV3Schema"])
        )


def test_prod_carries_its_namespace_role_region_parallelism_and_substituted_definition(built):
    _, docs = built
    pipeline = _by_kind(docs["prod"], "Pipeline")
    assert pipeline["metadata"]["namespace"] == "ml-prod"
    assert pipeline["spec"]["roleARN"] == PROD_ROLE
    assert pipeline["spec"]["parallelismConfiguration"] == {"maxParallelExecutionSteps": 8}
    notes = pipeline["metadata"]["annotations"]
    assert notes["services.k8s.aws/region"] == "eu-west-1"
    assert notes["services.k8s.aws/deletion-policy"] == "retain"
    text = pipeline["spec"]["pipelineDefinition"]
    assert "123456789012" not in text
    assert "sagemaker-ack-demo" not in text
    assert PROD_ROLE in text
    assert PROD_KEY in text
    assert "s3://prod-bucket/" in text
    definition = parse_definition(text)
    assert notes["sagemaker-ack.io/definition-digest"] == definition.digest
    source = parse_definition(source_definition())
    assert notes["sagemaker-ack.io/source-definition-digest"] == source.digest
    assert notes["sagemaker-ack.io/substitution-set-digest"].startswith("sha256:")


def test_each_environment_has_its_own_substitution_digest_and_definition(built):
    _, docs = built
    pipelines = {env: _by_kind(d, "Pipeline") for env, d in docs.items()}
    sets = {
        p["metadata"]["annotations"]["sagemaker-ack.io/substitution-set-digest"] for p in pipelines.values()
    }
    digests = {p["metadata"]["annotations"]["sagemaker-ack.io/definition-digest"] for p in pipelines.values()}
    assert len(sets) == 3
    assert len(digests) == 3
    staging = pipelines["staging"]["spec"]["pipelineDefinition"]
    assert "555555555555" in staging
    assert "123456789012" not in staging
    dev = pipelines["dev"]
    assert dev["spec"]["pipelineDefinition"].count("123456789012") >= 2  # kept, as the file says
    assert (
        dev["metadata"]["annotations"]["sagemaker-ack.io/definition-digest"]
        == parse_definition(source_definition()).digest
    )


def test_prod_execution_has_parameters_and_a_name_fixed_by_digest_and_parameters(built):
    _, docs = built
    run = _by_kind(docs["prod"], "PipelineExecution")
    assert run["metadata"]["namespace"] == "ml-prod"
    assert run["metadata"]["annotations"]["services.k8s.aws/region"] == "eu-west-1"
    assert {p["name"]: p["value"] for p in run["spec"]["pipelineParameters"]} == {
        "ProcessingInstanceCount": "2",
        "ModelApprovalStatus": "Approved",
    }
    definition = parse_definition(_by_kind(docs["prod"], "Pipeline")["spec"]["pipelineDefinition"])
    run_id = bundle.execution_run_id(
        definition, {"ModelApprovalStatus": "Approved", "ProcessingInstanceCount": 2}
    )
    assert run["metadata"]["name"].endswith(run_id)
    assert [d["kind"] for d in docs["dev"]] == ["Pipeline"]  # no parameters, no execution asked for


def test_rebundling_the_same_input_writes_the_same_files(built, tmp_path):
    out, _ = built
    before = {p.relative_to(out): p.read_text() for p in out.rglob("*") if p.is_file()}
    src = out.parent
    assert (
        cli(
            "bundle",
            str(src / "def.json"),
            "-o",
            str(out),
            "--environments",
            str(src / "envs.yaml"),
            "--pipeline-name",
            "abalone",
        ).exit_code
        == 0
    )
    after = {p.relative_to(out): p.read_text() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_readme_is_the_reviewers_page(built):
    out, _ = built
    readme = (out / "README.md").read_text()
    assert "# Pipeline `abalone`" in readme
    assert "(dag.svg)" in readme
    import xml.etree.ElementTree as ElementTree

    picture = ElementTree.fromstring((out / "dag.svg").read_text())
    assert picture.tag.endswith("svg")
    labels = {t.text for t in picture.iter() if t.tag.endswith("title")}
    assert {s["Name"] for s in source_definition()["Steps"]} <= labels
    health = yaml.safe_load((out / "argocd-cm-health-patch.yaml").read_text())
    assert health["metadata"]["name"] == "argocd-cm"
    assert "argocd-cm-health-patch.yaml" in readme
    assert "## Lint" in readme
    assert "SMA951" in readme
    assert "### prod" in readme
    assert "`sagemaker-ack-demo` -> `prod-bucket`" in readme
    assert "deletion policy `retain`" in readme
