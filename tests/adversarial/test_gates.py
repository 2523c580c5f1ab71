"""Gates before writes: render, publish and apply refuse what lint's rules call an error, and write nothing.

A refusal by the rules exits 1 with the findings and one ``error:``/``fix:`` pair naming ``--force``; a bad
argument or a check outside the rules (a run of a pipeline that is nowhere, what the server's dry run
rejects) exits 2 with one pair. Afterwards: no output file, no S3 object version (moto), no CR (the
Kubernetes API emulator).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from jupyter_sagemaker_ack.faces.magics.results import Problem
from jupyter_sagemaker_ack.services.gate import GateRefused
from jupyter_sagemaker_ack.services.publish import publish
from jupyter_sagemaker_ack.services.render import render
from jupyter_sagemaker_ack.services.submit import submit
from tests.fixtures.kubeapi import kube_request
from tests.fixtures.moto_server import AwsTestBed
from tests.notebooks.conftest import ip, rich  # noqa: F401  (ip: the IPython shell fixture)

from .conftest import Outcome, assert_user_error, cli, files_under

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
NAME = "gate-pipeline"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
API = "apis/sagemaker.services.k8s.aws/v1alpha1"

Mutation = Callable[[dict[str, Any]], Any]
DocsMutation = Callable[[list[dict[str, Any]]], None]


def _step(d: dict[str, Any], i: int) -> dict[str, Any]:
    step: dict[str, Any] = d["Steps"][i]
    return step


def _cluster(d: dict[str, Any], i: int) -> dict[str, Any]:
    cluster: dict[str, Any] = _step(d, i)["Arguments"]["ProcessingResources"]["ClusterConfig"]
    return cluster


def _cycle(d: dict[str, Any]) -> None:
    _step(d, 0)["DependsOn"] = ["Step-00001"]
    _step(d, 1)["DependsOn"] = ["Step-00000"]


# A clean two-step definition broken in one way each; the code lint gives that way.
BROKEN: dict[str, tuple[Mutation, str]] = {
    "cycle": (_cycle, "SMA308"),
    "duplicate-step-name": (lambda d: _step(d, 1).__setitem__("Name", "Step-00000"), "SMA309"),
    "unknown-depends-on": (lambda d: _step(d, 1).__setitem__("DependsOn", ["Nope"]), "SMA306"),
    "undeclared-parameter": (
        lambda d: _cluster(d, 0).__setitem__("InstanceCount", {"Get": "Parameters.Missing"}),
        "SMA310",
    ),
    "enum-violating-default": (
        lambda d: d["Parameters"].append(
            {"Name": "Mode", "Type": "String", "DefaultValue": "c", "EnumValues": ["a", "b"]}
        ),
        "SMA312",
    ),
    "oversized-step-name": (lambda d: _step(d, 1).__setitem__("Name", "S" * 80), "SMA313"),
    "invalid-step-name": (lambda d: _step(d, 1).__setitem__("Name", "Step 1!"), "SMA314"),
    "secret-access-key": (
        lambda d: d["Parameters"].append({"Name": "Key", "Type": "String", "DefaultValue": SECRET}),
        "SMA502",
    ),
    "access-key-id": (
        lambda d: d["Parameters"].append(
            {"Name": "KeyId", "Type": "String", "DefaultValue": "AKIAIOSFODNN7EXAMPLE"}
        ),
        "SMA501",
    ),
    "unknown-step-type": (lambda d: _step(d, 1).__setitem__("Type", "Banana"), "SMA303"),
    "default-of-wrong-type": (lambda d: d["Parameters"][0].__setitem__("DefaultValue", "abc"), "SMA311"),
    "duplicate-parameter": (lambda d: d["Parameters"].append(dict(d["Parameters"][0])), "SMA316"),
    "reference-to-unknown-step": (
        lambda d: _cluster(d, 1).__setitem__("InstanceCount", {"Get": "Steps.Nope.Properties.X"}),
        "SMA307",
    ),
}


def broken(case: str) -> dict[str, Any]:
    definition = chain_definition(2)
    BROKEN[case][0](definition)
    return definition


def write_definition(tmp_path: Path, definition: dict[str, Any]) -> Path:
    path = tmp_path / f"{NAME}.json"
    path.write_text(json.dumps(definition, indent=1))
    return path


def assert_refused(outcome: Outcome, code: str) -> None:
    """Exit 1, the finding printed as lint prints it, one error/fix pair naming the code and --force."""
    assert_user_error(outcome, code, "--force", exit_code=1)
    assert f"error {code} " in outcome.stderr


# ----- render ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_render_refuses_what_lint_calls_an_error(case: str, tmp_path: Path) -> None:
    path = write_definition(tmp_path, broken(case))
    out = tmp_path / "out"

    outcome = cli("render", str(path), "--pipeline-name", NAME, "--role-arn", ROLE, "-o", str(out))

    assert_refused(outcome, BROKEN[case][1])
    assert f"{path}:" in outcome.stderr  # placed in the definition file
    assert files_under(tmp_path) == [path.name]


RENDER_ARGUMENTS = {
    "integer-parameter-not-a-number": (["--param", "ProcessingInstanceCount=abc"], 1, "SMA213"),
    "parameter-outside-its-enum": (["--param", "Mode=c"], 1, "SMA213"),
    "invalid-namespace": (["--namespace", "Bad_NS"], 2, "namespace"),  # a bad argument: exit 2
    "undeclared-run-parameter": (["--param", "Nope=1"], 2, "Nope"),
    "oversized-pipeline-name": (["--pipeline-name", "p" * 300], 2, "pipeline name"),
}


@pytest.mark.parametrize("case", sorted(RENDER_ARGUMENTS))
@pytest.mark.parametrize("target", ["out", "out.yaml"])
def test_render_arguments_are_checked_by_the_same_rules(case: str, target: str, tmp_path: Path) -> None:
    definition = chain_definition(2)
    definition["Parameters"].append(
        {"Name": "Mode", "Type": "String", "DefaultValue": "a", "EnumValues": ["a", "b"]}
    )
    path = write_definition(tmp_path, definition)
    extra, code, said = RENDER_ARGUMENTS[case]
    args = ["render", str(path), "--role-arn", ROLE, "-o", str(tmp_path / target)]
    if "--pipeline-name" not in extra:
        args += ["--pipeline-name", NAME]

    outcome = cli(*args, *extra)

    if code == 1:
        assert_refused(outcome, said)
    else:
        assert_user_error(outcome, said, exit_code=2)
    assert files_under(tmp_path) == [path.name]


@pytest.mark.parametrize("case", ["cycle", "secret-access-key", "unknown-depends-on"])
def test_render_service_raises_the_refusal_naming_force_true(case: str) -> None:
    definition = parse_definition(json.dumps(broken(case)))

    with pytest.raises(GateRefused) as caught:
        render(definition, pipeline_name=NAME, role_arn=ROLE)

    assert BROKEN[case][1] in caught.value.problem
    assert "force=True" in caught.value.fix
    assert render(definition, pipeline_name=NAME, role_arn=ROLE, force=True).docs


# ----- publish --------------------------------------------------------------------------------------
def versions(aws: AwsTestBed) -> list[dict[str, Any]]:
    answer = aws.client("s3").list_object_versions(Bucket=aws.bucket)
    return list(answer.get("Versions", [])) + list(answer.get("DeleteMarkers", []))


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_publish_refuses_what_lint_calls_an_error(case: str, aws: AwsTestBed, tmp_path: Path) -> None:
    path = write_definition(tmp_path, broken(case))

    outcome = cli("publish", str(path))

    assert_refused(outcome, BROKEN[case][1])
    assert versions(aws) == []


@pytest.mark.parametrize("case", ["secret-access-key", "access-key-id", "cycle"])
def test_publish_service_raises_the_refusal_naming_force_true(case: str, aws: AwsTestBed) -> None:
    with pytest.raises(GateRefused) as caught:
        publish(json.dumps(broken(case)), aws.settings, pipeline_name=NAME)

    assert BROKEN[case][1] in caught.value.problem
    assert "force=True" in caught.value.fix
    assert SECRET not in str(caught.value)
    assert versions(aws) == []


# ----- apply ----------------------------------------------------------------------------------------
def rendered_docs(namespace: str, definition: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return render(
        parse_definition(json.dumps(definition or chain_definition(2))),
        pipeline_name=NAME,
        role_arn=ROLE,
        namespace=namespace,
        execution=True,
        force=True,
    ).docs


def _inline(change: Mutation) -> DocsMutation:
    """Change the definition inside the Pipeline document."""

    def apply(docs: list[dict[str, Any]]) -> None:
        definition = json.loads(docs[0]["spec"]["pipelineDefinition"])
        change(definition)
        docs[0]["spec"]["pipelineDefinition"] = json.dumps(definition, indent=2)

    return apply


def _set(index: int, *path_and_value: Any) -> DocsMutation:
    *path, value = path_and_value

    def apply(docs: list[dict[str, Any]]) -> None:
        node = docs[index]
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value

    return apply


def _both_namespaces(value: str) -> DocsMutation:
    def apply(docs: list[dict[str, Any]]) -> None:
        for doc in docs:
            doc["metadata"]["namespace"] = value

    return apply


# Manifests broken in one way each: what is changed, the exit code, what the output must name.
APPLY_BROKEN: dict[str, tuple[DocsMutation, int, str]] = {
    "invalid-namespace": (_both_namespaces("Bad_NS"), 1, "SMA207"),
    "run-parameter-not-an-integer": (
        _set(1, "spec", "pipelineParameters", [{"name": "ProcessingInstanceCount", "value": "abc"}]),
        1,
        "SMA213",
    ),
    "undeclared-run-parameter": (
        _set(1, "spec", "pipelineParameters", [{"name": "Nope", "value": "1"}]),
        1,
        "SMA210",
    ),
    "unknown-spec-field": (_set(0, "spec", "pipelineNmae", "x"), 1, "SMA202"),
    "spec-field-outside-spec": (_set(0, "roleARN", ROLE), 1, "SMA201"),
    "wrong-api-version": (_set(1, "apiVersion", "sagemaker.services.k8s.aws/v1"), 1, "SMA211"),
    "inline-secret-access-key": (_inline(BROKEN["secret-access-key"][0]), 1, "SMA502"),
    "inline-cycle": (_inline(_cycle), 1, "SMA308"),
    "inline-duplicate-step-name": (_inline(BROKEN["duplicate-step-name"][0]), 1, "SMA309"),
}


@pytest.fixture
def kube_env(kubeconfig_path: Path, kube_namespace: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"KUBECONFIG": str(kubeconfig_path), "SAGEMAKER_ACK_NAMESPACE": kube_namespace}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def crs(kubeapi: Any, namespace: str) -> list[str]:
    """Every ACK object in the namespace, read over plain HTTP (not through the code under test)."""
    found = []
    for plural in ("pipelines", "pipelineexecutions"):
        answer = kube_request(f"{kubeapi.url}/{API}/namespaces/{namespace}/{plural}")
        found += [f"{plural}/{item['metadata']['name']}" for item in answer["items"]]
    return found


def write_manifests(folder: Path, docs: list[dict[str, Any]], layout: str) -> Path:
    folder.mkdir()
    if layout == "file":
        path = folder / "all.yaml"
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
        return path
    for name, doc in zip(("pipeline.yaml", "execution.yaml"), docs, strict=False):
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    return folder


@pytest.mark.parametrize("case", sorted(APPLY_BROKEN))
@pytest.mark.parametrize("layout", ["file", "folder"])
def test_apply_checks_every_document_before_the_first_write(
    case: str, layout: str, kubeapi: Any, kube_namespace: str, kube_env: dict[str, str], tmp_path: Path
) -> None:
    docs = rendered_docs(kube_namespace)
    change, code, said = APPLY_BROKEN[case]
    change(docs)
    path = write_manifests(tmp_path / "out", docs, layout)

    outcome = cli("apply", str(path), env=kube_env)

    if code == 1:
        assert_refused(outcome, said)
    else:
        assert_user_error(outcome, said, exit_code=code)
    assert crs(kubeapi, kube_namespace) == []


YAML_TEXTS = {
    "tab-indentation": ("apiVersion: v1\nkind: Pipeline\nmetadata:\n\tname: x\n", "SMA101"),
    "syntax-error": ("apiVersion: [v1\nkind: Pipeline\n", "SMA103"),
    "duplicate-key": (None, "SMA105"),
}


@pytest.mark.parametrize("case", sorted(YAML_TEXTS))
def test_apply_refuses_a_file_lint_cannot_read_cleanly(
    case: str, kubeapi: Any, kube_namespace: str, kube_env: dict[str, str], tmp_path: Path
) -> None:
    text, code = YAML_TEXTS[case]
    if text is None:  # a valid pair of documents, the Pipeline's name given twice
        clean = yaml.safe_dump_all(rendered_docs(kube_namespace), sort_keys=False)
        text = clean.replace(f"  name: {NAME}\n", f"  name: {NAME}\n  name: {NAME}-b\n", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text)

    outcome = cli("apply", str(path), env=kube_env)

    # a file that does not read is a bad input, not a rule's refusal: exit 2, the reader's finding named
    # first, and no --force offered (nothing could apply it)
    assert_user_error(outcome, code, "sagemaker-ack lint", exit_code=2)
    assert "--force" not in outcome.output, outcome.output
    assert crs(kubeapi, kube_namespace) == []


@pytest.mark.parametrize("layout", ["file", "folder"])
def test_apply_with_a_bad_namespace_setting_is_a_bad_input(
    layout: str, kubeapi: Any, kube_namespace: str, kube_env: dict[str, str], tmp_path: Path
) -> None:
    path = write_manifests(tmp_path / "out", rendered_docs(kube_namespace), layout)
    outcome = cli("apply", str(path), env={**kube_env, "SAGEMAKER_ACK_NAMESPACE": "Bad_NS"})
    assert_user_error(outcome, "Bad_NS", "not a Kubernetes namespace", "SAGEMAKER_ACK_NAMESPACE")
    assert crs(kubeapi, kube_namespace) == []


def test_apply_of_a_run_whose_pipeline_is_nowhere_exits_2_before_writing(
    kubeapi: Any, kube_namespace: str, kube_env: dict[str, str], tmp_path: Path
) -> None:
    _, execution = rendered_docs(kube_namespace)
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(execution, sort_keys=False))

    outcome = cli("apply", str(path), env=kube_env)

    assert_user_error(outcome, "neither in this apply nor a Pipeline", "--force", exit_code=2)
    assert crs(kubeapi, kube_namespace) == []


def test_apply_of_the_same_run_twice_in_one_folder_exits_2_before_writing(
    kubeapi: Any, kube_namespace: str, kube_env: dict[str, str], tmp_path: Path
) -> None:
    pipeline, execution = rendered_docs(kube_namespace)
    path = tmp_path / "twice.yaml"
    path.write_text(yaml.safe_dump_all([pipeline, execution, execution], sort_keys=False))

    outcome = cli("apply", str(path), "--force", env=kube_env)

    assert_user_error(outcome, "Two documents", exit_code=2)
    assert crs(kubeapi, kube_namespace) == []


def test_forced_apply_still_gets_the_servers_dry_run(
    kubeapi: Any, kube_namespace: str, kube_env: dict[str, str], tmp_path: Path
) -> None:
    docs = rendered_docs(kube_namespace)
    docs[1]["spec"]["pipelineParameters"] = "not a list"
    path = write_manifests(tmp_path / "out", docs, "folder")

    outcome = cli("apply", str(path), "--force", env=kube_env)

    assert_user_error(outcome, "server dry run", "nothing was written", exit_code=2)
    assert crs(kubeapi, kube_namespace) == []


@pytest.mark.parametrize("case", ["inline-secret-access-key", "run-parameter-not-an-integer", "inline-cycle"])
def test_submit_service_raises_the_refusal_naming_force_true(
    case: str, kubeapi: Any, kube_namespace: str, kube_env: dict[str, str]
) -> None:
    from jupyter_sagemaker_ack.config import resolve_settings

    docs = rendered_docs(kube_namespace)
    APPLY_BROKEN[case][0](docs)

    with pytest.raises(GateRefused) as caught:
        submit(copy.deepcopy(docs), resolve_settings())

    assert APPLY_BROKEN[case][2] in caught.value.problem
    assert "force=True" in caught.value.fix
    assert crs(kubeapi, kube_namespace) == []


# ----- the magics -----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["cycle", "secret-access-key"])
@pytest.mark.parametrize("subcommand", ["yaml", "submit"])
def test_magic_refuses_naming_its_force_flag(
    case: str,
    subcommand: str,
    ip: Any,  # noqa: F811
    kubeapi: Any,
    kube_namespace: str,
    kube_env: dict[str, str],
    tmp_path: Path,
) -> None:
    ip.user_ns["pipeline"] = broken(case)
    ip.run_line_magic("config", f'SageMakerAck.role_arn = "{ROLE}"')
    out = tmp_path / "out"
    line = f"{subcommand} pipeline --name {NAME}" + (f" -o {out}" if subcommand == "yaml" else "")

    value, displays, _ = rich(ip, line)

    assert isinstance(value, Problem)  # a failed magic returns the Problem it shows
    (shown,) = displays
    text = shown["text/plain"]
    assert BROKEN[case][1] in text
    assert "--force to the magic" in text
    assert "Traceback" not in text
    assert files_under(tmp_path) == []
    assert crs(kubeapi, kube_namespace) == []
