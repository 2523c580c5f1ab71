"""The oracles: the seed article's broken samples, the upstream ACK samples, and SDK output.

The article's JSON and YAML are cut verbatim from its text; every defect in them must be reported. The
upstream samples are valid apart from their placeholders, which must be reported and nothing else. A
definition the SageMaker SDK produced must lint clean, whatever the stale published schema says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.core.lint import lint_definition, lint_text
from jupyter_sagemaker_ack.services.lint import lint_paths, lint_pipeline

from ._helpers import HERE, SeedSamples


def _codes(findings: list) -> list[tuple[str, int | None, int | None]]:
    return [(f.code, f.line, f.column) for f in findings]


def test_seed_definition_reports_the_unterminated_string_and_its_placeholders(seed: SeedSamples) -> None:
    findings = lint_text(seed.definition, "my-pipeline.json")
    lines = seed.definition.split("\n")
    broken = next(i for i, line in enumerate(lines) if line.rstrip().endswith('"S3DataDistributionType": "'))
    syntax = [f for f in findings if f.code == "SMA302"]
    assert [(f.line, f.column) for f in syntax] == [(broken + 1, len(lines[broken]) + 1)]
    assert "not closed" in syntax[0].message
    placeholders = sorted((f.line, f.message) for f in findings if f.code == "SMA401")
    expected = [(n + 1, m.group()) for n, line in enumerate(lines) for m in re.finditer(r"<<[A-Z_]+>>", line)]
    assert [(line, text) for line, text in expected] == [
        (line, re.search(r"<<[A-Z_]+>>", message).group()) for line, message in placeholders
    ]
    assert {f.code for f in findings} == {"SMA302", "SMA401"}


def test_seed_pipeline_yaml_reports_every_defect(seed: SeedSamples) -> None:
    findings = lint_text(seed.pipeline, "my-pipeline.yaml")
    lines = seed.pipeline.split("\n")
    tab_line = next(i for i, line in enumerate(lines) if "\t" in line) + 1
    block_line = lines.index("  pipelineDefinition: |") + 2
    display_line = lines.index("pipelineDisplayName: my-kubernetes-pipeline") + 1
    role_line = lines.index("roleARN: <<YOUR_SAGEMAKER_ROLE_ARN>>") + 1
    got = _codes(findings)
    assert ("SMA101", tab_line, 3) in got
    assert ("SMA102", block_line, 3) in got
    assert ("SMA201", display_line, 1) in got
    assert ("SMA201", role_line, 1) in got
    # The definition inside the repaired block is still checked: its placeholders are found in place.
    in_definition = [f for f in findings if f.code == "SMA401" and f.step == "AbaloneTrain"]
    assert len(in_definition) == 4
    assert all(block_line < (f.line or 0) < display_line for f in in_definition)
    assert ("SMA401", role_line, 10) in got
    assert {f.code for f in findings} == {"SMA101", "SMA102", "SMA201", "SMA401"}


def test_seed_execution_yaml_reports_its_tab(seed: SeedSamples) -> None:
    findings = lint_text(seed.execution, "pipeline-execution.yaml")
    tab_line = next(i for i, line in enumerate(seed.execution.split("\n")) if "\t" in line) + 1
    assert _codes(findings) == [("SMA101", tab_line, 3)]


def test_seed_documents_linted_together_keep_their_findings(seed: SeedSamples, tmp_path: Path) -> None:
    (tmp_path / "my-pipeline.yaml").write_text(seed.pipeline)
    (tmp_path / "pipeline-execution.yaml").write_text(seed.execution)
    (tmp_path / "my-pipeline.json").write_text(seed.definition)
    findings = lint_paths([tmp_path], offline=True)
    by_file = {Path(f.file or "").name for f in findings}
    assert by_file == {"my-pipeline.yaml", "pipeline-execution.yaml", "my-pipeline.json"}


_SAMPLE_PLACEHOLDER = re.compile(r"\$[A-Z][A-Z0-9_]+|<YOUR_[A-Z0-9_]+>")


def _sample_files(shared_dir: Path) -> list[Path]:
    samples = shared_dir / "ack" / "samples"
    return sorted([*samples.glob("*.yaml"), *(samples / "upstream-samples").glob("*")])


def test_upstream_samples_are_clean_except_their_placeholders(shared_dir: Path) -> None:
    files = _sample_files(shared_dir)
    assert len(files) == 6
    total = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        findings = lint_text(text, path.name)
        assert {f.code for f in findings} <= {"SMA401"}, (path.name, [(f.code, f.message) for f in findings])
        reported = sorted(re.search(r"'(.*)'", f.message).group(1) for f in findings)
        assert reported == sorted(_SAMPLE_PLACEHOLDER.findall(text)), path.name
        total += len(reported)
    assert total == 30  # every sample but pipeline-execution.yaml has placeholders


def test_sdk_output_with_every_common_step_type_lints_clean() -> None:
    # Captured offline from SageMaker SDK 2.257 (Processing, Training, Condition with Or/Not/In,
    # RegisterModel, Model, Transform, Fail, Tuning, Lambda, Callback, EMR, QualityCheck); the stale
    # published schema rejects parts of it.
    text = (HERE / "sdk_outputs" / "sdk_v2_2.257_step_types.json").read_text(encoding="utf-8")
    assert lint_definition(text, "sdk.json") == []


def test_captured_abalone_definition_lints_clean() -> None:
    pytest.importorskip("sagemaker")
    from jupyter_sagemaker_ack.examples import abalone

    captured = abalone.captured_abalone_definition(sdk="v2")
    assert lint_definition(captured.text) == []
    # The same through the services entry point that takes the SDK object itself.
    assert lint_pipeline(abalone.build_abalone_pipeline(sdk="v2")) == []
