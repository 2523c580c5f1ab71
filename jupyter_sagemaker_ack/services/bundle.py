"""``bundle``: a definition (a file or a pinned S3 version) into a kustomize base and one overlay per environment.

Reads the source and the environments file, computes each environment's definition (core.bundle), lints
what each overlay builds to, writes the reviewer's README and a DAG picture, and writes the whole folder
at once: staged beside the target and renamed into place, so a refusal leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings
from ..core import bundle as core_bundle
from ..core import manifests, names
from ..core.dag import build_dag
from ..core.dag_svg import dag_svg
from ..core.definition import Definition, parse_definition
from ..core.diff import DefinitionDiff, diff_definitions
from ..core.errors import UserError
from ..core.lint import Finding
from ..core.lint.rules.lifecycle import check_bundle_documents
from .gate import check_definition, check_documents, require_clean, where

_MAX_ENV_FILE = 1_000_000
_MAX_DEFINITION_FILE = 16_000_000


@dataclass(frozen=True)
class BundleResult:
    bundle: core_bundle.Bundle
    files: Mapping[str, str]
    findings: Sequence[Finding]
    diff: DefinitionDiff | None
    previous_version: str | None
    written: Path | None = None

    @property
    def large(self) -> bool:
        return self.bundle.large


def read_environments(path: str | os.PathLike[str]) -> list[core_bundle.Environment]:
    file = Path(path)
    if not file.is_file():
        raise UserError(
            f"No environments file at {names.shown(str(file))}.",
            "Pass --environments ENVS.yaml: a file with `environments: {NAME: {namespace, region, roleARN}}`.",
        )
    if file.stat().st_size > _MAX_ENV_FILE:
        raise UserError(
            f"{file} is larger than {_MAX_ENV_FILE:,} bytes; an environments file is a few lines each.",
            "Pass the environments file, not another file.",
        )
    return core_bundle.parse_environments(file.read_text(encoding="utf-8"), str(file))


def _read_source(
    source: str, settings: Settings
) -> tuple[Definition, manifests.Provenance | None, str | None]:
    if source.startswith("s3://"):
        if "versionId=" not in source:
            raise UserError(
                f"{names.shown(source)} is not pinned to a version.",
                "Give s3://BUCKET/KEY?versionId=V (`sagemaker-ack history` lists the versions).",
            )
        from .s3_source import fetch_published

        published = fetch_published(source, settings)
        return published.definition, published.provenance, published.pipeline_name
    path = Path(source)
    if path.is_dir():
        raise UserError(f"{source} is a folder.", "Pass the definition JSON file or s3://...?versionId=V.")
    if not path.is_file():
        raise UserError(
            f"No such file: {names.shown(source)}.", "Pass the definition JSON file or s3://...?versionId=V."
        )
    if path.stat().st_size > _MAX_DEFINITION_FILE:
        raise UserError(f"{source} is over {_MAX_DEFINITION_FILE:,} bytes.", "Pass a pipeline definition.")
    text = path.read_text(encoding="utf-8")
    try:
        return parse_definition(text), None, None
    except UserError as exc:
        raise UserError(f"{source}: {exc.problem}", exc.fix) from None


def _previous(
    provenance: manifests.Provenance | None, settings: Settings
) -> tuple[str | None, Definition | None]:
    """The version published just before the source version, and its definition, when there is one."""
    if provenance is None or not provenance.version_id or not provenance.definition_uri:
        return None, None
    from .history import history
    from .s3_source import fetch_published

    bucket, _, key = provenance.definition_uri.removeprefix("s3://").partition("/")
    parts = key.split("/")
    if len(parts) < 2:
        return None, None
    try:
        versions = history(parts[-2], settings.with_values(bucket=bucket, prefix="/".join(parts[:-2])))
    except UserError:
        return None, None
    # S3 lists a key's versions newest first: the one after the source version was published before it.
    live = [v for v in versions if not v.delete_marker]
    ids = [v.version_id for v in live]
    if provenance.version_id not in ids or ids.index(provenance.version_id) == len(ids) - 1:
        return None, None
    before = live[ids.index(provenance.version_id) + 1]
    return before.version_id, fetch_published(before.pinned_uri, settings).definition


def bundle(
    source: str,
    output: str | os.PathLike[str],
    environments: str | os.PathLike[str],
    settings: Settings | None = None,
    *,
    pipeline_name: str | None = None,
    definition: Definition | None = None,
    provenance: manifests.Provenance | None = None,
    force: bool = False,
) -> BundleResult:
    """Write the bundle for ``source`` (or ``definition``, from the magics) into folder ``output``.

    With ``definition`` given, ``source`` only labels it and ``provenance`` (when the kernel published
    exactly this definition) pins the base to that publication.
    """
    settings = settings or Settings()
    target = Path(output)
    if target.exists() and not target.is_dir():
        raise UserError(
            f"{target} exists and is not a folder.", "Give -o a folder path (new, or an earlier bundle)."
        )
    if target.is_dir() and any(target.iterdir()) and not (target / core_bundle.BASE).is_dir():
        raise UserError(
            f"{target} is a folder with other files in it, not an earlier bundle.",
            "Give -o a new folder, or the folder of an earlier bundle to replace it.",
        )
    envs = read_environments(environments)
    stored_name = None
    if definition is None:
        definition, provenance, stored_name = _read_source(source, settings)
    name = pipeline_name or stored_name
    if not name:
        raise UserError(
            "The pipeline has no name to bundle it under.",
            "Pass --pipeline-name NAME (the SageMaker pipeline name).",
        )
    names.check_pipeline_name(name)
    base_role = settings.role_arn or core_bundle.first_role_arn(definition.raw) or envs[0].role_arn
    result = core_bundle.build_bundle(
        definition, envs, pipeline_name=name, base_role_arn=base_role, provenance=provenance
    )
    findings = _lint(result, force=force)
    diff: DefinitionDiff | None = None
    previous_version, previous = _previous(provenance, settings)
    if previous is not None:
        diff = diff_definitions(previous, definition)
    files = dict(core_bundle.bundle_files(result))
    files[core_bundle.DAG_PICTURE] = dag_svg(build_dag(definition), name)
    files[core_bundle.README] = readme(result, findings, diff, previous_version)
    written = write_bundle(target, files)
    return BundleResult(result, files, findings, diff, previous_version, written)


def merged_pipeline(bundle_: core_bundle.Bundle, overlay: core_bundle.Overlay) -> dict[str, Any]:
    """What ``kubectl kustomize overlays/<env>`` builds for the Pipeline (for lint, before writing)."""
    base = bundle_.base
    annotations = dict(base["metadata"].get("annotations", {}))
    for key, value in overlay.patch["metadata"]["annotations"].items():
        if value is None:
            annotations.pop(key, None)
        else:
            annotations[key] = value
    metadata = {**base["metadata"], "annotations": annotations, "namespace": overlay.environment.namespace}
    return {**base, "metadata": metadata, "spec": {**base["spec"], **overlay.patch["spec"]}}


def _lint(result: core_bundle.Bundle, *, force: bool) -> list[Finding]:
    """Lint what each overlay builds to (its inline definition included), then the lifecycle rules.

    The source definition is linted on its own only when no environment keeps it unchanged (that
    environment's lint covers it already).
    """
    findings: list[Finding] = []
    if all(o.definition.digest != result.source.digest for o in result.overlays):
        findings += check_definition(result.source)
    for overlay in result.overlays:
        docs = [merged_pipeline(result, overlay)]
        if overlay.execution is not None:
            execution = dict(overlay.execution)
            execution["metadata"] = {**execution["metadata"], "namespace": overlay.environment.namespace}
            docs.append(execution)
        label = f"{core_bundle.OVERLAYS}/{overlay.environment.name}"
        findings += [f.at(file=label) for f in check_documents(docs) + check_bundle_documents(docs)]
    return require_clean(findings, force=force, what="bundle")


def readme(
    result: core_bundle.Bundle,
    findings: Sequence[Finding],
    diff: DefinitionDiff | None,
    previous_version: str | None,
) -> str:
    """The reviewer's page: what the pipeline is, where it goes, what lint says and what changed."""
    source = result.source
    lines = [f"# Pipeline `{result.pipeline_name}`", ""]
    if result.provenance is not None and result.provenance.definition_uri:
        lines.append(
            f"Source: `{result.provenance.definition_uri}` version `{result.provenance.version_id}` "
            f"(digest `{source.digest}`)."
        )
    else:
        lines.append(f"Source: a definition file, not a publication (digest `{source.digest}`).")
    lines += [
        "",
        f"{len(source.steps)} steps, {len(source.parameters)} parameters. "
        f"The DAG: [{core_bundle.DAG_PICTURE}]({core_bundle.DAG_PICTURE}).",
        "",
        "Build an environment with `kubectl kustomize overlays/<env>`; apply it with",
        "`kubectl apply -k overlays/<env>"
        + (
            " --server-side` (the Pipeline is over 256 KiB: client-side apply cannot store it)."
            if result.large
            else "`."
        ),
        "",
        f"Argo CD shows a failed run as Healthy unless it has the health checks of "
        f"[{core_bundle.HEALTH_FILE}]({core_bundle.HEALTH_FILE}): apply it once per Argo CD "
        f"(`kubectl -n argocd patch configmap argocd-cm --patch-file {core_bundle.HEALTH_FILE}`).",
        "",
        "## Lint",
        "",
    ]
    if findings:
        lines += [f"- {where(f)}: {f.severity} {f.code} {f.message}" for f in findings]
    else:
        lines.append("No findings.")
    lines += ["", "## Changes since the previous published version", ""]
    if diff is None:
        lines.append(
            "No earlier published version to compare with (the source is a file or the first version)."
        )
    elif diff.identical:
        lines.append(f"Identical to version `{previous_version}`.")
    else:
        lines.append(f"Against version `{previous_version}`:")
        lines += ["", "```", *diff.lines(), "```"]
    lines += ["", "## Environments", ""]
    for overlay in result.overlays:
        lines += [f"### {overlay.environment.name}", ""]
        lines += [f"- {line}" for line in core_bundle.environment_changes(overlay)]
        lines.append("")
    return "\n".join(lines)


def write_bundle(target: Path, files: Mapping[str, str]) -> Path:
    """All of ``files`` under ``target``, or nothing: staged beside it, then renamed into place."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        try:
            for rel, text in files.items():
                path = staging / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            mask = os.umask(0o022)
            os.umask(mask)
            staging.chmod(0o777 & ~mask)
            if target.exists():
                old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old."))
                os.replace(target, old / "bundle")
                try:
                    os.replace(staging, target)
                except BaseException:
                    os.replace(old / "bundle", target)
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as exc:
        raise UserError(
            f"Cannot write {target}: {exc.strerror or type(exc).__name__}.",
            "Pick an output folder you may write to (-o); nothing was written.",
        ) from None
    return target
