"""``%sagemaker_ack SUBCOMMAND ...``: the hand-off from a notebook cell, one service call per subcommand.

Each subcommand is a method with its own ``magic_arguments`` parser, so ``%sagemaker_ack --help`` lists
them and ``%sagemaker_ack publish --help`` explains one. PIPELINE names a variable of the notebook. A user
mistake (a variable that is not a pipeline, no bucket, no cluster) is shown as one short message.
Services are imported inside the subcommands: loading the extension imports no SDK, boto3 or kubernetes.
"""

from __future__ import annotations

import argparse
import inspect
import shlex
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from html import escape
from typing import Any, TypeVar

from IPython.core import magic_arguments
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display as _display

from ...core.errors import UserError
from ..panel.session import current_settings, last_publication, remember_publication, remember_run, run_arn
from .results import Problem, Result

F = TypeVar("F", bound=Callable[..., Any])
display: Callable[..., Any] = _display
MAGIC = "sagemaker_ack"
# Exceptions from these client libraries mean "could not reach the service", not a bug in the notebook.
NETWORK_MODULES = ("urllib3", "botocore", "kubernetes", "requests", "http", "socket", "ssl")


def _network_failure(exc: BaseException) -> bool:
    module = type(exc).__module__.split(".")[0]
    return isinstance(exc, (OSError, TimeoutError)) or module in NETWORK_MODULES


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


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


