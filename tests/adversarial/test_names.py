"""Hostile names against the commands that put names into URLs and manifests.

A run, namespace, pipeline name, run id or role ARN that is not what Kubernetes or SageMaker allows must be
refused where it enters, naming the value and the rule, before any request: ``stop '../pipelines/NAME'``
once deleted the Pipeline itself. Each case runs against the Kubernetes API emulator holding a Pipeline
and a PipelineExecution, and asserts both are still there afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.core import ack, manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition
from tests.fixtures.kubeapi import kube_request

from .conftest import assert_user_error, cli, files_under

PIPELINE = "victim"
RUN = "victim-run"

HOSTILE_RUNS = [
    "../pipelines/victim",
    "victim-run/../../pipelines/victim",
    "..",
    "victim-run\n",
    "victim-run/",
    "victim%2Frun",
    "Victim-Run",
    "vïctim-run",
    "a" * 300,
    "",
    " victim-run",
    "victim-run?dryRun=All",
    "victim-run#fragment",
    "arn:aws:sagemaker:us-east-1:123456789012:pipeline/victim/execution/../../x",
]
HOSTILE_NAMESPACES = ["../default", "a/b", "team\n", "Team", "x" * 64, "kube-system/pipelines", ""]
HOSTILE_PIPELINE_NAMES = ["../victim", "a/b", "victim\n", "a_b", "p" * 300, "ünicode"]


@pytest.fixture
def world(kubeapi: Any, kube_namespace: str, kubeconfig_path: Path) -> dict[str, Any]:
    """A namespace with one Pipeline and one run of it, and the environment that points at them."""
    definition = parse_definition(abalone_definition())
    pipeline = manifests.render_pipeline(
        definition, manifests.PipelineOptions(PIPELINE, ROLE, namespace=kube_namespace)
    )
    run = manifests.render_execution(
        manifests.ExecutionOptions(PIPELINE, "1", namespace=kube_namespace, resource_name=RUN), definition
    )
    for doc in (pipeline, run):
        kube_request(_collection(kubeapi, kube_namespace, doc["kind"]), "POST", doc)
    return {
        "kubeapi": kubeapi,
        "namespace": kube_namespace,
        "env": {"KUBECONFIG": str(kubeconfig_path), "SAGEMAKER_ACK_NAMESPACE": kube_namespace},
    }


def _collection(kubeapi: Any, namespace: str, kind: str) -> str:
    return f"{kubeapi.url}/apis/{ack.API_VERSION}/namespaces/{namespace}/{ack.PLURALS[kind]}"


def _still_there(world: dict[str, Any]) -> None:
    for kind, name in ((ack.PIPELINE_KIND, PIPELINE), (ack.EXECUTION_KIND, RUN)):
        items = kube_request(_collection(world["kubeapi"], world["namespace"], kind))["items"]
        found = [i["metadata"]["name"] for i in items if not i["metadata"].get("deletionTimestamp")]
        assert found == [name], (kind, found)


@pytest.mark.parametrize("command", ["stop", "status"])
@pytest.mark.parametrize("run", HOSTILE_RUNS, ids=repr)
def test_a_hostile_run_name_is_refused_and_touches_nothing(
    world: dict[str, Any], command: str, run: str
) -> None:
    outcome = cli(command, run, env=world["env"])
    assert_user_error(outcome, "not a valid")
    assert repr(run)[:20] in outcome.stderr or run == "a" * 300, outcome.stderr
    _still_there(world)


@pytest.fixture
def pipeline_yaml(tmp_path: Path) -> Path:
    definition = parse_definition(abalone_definition())
    doc = manifests.render_pipeline(definition, manifests.PipelineOptions("other", ROLE))
    path = tmp_path / "pipeline.yaml"
    path.write_text(manifests.dump_yaml([doc]))
    return path


@pytest.fixture
def definition_file(tmp_path: Path) -> Path:
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(abalone_definition()))
    return path


@pytest.mark.parametrize("command", ["stop", "status", "runs", "apply", "render"])
@pytest.mark.parametrize("namespace", HOSTILE_NAMESPACES, ids=repr)
def test_a_hostile_namespace_is_refused_before_any_request(
    world: dict[str, Any],
    pipeline_yaml: Path,
    definition_file: Path,
    tmp_path: Path,
    command: str,
    namespace: str,
) -> None:
    out = tmp_path / "out"
    args = {
        "stop": ["stop", RUN, "-n", namespace],
        "status": ["status", RUN, "-n", namespace],
        "runs": ["runs", "-n", namespace],
        "apply": ["apply", str(pipeline_yaml), "--dry-run", "-n", namespace],
        "render": [
            "render", str(definition_file), "--pipeline-name", "p", "--role-arn", ROLE,
            "--namespace", namespace, "-o", str(out),
        ],
    }[command]  # fmt: skip
    assert_user_error(cli(*args, env=world["env"]), "namespace")
    _still_there(world)
    assert files_under(out) == []


@pytest.mark.parametrize("namespace", ["../default", "team\n"], ids=repr)
def test_a_hostile_namespace_setting_is_refused(world: dict[str, Any], namespace: str) -> None:
    outcome = cli("stop", RUN, env={**world["env"], "SAGEMAKER_ACK_NAMESPACE": namespace})
    assert_user_error(outcome, "namespace", "settings")
    _still_there(world)


@pytest.mark.parametrize("name", HOSTILE_PIPELINE_NAMES, ids=repr)
def test_runs_refuses_a_hostile_pipeline_name(world: dict[str, Any], name: str) -> None:
    assert_user_error(cli("runs", name, env=world["env"]), "pipeline name")


@pytest.mark.parametrize("name", HOSTILE_PIPELINE_NAMES, ids=repr)
def test_render_refuses_a_hostile_pipeline_name_and_writes_nothing(
    definition_file: Path, tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    outcome = cli("render", str(definition_file), "--pipeline-name", name, "--role-arn", ROLE, "-o", str(out))
    assert_user_error(outcome, "pipeline name")
    assert files_under(out) == []


@pytest.mark.parametrize(
    "role",
    [ROLE + "\n", ROLE + "/../x\n", "arn:aws:iam::12345678901:role/R", "role/R", ROLE + " extra"],
    ids=repr,
)
def test_render_refuses_a_role_arn_that_only_starts_right(definition_file: Path, role: str) -> None:
    outcome = cli("render", str(definition_file), "--pipeline-name", "p", "--role-arn", role)
    assert_user_error(outcome, "role")


@pytest.mark.parametrize("run_id", ["../x", "1\n", "a/b", "x" * 41, "_"], ids=repr)
def test_render_refuses_a_hostile_run_id(definition_file: Path, tmp_path: Path, run_id: str) -> None:
    out = tmp_path / "out"
    outcome = cli(
        "render", str(definition_file), "--pipeline-name", "p", "--role-arn", ROLE,
        "--execution", "--run-id", run_id, "-o", str(out),
    )  # fmt: skip
    assert_user_error(outcome, "run id")
    assert files_under(out) == []


def test_a_valid_run_name_still_reaches_the_cluster(world: dict[str, Any]) -> None:
    """The control: the same command with the real name finds the run (and says so)."""
    outcome = cli("status", RUN, env=world["env"])
    assert "not a valid" not in outcome.output, outcome.output
    assert RUN in outcome.output, outcome.output


@pytest.mark.parametrize("operation", ["get", "delete", "apply"])
@pytest.mark.parametrize(
    "name", ["../pipelines/victim", "victim-run\n", "victim-run/../../pipelines/victim"], ids=repr
)
def test_the_kubernetes_adapter_refuses_a_hostile_name_from_any_face(
    world: dict[str, Any], operation: str, name: str
) -> None:
    """Magics, the panel and the server reach the cluster through the same adapter as the CLI."""
    from jupyter_sagemaker_ack.adapters.kube import KubeObjects, connect
    from jupyter_sagemaker_ack.config import resolve_settings
    from jupyter_sagemaker_ack.core.errors import UserError

    settings = resolve_settings(env=world["env"])
    cluster = connect(settings)
    try:
        objects = KubeObjects(cluster)
        doc = {"apiVersion": ack.API_VERSION, "kind": ack.EXECUTION_KIND, "metadata": {"name": name}}
        calls = {
            "apply": lambda: objects.apply(doc, world["namespace"]),
            "get": lambda: objects.get(ack.EXECUTION_KIND, world["namespace"], name),
            "delete": lambda: objects.delete(ack.EXECUTION_KIND, world["namespace"], name),
        }
        with pytest.raises(UserError, match="not a valid"):
            calls[operation]()
    finally:
        cluster.close()
    _still_there(world)
