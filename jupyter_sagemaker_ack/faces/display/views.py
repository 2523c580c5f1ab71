"""HTML fragments for the panel and the magics' rich output: summary, findings, YAML, steps, settings.

Pure functions of plain data, so the same fragments serve the live widget, the static ``text/html``
fallback and the magics, and can be tested without a browser.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from html import escape
from typing import Any

from ...core.definition import Definition
from .snapshots import duration, parse_time, progress, short_time, shown_state
from .states import colours

TABLE = 'style="border-collapse:collapse;font-size:12px;margin:4px 0"'
SEVERITY_COLOURS = {"error": "#dc2626", "warning": "#b45309"}
CELL = 'style="border:1px solid #e5e7eb;padding:2px 6px;text-align:left;vertical-align:top"'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], css_class: str) -> str:
    head = "".join(f"<th {CELL}>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td {CELL}>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}" {TABLE}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def badge(state: str | None) -> str:
    fill, stroke, text = colours(state or "Pending")
    return (
        f'<span class="sma-badge" data-state="{escape(state or "")}" style="background:{fill};'
        f'border:1px solid {stroke};color:{text};border-radius:8px;padding:0 6px">'
        f"{escape(state or '-')}</span>"
    )


def summary_html(pipeline_name: str | None, definition: Definition | None) -> str:
    if definition is None:
        return f'<div class="sma-summary"><b>{escape(pipeline_name or "pipeline")}</b></div>'
    params = ", ".join(
        f"<code>{escape(p.name)}</code>={escape(repr(p.default)) if p.has_default else '<i>required</i>'}"
        for p in definition.parameters
    )
    return (
        f'<div class="sma-summary"><b style="font-size:14px">{escape(pipeline_name or "pipeline")}</b> '
        f"&middot; {len(definition.steps)} steps"
        + (f"<br>Parameters: {params}" if params else "<br>No parameters")
        + "</div>"
    )


# The file name lint gives a definition it got as an object, not as a file: its lines mean nothing to a user.
OBJECT_SOURCE = "definition"


def _field_of(path: str, step: str | None) -> str:
    """``Steps[0].Arguments.X`` as ``Arguments.X`` when the step is named already."""
    if step and path.startswith("Steps["):
        head, _, rest = path.partition("].")
        if rest and head[len("Steps[") :].isdigit():
            return rest
    return path


def place(finding: Any) -> str:
    """Where a finding is, in words a notebook user can follow.

    A pipeline given as an object has no lines of its own (lint's ``definition:1:2433`` is a column of
    its one-line JSON), so name the step or parameter and the field; a real file keeps file:line:column.
    """
    file = getattr(finding, "file", None)
    from_object = file in (None, OBJECT_SOURCE)
    parts = []
    if not from_object:
        parts.append(":".join(str(p) for p in (file, finding.line, finding.column) if p is not None))
    step, parameter, path = (getattr(finding, k, None) for k in ("step", "parameter", "path"))
    if step:
        parts.append(f"step {step}")
    elif parameter:
        parts.append(f"parameter {parameter}")
    if from_object and path:
        parts.append(f"field {_field_of(str(path), step)}")
    if parts:
        return ", ".join(parts)
    return str(finding.location()) if callable(getattr(finding, "location", None)) else "-"


def findings_html(findings: Sequence[Any]) -> str:
    if not findings:
        return '<div class="sma-findings sma-clean">&#10003; No lint findings.</div>'
    rows = [
        (
            f'<span style="color:{SEVERITY_COLOURS.get(f.severity, "#b45309")}">{escape(f.severity)}</span>',
            f"<code>{escape(f.code)}</code>",
            escape(place(f)),
            escape(f.message) + (f'<br><i style="color:#6b7280">{escape(f.hint)}</i>' if f.hint else ""),
        )
        for f in findings
    ]
    errors = sum(1 for f in findings if f.severity == "error")
    title = f"{errors} error(s), {len(findings) - errors} warning(s)"
    return (
        f'<div class="sma-findings"><b>{title}</b>'
        + _table(("severity", "code", "where", "problem"), rows, "sma-findings-table")
        + "</div>"
    )


def data_url(text: str, mime: str = "application/yaml") -> str:
    return f"data:{mime};base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def yaml_html(text: str, filename: str, max_lines: int = 400) -> str:
    """YAML preview (first ``max_lines`` lines), a copy button and a download link with the whole text."""
    lines = text.splitlines()
    shown = "\n".join(lines[:max_lines])
    more = f"\n# ... {len(lines) - max_lines} more lines in the download" if len(lines) > max_lines else ""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    copy = (
        '<button class="sma-copy" type="button" '
        f"onclick=\"navigator.clipboard.writeText(atob('{encoded}'));this.textContent='Copied'\">Copy</button>"
    )
    download = (
        f'<a class="sma-download" download="{escape(filename)}" href="{data_url(text)}">'
        f"Download {escape(filename)}</a>"
    )
    return (
        f'<div class="sma-yaml">{copy} {download}'
        f'<pre style="max-height:320px;overflow:auto;background:#f9fafb;padding:6px;font-size:11px">'
        f"{escape(shown + more)}</pre></div>"
    )


def progress_html(snapshot: Mapping[str, Any] | None, total_steps: int = 0) -> str:
    done, total = progress(snapshot, total_steps)
    percent = int(100 * done / total) if total else 0
    status = (snapshot or {}).get("status")
    fill = colours(status or "Pending")[1]
    return (
        f'<div class="sma-progress" style="width:100%;max-width:480px;background:#e5e7eb;border-radius:4px">'
        f'<div style="width:{percent}%;background:{fill};height:10px;border-radius:4px"></div></div>'
        f"<small>{done}/{total} steps</small>"
    )


def _link(url: Any, label: str) -> str:
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return ""
    return f'<a href="{escape(url)}" target="_blank" rel="noopener">{label}</a>'


def steps_html(snapshot: Mapping[str, Any] | None, now: datetime | None = None) -> str:
    """Per-step table: state, start, duration, failure reason, console and log links."""
    steps = (snapshot or {}).get("steps") or []
    if not steps:
        return '<div class="sma-steps"><i>No step has started yet.</i></div>'
    now = now or datetime.now(timezone.utc)
    outcome = (snapshot or {}).get("outcome")
    rows = [
        (
            escape(str(s.get("name"))),
            badge(shown_state(s.get("status"), outcome))
            + (
                ' <span class="sma-reused" title="reused from the run this one retries">reused</span>'
                if s.get("reused")
                else ""
            ),
            escape(short_time(s.get("startTime"))),
            escape(duration(s.get("startTime"), s.get("endTime"), now)),
            escape(s.get("failureReason") or ""),
            " ".join(
                x for x in (_link(s.get("consoleUrl"), "console"), _link(s.get("logsUrl"), "logs")) if x
            ),
        )
        for s in steps
    ]
    return _table(("step", "state", "start", "duration", "failure reason", "links"), rows, "sma-steps")


def run_header_html(snapshot: Mapping[str, Any] | None) -> str:
    if not snapshot:
        return '<div class="sma-run"><span class="sma-run-status" data-state="">No run yet</span></div>'
    status = snapshot.get("outcome") or snapshot.get("status") or "Unknown"
    reason = snapshot.get("failureReason")
    return (
        '<div class="sma-run">Run '
        f'<code class="sma-run-name">{escape(str(snapshot.get("name") or "-"))}</code> '
        f'<span class="sma-run-status" data-state="{escape(str(status))}">{badge(str(status))}</span>'
        + (f' <span style="color:#dc2626">{escape(str(reason))}</span>' if reason else "")
        + "</div>"
    )


def runs_html(runs: Sequence[Mapping[str, Any]]) -> str:
    if not runs:
        return "<i>No runs.</i>"
    rows = [
        (
            escape(str(r.get("namespace") or "")),
            f"<code>{escape(str(r.get('name') or r.get('displayName') or r.get('executionArn') or ''))}</code>",
            escape(str(r.get("pipelineName") or "")),
            badge(str(r.get("outcome") or r.get("status") or "Unknown")),
            escape(short_time(r.get("startTime"))),
            escape(RUN_ORIGINS.get(str(r.get("origin")), "")),
        )
        for r in runs
    ]
    return _table(("namespace", "run", "pipeline", "status", "started", "from"), rows, "sma-runs")


def _seconds(value: Any) -> str:
    if value is None:
        return ""
    total = round(float(value))
    return f"{total // 60}m {total % 60:02d}s" if total >= 60 else f"{total}s"


def history_html(runs: Sequence[Mapping[str, Any]]) -> str:
    """A pipeline's runs (``run_history`` entries on the wire): status, start, duration, parameters, the
    definition version each ran and the run it retried."""
    if not runs:
        return '<div class="sma-history"><i>No runs of this pipeline yet.</i></div>'
    rows = []
    for r in runs:
        params = r.get("parameters") or {}
        digest = str(r.get("definitionDigest") or "")
        version = " ".join(
            x
            for x in (digest.removeprefix("sha256:")[:12], str(r.get("definitionVersionId") or "")[:12])
            if x
        )
        rows.append(
            (
                f"<code>{escape(str(r.get('name') or r.get('displayName') or ''))}</code>",
                badge(str(r.get("outcome") or r.get("status") or "Unknown")),
                escape(short_time(r.get("startTime"))),
                escape(_seconds(r.get("durationSeconds"))),
                escape(", ".join(f"{k}={v}" for k, v in sorted(params.items()))),
                escape(version),
                f"<code>{escape(str(r['retryOf']))}</code>" if r.get("retryOf") else "",
            )
        )
    return _table(
        ("run", "status", "started", "duration", "parameters", "version", "retry of"), rows, "sma-history"
    )


def retry_plan_html(plan: Mapping[str, Any]) -> str:
    """What a retry would do (``RetryProposal.to_wire()``), shown before the user confirms it."""

    def steps(values: Sequence[str]) -> str:
        return escape(", ".join(values)) if values else "<i>none</i>"

    return (
        f'<div class="sma-retry-plan">Retry <code>{escape(str(plan.get("source")))}</code> '
        f"({escape(str(plan.get('sourceStatus')))}) as the new run "
        f'<code class="sma-retry-name">{escape(str(plan.get("name")))}</code>:<br>'
        f"run again ({len(plan.get('selected') or [])}): "
        f'<span class="sma-retry-selected">{steps(plan.get("selected") or [])}</span><br>'
        f"reused ({len(plan.get('reused') or [])}): "
        f'<span class="sma-retry-reused">{steps(plan.get("reused") or [])}</span>&nbsp;</div>'
    )


# Where a listed run came from: its CR, or only SageMaker's execution list (its CR is gone).
RUN_ORIGINS = {"cluster": "cluster", "sagemaker": "SageMaker (no CR)"}


def problem_html(problem: str, fix: str | None) -> str:
    return (
        '<div class="sma-problem" style="border-left:4px solid #dc2626;padding:4px 8px;background:#fef2f2">'
        f"<b>{escape(problem)}</b>" + (f"<br>Fix: {escape(fix)}" if fix else "") + "</div>"
    )


def settings_html(described: Sequence[tuple[str, Any, str]]) -> str:
    rows = [
        (f"<code>{escape(name)}</code>", escape("" if value is None else str(value)), escape(source))
        for name, value, source in described
    ]
    return _table(("setting", "value", "from"), rows, "sma-settings")


def mapping_html(title: str, values: Mapping[str, Any]) -> str:
    rows = [(escape(str(k)), escape("" if v is None else str(v))) for k, v in values.items()]
    return f"<b>{escape(title)}</b>" + _table(("", ""), rows, "sma-mapping")


# ----- the static picture of a DAG and its run: what a saved notebook shows without a kernel ----------------


def svg_img(svg: str, alt: str) -> str:
    """The SVG as an ``<img>`` data URL: sanitizers that strip inline ``<svg>`` keep an image."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<img class="sma-dag-img" alt="{escape(alt)}" style="max-width:100%;height:auto" '
        f'src="data:image/svg+xml;base64,{encoded}">'
    )


