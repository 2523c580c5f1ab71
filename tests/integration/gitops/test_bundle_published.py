"""Bundle from a pinned S3 version (moto): provenance of the source, and the diff against the version before."""

from __future__ import annotations

import subprocess

import yaml

from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition
from jupyter_sagemaker_ack.services.publish import publish
from tests.adversarial.conftest import cli

PROD = "arn:aws:iam::999999999999:role/Prod"
ENVS = f"""\
environments:
  prod:
    namespace: ml-prod
    region: eu-west-1
    roleARN: {PROD}
    deletionPolicy: retain
    substitutions: {{"{ROLE}": "{PROD}", "sagemaker-ack-demo": "prod-bucket"}}
  dev:
    namespace: ml-dev
    region: us-east-1
    roleARN: {ROLE}
    deletionPolicy: retain
    keep: ["123456789012", "sagemaker-ack-demo"]
"""


def test_bundle_of_a_published_version_says_where_it_came_from_and_what_changed(aws, tmp_path):
    first = publish(abalone_definition(), aws.settings, pipeline_name="abalone")
    changed = abalone_definition()
    changed["Parameters"][0]["DefaultValue"] = 4
    second = publish(changed, aws.settings, pipeline_name="abalone")
    (tmp_path / "envs.yaml").write_text(ENVS)
    out = tmp_path / "out"
    outcome = cli("bundle", second.pinned_uri, "-o", str(out), "--environments", str(tmp_path / "envs.yaml"))
    assert outcome.exit_code == 0, outcome.output
    readme = (out / "README.md").read_text()
    assert second.version_id in readme
    assert f"Against version `{first.version_id}`" in readme
    assert (
        "~ parameter ProcessingInstanceCount: default 1 -> 4" in readme or "ProcessingInstanceCount" in readme
    )

    def build(env: str) -> dict:
        done = subprocess.run(
            ["kubectl", "kustomize", str(out / "overlays" / env)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return next(d for d in yaml.safe_load_all(done.stdout) if d and d["kind"] == "Pipeline")

    prod, dev = build("prod")["metadata"]["annotations"], build("dev")["metadata"]["annotations"]
    # prod's definition is not the published bytes: it names its source, and claims no publication.
    assert prod["sagemaker-ack.io/source-definition-version-id"] == second.version_id
    assert prod["sagemaker-ack.io/source-definition-digest"] == second.digest
    assert "sagemaker-ack.io/definition-version-id" not in prod
    assert prod["sagemaker-ack.io/definition-digest"] != second.digest
    # dev keeps every value: its definition is the publication, and says so.
    assert dev["sagemaker-ack.io/definition-version-id"] == second.version_id
    assert dev["sagemaker-ack.io/definition-digest"] == second.digest
