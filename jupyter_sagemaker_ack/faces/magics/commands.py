"""``%sagemaker_ack SUBCOMMAND ...``: the hand-off from a notebook cell, one service call per subcommand.

Each subcommand is a method with its own ``magic_arguments`` parser, so ``%sagemaker_ack --help`` lists
them and ``%sagemaker_ack publish --help`` explains one. PIPELINE names a variable of the notebook. A user
mistake (a variable that is not a pipeline, no bucket, no cluster, a bad path) is shown as one short message,
and the subcommand returns that :class:`~.results.Problem`: a subcommand never returns None (only --help).
Services are imported inside the subcommands: loading the extension imports no SDK, boto3 or kubernetes.
"""

from __future__ import annotations

import argparse
import inspect
import shlex
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from html import escape
from typing import Any, TypeVar

from IPython.core import magic_arguments
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display as _display

from ...core.errors import UserError
from ..kernel.publications import provenance_of, remember_publication
from ..kernel.runs import remember_run, run_arn
from ..kernel.settings import current_settings
from .failures import problem_of
from .results import Problem, Result, ShownResult

F = TypeVar("F", bound=Callable[..., Any])
display: Callable[..., Any] = _display
MAGIC = "sagemaker_ack"
# Opens the panel for %sagemaker_ack panel; given by the package's load_ipython_extension, so that
# the magics never import the panel (both faces share only faces.kernel and faces.display).
PanelOpener = Callable[[Any], Any]
# A refusal by the lint gate names this override (the magic's own flag, not the CLI's or Python's).
MAGIC_OVERRIDE = "--force to the magic"
LIVE_INTERVAL = 0.25  # seconds between two redraws of a followed run whose states change
LIVE_REFRESH = 5.0  # seconds between two redraws when only its durations move on


def _is_gate_refusal(exc: BaseException) -> bool:
    """A refusal by the lint gate. Its module is imported only by the commands that run the gate (it pulls
    in the policy rules), so ``%load_ext`` stays light: no gate imported means no refusal to recognise."""
    gate = sys.modules.get("jupyter_sagemaker_ack.services.gate")
    return gate is not None and isinstance(exc, gate.GateRefused)


def arg(*names: str, **options: Any) -> tuple[tuple[str, ...], dict[str, Any]]:
    """One argparse argument of a subcommand: ``arg("--bucket", help=...)``."""
    return names, options


def subcommand(name: str, *arguments: tuple[tuple[str, ...], dict[str, Any]]) -> Callable[[F], F]:
    """Give a subcommand method its own ``magic_arguments`` parser (``%sagemaker_ack NAME --help``)."""

    def decorate(func: F) -> F:
        for names, options in reversed(arguments):
            func = magic_arguments.argument(*names, **options)(func)  # type: ignore[no-untyped-call]
        decorated: F = magic_arguments.magic_arguments(name=f"{MAGIC} {name}")(func)  # type: ignore[no-untyped-call]
        return decorated

    return decorate