def _step_rows(
    nodes: Sequence[Mapping[str, Any]],
    edges: Sequence[Mapping[str, Any]],
    snapshot: Mapping[str, Any] | None,
    now: datetime,
) -> list[tuple[str, ...]]:
    """One row per step of the DAG (then any step only the run knows), with its state when there is a run."""
    reported = {str(s.get("name")): s for s in (snapshot or {}).get("steps") or []}
    after: dict[str, list[str]] = {}
    for edge in edges:
        after.setdefault(str(edge.get("target")), []).append(str(edge.get("source")))
    names = [str(n.get("name")) for n in nodes]
    types = {str(n.get("name")): str(n.get("type") or "") for n in nodes}
    names += [name for name in reported if name not in types]
    outcome = (snapshot or {}).get("outcome")
    rows = []
    for name in names:
        step = reported.get(name, {})
        row = [escape(name), escape(types.get(name) or str(step.get("type") or ""))]
        if snapshot is not None:
            state = shown_state(step.get("status"), outcome)
            row += [
                f'<span class="sma-state" data-state="{escape(state)}">{escape(state)}</span>',
                escape(short_time(step.get("startTime"))),
                escape(duration(step.get("startTime"), step.get("endTime"), now)),
                escape(str(step.get("failureReason") or "")),
            ]
        else:
            row.append(escape(", ".join(dict.fromkeys(after.get(name, [])))))
        rows.append(tuple(row))
    return rows


