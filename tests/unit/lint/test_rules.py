"""Rules that need more than a corpus file: positions inside YAML strings, secrets, sizes, clean renders."""

from __future__ import annotations

import json

import pytest
import yaml

from jupyter_sagemaker_ack.core import ack, manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.core.lint import CODES, lint_definition, lint_documents, lint_text
from jupyter_sagemaker_ack.core.lint.positions import JsonLocator, LineIndex, index_json
from jupyter_sagemaker_ack.core.lint.scalars import scalar_offsets
from jupyter_sagemaker_ack.examples.synthetic import abalone_definition, chain_definition

ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


def _fail_step(name: str = "Stop", **extra: object) -> dict[str, object]:
    return {"Name": name, "Type": "Fail", "Arguments": {"ErrorMessage": "stop"}, **extra}


def _definition(
    *steps: dict[str, object], parameters: list[dict[str, object]] | None = None
) -> dict[str, object]:
    return {"Version": "2020-12-01", "Parameters": parameters or [], "Steps": list(steps)}


def _pipeline_yaml(definition_scalar: str) -> str:
    return (
        "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: Pipeline\nmetadata:\n  name: p\nspec:\n"
        f"  pipelineName: p\n  roleARN: {ROLE}\n  pipelineDefinition: {definition_scalar}\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "a: 'x''y\n  z  \n\n  w'\n",
        'a: "q\\tr\\\n   s t\n u \\u00e9"\n',
        'a: |\n  {\n   "x": 1\n\n  }\n',
        "a: |-\n    one\n      two\n",
        "a: plain\n  more\n",
    ],
)
def test_every_character_of_a_yaml_string_maps_back_to_its_source(text: str) -> None:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    scalar = node.value[0][1]
    origins = scalar_offsets(text, scalar)
    assert origins is not None
    assert len(origins) == len(scalar.value)
    lines = text.split("\n")
    for char, (line, column) in zip(scalar.value, origins, strict=True):
        source = lines[line][column] if column < len(lines[line]) else "\n"
        assert char == source or (char in " \n" and source in " \n") or source == "\\"


def test_json_error_in_a_double_quoted_definition_is_placed_in_the_yaml_file() -> None:
    text = _pipeline_yaml('"{\\"Version\\": \\"2020-12-01\\", \\"Steps\\": [}"')
    (finding,) = [f for f in lint_text(text, "p.yaml") if f.code == "SMA206"]
    line = text.split("\n")[finding.line - 1]
    assert finding.line == 8
    assert line[finding.column - 1] == "}"


def test_definition_findings_inside_yaml_carry_file_positions_and_step_names() -> None:
    definition = json.dumps(_definition(_fail_step(DependsOn=["Missing"])), indent=2)
    block = "|\n" + "\n".join("    " + line for line in definition.split("\n"))
    text = _pipeline_yaml(block)
    (finding,) = lint_text(text, "p.yaml")
    assert finding.code == "SMA306"
    assert finding.step == "Stop"
    assert text.split("\n")[finding.line - 1].strip().startswith('"Missing"')


def test_secrets_are_reported_without_repeating_them() -> None:
    key_id = "AKIA" + "ABCDEFGHIJKLMNOP"
    secret = "abcdEFGHijklMNOPqrstUVWXyz0123456789/+ab"
    password = "correct-horse-battery"
    step = {
        "Name": "Train",
        "Type": "Lambda",
        "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "Arguments": {"key": key_id, "other": secret, "db_password": password, "max_new_tokens": "512"},
    }
    findings = lint_definition(_definition(step))
    assert sorted(f.code for f in findings) == ["SMA501", "SMA502", "SMA503"]
    for f in findings:
        assert key_id not in f.message + f.hint
        assert secret not in f.message + f.hint
        assert password not in f.message + f.hint
        assert f.step == "Train"


