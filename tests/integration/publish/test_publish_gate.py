"""The lint gate before publish: a definition with an error finding never reaches S3 (moto over HTTP).

From Python, the CLI, the magic and the panel: each refuses, names the finding and how to override, and
the bucket holds no object version afterwards. ``force`` publishes anyway.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.faces.magics.results import Problem
from jupyter_sagemaker_ack.services.gate import GateRefused
from jupyter_sagemaker_ack.services.publish import publish
from tests.adversarial.conftest import assert_user_error, cli
from tests.fixtures.moto_server import AwsTestBed
from tests.notebooks.conftest import ip, rich  # noqa: F401  (ip: the IPython shell fixture)

from .helpers import PIPELINE, all_versions, definition_dict

# The AWS documentation's example secret access key: 40 characters of the key alphabet.
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def with_secret() -> dict[str, Any]:
    definition = definition_dict()
    definition["Parameters"].append({"Name": "AwsSecret", "Type": "String", "DefaultValue": SECRET})
    return definition


def with_cycle() -> dict[str, Any]:
    definition = definition_dict()
    definition["Steps"][0]["DependsOn"] = ["CheckAccuracy"]
    return definition


def versions(aws: AwsTestBed) -> list[dict[str, Any]]:
    return all_versions(aws.client("s3"), aws.bucket)


def test_a_plaintext_secret_key_is_refused_and_nothing_reaches_s3(aws: AwsTestBed) -> None:
    with pytest.raises(GateRefused) as caught:
        publish(json.dumps(with_secret()), aws.settings, pipeline_name=PIPELINE)

    # the value looks like a secret key (SMA502) and a parameter named like a secret has a literal
    # default (SMA504): both are true of this definition, the key itself named first
    assert [f.code for f in caught.value.errors] == ["SMA502", "SMA504"]
    assert "SMA502" in caught.value.problem
    assert "parameter AwsSecret" in caught.value.problem
    assert SECRET not in str(caught.value)  # the refusal does not repeat the secret
    assert "force=True" in caught.value.fix
    assert versions(aws) == []


def test_force_publishes_past_the_gate(aws: AwsTestBed) -> None:
    publication = publish(json.dumps(with_cycle()), aws.settings, pipeline_name=PIPELINE, force=True)

    assert not publication.unchanged
    assert [v["VersionId"] for v in versions(aws) if v["Key"].endswith("definition.json")] == [
        publication.version_id
    ]


def test_cli_publish_prints_the_findings_exits_1_and_names_force(aws: AwsTestBed, tmp_path: Path) -> None:
    path = tmp_path / f"{PIPELINE}.json"
    path.write_text(json.dumps(with_secret(), indent=1))

    outcome = cli("publish", str(path))

    assert_user_error(outcome, "SMA502", "--force", exit_code=1)
    assert f"{path}:" in outcome.stderr  # the finding, placed in the file
    assert "error SMA502" in outcome.stderr
    assert versions(aws) == []


def test_magic_publish_is_refused_naming_its_force_flag(ip: Any, aws: AwsTestBed) -> None:  # noqa: F811
    ip.user_ns["pipeline"] = with_cycle()
    value, displays, _ = rich(ip, f"publish pipeline --name {PIPELINE}")

    assert isinstance(value, Problem)  # a failed magic returns the Problem it shows
    (shown,) = displays
    assert "SMA308" in shown["text/plain"]
    assert "--force" in shown["text/plain"]
    assert versions(aws) == []

    value, _, _ = rich(ip, f"publish pipeline --name {PIPELINE} --force")
    assert value.version_id
    assert versions(aws) != []


def test_panel_turns_publish_and_submit_off_with_the_reason(aws: AwsTestBed) -> None:
    from jupyter_sagemaker_ack.faces.panel.widget import SageMakerAckPanel

    panel = SageMakerAckPanel(with_secret(), name=PIPELINE, settings=aws.settings)
    for label in ("Publish", "Submit"):
        assert panel.buttons[label].disabled
        assert "SMA502" in panel.buttons[label].tooltip
    assert not panel.buttons["Validate"].disabled
    assert "SMA502" in panel.gate
    assert "SMA502" in panel._gate_line.value  # the visible line under the buttons

    with pytest.raises(GateRefused) as caught:
        panel.publish()
    assert "force=True" in caught.value.fix
    assert versions(aws) == []

    clean = SageMakerAckPanel(definition_dict(), name=PIPELINE, settings=aws.settings)
    assert not clean.buttons["Publish"].disabled
    assert clean.gate == ""
    assert clean.buttons["Publish"].tooltip == ""
