"""``sagemaker-ack compare``: two runs side by side: parameters, definitions, and each step's outcome."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from ._common import check_namespace, check_run, user_errors
from .status import cli_settings

if TYPE_CHECKING:
    from ...services.compare import RunComparison, StepSide


def comparison_lines(result: RunComparison) -> list[str]:
    """The comparison for a terminal: parameters that differ, the definition diff, the steps side by side."""
    a, b = result.a, result.b
    lines = [
        f"A: {a.name or a.execution_arn}  {a.status}",
        f"B: {b.name or b.execution_arn}  {b.status}",
        "",
        "Parameters:",
    ]
    if result.parameters:
        lines += [f"  ~ {name}: {va if va is not None else '(unset)'} -> {vb if vb is not None else '(unset)'}"
                  for name, (va, vb) in result.parameters.items()]  # fmt: skip
    else:
        lines.append("  the same")
    lines.append("Definition:")
    if result.definition is None:
        lines.append("  unknown (a definition could not be read)")
    elif result.definition.identical:
        lines.append("  the same")
    else:
        lines += [f"  {line}" for line in result.definition.lines()]
    lines.append("Steps:")
    width = max([len(row.name) for row in result.steps] + [4])
    lines.append(f"  {'STEP':<{width}}  {'A':<24}  B")
    for row in result.steps:
        lines.append(f"  {row.name:<{width}}  {_side(row.a):<24}  {_side(row.b)}".rstrip())
    return lines


def _side(side: StepSide | None) -> str:
    if side is None:
        return "-"
    text = side.status
    if side.duration_seconds is not None:
        text += f" {side.duration_seconds:.0f}s"
    return text + (" (reused)" if side.reused else "")


@click.command()
@click.argument("run_a")
@click.argument("run_b")
@click.option(
    "-n", "--namespace", help="Namespace of the PipelineExecutions (default: settings, kube context)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@user_errors
def compare(run_a: str, run_b: str, namespace: str | None, as_json: bool) -> None:
    """Compare runs RUN_A and RUN_B: the parameters that differ, the semantic diff of the definitions they
    ran, and each step's status and duration side by side (reused steps marked)."""
    from ...services.compare import compare_runs

    check_run(run_a)
    check_run(run_b)
    check_namespace(namespace)
    result = compare_runs(namespace, run_a, run_b, cli_settings(namespace))
    if as_json:
        click.echo(json.dumps(result.to_wire(), separators=(",", ":")))
    else:
        click.echo("\n".join(comparison_lines(result)))