def test_references_to_secrets_are_not_secrets() -> None:
    step = {
        "Name": "Train",
        "Type": "Lambda",
        "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
        "Arguments": {
            "db_password": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
            "api_token": {"Get": "Parameters.Token"},
            "tokenizer": "bert-base",
        },
    }
    findings = lint_definition(_definition(step, parameters=[{"Name": "Token", "Type": "String"}]))
    assert findings == []


def test_a_definition_over_the_inline_limit_is_reported() -> None:
    big = _definition(_fail_step(Description="x" * ack.MAX_DEFINITION_CHARS))
    assert [f.code for f in lint_definition(big)] == ["SMA701"]


def test_object_sizes_against_etcd_and_client_side_apply() -> None:
    definition = parse_definition(_definition(_fail_step(Description="x" * 300_000)))
    doc = manifests.render_pipeline(definition, manifests.PipelineOptions(pipeline_name="p", role_arn=ROLE))
    # A 300 KB definition also draws SMA704 (over 100 KiB, which the SDK itself would put in S3).
    findings = [f for f in lint_documents([doc]) if f.code != "SMA704"]
    assert [f.code for f in findings] == ["SMA703"]
    assert "--server-side" in findings[0].hint
    assert findings[0].severity == "warning"
    doc["spec"]["pipelineDefinition"] = json.dumps(_definition(_fail_step(Description="x" * 1_000_000)))
    doc["metadata"]["annotations"] = {"note": "y" * 700_000}
    assert "SMA702" in [f.code for f in lint_documents([doc])]


def test_renderer_output_lints_clean() -> None:
    for raw in (abalone_definition(), chain_definition(30)):
        definition = parse_definition(raw)
        pipeline = manifests.render_pipeline(
            definition,
            manifests.PipelineOptions(
                pipeline_name="AbalonePipeline", role_arn=ROLE, max_parallel_steps=4, tags={"team": "ml"}
            ),
        )
        execution = manifests.render_execution(
            manifests.ExecutionOptions(
                pipeline_name="AbalonePipeline",
                run_id="20260101-000000-abcd",
                parameters={p.name: p.default for p in definition.parameters if p.default is not None},
            ),
            definition,
        )
        assert lint_definition(definition) == []
        assert lint_documents([pipeline, execution]) == []
        assert lint_text(manifests.dump_yaml([pipeline, execution]), "rendered.yaml") == []
        folder = manifests.render_folder([pipeline, execution])
        for name, text in folder.items():
            assert lint_text(text, name) == [], name


def test_definitions_given_as_dicts_name_steps_but_have_no_positions() -> None:
    findings = lint_definition(_definition(_fail_step(DependsOn=["Nope"])))
    assert [(f.code, f.step, f.line, f.path) for f in findings] == [
        ("SMA306", "Stop", None, "Steps[0].DependsOn[0]")
    ]


def test_every_code_has_a_title_severity_and_hint() -> None:
    for code, entry in CODES.items():
        assert code.startswith("SMA")
        assert len(code) == 6
        assert entry.title
        assert entry.hint
        assert entry.severity in ("error", "warning")


def test_alias_loops_in_yaml_end_the_walk() -> None:
    findings = lint_text("a: &x [*x]\n", "loop.yaml")
    # the rules walk the loop once (SMA212 only), and the reader names the loop itself (SMA103)
    assert [f.code for f in findings] == ["SMA212", "SMA103"]
    assert "*x refers to a value that contains it" in findings[1].message


def test_fast_json_locator_agrees_with_the_tolerant_index() -> None:
    text = json.dumps(abalone_definition(), indent=2)
    locator = JsonLocator(text)
    lines = LineIndex(text)
    index = index_json(text)
    assert len(index) > 100
    for path, (value_offset, key_offset) in index.items():
        if not path:
            continue
        assert locator.position(path) == lines.position(value_offset), path
        if key_offset is not None:
            assert locator.position(path, key=True) == lines.position(key_offset), path