def _parse_params(values: list[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--param {item!r} is not KEY=VALUE.", "Write --param InstanceCount=2.")
        params[key] = value
    return params


def _shown(problem: Problem) -> Problem:
    """Display ``problem`` now (also when the cell assigns the result) and return it as the result."""
    display(problem)
    return problem


@magics_class
class SageMakerAckMagics(Magics):
    """The ``%sagemaker_ack`` line magic."""

    def __init__(self, shell: Any = None, open_panel: PanelOpener | None = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self._open_panel = open_panel

    @line_magic(MAGIC)  # type: ignore[untyped-decorator,arg-type,unused-ignore]  # IPython 8 and 9 type it apart
    def sagemaker_ack(self, line: str) -> Any:
        """Hand a SageMaker pipeline to ACK: lint, publish, render YAML, submit, watch, stop.

        %sagemaker_ack SUBCOMMAND [options]     (%sagemaker_ack SUBCOMMAND --help for one)
        """
        try:
            words = shlex.split(line)
        except ValueError as exc:
            return _shown(Problem(f"Cannot read the arguments: {exc}.", "Check the quotes."))
        if not words or words[0] in ("-h", "--help", "help"):
            print(self.overview())
            return None
        command = self.subcommands().get(words[0])
        if command is None:
            return _shown(
                Problem(f"Unknown subcommand '{words[0]}'.", f"Use one of: {', '.join(self.subcommands())}.")
            )
        parser: argparse.ArgumentParser = command.parser  # type: ignore[attr-defined]
        if any(w in ("-h", "--help") for w in words[1:]):
            print(parser.format_help().replace("::\n\n", "usage:\n", 1))
            return None
        try:
            args = parser.parse_args(words[1:])
        except UsageError as exc:
            return _shown(Problem(f"{words[0]}: {exc}.", f"See `%{MAGIC} {words[0]} --help`."))
        try:
            result = command(args)
        except Exception as exc:
            if _is_gate_refusal(exc):
                refused = exc.naming(MAGIC_OVERRIDE)  # type: ignore[attr-defined]
                return _shown(Problem(refused.problem, refused.fix))
            problem = problem_of(exc)
            if problem is None:
                raise
            return _shown(problem)
        if result is None:  # a service that answered nothing: say so rather than return None
            return _shown(Problem(f"{words[0]} gave no result.", "Run it again; if it persists, report it."))
        return result

    def subcommands(self) -> dict[str, Callable[[argparse.Namespace], Any]]:
        return {
            "lint": self.do_lint,
            "publish": self.do_publish,
            "yaml": self.do_yaml,
            "bundle": self.do_bundle,
            "submit": self.do_submit,
            "status": self.do_status,
            "stop": self.do_stop,
            "retry": self.do_retry,
            "compare": self.do_compare,
            "diff": self.do_diff,
            "panel": self.do_panel,
            "config": self.do_config,
            "doctor": self.do_doctor,
        }

    def overview(self) -> str:
        lines = [inspect.cleandoc(self.sagemaker_ack.__doc__ or ""), "", "Subcommands:"]
        for _name, command in self.subcommands().items():
            parser: argparse.ArgumentParser = command.parser  # type: ignore[attr-defined]
            usage = " ".join(parser.format_usage().replace("::", "").split())
            summary = (parser.description or "").strip().splitlines()[0]
            lines.append(f"  {usage}\n      {summary}")
        lines.append(
            "\nSettings: %config SageMakerAck.bucket = '...' (also prefix, kms_key, namespace, ...)."
        )
        return "\n".join(lines)

    # ----- helpers ------------------------------------------------------------------------------
    def _variable(self, name: str) -> Any:
        head, *attrs = name.split(".")
        namespace = self.shell.user_ns if self.shell is not None else {}
        if head not in namespace:
            raise UserError(
                f"There is no variable '{head}' in this notebook.",
                "Name the variable that holds your pipeline, e.g. %sagemaker_ack lint pipeline.",
            )
        value = namespace[head]
        for attr in attrs:
            if not hasattr(value, attr):
                raise UserError(
                    f"'{name}': {type(value).__name__} has no attribute '{attr}'.", "Check the name."
                )
            value = getattr(value, attr)
        return value

    def _source(self, name: str, pipeline_name: str | None = None) -> Any:
        from ..kernel.source import resolve_source

        return resolve_source(self._variable(name), name=pipeline_name, label=name)

    # ----- subcommands --------------------------------------------------------------------------
    @subcommand(
        "lint",
        arg("pipeline", help="Variable holding the pipeline."),
        arg(
            "--policy",
            action="append",
            metavar="FILE",
            help="PipelinePolicy file (repeatable; adds to SageMakerAck.policy).",
        ),
        arg("--param", action="append", metavar="KEY=VALUE", help="Parameter value policies judge too."),
    )
    def do_lint(self, args: argparse.Namespace) -> Result:
        """Lint the pipeline's definition (offline): structure, references, parameters, names, sizes, and
        every configured or given policy's rules."""
        from ...core.lint import sort_key
        from ...services.lint import lint_pipeline
        from ...services.policy import load_policies
        from ..display.views import findings_html, place

        source = self._source(args.pipeline)
        paths = list(current_settings().policy_paths)
        paths += [p for p in args.policy or [] if p not in paths]
        policies = load_policies(paths)
        findings = sorted(
            lint_pipeline(source.definition, policies=policies, params=_parse_params(args.param)),
            key=sort_key,
        )
        text = (
            "No lint findings."
            if not findings
            else "\n".join(f"{f.severity}: {f.code} {place(f)}: {f.message}" for f in findings)
        )
        return Result(findings, findings_html(findings), text)

    @subcommand(
        "publish",
        arg("pipeline", help="Variable holding the pipeline."),
        arg("--bucket", help="S3 bucket (versioned). Default: settings."),
        arg("--prefix", help="Key prefix in the bucket. Default: settings."),
        arg("--kms-key", help="KMS key id, ARN or alias. Default: settings."),
        arg("--name", help="Pipeline name, if the object has none."),
        arg("--force", action="store_true", help="Publish even when lint finds errors."),
    )
    def do_publish(self, args: argparse.Namespace) -> Result:
        """Publish the definition and its code to versioned, KMS-encrypted S3 with a hand-off record."""
        from ...services.publish import publish
        from ..display.views import mapping_html

        source = self._source(args.pipeline, args.name)
        settings = current_settings({"bucket": args.bucket, "prefix": args.prefix, "kms_key": args.kms_key})
        publication = publish(
            source.publish_input, settings, pipeline_name=source.require_name(), force=args.force
        )
        remember_publication(publication)
        summary = {
            "pipeline": publication.pipeline_name,
            "definition": publication.definition_uri,
            "version": publication.version_id,
            "digest": publication.digest,
            "KMS key": publication.kms_key_arn,
            "record": publication.record_uri,
            "unchanged": publication.unchanged,
        }
        title = "Already published (unchanged)" if publication.unchanged else "Published"
        text = f"{title}: {publication.pinned_uri} ({publication.digest})"
        return Result(publication, mapping_html(title, summary), text)

    @subcommand(
        "yaml",
        arg("pipeline", help="Variable holding the pipeline."),
        arg("-o", "--output", help="Write to FILE.yaml, or to a folder with a kustomization."),
        arg("--execution", action="store_true", help="Add a PipelineExecution."),
        arg("--param", action="append", metavar="KEY=VALUE", help="Execution parameter (repeatable)."),
        arg("--name", help="Pipeline name, if the object has none."),
        arg(
            "--find-published",
            action="store_true",
            help="If this kernel has not published this definition, look its digest up in S3 (waits for S3).",
        ),
        arg("--force", action="store_true", help="Render even when lint finds errors."),
    )
    def do_yaml(self, args: argparse.Namespace) -> Result:
        """Render the ACK Pipeline (and PipelineExecution) YAML, pinned to this definition's publication."""
        from ..display.views import yaml_html

        source = self._source(args.pipeline, args.name)
        params = _parse_params(args.param)
        rendered = self._render(
            source,
            execution=args.execution or bool(params),
            params=params,
            in_s3=args.find_published,
            force=args.force,
        )
        written = rendered.write(args.output) if args.output else []
        note = f"<p>Wrote {escape(', '.join(str(p) for p in written))}</p>" if written else ""
        unpinned = self._unpinned_note(rendered, args.pipeline, args.find_published)
        if unpinned:
            note += f'<p class="sma-unpinned">{escape(unpinned)}</p>'
        text = f"# {unpinned}\n{rendered.yaml}" if unpinned else rendered.yaml
        return Result(rendered, note + yaml_html(rendered.yaml, source.yaml_filename), text)

    @subcommand(
        "bundle",
        arg("pipeline", help="Variable holding the pipeline."),
        arg("-o", "--output", required=True, help="The bundle folder: base/, overlays/<env>/, README.md."),
        arg("--environments", required=True, metavar="ENVS.yaml", help="The environments file."),
        arg("--name", help="Pipeline name, if the object has none."),
        arg("--force", action="store_true", help="Write even when lint finds errors."),
    )
    def do_bundle(self, args: argparse.Namespace) -> Result:
        """Write a GitOps bundle: a kustomize base and one overlay per environment of ENVS.yaml."""
        from ...services.bundle import bundle
        from ..display.views import mapping_html

        source = self._source(args.pipeline, args.name)
        name = source.require_name()
        result = bundle(
            args.pipeline,
            args.output,
            args.environments,
            current_settings({}),
            pipeline_name=name,
            definition=source.definition,
            provenance=provenance_of(name, source.definition.digest),
            force=args.force,
        )
        summary: dict[str, Any] = {"folder": str(result.written), "pipeline": name}
        for overlay in result.bundle.overlays:
            summary[f"overlays/{overlay.environment.name}"] = overlay.definition.digest
        warnings = sum(1 for f in result.findings if f.severity == "warning")
        summary["lint warnings"] = f"{warnings} (see README.md)"
        if result.large:
            summary["apply with"] = "kubectl apply -k overlays/<env> --server-side (over 256 KiB)"
        text = "\n".join(f"{key}: {value}" for key, value in summary.items())
        return Result(result, mapping_html("Bundle written", summary), text)

    @staticmethod
    def _unpinned_note(rendered: Any, variable: str, looked_in_s3: bool) -> str:
        if rendered.provenance is not None:
            return ""
        searched = "this kernel and S3 have" if looked_in_s3 else "this kernel has"
        also = "" if looked_in_s3 else " (or add --find-published to look it up in S3)"
        return (
            f"No provenance: {searched} no publication of this definition ({rendered.definition.digest}). "
            f"Publish it first (%{MAGIC} publish {variable}), then render again to pin the S3 version{also}."
        )

    def _render(
        self,
        source: Any,
        *,
        execution: bool,
        params: Mapping[str, Any] | None = None,
        in_s3: bool = False,
        force: bool = False,
    ) -> Any:
        """Render ``source``, pinned to the publication of its digest: this kernel's, or S3's if ``in_s3``."""
        from ...services.render import render

        name = source.require_name()
        settings = current_settings()

        def find(digest: str) -> Any:
            found = provenance_of(name, digest)
            if found is None and in_s3:
                from ...services.provenance import published_provenance

                found = published_provenance(name, digest, settings)
            return found

        return render(
            source.definition,
            settings,
            pipeline_name=name,
            execution=execution,
            params=params,
            find_provenance=find,
            force=force,
        )

    @subcommand(
        "submit",
        arg("pipeline", help="Variable holding the pipeline."),
        arg("--wait", action="store_true", help="Show live status until the run ends."),
        arg("--param", action="append", metavar="KEY=VALUE", help="Execution parameter (repeatable)."),
        arg("--name", help="Pipeline name, if the object has none."),
        arg("--force", action="store_true", help="Submit even when lint finds errors."),
    )
    def do_submit(self, args: argparse.Namespace) -> Result:
        """Apply the Pipeline and a new PipelineExecution to the cluster (server-side apply)."""
        from ...services.submit import submit

        source = self._source(args.pipeline, args.name)
        # Rendering writes nothing: submit's gate runs the same rules on exactly these documents.
        rendered = self._render(source, execution=True, params=_parse_params(args.param), force=True)
        settings = current_settings()
        result = submit(rendered.docs, settings, force=args.force)
        metadata = (rendered.execution or {}).get("metadata") or {}
        namespace = (
            getattr(result, "namespace", None) or metadata.get("namespace") or settings.namespace or "default"
        )
        run = str(metadata.get("name"))
        if args.wait:
            from ..display.picture import DagPicture

            picture = DagPicture.from_definition(source.definition, rendered.pipeline_name)
            return self._follow(namespace, run, settings, picture)
        info = {"namespace": namespace, "run": run, "pipeline": rendered.pipeline_name}
        from ..display.views import mapping_html

        return Result(
            result,
            mapping_html("Submitted", info)
            + f"<small>Follow it: <code>%sagemaker_ack status {escape(run)}</code></small>",
            f"Submitted {namespace}/{run}",
        )

    def _follow(self, namespace: str, run: str, settings: Any, picture: Any = None) -> Result:
        """Live status in this cell's output (one display, updated in place) until the run ends.

        The display keeps the final state: the cell shows how the run ended even when the result is
        assigned (``run = %sagemaker_ack submit pipeline --wait``). The result returned is marked as
        shown, so an unassigned one does not draw the same run twice.
        """
        from ...services.watch import watch_run
        from ..display.snapshots import as_wire, step_states

        handle = display(Result({}, f"Watching {escape(run)}\u2026", f"Watching {run}..."), display_id=True)
        last: Any = None
        shown: Any = None
        shown_key: Any = None
        shown_at = 0.0
        try:
            for snapshot in watch_run(namespace, run, settings):
                last = snapshot
                wire = as_wire(snapshot)
                key = (wire.get("status"), wire.get("outcome"), tuple(sorted(step_states(wire).items())))
                waited = time.monotonic() - shown_at
                # A redraw carries the whole picture: on a change of state, else now and then for the times.
                due = waited >= LIVE_INTERVAL if key != shown_key else waited >= LIVE_REFRESH
                if due and handle is not None:
                    shown, shown_key = snapshot, key
                    handle.update(self._run_result(snapshot, picture))
                    shown_at = time.monotonic()
        except KeyboardInterrupt:
            print(f"Stopped watching; the run goes on. Follow it: %sagemaker_ack status {run}")
        if last is None:
            if handle is not None:
                handle.update(Result({}, f"No status of {escape(run)}.", f"No status of {run}."))
            return Result({}, "", f"No status of {run}.")
        final = self._run_result(last, picture)
        if handle is None:
            return final
        if shown is not last:
            handle.update(final)
        return ShownResult.of(final)

    def _picture(self, wire: Mapping[str, Any], settings: Any = None) -> Any:
        """The run's DAG with its edges: from the Pipeline CR when it is there, else its steps alone."""
        from ..display.picture import DagPicture

        name = wire.get("pipelineName")
        if name and settings is not None:
            from ...services.runs import get_dag

            try:
                dag = get_dag(wire.get("namespace"), str(name), settings)
            except Exception:  # the picture is a nicety: a run whose Pipeline CR is gone still shows
                dag = None
            if dag:
                return DagPicture(dag.get("pipelineName") or name, dag["nodes"], dag["edges"])
        return DagPicture.from_snapshot(wire)

    def _run_result(self, snapshot: Any, picture: Any = None, settings: Any = None) -> Result:
        """A run as the panel draws it: the DAG with edges and states, a summary table and a step table."""
        from ..display.picture import RUN_MIME
        from ..display.snapshots import as_wire, progress, step_states
        from ..display.views import static_view_html

        wire = as_wire(snapshot)
        remember_run(wire.get("name"), wire.get("executionArn"))
        if picture is None:
            picture = self._picture(wire, settings)
        status = wire.get("outcome") or wire.get("status")
        done, total = progress(wire, len(picture.nodes))
        text = f"{wire.get('namespace')}/{wire.get('name')}: {status} ({done}/{total} steps)"
        if wire.get("failureReason"):
            text += f" - {wire['failureReason']}"
        name = picture.pipeline_name or wire.get("pipelineName")
        states = step_states(wire)
        html = static_view_html(name, picture.nodes, picture.edges, wire, picture.svg(wire), states)
        # The extension draws the run MIME type (with its DAG) ahead of the HTML, trusted or not.
        bundle = {**wire, "dag": {"pipelineName": name, "nodes": picture.nodes, "edges": picture.edges}}
        return Result(wire, html, text, {RUN_MIME: bundle})

    @subcommand(
        "status",
        arg("run", nargs="?", help="PipelineExecution name; without it, list the runs."),
        arg("-n", "--namespace", help="Kubernetes namespace. Default: settings."),
    )
    def do_status(self, args: argparse.Namespace) -> Result:
        """Show one run (steps, progress) or list the runs in the cluster."""
        from ...services import runs as watch

        settings = current_settings({"namespace": args.namespace})
        if args.run:
            namespace = settings.namespace or "default"
            try:
                return self._run_result(watch.get_run(namespace, args.run, settings), settings=settings)
            except UserError:
                arn = run_arn(args.run)
                if arn is None:
                    raise
                # The CR is gone (a stop deletes it): SageMaker still knows the run by its ARN.
                snapshot = watch.get_run(namespace, arn, settings)
                return self._run_result(replace(snapshot, name=args.run), settings=settings)
        from ..display.snapshots import as_wire
        from ..display.views import runs_html

        runs = [as_wire(r) for r in watch.list_runs(settings)]
        text = "\n".join(
            f"{r.get('namespace')}/{r.get('name')}  {r.get('outcome') or r.get('status')}" for r in runs
        )
        return Result(runs, runs_html(runs), text or "No runs.")

    @subcommand(
        "stop",
        arg("run", help="PipelineExecution name."),
        arg("-n", "--namespace", help="Kubernetes namespace. Default: settings."),
        arg("--no-wait", action="store_true", help="Return once the stop is requested."),
    )
    def do_stop(self, args: argparse.Namespace) -> Result:
        """Stop a running PipelineExecution (and wait until it is Stopped)."""
        from ...services.stop import stop_run

        settings = current_settings({"namespace": args.namespace})
        snapshot = stop_run(settings.namespace or "default", args.run, settings, wait=not args.no_wait)
        if snapshot is None:
            raise UserError(
                f"The stop of '{args.run}' gave no outcome.",
                f"See how the run ended: %{MAGIC} status {args.run}",
            )
        return self._run_result(snapshot, settings=settings)

    @subcommand(
        "retry",
        arg("run", help="PipelineExecution name of a Failed or Stopped run."),
        arg("-n", "--namespace", help="Kubernetes namespace. Default: settings."),
        arg("--from-step", metavar="STEP", help="Run again from STEP and everything downstream of it."),
        arg("--yes", action="store_true", help="Create the retry (without it: only show the plan)."),
        arg("--wait", action="store_true", help="Follow the new run until it ends."),
    )
    def do_retry(self, args: argparse.Namespace) -> Result:
        """Retry a Failed or Stopped run as a new run: its failed steps and downstream run again, the rest
        is reused. Shows the plan; --yes creates it."""
        from ...services import retry as retry_service
        from ..display.views import mapping_html

        settings = current_settings({"namespace": args.namespace})
        proposal = retry_service.propose(
            settings.namespace or "default", args.run, settings, from_step=args.from_step
        )
        plan = proposal.plan
        info = {
            "retry of": f"{proposal.source} ({proposal.source_status})",
            "run again": ", ".join(plan.selected),
            "reused": ", ".join(plan.reused) or "none",
            "new run": proposal.name,
        }
        text = "\n".join(f"{k}: {v}" for k, v in info.items())
        if not args.yes:
            again = f"%{MAGIC} retry {args.run}" + (
                f" --from-step {args.from_step}" if args.from_step else ""
            )
            return Result(
                proposal.to_wire(),
                mapping_html("Retry plan (nothing created yet)", info)
                + f"<small>Create it: <code>{escape(again)} --yes</code></small>",
                f"{text}\nNothing created yet; create it: {again} --yes",
            )
        retry_service.retry(proposal, settings)
        if args.wait:
            return self._follow(proposal.namespace, proposal.name, settings)
        return Result(
            proposal.to_wire(),
            mapping_html("Retry created", info)
            + f"<small>Follow it: <code>%sagemaker_ack status {escape(proposal.name)}</code></small>",
            f"{text}\nCreated {proposal.namespace}/{proposal.name}",
        )

    @subcommand(
        "compare",
        arg("run_a", help="PipelineExecution name (or execution ARN) of the first run."),
        arg("run_b", help="PipelineExecution name (or execution ARN) of the second run."),
        arg("-n", "--namespace", help="Kubernetes namespace. Default: settings."),
    )
    def do_compare(self, args: argparse.Namespace) -> Result:
        """Compare two runs: parameters that differ, the definition diff, each step side by side."""
        from ...services.compare import compare_runs

        settings = current_settings({"namespace": args.namespace})
        from ..display.views import comparison_html, comparison_text

        result = compare_runs(settings.namespace or "default", args.run_a, args.run_b, settings)
        wire = result.to_wire()
        html = comparison_html(args.run_a, args.run_b, result)
        text = comparison_text(result)
        return Result(wire, html, text)

    @subcommand(
        "diff",
        arg("pipeline", help="Variable holding the pipeline."),
        arg(
            "--against",
            metavar="VERSION",
            help="S3 VersionId of a published version, an s3:// URI or a YAML/JSON file (default: latest).",
        ),
        arg("--name", help="Pipeline name, if the object has none."),
    )
    def do_diff(self, args: argparse.Namespace) -> Result:
        """Compare the pipeline with a published version: steps, parameters and edges that changed."""
        from ...services.diff import diff

        source = self._source(args.pipeline, args.name)
        settings = current_settings()
        against = self._published(source.require_name(), args.against, settings)
        result = diff(against, source.definition, settings)
        lines = result.diff.lines()
        header = f"--- {result.a}\n+++ {args.pipeline} (this notebook)"
        text = "No differences." if result.identical else header + "\n" + "\n".join(lines)
        html = (
            '<div class="sma-diff"><b>No differences</b> from ' + escape(result.a) + "</div>"
            if result.identical
            else '<pre class="sma-diff">' + escape(text) + "</pre>"
        )
        return Result(result, html, text)

    @staticmethod
    def _published(pipeline_name: str, against: str | None, settings: Any) -> str:
        from pathlib import Path

        if against and (against.startswith("s3://") or Path(against).exists()):
            return against
        from ...services.history import history

        versions = [v for v in history(pipeline_name, settings) if not v.delete_marker]
        if not versions:
            raise UserError(f"No published version of '{pipeline_name}'.", "Publish it first.")
        if against is None:
            return str(versions[0].pinned_uri)
        for version in versions:
            if version.version_id == against:
                return str(version.pinned_uri)
        raise UserError(
            f"'{pipeline_name}' has no published version '{against}'.",
            "Use one of: " + ", ".join(v.version_id for v in versions[:10]) + ".",
        )

    @subcommand(
        "panel",
        arg("pipeline", help="Variable holding the pipeline."),
        arg("--name", help="Pipeline name, if the object has none."),
    )
    def do_panel(self, args: argparse.Namespace) -> Any:
        """Open the interactive panel: DAG, lint, YAML, Publish / Submit / Stop buttons, live status."""
        source = self._source(args.pipeline, args.name)
        if self._open_panel is None:
            raise UserError(
                "The panel is not available in this shell.",
                "Load the extension with %load_ext jupyter_sagemaker_ack (it wires the panel in).",
            )
        return self._open_panel(source)

    @subcommand(
        "config",
    )
    def do_config(self, args: argparse.Namespace) -> Result:
        """Show the effective settings and where each came from (argument, %config, environment, default)."""
        from ..display.views import settings_html

        settings = current_settings()
        described = settings.describe()
        width = max(len(name) for name, _, _ in described)
        text = "\n".join(f"{name:<{width}}  {value!s:<40}  {source}" for name, value, source in described)
        return Result(settings, settings_html(described), text)

    @subcommand(
        "doctor",
        arg("-n", "--namespace", help="Kubernetes namespace. Default: settings."),
    )
    def do_doctor(self, args: argparse.Namespace) -> Result:
        """Check AWS and the cluster for a real run (credentials, bucket, key, role, ACK, access); change nothing."""
        from ...services.doctor import run_doctor

        report = run_doctor(current_settings({"namespace": args.namespace}))
        rows = "".join(
            f"<tr><td>{escape(c.status)}</td><td>{escape(c.name)}</td><td>{escape(c.detail)}"
            + (f"<br><i>fix: {escape(c.fix)}</i>" if c.fix else "")
            + "</td></tr>"
            for c in report.checks
        )
        html = f"<table class='sagemaker-ack-doctor'>{rows}</table><p>doctor: {escape(report.summary())}</p>"
        return Result(report, html, report.text())
