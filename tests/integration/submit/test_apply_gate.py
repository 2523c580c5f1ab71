"""apply validates everything before its first write: lint's rules, the server's dry run, the pipeline of each run.

Against the Kubernetes API emulator with the ACK controller stand-in: a refused apply leaves no CR behind
and an existing CR exactly as it was (same resourceVersion), from Python and from the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from jupyter_sagemaker_ack.config import Settings
from jupyter_sagemaker_ack.core import ack
from jupyter_sagemaker_ack.core.errors import UserError
from jupyter_sagemaker_ack.services import submit
from jupyter_sagemaker_ack.services.gate import GateRefused
from tests.adversarial.conftest import assert_user_error, cli

from .conftest import Stack
from .helpers import cluster_objects, pipeline_name, rendered_run

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def crs(stack: Stack, namespace: str) -> dict[str, list[dict[str, Any]]]:
    kubeconfig = str(stack.kubeconfig)
    return {
        kind: cluster_objects(kubeconfig, kind, namespace) for kind in (ack.PIPELINE_KIND, ack.EXECUTION_KIND)
    }


def nothing(stack: Stack, namespace: str) -> bool:
    return crs(stack, namespace) == {ack.PIPELINE_KIND: [], ack.EXECUTION_KIND: []}


def write_folder(folder: Path, docs: list[dict[str, Any]]) -> Path:
    folder.mkdir()
    for name, doc in zip(("pipeline.yaml", "execution.yaml"), docs, strict=False):
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


def test_a_run_of_a_pipeline_that_does_not_exist_is_refused_before_it_is_created(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    missing = pipeline_name("missing")
    execution = rendered_run(settings, steps=1, name=missing).execution
    assert execution is not None

    with pytest.raises(UserError, match="neither in this apply nor a Pipeline") as caught:
        submit.submit([execution], settings)
    assert missing in caught.value.problem
    assert "ResourceNotFound" in caught.value.problem
    assert "nothing was written" in caught.value.problem
    assert "--force" in caught.value.fix
    assert nothing(stack, namespace)


def test_a_run_of_a_pipeline_already_in_the_namespace_goes_ahead(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    rendered = rendered_run(settings, steps=1)
    submit.submit([rendered.pipeline], settings)

    result = submit.submit([rendered.execution], settings)

    assert result.execution_names == [rendered.execution["metadata"]["name"]]  # type: ignore[index]
    assert len(crs(stack, namespace)[ack.EXECUTION_KIND]) == 1


def test_a_folder_whose_second_document_breaks_a_rule_is_not_half_applied(
    stack: Stack, stack_env: dict[str, str], namespace: str, settings: Settings, tmp_path: Path
) -> None:
    rendered = rendered_run(settings, steps=1)
    execution = rendered.execution
    assert execution is not None
    execution["spec"]["pipelineParameters"] = [{"name": "ProcessingInstanceCount", "value": "abc"}]
    folder = write_folder(tmp_path / "out", rendered.docs)

    with pytest.raises(GateRefused) as caught:
        submit.submit(folder, settings)
    assert [f.code for f in caught.value.errors] == ["SMA213"]
    assert str(folder / "execution.yaml") in caught.value.problem  # placed in its file
    assert nothing(stack, namespace)

    outcome = cli("apply", str(folder), env=stack_env)
    assert_user_error(outcome, "SMA213", "--force", exit_code=1)
    assert nothing(stack, namespace)


def test_what_only_the_server_rejects_is_caught_by_its_dry_run_even_when_forced(
    stack: Stack, stack_env: dict[str, str], namespace: str, settings: Settings, tmp_path: Path
) -> None:
    rendered = rendered_run(settings, steps=1)
    submit.submit([rendered.pipeline], settings)
    (before,) = crs(stack, namespace)[ack.PIPELINE_KIND]
    rendered.pipeline["spec"]["pipelineDescription"] = "changed"
    execution = rendered.execution
    assert execution is not None
    execution["spec"]["pipelineParameters"] = "not a list"  # lint says so; --force goes past lint
    folder = write_folder(tmp_path / "out", rendered.docs)

    with pytest.raises(UserError, match="server dry run") as caught:
        submit.submit(folder, settings, force=True)
    assert "nothing was written" in caught.value.problem
    assert caught.value.fix

    outcome = cli("apply", str(folder), "--force", env=stack_env)
    assert_user_error(outcome, "server dry run", exit_code=2)
    (after,) = crs(stack, namespace)[ack.PIPELINE_KIND]
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert after["spec"].get("pipelineDescription") != "changed"
    assert crs(stack, namespace)[ack.EXECUTION_KIND] == []


def test_an_existing_run_stops_the_apply_before_the_pipeline_is_changed(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    rendered = rendered_run(settings, steps=1)
    submit.submit(rendered.docs, settings)
    (before,) = crs(stack, namespace)[ack.PIPELINE_KIND]
    rendered.pipeline["spec"]["pipelineDescription"] = "changed"

    with pytest.raises(UserError, match="already exists") as caught:
        submit.submit(rendered.docs, settings)
    assert "was not applied either" in caught.value.problem

    (after,) = crs(stack, namespace)[ack.PIPELINE_KIND]
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_a_plaintext_secret_key_never_reaches_the_cluster(
    stack: Stack, stack_env: dict[str, str], namespace: str, settings: Settings, tmp_path: Path
) -> None:
    rendered = rendered_run(settings, steps=1)
    definition = json.loads(rendered.pipeline["spec"]["pipelineDefinition"])
    definition["Parameters"].append({"Name": "Key", "Type": "String", "DefaultValue": SECRET})
    rendered.pipeline["spec"]["pipelineDefinition"] = json.dumps(definition, indent=2)
    path = tmp_path / "secret.yaml"
    path.write_text(yaml.safe_dump_all(rendered.docs, sort_keys=False))

    outcome = cli("apply", str(path), env=stack_env)

    assert_user_error(outcome, "SMA502", "--force", exit_code=1)
    assert f"{path}:" in outcome.stderr
    assert SECRET not in outcome.output
    assert nothing(stack, namespace)


def test_dry_run_validates_every_write_without_persisting(
    stack: Stack, namespace: str, settings: Settings
) -> None:
    rendered = rendered_run(settings, steps=1)

    result = submit.submit(rendered.docs, settings, dry_run=True)

    assert result.dry_run
    assert [a.created for a in result.pipelines] == [True]
    assert result.executions[0].obj["spec"]["pipelineName"] == rendered.pipeline_name
    assert nothing(stack, namespace)