def dag_alt(pipeline_name: str | None, nodes: Sequence[Mapping[str, Any]], states: Mapping[str, str]) -> str:
    """The picture said in words, for screen readers and viewers that show no images."""
    parts = [f"{n.get('name')}: {states[str(n.get('name'))]}" for n in nodes if str(n.get("name")) in states]
    head = f"DAG of pipeline {pipeline_name or ''}".strip() + f", {len(nodes)} steps"
    return head + (" (" + "; ".join(parts) + ")" if parts else "")


def static_view_html(
    pipeline_name: str | None,
    nodes: Sequence[Mapping[str, Any]],
    edges: Sequence[Mapping[str, Any]],
    snapshot: Mapping[str, Any] | None,
    svg: str,
    states: Mapping[str, str] | None = None,
) -> str:
    """A pipeline (and its last run) as plain HTML: a summary table, the DAG as an image, a step table.

    Tables, not run-on text, so a viewer that drops all styles still lines the facts up; times of a
    running step are measured to the snapshot's own time, not to whenever the notebook is opened.
    """
    summary: list[tuple[str, str]] = [("Pipeline", escape(pipeline_name or "-")), ("Steps", str(len(nodes)))]
    now = parse_time((snapshot or {}).get("updatedAt")) or datetime.now(timezone.utc)
    if snapshot is not None:
        state = str(snapshot.get("outcome") or snapshot.get("status") or "Unknown")
        done, total = progress(snapshot, len(nodes))
        summary += [
            ("Run", f'<code class="sma-run-name">{escape(str(snapshot.get("name") or "-"))}</code>'),
            ("Namespace", escape(str(snapshot.get("namespace") or ""))),
            ("Status", f'<b class="sma-run-status" data-state="{escape(state)}">{escape(state)}</b>'),
            ("Progress", f"{done}/{total} steps" + (f" ({100 * done // total}%)" if total else "")),
            ("Started", escape(short_time(snapshot.get("startTime")))),
            ("Duration", escape(duration(snapshot.get("startTime"), snapshot.get("endTime"), now))),
        ]
        if snapshot.get("failureReason"):
            summary.append(("Failure", escape(str(snapshot["failureReason"]))))
        if snapshot.get("updatedAt"):
            summary.append(("As of", escape(str(snapshot["updatedAt"]))))
    else:
        summary.append(("Run", "No run yet"))
    summary_rows = "".join(f"<tr><th {CELL}>{k}</th><td {CELL}>{v}</td></tr>" for k, v in summary)
    headers = (
        ("step", "type", "state", "start", "duration", "failure reason")
        if snapshot is not None
        else ("step", "type", "runs after")
    )
    picture = svg_img(svg, dag_alt(pipeline_name, nodes, states or {})) if nodes else ""
    return (
        '<div class="sma-static">'
        f'<table class="sma-static-summary" {TABLE}><tbody>{summary_rows}</tbody></table>'
        f"<div>{picture}</div>"
        + _table(headers, _step_rows(nodes, edges, snapshot, now), "sma-static-steps")
        + "</div>"
    )


