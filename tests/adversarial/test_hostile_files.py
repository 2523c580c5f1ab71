"""Hostile YAML and JSON against every reader: lint, render, apply --dry-run, diff and the review endpoint.

Each file is small (alias bombs under 1 KB) or merely odd (BOM, CRLF). Every command must end in bounded
time with findings (lint, review) or one ``error:``/``fix:`` pair (the others), never a traceback, and
leave nothing behind: no rendered file, no object in the Kubernetes API emulator.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition

from .conftest import assert_no_traceback, assert_user_error, cli, files_under

pytest.importorskip("pytest_jupyter", reason="needs pytest-jupyter[server] (the project's `test` extra)")

from pytest_jupyter.jupyter_server import *  # noqa: F403

HEADER = "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Pipeline\nmetadata:\n  name: hostile\n"


def _alias_bomb(width: int = 9, levels: int = 9) -> str:
    lines = [HEADER.rstrip("\n"), 'l0: &l0 ["' + '","'.join("x" * width) + '"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * width) + "]")
    lines.append("spec: [" + ",".join([f"*l{levels - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _string_bomb() -> str:
    text = HEADER + "s: &s " + "y" * 5000 + "\n"
    return text + "spec: {list: [" + ",".join(["*s"] * 9000) + "]}\n"


def _valid_pipeline() -> str:
    definition = parse_definition(abalone_definition())
    doc = manifests.render_pipeline(definition, manifests.PipelineOptions("hostile", ROLE))
    return manifests.dump_yaml([doc])


YAML_CASES: dict[str, Callable[[], str]] = {
    "alias-bomb": _alias_bomb,
    "billion-laughs": lambda: _alias_bomb(10, 9),
    "alias-string-bomb": _string_bomb,
    "recursive-alias": lambda: HEADER + "spec: &a {self: *a}\n",
    "deep-flow": lambda: HEADER + "spec: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "deep-block": lambda: HEADER + "spec:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(3000)),
    "deep-block-sequence": lambda: HEADER + "spec:\n  " + "- " * 5000 + "x\n",
    "nan": lambda: HEADER + "spec:\n  pipelineName: hostile\n  weight: .nan\n",
    "infinity": lambda: HEADER + "spec:\n  pipelineName: hostile\n  weight: -.inf\n",
    "huge-integer": lambda: HEADER + "spec:\n  maxSteps: " + "9" * 5000 + "\n",
    "impossible-date": lambda: HEADER + "spec:\n  when: 2024-13-45\n",
    "python-tag": lambda: HEADER + 'spec: !!python/object/apply:os.system ["echo owned"]\n',
    "unhashable-key": lambda: HEADER + "spec:\n  ? [a, b]\n  : c\n",
    "duplicate-keys": lambda: HEADER + "spec:\n  roleARN: a\n  roleARN: b\n",
    "binary": lambda: "\x00\x01\x02\x7f" * 64,
    "multi-document-junk": lambda: "---\n- 1\n- 2\n---\njust words\n---\n42\n",
}
"""Each must be refused: lint reports an error finding; apply, diff and render refuse."""

ODD_BUT_VALID: dict[str, Callable[[], str]] = {
    "bom": lambda: "\ufeff" + _valid_pipeline(),
    "crlf": lambda: _valid_pipeline().replace("\n", "\r\n"),
}

JSON_CASES: dict[str, str] = {
    "nan": '{"Version": "2020-12-01", "Steps": [], "Weight": NaN}',
    "infinity": '{"Version": "2020-12-01", "Steps": [], "Weight": Infinity}',
    "minus-infinity": '{"Version": "2020-12-01", "Steps": [], "Weight": -Infinity}',
    "float-overflow": '{"Version": "2020-12-01", "Steps": [], "Weight": 1e999}',
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep-objects": '{"a":' * 50_000 + "1" + "}" * 50_000,
    "binary": "\x00\x01\x02",
    "empty": "",
}
HUGE_INTEGER = '{"Version": "2020-12-01", "Steps": [], "Count": ' + "9" * 5000 + "}"

SECONDS = 5.0  # far above what a bounded reader needs, far below what an unbounded one takes


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def _timed(*args: str, env: dict[str, str] | None = None) -> Any:
    started = time.monotonic()
    outcome = cli(*args, env=env)
    elapsed = time.monotonic() - started
    assert elapsed < SECONDS, f"sagemaker-ack {args[0]} took {elapsed:.1f} s"
    return outcome


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_lint_reports_a_hostile_yaml_file_as_findings(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, "hostile.yaml", YAML_CASES[case]())
    outcome = _timed("lint", str(path))
    assert_no_traceback(outcome)
    assert outcome.exit_code == 1, outcome.output
    assert " error " in outcome.output, outcome.output


@pytest.mark.parametrize("case", sorted(ODD_BUT_VALID))
def test_lint_reads_a_bom_or_crlf_file_like_any_other(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, "odd.yaml", ODD_BUT_VALID[case]())
    outcome = _timed("lint", str(path))
    assert_no_traceback(outcome)
    assert "SMA103" not in outcome.output, outcome.output
    assert outcome.exit_code == 0, outcome.output


@pytest.fixture
def kube_env(kubeapi: Any, kube_namespace: str, kubeconfig_path: Path) -> dict[str, str]:
    return {"KUBECONFIG": str(kubeconfig_path), "SAGEMAKER_ACK_NAMESPACE": kube_namespace}


def _objects(kubeapi: Any, namespace: str) -> list[str]:
    from tests.fixtures.kubeapi import kube_request

    found = []
    for plural in ("pipelines", "pipelineexecutions"):
        url = f"{kubeapi.url}/apis/sagemaker.services.k8s.aws/v1alpha1/namespaces/{namespace}/{plural}"
        found += [item["metadata"]["name"] for item in kube_request(url)["items"]]
    return found


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_apply_dry_run_refuses_a_hostile_yaml_file_and_creates_nothing(
    tmp_path: Path, case: str, kubeapi: Any, kube_namespace: str, kube_env: dict[str, str]
) -> None:
    path = _write(tmp_path, "hostile.yaml", YAML_CASES[case]())
    outcome = _timed("apply", str(path), "--dry-run", env=kube_env)
    assert_user_error(outcome)
    assert _objects(kubeapi, kube_namespace) == []


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_diff_refuses_a_hostile_yaml_file(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, "hostile.yaml", YAML_CASES[case]())
    good = _write(tmp_path, "good.yaml", _valid_pipeline())
    assert_user_error(_timed("diff", str(path), str(good)))


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_render_refuses_a_hostile_definition_and_writes_nothing(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, "definition.json", JSON_CASES[case])
    out = tmp_path / "out"
    outcome = _timed("render", str(path), "--pipeline-name", "hostile", "--role-arn", ROLE, "-o", str(out))
    assert_user_error(outcome)
    assert files_under(out) == []


def test_render_refuses_an_integer_too_long_to_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "definition.json", HUGE_INTEGER)
    outcome = _timed("render", str(path), "--pipeline-name", "hostile", "--role-arn", ROLE)
    assert_user_error(outcome, "number")


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_lint_reports_a_hostile_definition_as_findings(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, "definition.json", JSON_CASES[case])
    outcome = _timed("lint", str(path))
    assert_no_traceback(outcome)
    assert outcome.exit_code == 1, outcome.output
    assert " error " in outcome.output, outcome.output


HUGE_INTEGER_FILES = {
    "definition": ("definition.json", HUGE_INTEGER),
    "manifest-json": (
        "pipeline.json",
        '{"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "kind": "Pipeline", "spec": {"n": '
        + "9" * 5000
        + "}}",
    ),
}


@pytest.mark.parametrize("case", sorted(HUGE_INTEGER_FILES))
def test_lint_reports_an_integer_too_long_to_read_as_a_finding(tmp_path: Path, case: str) -> None:
    name, text = HUGE_INTEGER_FILES[case]
    outcome = _timed("lint", str(_write(tmp_path, name, text)))
    assert_no_traceback(outcome)
    assert outcome.exit_code == 1, outcome.output
    assert "error SMA302" in outcome.output, outcome.output
    assert "number too long" in outcome.output, outcome.output


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_diff_refuses_a_hostile_definition(tmp_path: Path, case: str) -> None:
    path = _write(tmp_path, "definition.json", JSON_CASES[case])
    good = _write(tmp_path, "good.json", json.dumps(abalone_definition()))
    assert_user_error(_timed("diff", str(good), str(path)))


def test_the_alias_bomb_is_refused_in_well_under_a_second(tmp_path: Path) -> None:
    from jupyter_sagemaker_ack.core.lint import lint_text

    text = _alias_bomb()
    assert len(text.encode()) < 1024
    started = time.monotonic()
    findings = lint_text(text, "bomb.yaml")
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, elapsed
    assert any("MAX_NODES" in f.message for f in findings), findings


# The server's review endpoint: a real Jupyter Server with the extension loaded.


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"jupyter_sagemaker_ack": True}}}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_the_review_endpoint_answers_a_hostile_file_with_findings(
    jp_fetch: Any, jp_asyncio_loop: Any, jp_root_dir: Path, case: str
) -> None:
    _write(jp_root_dir, "hostile.yaml", YAML_CASES[case]())
    body = json.dumps({"path": "hostile.yaml"})
    started = time.monotonic()
    response = jp_asyncio_loop.run_until_complete(
        jp_fetch("sagemaker-ack", "review", method="POST", body=body)
    )
    assert time.monotonic() - started < SECONDS
    assert response.code == 200
    result = json.loads(response.body)
    assert any(f["severity"] == "error" for f in result["findings"]), result["findings"]
    assert result["dag"] is None


def test_the_review_endpoint_refuses_a_file_that_is_not_utf8_without_a_500(
    jp_fetch: Any, jp_asyncio_loop: Any, jp_root_dir: Path
) -> None:
    from tornado.httpclient import HTTPClientError

    (jp_root_dir / "latin1.yaml").write_bytes(HEADER.encode() + "spec: {name: caf\xe9}\n".encode("latin-1"))
    body = json.dumps({"path": "latin1.yaml"})
    with pytest.raises(HTTPClientError) as raised:
        jp_asyncio_loop.run_until_complete(jp_fetch("sagemaker-ack", "review", method="POST", body=body))
    assert raised.value.code == 400
