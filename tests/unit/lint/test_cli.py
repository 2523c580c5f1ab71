"""``sagemaker-ack lint``: exit codes, the three output formats, folders, verification of pinned versions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.lint import CODES
from jupyter_sagemaker_ack.core.lint.documents import PlainDocument
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition
from jupyter_sagemaker_ack.faces.cli import cli
from jupyter_sagemaker_ack.services.lint import VERSION_ANNOTATION, lint_paths, verify_pinned
from jupyter_sagemaker_ack.services.verify import VerifyReport

from ._helpers import CORPUS

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def _clean_yaml(tmp_path: Path, provenance: manifests.Provenance | None = None) -> Path:
    definition = parse_definition(abalone_definition())
    doc = manifests.render_pipeline(
        definition, manifests.PipelineOptions(pipeline_name="Abalone", role_arn=ROLE, provenance=provenance)
    )
    path = tmp_path / "pipeline.yaml"
    path.write_text(manifests.dump_yaml([doc]))
    return path


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["lint", *args], catch_exceptions=False)


def test_clean_file_exits_0_with_a_summary(tmp_path: Path) -> None:
    result = _run(str(_clean_yaml(tmp_path)))
    assert result.exit_code == 0
    assert result.output.strip() == "no problems found in 1 file"


def test_errors_exit_1_and_print_file_line_column_code_and_hint() -> None:
    result = _run(str(CORPUS / "yaml_tab.yaml"))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].endswith(
        "yaml_tab.yaml:10:1: error SMA101 A tab character indents line 10; YAML allows only spaces there."
    )
    assert lines[1].startswith("  hint: Indent with spaces only")
    assert lines[-1] == "1 error, 0 warnings in 1 file"


def test_warnings_alone_exit_0() -> None:
    result = _run(str(CORPUS / "def_instance_count_string_param.json"))
    assert result.exit_code == 0
    assert "warning SMA324" in result.output


def test_json_format_is_machine_readable() -> None:
    result = _run("--format", "json", str(CORPUS / "def_cycle.json"), str(CORPUS / "man_role_bad.yaml"))
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["summary"] == {"errors": 2, "warnings": 0, "files": 2}
    first = payload["findings"][0]
    assert set(first) == {
        "code",
        "severity",
        "message",
        "hint",
        "file",
        "line",
        "column",
        "step",
        "parameter",
        "path",
    }
    assert {(f["code"], f["step"]) for f in payload["findings"]} == {("SMA308", "Prep"), ("SMA601", None)}


def test_sarif_format_has_the_structure_code_review_tools_need() -> None:
    result = _run(
        "--format", "sarif", str(CORPUS / "def_dependson_unknown.json"), str(CORPUS / "yaml_empty.yaml")
    )
    assert result.exit_code == 1
    log = json.loads(result.output)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"]
    assert driver["version"]
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert sorted(rule_ids) == sorted(CODES)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] in (
            "error",
            "warning",
        )
    results = run["results"]
    assert len(results) == 2
    for result_ in results:
        assert result_["level"] in ("error", "warning", "note")
        assert result_["message"]["text"]
        assert rule_ids[result_["ruleIndex"]] == result_["ruleId"]
        physical = result_["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"].endswith((".json", ".yaml"))
    located = next(r for r in results if r["ruleId"] == "SMA306")
    assert located["locations"][0]["physicalLocation"]["region"] == {"startLine": 72, "startColumn": 9}
    assert located["locations"][0]["logicalLocations"] == [{"name": "Train", "kind": "step"}]


def test_folder_lints_every_manifest_and_checks_executions_against_pipelines(tmp_path: Path) -> None:
    pipeline_yaml = (CORPUS / "man_execution_undeclared_param.yaml").read_text()
    pipeline, execution = pipeline_yaml.split("---\n")
    (tmp_path / "pipeline.yaml").write_text(pipeline)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "execution.yml").write_text(execution)
    (tmp_path / "notes.txt").write_text("not linted")
    findings = lint_paths([tmp_path])
    assert [(Path(f.file or "").name, f.code, f.parameter) for f in findings] == [
        ("execution.yml", "SMA210", "Epoch")
    ]


def test_missing_path_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["lint", "/nonexistent/file.yaml"])
    assert result.exit_code == 2


def test_pinned_version_is_not_verified_offline(tmp_path: Path) -> None:
    provenance = manifests.Provenance(
        digest=parse_definition(abalone_definition()).digest,  # the core pins only the same bytes
        definition_uri="s3://my-bucket/abalone/definition.json",
        version_id="v1",
    )
    path = _clean_yaml(tmp_path, provenance)
    result = _run("--offline", str(path))
    assert result.exit_code == 0
    assert "warning SMA802 The pinned S3 version v1 was not verified (--offline)." in result.output


def test_pinned_version_mismatch_is_an_error() -> None:
    doc = {"kind": "Pipeline", "metadata": {"annotations": {VERSION_ANNOTATION: "v7"}}}
    seen: list[Any] = []

    def verifier(document: Any) -> VerifyReport:
        seen.append(document)
        report = VerifyReport()
        report.add("p.yaml", "digest", False, "the S3 object differs from the inline definition")
        return report

    findings = verify_pinned([PlainDocument(doc, "p.yaml")], verifier=verifier)
    assert seen == [doc]
    assert [(f.code, f.severity, f.file) for f in findings] == [("SMA801", "error", "p.yaml")]

    def broken(document: Any) -> VerifyReport:
        raise ConnectionError("bucket unreachable")

    (skipped,) = verify_pinned([PlainDocument(doc, "p.yaml")], verifier=broken)
    assert skipped.code == "SMA802"
    assert "bucket unreachable" in skipped.message


def test_real_command_in_a_subprocess(tmp_path: Path) -> None:
    clean = _clean_yaml(tmp_path)
    script = shutil.which("sagemaker-ack")
    # Without the console script (package not pip-installed) the same entry point runs through python -c.
    command = (
        [script]
        if script
        else [sys.executable, "-c", "from jupyter_sagemaker_ack.faces.cli import main; main()"]
    )
    bad = subprocess.run(
        [*command, "lint", str(CORPUS / "man_spec_top_level.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1, bad.stderr
    assert "error SMA201 'roleARN' is at the top level of the object; it belongs under spec." in bad.stdout
    good = subprocess.run(
        [*command, "lint", "--format", "json", str(clean)], capture_output=True, text=True, timeout=60
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["findings"] == []


@pytest.mark.parametrize("name", ["yaml_tab.yaml", "def_truncated.json"])
def test_unreadable_inputs_never_print_a_traceback(name: str) -> None:
    result = CliRunner().invoke(cli, ["lint", str(CORPUS / name)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ("lint", ("--require-verified", "--trust-bucket BUCKET", "--offline")),
        ("verify", ("--trust-bucket BUCKET",)),
    ],
)
def test_the_trust_flags_are_in_the_help(command: str, flags: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    for flag in flags:
        assert flag in result.output
    assert "SAGEMAKER_ACK_BUCKET" in result.output


def test_the_magics_and_the_panel_can_lint_a_definition_through_the_service() -> None:
    from jupyter_sagemaker_ack.services.lint import lint_pipeline

    definition = parse_definition(abalone_definition())
    assert lint_pipeline(definition) == []
    broken = dict(abalone_definition(), Steps=[{"Name": "A", "Type": "Fail", "DependsOn": ["Nope"]}])
    assert [f.code for f in lint_pipeline(broken)] == ["SMA306"]