@magics_class
class SageMakerAckMagics(Magics):
    """The ``%sagemaker_ack`` line magic."""

    @line_magic(MAGIC)  # type: ignore[untyped-decorator,arg-type,unused-ignore]  # IPython 8 and 9 type it apart
    def sagemaker_ack(self, line: str) -> Any:
        """Hand a SageMaker pipeline to ACK: lint, publish, render YAML, submit, watch, stop.

        %sagemaker_ack SUBCOMMAND [options]     (%sagemaker_ack SUBCOMMAND --help for one)
        """
        try:
            words = shlex.split(line)
        except ValueError as exc:
            display(Problem(f"Cannot read the arguments: {exc}.", "Check the quotes."))
            return None
        if not words or words[0] in ("-h", "--help", "help"):
            print(self.overview())
            return None
        command = self.subcommands().get(words[0])
        if command is None:
            display(
                Problem(f"Unknown subcommand '{words[0]}'.", f"Use one of: {', '.join(self.subcommands())}.")
            )
            return None
        parser: argparse.ArgumentParser = command.parser  # type: ignore[attr-defined]
        if any(w in ("-h", "--help") for w in words[1:]):
            print(parser.format_help().replace("::\n\n", "usage:\n", 1))
            return None
        args = parser.parse_args(words[1:])  # argparse errors surface as a short UsageError
        try:
            return command(args)
        except UserError as exc:
            display(Problem(exc.problem, exc.fix))
        except Exception as exc:
            if not _network_failure(exc):
                raise
            display(
                Problem(
                    f"Could not reach a service: {type(exc).__name__}: {_first_line(exc)}",
                    "Check the endpoints, region and kubeconfig in `%sagemaker_ack config` "
                    "(is the cluster or the sandbox running?).",
                )
            )
        return None

    def subcommands(self) -> dict[str, Callable[[argparse.Namespace], Any]]:
        return {
            "lint": self.do_lint,
            "publish": self.do_publish,
            "yaml": self.do_yaml,
            "submit": self.do_submit,
            "status": self.do_status,
            "stop": self.do_stop,
            "diff": self.do_diff,
            "panel": self.do_panel,
            "config": self.do_config,
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
        from ..panel.source import resolve_source

        return resolve_source(self._variable(name), name=pipeline_name, label=name)

    # ----- subcommands --------------------------------------------------------------------------
    @subcommand(
        "lint",
        arg("pipeline", help="Variable holding the pipeline."),
    )
    def do_lint(self, args: argparse.Namespace) -> Result:
        """Lint the pipeline's definition (offline): structure, references, parameters, names, sizes."""
        from ...core.lint import lint_definition
        from ..panel.views import findings_html

        source = self._source(args.pipeline)
        findings = list(lint_definition(source.definition))
        text = (
            "No lint findings."
            if not findings
            else "\n".join(f"{f.severity}: {f.code} {f.location()}: {f.message}" for f in findings)
        )
        return Result(findings, findings_html(findings), text)

    @subcommand(
        "publish",
        arg("pipeline", help="Variable holding the pipeline."),
        arg("--bucket", help="S3 bucket (versioned). Default: settings."),
        arg("--prefix", help="Key prefix in the bucket. Default: settings."),
        arg("--kms-key", help="KMS key id, ARN or alias. Default: settings."),
        arg("--name", help="Pipeline name, if the object has none."),
    )
    def do_publish(self, args: argparse.Namespace) -> Result:
        """Publish the definition and its code to versioned, KMS-encrypted S3 with a hand-off record."""
        from ...services.publish import publish
        from ..panel.views import mapping_html

        source = self._source(args.pipeline, args.name)
        settings = current_settings({"bucket": args.bucket, "prefix": args.prefix, "kms_key": args.kms_key})
        publication = publish(source.publish_input, settings, pipeline_name=source.require_name())
        remember_publication(source.require_name(), publication)
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
    )
    def do_yaml(self, args: argparse.Namespace) -> Result:
        """Render the ACK Pipeline (and PipelineExecution) YAML, pinned to this kernel's last publication."""
        from ..panel.views import yaml_html

        source = self._source(args.pipeline, args.name)
        params = _parse_params(args.param)
        rendered = self._render(source, execution=args.execution or bool(params), params=params)
        written = rendered.write(args.output) if args.output else []
        note = f"<p>Wrote {escape(', '.join(str(p) for p in written))}</p>" if written else ""
        return Result(rendered, note + yaml_html(rendered.yaml, source.yaml_filename), rendered.yaml)

    def _render(self, source: Any, *, execution: bool, params: Mapping[str, Any] | None = None) -> Any:
        from ...services.render import render

        name = source.require_name()
        publication = last_publication(name)
        return render(
            source.definition,
            current_settings(),
            pipeline_name=name,
            execution=execution,
            params=params,
            provenance=publication.provenance() if publication is not None else None,
        )

    @subcommand(
        "submit",
        arg("pipeline", help="Variable holding the pipeline."),
        arg("--wait", action="store_true", help="Show live status until the run ends."),
        arg("--param", action="append", metavar="KEY=VALUE", help="Execution parameter (repeatable)."),
        arg("--name", help="Pipeline name, if the object has none."),
    )
    def do_submit(self, args: argparse.Namespace) -> Result:
        """Apply the Pipeline and a new PipelineExecution to the cluster (server-side apply)."""
        from ...services.submit import submit

        source = self._source(args.pipeline, args.name)
        rendered = self._render(source, execution=True, params=_parse_params(args.param))
        settings = current_settings()
        result = submit(rendered.docs, settings)
        metadata = (rendered.execution or {}).get("metadata") or {}
        namespace = (
            getattr(result, "namespace", None) or metadata.get("namespace") or settings.namespace or "default"
        )
        run = str(metadata.get("name"))
        if args.wait:
            return self._follow(namespace, run, settings)
        info = {"namespace": namespace, "run": run, "pipeline": rendered.pipeline_name}
        from ..panel.views import mapping_html

        return Result(
            result,
            mapping_html("Submitted", info)
            + f"<small>Follow it: <code>%sagemaker_ack status {escape(run)}</code></small>",
            f"Submitted {namespace}/{run}",
        )

    def _follow(self, namespace: str, run: str, settings: Any) -> Result:
        """Live status in this cell's output (one display, updated in place) until the run ends.

        The live display is emptied at the end: the returned result shows the final state (as Out).
        """
        from ...services.watch import watch_run

        handle = display(Result({}, f"Watching {escape(run)}\u2026", f"Watching {run}..."), display_id=True)
        last: Any = None
        shown_at = 0.0
        try:
            for snapshot in watch_run(namespace, run, settings):
                last = snapshot
                if time.monotonic() - shown_at >= 0.25 and handle is not None:
                    handle.update(self._run_result(snapshot))
                    shown_at = time.monotonic()
        except KeyboardInterrupt:
            print(f"Stopped watching; the run goes on. Follow it: %sagemaker_ack status {run}")
        if handle is not None:
            handle.update(Result({}, "", ""))
        return self._run_result(last) if last is not None else Result({}, "", f"No status of {run}.")

    def _run_result(self, snapshot: Any) -> Result:
        from ..panel.picture import RUN_MIME, DagPicture
        from ..panel.snapshots import as_wire, progress
        from ..panel.views import run_html

        wire = as_wire(snapshot)
        remember_run(wire.get("name"), wire.get("executionArn"))
        status = wire.get("outcome") or wire.get("status")
        done, total = progress(wire)
        svg = DagPicture.from_snapshot(wire).svg(wire) if wire.get("steps") else None
        text = f"{wire.get('namespace')}/{wire.get('name')}: {status} ({done}/{total} steps)"
        if wire.get("failureReason"):
            text += f" - {wire['failureReason']}"
        return Result(wire, run_html(wire, svg), text, {RUN_MIME: wire})

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
                return self._run_result(watch.get_run(namespace, args.run, settings))
            except UserError:
                arn = run_arn(args.run)
                if arn is None:
                    raise
                # The CR is gone (a stop deletes it): SageMaker still knows the run by its ARN.
                snapshot = watch.get_run(namespace, arn, settings)
                return self._run_result(replace(snapshot, name=args.run))
        from ..panel.snapshots import as_wire
        from ..panel.views import runs_html

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
        return self._run_result(snapshot)

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
        from ..panel.widget import SageMakerAckPanel

        return SageMakerAckPanel(_source=self._source(args.pipeline, args.name))

    @subcommand(
        "config",
    )
    def do_config(self, args: argparse.Namespace) -> Result:
        """Show the effective settings and where each came from (argument, %config, environment, default)."""
        from ..panel.views import settings_html

        settings = current_settings()
        described = settings.describe()
        width = max(len(name) for name, _, _ in described)
        text = "\n".join(f"{name:<{width}}  {value!s:<40}  {source}" for name, value, source in described)
        return Result(settings, settings_html(described), text)
