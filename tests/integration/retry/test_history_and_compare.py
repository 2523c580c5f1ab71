"""History of a pipeline's runs (55 of them, created in one kubectl apply) and the comparison of two runs,
on the sandbox: what `sagemaker-ack runs PIPELINE` and `sagemaker-ack compare` tell a user."""

from __future__ import annotations

import json
from typing import Any

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, chain_definition
from tests.adversarial.conftest import cli
from tests.fixtures.sandbox import default_step_seconds

from .test_retry_e2e import _apply, kubectl

RUNS = 55


def _definition(threshold_default: float) -> dict[str, Any]:
    text = json.dumps(chain_definition(2, fan_out=1)).replace("Step-0000", "Hist-")
    definition = json.loads(text)
    definition["Parameters"] = [
        *definition["Parameters"],
        {"Name": "Threshold", "Type": "Float", "DefaultValue": threshold_default},
        {"Name": "Label", "Type": "String", "DefaultValue": "base"},
    ]
    return definition


def test_history_of_many_runs_and_the_comparison_of_two(
    sandbox: Any, sandbox_env: dict[str, str], tmp_path: Any
) -> None:
    defn = parse_definition(_definition(0.5))
    provenance = manifests.Provenance(digest=defn.digest, version_id="3HL4kqtJvjVBH40Nrjfkd")
    pipe = manifests.render_pipeline(
        defn, manifests.PipelineOptions("HistoryMany", ROLE, provenance=provenance)
    )
    _apply(sandbox_env, tmp_path, [pipe], "pipeline")
    kubectl(sandbox_env, "wait", "--for=condition=ACK.ResourceSynced", "--timeout=60s",
            f"pipeline/{pipe['metadata']['name']}")  # fmt: skip
    runs = [
        manifests.render_execution(
            manifests.ExecutionOptions(
                "HistoryMany", f"r{i:03d}", parameters={"Threshold": i / 100}, provenance=provenance
            ),
            defn,
        )
        for i in range(RUNS)
    ]
    with default_step_seconds(sandbox, 0.05):
        _apply(sandbox_env, tmp_path, runs, "runs")
        names = [str(r["metadata"]["name"]) for r in runs]
        kubectl(sandbox_env, "wait", "--for=jsonpath={.status.pipelineExecutionStatus}=Succeeded",
                "--timeout=180s", *[f"pipelineexecution/{n}" for n in names])  # fmt: skip

    table = cli("runs", "HistoryMany")
    assert table.exit_code == 0, table.output
    header, *rows = table.stdout.splitlines()
    assert header.split()[:6] == ["NAME", "STATUS", "STARTED", "DURATION", "DEFINITION", "RETRY"]
    assert len(rows) == RUNS
    digest = defn.digest.removeprefix("sha256:")[:12]
    first = next(row for row in rows if row.startswith(names[7]))
    assert "Succeeded" in first
    assert f"{digest} (S3 3HL4kqtJvjVB)" in first
    assert "Threshold=0.07" in first

    lines = [json.loads(line) for line in cli("runs", "HistoryMany", "--json").stdout.splitlines()]
    assert len(lines) == RUNS
    by_name = {line["name"]: line for line in lines}
    assert by_name[names[7]]["parameters"] == {"Threshold": "0.07"}
    assert by_name[names[7]]["definitionVersionId"] == "3HL4kqtJvjVBH40Nrjfkd"
    assert by_name[names[7]]["retryOf"] is None
    assert by_name[names[7]]["durationSeconds"] >= 0

    compared = cli("compare", names[1], names[2])
    assert compared.exit_code == 0, compared.output
    assert "~ Threshold: 0.01 -> 0.02" in compared.stdout
    assert "Definition:\n  the same" in compared.stdout
    assert "Label" not in compared.stdout  # both ran with its default
    step_rows = compared.stdout.split("Steps:\n", 1)[1].splitlines()[1:]
    assert [row.split()[0] for row in step_rows] == ["Hist-0", "Hist-1"]
    assert all(row.split()[1] == "Succeeded" and "Succeeded" in row.split(None, 3)[3] for row in step_rows)


def test_compare_shows_the_definition_change_between_two_versions(
    sandbox: Any, sandbox_env: dict[str, str], tmp_path: Any
) -> None:
    first = parse_definition(_definition(0.5))
    second = parse_definition(_definition(0.9))
    names = []
    with default_step_seconds(sandbox, 0.05):
        for index, defn in enumerate((first, second)):
            pipe = manifests.render_pipeline(defn, manifests.PipelineOptions("HistoryVersions", ROLE))
            _apply(sandbox_env, tmp_path, [pipe], f"pipeline{index}")
            kubectl(sandbox_env, "wait", "--for=condition=ACK.ResourceSynced", "--timeout=60s",
                    f"pipeline/{pipe['metadata']['name']}")  # fmt: skip
            run = manifests.render_execution(manifests.ExecutionOptions("HistoryVersions", f"v{index}"), defn)
            _apply(sandbox_env, tmp_path, [run], f"run{index}")
            names.append(str(run["metadata"]["name"]))
            kubectl(sandbox_env, "wait", "--for=jsonpath={.status.pipelineExecutionStatus}=Succeeded",
                    "--timeout=90s", f"pipelineexecution/{names[-1]}")  # fmt: skip
    compared = cli("compare", names[0], names[1], "--json")
    assert compared.exit_code == 0, compared.output
    wire = json.loads(compared.stdout)
    assert wire["parameters"] == [{"name": "Threshold", "a": "0.5", "b": "0.9"}]
    assert [c["name"] for c in wire["definition"]["parameters"]["changed"]] == ["Threshold"]
