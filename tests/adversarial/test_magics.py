"""``%sagemaker_ack`` in a real IPython shell, given mistakes: one clear error, a Problem back, nothing written.

Every case runs the magic as a notebook cell would, and asserts what the user sees: exactly one display
with one ``error:`` and one ``fix:`` line, no traceback anywhere, a :class:`Problem` as the cell's value
(never None), and no file left behind in the folder the case points at. Nothing here reaches a network:
each mistake must be caught before the first request.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from jupyter_sagemaker_ack.faces.magics.results import CommandFailed, Problem
from tests.adversarial.conftest import files_under

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def shell(monkeypatch, tmp_path) -> Iterator[Any]:
    """The IPython test shell with the extension loaded, a pipeline and a few wrong variables in it."""
    from IPython.testing.globalipapp import get_ipython, start_ipython

    monkeypatch.setenv("SAGEMAKER_ACK_ROLE_ARN", ROLE)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    ip = start_ipython() or get_ipython()
    ip.run_line_magic("load_ext", "jupyter_sagemaker_ack")
    variables = {"pipeline": abalone_definition(), "n": 3, "text": "not json at all"}
    ip.user_ns.update(variables)
    try:
        yield ip
    finally:
        ip.run_line_magic("unload_ext", "jupyter_sagemaker_ack")
        for name in variables:
            ip.user_ns.pop(name, None)


@pytest.fixture
def place(tmp_path) -> Path:
    """A folder with what the bad paths need: a file, a folder named like a file, a symlink loop, bad text."""
    (tmp_path / "afile").write_text("already here\n")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "latin1.json").write_bytes(b'{"Version": "2020-12-01", "Steps": [], "x": "\xe9"}')
    (tmp_path / "readonly").mkdir()
    (tmp_path / "readonly").chmod(0o555)
    yield tmp_path
    (tmp_path / "readonly").chmod(0o755)


def _run(shell: Any, line: str) -> tuple[Any, list[dict[str, Any]], str]:
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        value = shell.run_line_magic("sagemaker_ack", line)
    return value, [output.data for output in captured.outputs], captured.stdout + captured.stderr


FILE_CASE = "a local file error is a file problem"
CASES = [
    # bad arguments
    pytest.param("yaml", ["required", "pipeline", "--help"], id="args-missing-pipeline"),
    pytest.param("publish pipeline --nope", ["unrecognized", "--nope"], id="args-unknown-option"),
    pytest.param("lint pipeline extra", ["unrecognized", "extra"], id="args-extra-word"),
    pytest.param("yaml 'pipeline", ["quotation", "quotes"], id="args-unclosed-quote"),
    pytest.param("status --namespace", ["expected one argument"], id="args-option-without-value"),
    pytest.param("stop", ["required", "run"], id="args-stop-without-run"),
    pytest.param("yaml pipeline --execution=yes", ["--execution"], id="args-flag-with-value"),
    # unknown subcommands
    pytest.param("deploy pipeline", ["Unknown subcommand 'deploy'", "lint"], id="subcommand-unknown"),
    pytest.param("YAML pipeline", ["Unknown subcommand 'YAML'", "yaml"], id="subcommand-wrong-case"),
    # missing or wrong pipelines
    pytest.param("yaml nothere -o {tmp}/out.yaml", ["no variable 'nothere'"], id="pipeline-missing-yaml"),
    pytest.param("publish nothere --bucket b", ["no variable 'nothere'"], id="pipeline-missing-publish"),
    pytest.param("submit nothere", ["no variable 'nothere'"], id="pipeline-missing-submit"),
    pytest.param("diff nothere", ["no variable 'nothere'"], id="pipeline-missing-diff"),
    pytest.param("panel nothere", ["no variable 'nothere'"], id="pipeline-missing-panel"),
    pytest.param("lint pipeline.nope", ["no attribute 'nope'"], id="pipeline-missing-attribute"),
    pytest.param("yaml n -o {tmp}/out.yaml", ["'n' is not a pipeline"], id="pipeline-is-a-number"),
    pytest.param("lint text", ["not valid JSON"], id="pipeline-is-not-json"),
    pytest.param("yaml pipeline -o {tmp}/out.yaml", ["has no name", "--name"], id="pipeline-without-name"),
    pytest.param(
        "yaml pipeline --name bad_name! -o {tmp}/o", ["not a valid SageMaker"], id="pipeline-bad-name"
    ),
    # bad --param values
    pytest.param(
        "yaml pipeline --name P --param oops -o {tmp}/o.yaml", ["not KEY=VALUE"], id="param-no-equals"
    ),
    pytest.param(
        "yaml pipeline --name P --param =3 -o {tmp}/o.yaml", ["not KEY=VALUE"], id="param-empty-key"
    ),
    pytest.param(
        "yaml pipeline --name P --param NoSuch=1 -o {tmp}/o.yaml",
        ["no parameter 'NoSuch'", "ProcessingInstanceCount"],
        id="param-undeclared",
    ),
    pytest.param(
        "submit pipeline --name P --param NoSuch=1", ["no parameter 'NoSuch'"], id="param-undeclared-submit"
    ),
    # bad -o paths and input files: file problems, never "could not reach a service"
    pytest.param(
        "yaml pipeline --name P -o {tmp}/afile/out.yaml",
        [FILE_CASE, "afile", "not a folder"],
        id="out-under-a-file",
    ),
    pytest.param(
        "yaml pipeline --name P -o {tmp}/dir.yaml", [FILE_CASE, "dir.yaml", "folder"], id="out-is-a-folder"
    ),
    pytest.param(
        "yaml pipeline --name P -o {tmp}/afile", ["exists and is not a folder"], id="out-folder-is-a-file"
    ),
    pytest.param(
        "yaml pipeline --name P -o {tmp}/loop/out.yaml",
        [FILE_CASE, "loop", "symbolic links"],
        id="out-symlink-loop",
    ),
    pytest.param(
        "yaml pipeline --name P -o {tmp}/" + "n" * 300 + ".yaml",
        [FILE_CASE, "too long"],
        id="out-name-too-long",
    ),
    pytest.param(
        "yaml pipeline --name P -o {tmp}/readonly/out.yaml",
        [FILE_CASE, "readonly", "permission"],
        id="out-read-only-folder",
        marks=pytest.mark.skipif(AS_ROOT, reason="root writes into a read-only folder"),
    ),
    pytest.param(
        "diff pipeline --name P --against {tmp}/dir.yaml",
        ["holds 0 ACK Pipeline documents"],
        id="against-empty-folder",
    ),
    pytest.param("diff pipeline --name P --against {tmp}/latin1.json", ["UTF-8"], id="against-not-utf8"),
]


@pytest.mark.parametrize(("line", "mentions"), CASES)
def test_a_mistake_is_one_clear_problem_and_nothing_is_written(shell, place, line, mentions):
    before = files_under(place)
    value, displays, printed = _run(shell, line.format(tmp=place))
    assert isinstance(value, Problem), value  # the cell's value, never None
    assert len(displays) == 1, displays
    shown = displays[0]["text/plain"]
    assert "Traceback" not in shown + printed, shown + printed
    lines = shown.splitlines()
    assert len([x for x in lines if x.startswith("error:")]) == 1, shown
    assert len([x for x in lines if x.startswith("fix:")]) == 1, shown
    assert shown == repr(value)
    assert "sma-problem" in displays[0]["text/html"]
    if FILE_CASE in mentions:
        # one family of file messages: "Cannot use the file" (any OSError) or, from render's writer,
        # "Cannot write the file"; never a service problem
        assert shown.startswith(("error: Cannot use the file", "error: Cannot write the file")), shown
        assert "could not reach" not in shown.lower(), shown
        mentions = [m for m in mentions if m != FILE_CASE]
    for word in mentions:
        assert word.lower() in shown.lower(), (word, shown)
    assert files_under(place) == before  # no output, no temporary file left


def test_reading_a_result_from_a_problem_says_the_command_failed(shell):
    value, _, _ = _run(shell, "stop")
    with pytest.raises(CommandFailed, match="the following arguments are required"):
        value["outcome"]


def test_a_problem_assigned_in_a_cell_is_shown_once(shell):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        shell.run_cell("r = %sagemaker_ack lint nothere\nr")
    texts = [o.data["text/plain"] for o in captured.outputs]
    assert texts == [repr(shell.user_ns["r"])]
    assert "no variable 'nothere'" in texts[0]
    shell.user_ns.pop("r", None)
