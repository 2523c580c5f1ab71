"""`sagemaker-ack render` as a DevOps engineer runs it: files in, YAML out, one clear line on mistakes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import digest
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition

CLI = [sys.executable, "-m", "jupyter_sagemaker_ack"]


def run(*args, stdin=None):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, input=stdin, timeout=60)


@pytest.fixture
def definition_file(tmp_path):
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(abalone_definition()))
    return path


def test_render_to_stdout(definition_file):
    result = run(
        "render",
        str(definition_file),
        "--pipeline-name",
        "AbalonePipeline",
        "--role-arn",
        ROLE,
        "--namespace",
        "ml",
        "--param",
        "MseThreshold=7",
    )
    assert result.returncode == 0, result.stderr
    docs = manifests.load_manifests(result.stdout)
    assert [d["kind"] for d in docs] == ["Pipeline", "PipelineExecution"]
    assert docs[0]["metadata"]["namespace"] == "ml"
    assert manifests.definition_from_manifest(docs[0]).digest == digest(abalone_definition())
    assert docs[1]["spec"]["pipelineParameters"] == [{"name": "MseThreshold", "value": "7"}]


def test_render_to_folder_and_file(definition_file, tmp_path):
    out = tmp_path / "out"
    result = run(
        "render",
        str(definition_file),
        "--pipeline-name",
        "AbalonePipeline",
        "--role-arn",
        ROLE,
        "--execution",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["execution.yaml", "kustomization.yaml", "pipeline.yaml"]
    single = tmp_path / "all.yaml"
    assert (
        run(
            "render", str(definition_file), "--pipeline-name", "A", "--role-arn", ROLE, "-o", str(single)
        ).returncode
        == 0
    )
    assert len(manifests.load_manifests(single.read_text())) == 1


def test_render_from_stdin(definition_file):
    result = run(
        "render",
        "-",
        "--pipeline-name",
        "AbalonePipeline",
        "--role-arn",
        ROLE,
        stdin=definition_file.read_text(),
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("setup", "args", "words"),
    [
        (None, ["render", "missing.json", "--pipeline-name", "A", "--role-arn", ROLE], "No such file"),
        ('{"Steps": [', ["--pipeline-name", "A", "--role-arn", ROLE], "not valid JSON"),
        ('{"hello": 1}', ["--pipeline-name", "A", "--role-arn", ROLE], "not a SageMaker pipeline definition"),
        ("DEF", ["--pipeline-name", "A", "--role-arn", "my-role"], "not an IAM role ARN"),
        ("DEF", ["--pipeline-name", "bad_name.x", "--role-arn", ROLE], "not a valid SageMaker pipeline name"),
        ("DEF", ["--pipeline-name", "A"], "No IAM role ARN"),
        ("DEF", ["--pipeline-name", "A", "--role-arn", ROLE, "--param", "Nope=1"], "declares no parameter"),
        ("DEF", ["--pipeline-name", "A", "--role-arn", ROLE, "--param", "novalue"], "is not KEY=VALUE"),
        ("DEF", ["--pipeline-name", "A", "--role-arn", ROLE + "\n"], "not an IAM role ARN"),
        ("DEF", ["--pipeline-name", "A\n", "--role-arn", ROLE], "not a valid SageMaker pipeline name"),
        ('{"Steps": [], "X": NaN}', ["--pipeline-name", "A", "--role-arn", ROLE], "NaN is not a JSON number"),
        ("DEF", ["--pipeline-name", "A", "--role-arn", ROLE, "--namespace", "a/b"], "not a valid Kubernetes"),
        (
            "DEF",
            ["--pipeline-name", "A", "--role-arn", ROLE, "-o", "/proc/x/out"],
            "Cannot write the file /proc",
        ),
    ],
)
def test_bad_input_is_one_clear_line_without_traceback(tmp_path, setup, args, words):
    if setup is not None:
        path = tmp_path / "d.json"
        path.write_text(json.dumps(abalone_definition()) if setup == "DEF" else setup)
        args = ["render", str(path), *args]
    result = run(*args)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")
    assert "fix: " in result.stderr
    assert result.stdout == ""


def test_version_and_help():
    assert run("--version").stdout.strip().endswith("0.1.0")
    help_text = run("render", "--help").stdout
    assert "--pipeline-name" in help_text
    assert "kubectl apply" in help_text


def test_a_rendered_folder_gets_ordinary_permissions(definition_file, tmp_path):
    """Staged in a private temporary folder, the result still reads like any folder the user makes."""
    out = tmp_path / "out"
    result = run("render", str(definition_file), "--pipeline-name", "A", "--role-arn", ROLE, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o777 & ~_umask()
    for path in out.iterdir():
        assert path.stat().st_mode & 0o777 == 0o666 & ~_umask(), path
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], "no staging left behind"


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask
