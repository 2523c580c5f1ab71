"""``SageMakerAckPanel``: the ipywidgets panel of one pipeline and its runs.

Summary, DAG picture, lint findings, YAML preview, the buttons Validate / Publish / Export YAML / Submit /
Stop / Retry, live status, and the table of the pipeline's runs (refreshed on demand). Every button runs its
service call in a daemon thread, so the kernel answers other cells meanwhile; live status arrives through a
:class:`~.feeder.StatusFeeder`, the only writer of the status widgets. Each action is also a plain method
(``panel.publish()``), usable from code and tests.

The DAG is drawn by the JupyterLab extension's own view (:class:`~.dagwidget.DagWidget`) once its front
end says it is there, else by the Python SVG. Displaying the panel also leaves a second output beside the
widget, the panel's last state as a MIME bundle (the DAG and run for the extension, an image and tables
for everything else): what a saved notebook shows when the kernel, and so the widget, is gone.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from traitlets import Unicode

from ...config import Settings
from ...core.errors import UserError
from ...services.gate import check_definition
from ..display.picture import DAG_MIME, DagPicture
from ..display.snapshots import as_wire, progress, step_states
from ..display.views import (
    comparison_html,
    findings_html,
    history_html,
    place,
    problem_html,
    retry_plan_html,
    run_header_html,
    static_view_html,
    steps_html,
    summary_html,
    yaml_html,
)
from ..kernel.publications import provenance_of, remember_publication
from ..kernel.settings import current_settings
from ..kernel.source import PipelineSource, resolve_source
from .dagwidget import DagWidget, extension_may_be_present
from .feeder import StatusFeeder, start_daemon

log = logging.getLogger(__name__)

BAR_STYLES = {"Succeeded": "success", "Failed": "danger", "Stopped": "warning"}
ACTIONS = ("Validate", "Publish", "Export YAML", "Submit", "Stop", "Retry")
# The run states a retry starts from (SageMaker's selective execution needs a finished source run).
RETRYABLE = ("Failed", "Stopped")
# The actions the lint gate refuses on an error finding: their buttons are off while it has errors.
GATED = ("Publish", "Export YAML", "Submit")
DETAILS = ("Steps", "Lint findings", "YAML", "Runs")
SAVED_STATE_CLASS = "sma-saved-state"
SAVED_INTERVAL = 5.0  # seconds between two redraws of the saved state while only steps change


class SageMakerAckPanel(widgets.VBox):  # type: ignore[misc]
    """The panel of a pipeline: ``SageMakerAckPanel(pipeline)`` or ``SageMakerAckPanel.attach(run_name)``."""

    # Synced so the front end (and tests) can read the state of the panel at a glance.
    run_name = Unicode("").tag(sync=True)
    run_status = Unicode("").tag(sync=True)
    activity = Unicode("").tag(sync=True)
    gate = Unicode("").tag(sync=True)  # why Publish / Export YAML / Submit are off ("" when lint is clean)
    dag_renderer = Unicode("python-svg").tag(sync=True)  # "extension" once the front end draws the DAG

    def __init__(
        self,
        pipeline: Any = None,
        *,
        name: str | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        _source: PipelineSource | None = None,
        _picture: DagPicture | None = None,
        **kwargs: Any,
    ) -> None:
        self._explicit = settings
        self.params = dict(params or {})
        self._source = _source or (resolve_source(pipeline, name=name) if pipeline is not None else None)
        if _picture is not None:
            self.picture = _picture
        elif self._source is not None:
            self.picture = DagPicture.from_definition(self._source.definition, self._source.pipeline_name)
        else:
            raise UserError("The panel needs a pipeline.", "Pass one: SageMakerAckPanel(pipeline).")
        self.pipeline_name = self._source.pipeline_name if self._source else self.picture.pipeline_name
        self.namespace: str | None = None
        self.snapshot: dict[str, Any] | None = None
        self.findings: list[Any] | None = None
        self.publication: Any = None
        self.rendered: Any = None
        self._feeder: StatusFeeder | None = None
        self._saved: Any = None  # the display handle of the saved-state output, once displayed
        self._saved_key: tuple[Any, ...] = (None, None, None)
        self._saved_at = 0.0
        self.export_dir: Path | None = None  # where the Export YAML button writes (default: the working dir)
        self._busy = False
        self.proposal: Any = None  # the retry shown for confirmation (services.retry.RetryProposal)
        self.history: list[Any] = []  # the last runs table (services.run_history entries)
        self._state_lock = threading.RLock()
        self._build()
        super().__init__(children=self._children(), **kwargs)
        self.add_class("sma-panel")
        if self._source is not None:
            self._set_gate(check_definition(self._source.definition))

    # ----- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        definition = self._source.definition if self._source else None
        self._summary = widgets.HTML(summary_html(self.pipeline_name, definition))
        self.buttons = {
            label: widgets.Button(description=label, layout=widgets.Layout(width="auto")) for label in ACTIONS
        }
        handlers: dict[str, Callable[[], Any]] = {
            "Validate": self.validate,
            "Publish": self.publish,
            "Export YAML": self.export_yaml,
            "Submit": self.submit,
            "Stop": self.ask_stop,
            "Retry": self.ask_retry,
        }
        icons = {
            "Validate": "check",
            "Publish": "upload",
            "Export YAML": "file",
            "Submit": "play",
            "Stop": "stop",
            "Retry": "redo",
        }
        for label, button in self.buttons.items():
            button.icon = icons[label]
            button.add_class("sma-button-" + label.lower().replace(" ", "-"))
            if label == "Stop":  # asks first; only the confirmation runs the stop
                button.on_click(lambda _b: self.ask_stop())
            elif label == "Retry":  # plans in a thread (it reads the cluster), then asks
                button.on_click(lambda _b: self._click("Retry", self.ask_retry))
            elif label == "Export YAML":
                button.on_click(lambda _b: self._click("Export YAML", self._export_from_button))
            else:
                button.on_click(lambda _b, fn=handlers[label], label=label: self._click(label, fn))
        self.buttons["Submit"].button_style = "primary"
        self.buttons["Stop"].button_style = "danger"
        self.buttons["Stop"].disabled = True
        self.buttons["Retry"].disabled = True
        self.buttons["Retry"].tooltip = "Retry a Failed or Stopped run from where it ended"
        self._busy_bar = widgets.IntProgress(
            value=1, min=0, max=1, bar_style="info", layout=widgets.Layout(visibility="hidden", width="120px")
        )
        self._message = widgets.HTML("")
        self._message.add_class("sma-message")
        self._gate_line = widgets.HTML("")
        self._gate_line.add_class("sma-gate")
        self._run_header = widgets.HTML(run_header_html(None))
        self.progress = widgets.IntProgress(
            value=0, min=0, max=max(len(self.picture.nodes), 1), description="Steps"
        )
        self.progress.add_class("sma-progress-bar")
        self._dag = widgets.HTML(self.picture.svg())
        self._dag.add_class("sma-dag-view")
        self.dag_view: DagWidget | None = None
        if extension_may_be_present():
            self.dag_view = DagWidget(dag=self.picture.wire(), run=None, on_ready=self._use_extension_view)
            self.dag_view.add_class("sma-dag-widget")
        self._dag_area = widgets.Box(
            [self._dag], layout=widgets.Layout(overflow="auto", max_height="520px", width="100%")
        )
        self._confirm_text = widgets.HTML("")
        self._confirm_stop = widgets.Button(description="Stop the run", button_style="danger", icon="stop")
        self._confirm_stop.add_class("sma-button-confirm-stop")
        self._keep_running = widgets.Button(description="Keep it running")
        self._keep_running.add_class("sma-button-keep-running")
        self._confirm_stop.on_click(lambda _b: self._confirmed_stop())
        self._keep_running.on_click(lambda _b: self._hide_confirm())
        self._confirm = widgets.HBox(
            [self._confirm_text, self._confirm_stop, self._keep_running],
            layout=widgets.Layout(display="none", align_items="center"),
        )
        self._confirm.add_class("sma-confirm")
        self._retry_text = widgets.HTML("")
        self._confirm_retry = widgets.Button(description="Retry the run", button_style="primary", icon="redo")
        self._confirm_retry.add_class("sma-button-confirm-retry")
        self._cancel_retry = widgets.Button(description="Cancel")
        self._cancel_retry.add_class("sma-button-cancel-retry")
        self._confirm_retry.on_click(lambda _b: self._confirmed_retry())
        self._cancel_retry.on_click(lambda _b: self._hide_retry())
        self._retry_box = widgets.HBox(
            [self._retry_text, self._confirm_retry, self._cancel_retry],
            layout=widgets.Layout(display="none", align_items="center"),
        )
        self._retry_box.add_class("sma-confirm-retry")
        self._runs = widgets.HTML("<i>Click Refresh to list this pipeline's runs.</i>")
        self._runs.add_class("sma-runs-table")
        self._refresh_runs = widgets.Button(description="Refresh", icon="refresh")
        self._refresh_runs.add_class("sma-button-refresh-runs")
        self._refresh_runs.on_click(lambda _b: self._click("Runs", self.runs))
        self._steps = widgets.HTML(steps_html(None))
        self._findings = widgets.HTML("<i>Not validated yet: click Validate.</i>")
        self._yaml = widgets.HTML("<i>Click Export YAML to preview the ACK manifests.</i>")

    def _children(self) -> list[Any]:
        toolbar = widgets.HBox([*self.buttons.values(), self._busy_bar])
        runs = widgets.VBox([self._refresh_runs, self._runs])
        self._details = widgets.Accordion(children=[self._steps, self._findings, self._yaml, runs])
        for i, title in enumerate(DETAILS):
            self._details.set_title(i, title)
        self._details.selected_index = 0
        return [
            self._summary,
            toolbar,
            self._confirm,
            self._retry_box,
            self._gate_line,
            self._message,
            self._run_header,
            self.progress,
            self._dag_area,
            self._details,
        ]

    def _use_extension_view(self, view: DagWidget) -> None:
        """The front end has the extension: its DAG view replaces the Python SVG."""
        self._dag_area.children = (view,)
        self.dag_renderer = "extension"

    def _open_section(self, title: str) -> None:
        self._details.selected_index = DETAILS.index(title)

    # ----- settings and state -------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        if isinstance(self._explicit, Settings):
            return self._explicit
        return current_settings(self._explicit)

    @property
    def source(self) -> PipelineSource:
        if self._source is None:
            raise UserError(
                "This panel was attached to a run without its pipeline.",
                "Attach with the pipeline too: SageMakerAckPanel.attach(run_name, pipeline=pipeline).",
            )
        return self._source

    @property
    def busy(self) -> bool:
        return self._busy

    def _refresh_buttons(self) -> None:
        with self._state_lock:
            running = self._feeder is not None and not self._feeder.ended.is_set()
            for label, button in self.buttons.items():
                if label == "Stop":
                    button.disabled = self._busy or not running or self.run_status == "Stopping"
                elif label == "Retry":
                    button.disabled = self._busy or not self.run_name or self.run_status not in RETRYABLE
                else:
                    gated = label in GATED and bool(self.gate)
                    button.disabled = self._busy or self._source is None or gated
                    button.tooltip = self.gate if gated else ""
            self._busy_bar.layout.visibility = "visible" if self._busy else "hidden"
            self._refresh_runs.disabled = self._busy

    def _say(self, html: str) -> None:
        self._message.value = html

    def _click(self, label: str, action: Callable[[], Any]) -> None:
        """A button: run ``action`` in a daemon thread; show a UserError as a short message."""
        with self._state_lock:
            if self._busy:
                return
            self._busy = True
            self.activity = label
        self._refresh_buttons()
        self._say(f"<i>{label}\u2026</i>")

        def work() -> None:
            try:
                action()
            except UserError as exc:
                self._say(problem_html(exc.problem, exc.fix))
            except Exception as exc:
                log.debug("%s failed", label, exc_info=True)
                self._say(problem_html(f"{label} failed: {type(exc).__name__}: {exc}", None))
            finally:
                with self._state_lock:
                    self._busy = False
                    self.activity = ""
                self._refresh_buttons()

        start_daemon(work, f"sagemaker-ack-{label.lower()}")

    def _set_gate(self, findings: list[Any]) -> None:
        """Turn Publish / Export YAML / Submit off, saying why, while lint finds an error."""
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            first = errors[0]
            more = f" and {len(errors) - 1} more" if len(errors) > 1 else ""
            self.gate = (
                f"Publish, Export YAML and Submit are off: lint found {first.code} at {place(first)}: "
                f"{first.message.rstrip('.')}{more}. Fix the pipeline, or call panel.submit(force=True) "
                "(publish, export_yaml too) to go ahead anyway."
            )
            self._gate_line.value = problem_html(self.gate, None)
        else:
            self.gate = ""
            self._gate_line.value = ""
        self._refresh_buttons()

    # ----- actions ----------------------------------------------------------------------------------
    def validate(self) -> list[Any]:
        """Lint the definition (and judge it by the policies of ``SageMakerAck.policy``, when set);
        findings show in the panel and are returned."""
        from ...services.lint import lint_pipeline
        from ...services.policy import load_policies

        policies = load_policies(self.settings.policy_paths)
        self.findings = list(lint_pipeline(self.source.definition, policies=policies))
        self._findings.value = findings_html(self.findings)
        self._set_gate(self.findings)
        if self.findings:
            self._open_section("Lint findings")
        errors = sum(1 for f in self.findings if f.severity == "error")
        self._say(
            "&#10003; Lint clean."
            if not self.findings
            else f"Lint: {errors} error(s), {len(self.findings) - errors} warning(s) (see Lint findings)."
        )
        return self.findings

    def publish(self, *, force: bool = False) -> Any:
        """Publish the definition and its code to S3 (versioned, SSE-KMS); returns the Publication."""
        from ...services.publish import publish

        source = self.source
        publication = publish(
            source.publish_input, self.settings, pipeline_name=source.require_name(), force=force
        )
        self.publication = publication
        remember_publication(publication)
        state = "unchanged, already published as" if publication.unchanged else "published to"
        self._say(
            f"&#10003; {state} <code>{publication.definition_uri}</code> "
            f"version <code>{publication.version_id}</code> ({publication.digest[:19]}\u2026)"
        )
        return publication

    def export_yaml(
        self,
        path: str | Path | None = None,
        *,
        execution: bool = False,
        params: Mapping[str, Any] | None = None,
        force: bool = False,
    ) -> Any:
        """Render the ACK YAML (pinned to this definition's publication, if any); preview, write if ``path``."""
        rendered = self._render(execution=execution, params=params, force=force)
        self.rendered = rendered
        self._yaml.value = yaml_html(rendered.yaml, self.source.yaml_filename)
        written = rendered.write(path) if path is not None else []
        where = f" and wrote <code>{escape(', '.join(str(p) for p in written))}</code>" if written else ""
        unpinned = (
            ""
            if rendered.provenance is not None
            else " <b>Not pinned</b>: this definition was not published from this kernel; Publish first,"
            " then Export YAML again to pin its S3 version."
        )
        self._open_section("YAML")
        self._say(
            f"&#10003; Rendered {len(rendered.docs)} manifest(s){where}; the YAML section below shows it."
            f"{unpinned}"
        )
        return rendered

    def _export_from_button(self) -> Any:
        """The button writes the file too: ``<pipeline>.yaml`` in :attr:`export_dir` (default: working dir)."""
        folder = self.export_dir if self.export_dir is not None else Path.cwd()
        return self.export_yaml(folder / self.source.yaml_filename)

    def _render(self, *, execution: bool, params: Mapping[str, Any] | None, force: bool = False) -> Any:
        from ...services.render import render

        source = self.source
        name = source.require_name()
        return render(
            source.definition,
            self.settings,
            pipeline_name=name,
            execution=execution,
            params=params,
            find_provenance=lambda digest: provenance_of(name, digest),
            force=force,
        )

    def submit(self, params: Mapping[str, Any] | None = None, *, force: bool = False) -> str:
        """Apply the Pipeline and a new PipelineExecution, then watch it live; returns the run's name."""
        from ...services.submit import submit

        # Rendering writes nothing: submit's gate runs the same rules on exactly these documents.
        rendered = self._render(execution=True, params={**self.params, **(params or {})}, force=True)
        self.rendered = rendered
        settings = self.settings
        result = submit(rendered.docs, settings, force=force)
        execution = rendered.execution or {}
        metadata = execution.get("metadata") or {}
        namespace = getattr(result, "namespace", None) or metadata.get("namespace") or settings.namespace
        run_name = str(metadata.get("name"))
        self._say(f"&#10003; Submitted run <code>{run_name}</code> in namespace <code>{namespace}</code>.")
        self.watch(run_name, namespace=namespace)
        return run_name

    def ask_stop(self) -> None:
        """The Stop button: ask before stopping (a stop cannot be undone; the run is lost)."""
        if not self.run_name:
            return
        self._confirm_text.value = (
            f"Stop run <code>{escape(self.run_name)}</code>? SageMaker stops its running steps; "
            "it cannot be resumed.&nbsp;"
        )
        self._confirm.layout.display = "flex"

    def _hide_confirm(self) -> None:
        self._confirm.layout.display = "none"

    def _confirmed_stop(self) -> None:
        self._hide_confirm()
        self._click("Stop", self.stop)

    def stop(self, *, wait: bool = False) -> Any:
        """Ask the controller to stop the current run; the live status shows Stopping, then Stopped."""
        from ...services.stop import stop_run

        if not self.run_name:
            raise UserError("There is no run to stop.", "Submit one first, or attach to one by name.")
        snapshot = as_wire(stop_run(self.namespace or "default", self.run_name, self.settings, wait=wait))
        self._say(f"Stop requested for <code>{self.run_name}</code>.")
        return snapshot

    def ask_retry(self, *, from_step: str | None = None) -> Any:
        """The Retry button: plan the retry of the current run (nothing is created) and ask to confirm it."""
        from ...services.retry import propose

        if not self.run_name:
            raise UserError("There is no run to retry.", "Attach to a Failed or Stopped run by name.")
        proposal = propose(self.namespace, self.run_name, self.settings, from_step=from_step)
        self.proposal = proposal
        self._retry_text.value = retry_plan_html(proposal.to_wire())
        self._retry_box.layout.display = "flex"
        self._say("")
        return proposal

    def _hide_retry(self) -> None:
        self._retry_box.layout.display = "none"

    def _confirmed_retry(self) -> None:
        self._hide_retry()
        self._click("Retry", self.retry)

    def retry(self) -> str:
        """Create the retry :meth:`ask_retry` showed and follow the new run; returns its name."""
        from ...services.retry import retry

        proposal = self.proposal
        if proposal is None:
            raise UserError("No retry was planned.", "Click Retry first: it shows what the retry runs again.")
        self.proposal = None
        retry(proposal, self.settings)
        self._say(
            f"&#10003; Created run <code>{escape(proposal.name)}</code>, a retry of "
            f"<code>{escape(proposal.source)}</code>."
        )
        self.watch(proposal.name, namespace=proposal.namespace)
        return str(proposal.name)

    def runs(self) -> list[Any]:
        """Fill the Runs table with this pipeline's runs (services.run_history, newest first)."""
        from ...services.run_history import run_history

        if not self.pipeline_name:
            raise UserError("This panel does not know its pipeline's name.", "Pass it: name=PIPELINE_NAME.")
        entries = run_history(self.settings, self.pipeline_name, self.namespace)
        self.history = entries
        self._runs.value = history_html([entry.to_wire() for entry in entries])
        self._open_section("Runs")
        self._say(f"{len(entries)} run(s) of <code>{escape(str(self.pipeline_name))}</code>.")
        return entries

    def compare(self, run_a: str, run_b: str) -> Any:
        """Two runs of this pipeline side by side in the Runs section: parameters, definition diff, steps."""
        from ...services.compare import compare_runs

        result = compare_runs(self.namespace or "default", run_a, run_b, self.settings)
        self._runs.value = comparison_html(run_a, run_b, result) + self._runs.value
        self._open_section("Runs")
        self._say(f"Compared <code>{escape(run_a)}</code> with <code>{escape(run_b)}</code>.")
        return result

    # ----- live status --------------------------------------------------------------------------
    def watch(self, run_name: str, *, namespace: str | None = None) -> None:
        """Follow ``run_name`` live (stops following any previous run first: one writer per widget)."""
        from ...services.watch import watch_run

        previous = self._feeder
        if previous is not None:
            previous.stop()
            previous.join(5)
        settings = self.settings
        namespace = namespace or settings.namespace or "default"
        with self._state_lock:
            self.namespace = namespace
            self.run_name = run_name
            self.run_status = "Pending"
            self.proposal = None
            self._hide_retry()
            self.snapshot = None
            self._feeder = StatusFeeder(
                lambda: watch_run(namespace, run_name, settings),
                self._show_snapshot,
                on_error=self._show_feed_error,
                on_done=lambda _s: self._refresh_buttons(),
            )
            feeder = self._feeder
        self._refresh_buttons()
        feeder.start()
        self._refresh_buttons()

    def _show_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.snapshot = snapshot
        if self._source is None:  # attached without the pipeline: the steps come with the snapshots
            known = {str(n["name"]) for n in self.picture.nodes}
            if any(str(s.get("name")) not in known for s in snapshot.get("steps") or []):
                self.picture = DagPicture.from_snapshot(snapshot)
                if self.dag_view is not None:
                    self.dag_view.dag = self.picture.wire()
        done, total = progress(snapshot, len(self.picture.nodes))
        status = str(snapshot.get("outcome") or snapshot.get("status") or "Unknown")
        if self.dag_view is not None:
            self.dag_view.run = dict(snapshot)
        if self.dag_view is None or not self.dag_view.ready:  # else the extension draws it: no SVG to build
            self._dag.value = self.picture.svg(snapshot)
        self._steps.value = steps_html(snapshot)
        self.progress.max = max(total, 1)
        self.progress.value = done
        self.progress.bar_style = BAR_STYLES.get(status, "info")
        self._run_header.value = run_header_html(snapshot)
        self.run_status = status
        if status != "Executing" and status != "Stopping" and status != "Pending":
            self._hide_confirm()
        self._refresh_buttons()
        self._update_saved_state()

    def _show_feed_error(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self._say(problem_html(f"Live status stopped: {exc.problem}", exc.fix))
        else:
            self._say(problem_html(f"Live status stopped: {type(exc).__name__}: {exc}", None))

    def wait(self, timeout: float | None = None) -> dict[str, Any] | None:
        """Block until the watched run has an outcome (or ``timeout``); returns the last snapshot."""
        feeder = self._feeder
        if feeder is None:
            raise UserError("There is no run to wait for.", "Submit one first, or attach to one by name.")
        feeder.join(timeout)
        if feeder.error is not None and isinstance(feeder.error, UserError):
            raise feeder.error
        return self.snapshot

    def close(self) -> None:
        feeder = getattr(self, "_feeder", None)
        if feeder is not None:
            feeder.stop()
        super().close()

    @classmethod
    def attach(
        cls,
        run_name: str,
        *,
        namespace: str | None = None,
        pipeline: Any = None,
        settings: Settings | Mapping[str, Any] | None = None,
    ) -> SageMakerAckPanel:
        """A panel following an existing run, e.g. after a kernel restart (pass ``pipeline`` for the DAG)."""
        from ...services.runs import get_run

        resolved = settings if isinstance(settings, Settings) else current_settings(settings)
        namespace = namespace or resolved.namespace or "default"
        snapshot = as_wire(get_run(namespace, run_name, resolved))
        if pipeline is not None:
            panel = cls(pipeline, name=snapshot.get("pipelineName"), settings=settings)
        else:
            panel = cls(settings=settings, _picture=DagPicture.from_snapshot(snapshot))
        panel._show_snapshot(snapshot)
        panel.watch(run_name, namespace=namespace)
        return panel

    # ----- display ------------------------------------------------------------------------------
    def saved_state_bundle(self) -> dict[str, Any]:
        """The panel's last state as a MIME bundle: the DAG (with the run) and a static HTML/text picture."""
        snapshot = self.snapshot
        definition = self._source.definition if self._source else None
        html = static_view_html(
            self.pipeline_name,
            self.picture.nodes,
            self.picture.edges,
            snapshot,
            self.picture.svg(snapshot),
            step_states(snapshot),
        )
        if snapshot:
            done, total = progress(snapshot, len(self.picture.nodes))
            state = snapshot.get("outcome") or snapshot.get("status")
            text = f"{self.pipeline_name}: run {snapshot.get('name')} {state} ({done}/{total} steps)"
        else:
            text = f"{self.pipeline_name}: {len(self.picture.nodes)} steps, no run yet"
        return {
            DAG_MIME: {**self.picture.wire(snapshot), "savedState": "panel"},
            "text/html": f'<div class="{SAVED_STATE_CLASS}">'
            + summary_html(self.pipeline_name, definition)
            + html
            + "</div>",
            "text/plain": text,
        }

    def _update_saved_state(self) -> None:
        """Redraw the saved-state output when what it shows changed, at most every few seconds.

        The bundle carries a picture of the whole DAG (~370 KiB at 200 steps), so step changes are sent at
        most every :data:`SAVED_INTERVAL`; a new run, a run state or an outcome is sent at once, so the
        output always ends on the last state.
        """
        handle = self._saved
        snapshot = self.snapshot or {}
        run_key = (snapshot.get("name"), snapshot.get("status"), snapshot.get("outcome"))
        key = (*run_key, tuple(sorted(step_states(snapshot).items())), len(self.picture.nodes))
        if handle is None or key == self._saved_key:
            return
        now = time.monotonic()
        finished = bool(snapshot.get("outcome"))
        if not finished and run_key == self._saved_key[:3] and now - self._saved_at < SAVED_INTERVAL:
            return
        self._saved_key, self._saved_at = key, now
        try:
            handle.update(self.saved_state_bundle(), raw=True)
        except Exception:  # the live panel matters more than its saved copy
            log.debug("could not update the saved state of the panel", exc_info=True)

    def _ipython_display_(self) -> None:
        """The widget, then its saved state beside it (hidden by the extension while the widget lives)."""
        from IPython.display import display

        display(super()._repr_mimebundle_(), raw=True)  # type: ignore[no-untyped-call]
        self._saved = display(self.saved_state_bundle(), raw=True, display_id=True)  # type: ignore[no-untyped-call]

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = dict(super()._repr_mimebundle_(**kwargs) or {})
        saved = self.saved_state_bundle()
        bundle[DAG_MIME] = saved[DAG_MIME]
        bundle["text/html"] = saved["text/html"]
        return bundle