def _comparison_side(value: Any) -> str:
    if value is None:
        return "-"
    seconds = value.get("durationSeconds")
    shown = str(value["status"]) + (f" {seconds:.0f}s" if seconds is not None else "")
    return shown + (" (reused)" if value.get("reused") else "")


def _comparison_parts(result: Any) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """(parameter changes, definition changes, step rows) of a ``services.compare`` comparison."""
    wire = result.to_wire()
    params = [f"{p['name']}: {p['a']} -> {p['b']}" for p in wire["parameters"]]
    definition = result.definition
    changes = (
        ["unknown"] if definition is None else (["the same"] if definition.identical else definition.lines())
    )
    return params, changes, wire["steps"]


def comparison_html(run_a: str, run_b: str, result: Any) -> str:
    """Two runs side by side: the parameters that differ, the definition diff, each step's status."""
    params, changes, steps = _comparison_parts(result)
    rows = "".join(
        f"<tr><td>{escape(r['name'])}</td><td>{escape(_comparison_side(r['a']))}</td>"
        f"<td>{escape(_comparison_side(r['b']))}</td></tr>"
        for r in steps
    )
    return (
        f'<div class="sma-compare"><b>{escape(run_a)} vs {escape(run_b)}</b>'
        f"<p>Parameters: {escape('; '.join(params) or 'the same')}</p>"
        f"<p>Definition: {escape('; '.join(changes))}</p>"
        f"<table><tr><th>step</th><th>A</th><th>B</th></tr>{rows}</table></div>"
    )


def comparison_text(result: Any) -> str:
    params, changes, steps = _comparison_parts(result)
    return "\n".join(
        [f"Parameters: {'; '.join(params) or 'the same'}", f"Definition: {'; '.join(changes)}"]
        + [f"{r['name']}: {_comparison_side(r['a'])} | {_comparison_side(r['b'])}" for r in steps]
    )
