"""``sagemaker-ack bundle`` refusing bad input: one error/fix pair, exit 2, and no bundle folder left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition
from tests.adversarial.conftest import Outcome, assert_user_error, cli, files_under

PROD_ROLE = "arn:aws:iam::999999999999:role/SageMakerProdExec"
GOOD_ENV = f"""\
environments:
  prod:
    namespace: ml-prod
    region: eu-west-1
    roleARN: {PROD_ROLE}
    substitutions:
      "{ROLE}": "{PROD_ROLE}"
      "sagemaker-ack-demo": "prod-bucket"
"""


def _env(**prod: str) -> str:
    lines = ["environments:", "  prod:"]
    fields = {"namespace": "ml-prod", "region": "eu-west-1", "roleARN": PROD_ROLE, **prod}
    for key, value in fields.items():
        if value is not None:
            lines.append(f"    {key}: {value}")
    return "\n".join(lines) + "\n"


_SUBS = f'{{"{ROLE}": "{PROD_ROLE}", "sagemaker-ack-demo": "prod-bucket"}}'
_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)

ENV_CASES = {
    "bad-yaml": ("environments: {prod: [unclosed\n", ["not valid YAML"]),
    "alias-bomb": (_BOMB, ["alias"]),
    "duplicate-key": (GOOD_ENV + "  prod:\n    namespace: x\n", ["twice"]),
    "two-documents": (GOOD_ENV + "---\n" + GOOD_ENV, ["2 YAML documents"]),
    "not-a-mapping": ("- prod\n", ["one mapping", "environments:"]),
    "unknown-top-key": (GOOD_ENV + "defaults: {}\n", ["unknown key", "defaults"]),
    "unknown-env-key": (_env(namespce="ml", substitutions=_SUBS), ["unknown key", "namespce"]),
    "missing-role": (_env(roleARN=None, substitutions=_SUBS), ["roleARN", "missing"]),
    "no-environments": ("environments: {}\n", ["no environment"]),
    "bad-env-name": (GOOD_ENV.replace("  prod:", "  Prod_1:"), ["Prod_1", "environment name"]),
    "bad-namespace": (_env(namespace="ML_Prod", substitutions=_SUBS), ["namespace", "ML_Prod"]),
    "bad-role-arn": (_env(roleARN="arn:aws:iam::12:user/bob", substitutions=_SUBS), ["roleARN", "IAM role"]),
    "bad-region": (_env(region="europe", substitutions=_SUBS), ["europe", "region"]),
    "parallelism-zero": (_env(parallelism="0", substitutions=_SUBS), ["parallelism"]),
    "substitution-is-a-list": (_env(substitutions="[a, b]"), ["substitutions"]),
    "leftover-account-id": (
        _env(substitutions='{"sagemaker-ack-demo": "prod-bucket"}'),
        ["123456789012", "keep"],
    ),
    "leftover-bucket": (_env(substitutions=f'{{"{ROLE}": "{PROD_ROLE}"}}'), ["sagemaker-ack-demo", "keep"]),
    "substitution-matches-nothing": (
        _env(substitutions=f'{{"{ROLE}": "{PROD_ROLE}", "sagemaker-ack-demo": "b", "dev-bucket": "x"}}'),
        ["dev-bucket", "matches nothing"],
    ),
    "substitution-to-itself": (
        _env(substitutions=f'{{"{ROLE}": "{ROLE}", "sagemaker-ack-demo": "b"}}'),
        ["by itself", "keep"],
    ),
    "undeclared-parameter": (
        _env(substitutions=_SUBS, parameters="{NoSuchParam: 1}"),
        ["NoSuchParam"],
    ),
}


@pytest.fixture
def definition_file(tmp_path: Path) -> Path:
    path = tmp_path / "def.json"
    path.write_text(json.dumps(abalone_definition()))
    return path


@pytest.mark.parametrize("case", sorted(ENV_CASES))
def test_a_bad_environments_file_is_one_error_and_writes_nothing(case, tmp_path, definition_file):
    text, words = ENV_CASES[case]
    envs = tmp_path / "envs.yaml"
    envs.write_text(text)
    out = tmp_path / "out"
    outcome = cli(
        "bundle",
        str(definition_file),
        "-o",
        str(out),
        "--environments",
        str(envs),
        "--pipeline-name",
        "abalone",
    )
    # The words must be in what the message says, not in the temporary path it names.
    said = Outcome(outcome.exit_code, outcome.stdout, outcome.stderr.replace(str(tmp_path), "TMP"))
    assert_user_error(said, *words)
    assert not out.exists()
    assert files_under(tmp_path) == ["def.json", "envs.yaml"]  # no staging folder left either


def _good(tmp_path: Path) -> Path:
    envs = tmp_path / "envs.yaml"
    envs.write_text(GOOD_ENV)
    return envs


def test_missing_environments_file(tmp_path, definition_file):
    out = tmp_path / "out"
    outcome = cli(
        "bundle", str(definition_file), "-o", str(out), "--environments", str(tmp_path / "nope.yaml")
    )
    assert_user_error(outcome, "environments file", "nope.yaml")
    assert not out.exists()


def test_environments_file_that_is_a_folder(tmp_path, definition_file):
    (tmp_path / "envs").mkdir()
    outcome = cli(
        "bundle", str(definition_file), "-o", str(tmp_path / "out"), "--environments", str(tmp_path / "envs")
    )
    assert_user_error(outcome, "environments file")
    assert not (tmp_path / "out").exists()


def test_output_into_an_existing_file(tmp_path, definition_file):
    target = tmp_path / "out.yaml"
    target.write_text("mine\n")
    outcome = cli(
        "bundle",
        str(definition_file),
        "-o",
        str(target),
        "--environments",
        str(_good(tmp_path)),
        "--pipeline-name",
        "abalone",
    )
    assert_user_error(outcome, "not a folder")
    assert target.read_text() == "mine\n"


def test_output_into_a_folder_of_other_files(tmp_path, definition_file):
    target = tmp_path / "repo"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    outcome = cli(
        "bundle",
        str(definition_file),
        "-o",
        str(target),
        "--environments",
        str(_good(tmp_path)),
        "--pipeline-name",
        "abalone",
    )
    assert_user_error(outcome, "other files")
    assert files_under(target) == ["notes.txt"]


def test_missing_definition_file(tmp_path):
    outcome = cli(
        "bundle",
        str(tmp_path / "def.json"),
        "-o",
        str(tmp_path / "out"),
        "--environments",
        str(_good(tmp_path)),
        "--pipeline-name",
        "abalone",
    )
    assert_user_error(outcome, "no such file")
    assert not (tmp_path / "out").exists()


def test_definition_that_is_not_json(tmp_path):
    bad = tmp_path / "def.json"
    bad.write_text("{not json")
    outcome = cli(
        "bundle",
        str(bad),
        "-o",
        str(tmp_path / "out"),
        "--environments",
        str(_good(tmp_path)),
        "--pipeline-name",
        "abalone",
    )
    assert_user_error(outcome, "def.json")
    assert not (tmp_path / "out").exists()


def test_no_pipeline_name_for_a_file(tmp_path, definition_file):
    outcome = cli(
        "bundle", str(definition_file), "-o", str(tmp_path / "out"), "--environments", str(_good(tmp_path))
    )
    assert_user_error(outcome, "--pipeline-name")
    assert not (tmp_path / "out").exists()


def test_bad_pipeline_name(tmp_path, definition_file):
    outcome = cli(
        "bundle",
        str(definition_file),
        "-o",
        str(tmp_path / "out"),
        "--environments",
        str(_good(tmp_path)),
        "--pipeline-name",
        "my_pipeline",
    )
    assert_user_error(outcome, "my_pipeline")
    assert not (tmp_path / "out").exists()


def test_unpinned_s3_source(tmp_path):
    outcome = cli(
        "bundle",
        "s3://bucket/p/definition.json",
        "-o",
        str(tmp_path / "out"),
        "--environments",
        str(_good(tmp_path)),
    )
    assert_user_error(outcome, "versionId")
    assert not (tmp_path / "out").exists()


def test_a_refused_rebundle_keeps_the_earlier_bundle(tmp_path, definition_file):
    out = tmp_path / "out"
    args = ["bundle", str(definition_file), "-o", str(out), "--pipeline-name", "abalone"]
    assert cli(*args, "--environments", str(_good(tmp_path))).exit_code == 0
    before = {name: (out / name).read_text() for name in files_under(out)}
    bad = tmp_path / "bad.yaml"
    bad.write_text(_env(substitutions='{"sagemaker-ack-demo": "prod-bucket"}'))
    assert_user_error(cli(*args, "--environments", str(bad)), "123456789012")
    assert {name: (out / name).read_text() for name in files_under(out)} == before
