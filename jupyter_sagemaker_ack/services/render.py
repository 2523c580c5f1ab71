"""Render: from a pipeline (SDK object, definition, file) to the ACK YAML a DevOps engineer reviews.

Captures the definition offline, derives names, adds provenance when the definition was published, and
writes either one multi-document file or a folder that ``kubectl apply -k`` understands. Files are written
whole or not at all.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..config import Settings
from ..core import manifests, names
from ..core.definition import Definition
from ..core.errors import UserError
from ..core.file_problems import file_problem
from ..core.policy import PipelinePolicy
from .gate import check_rendered, require_clean
from .policy import load_policies


@dataclass(frozen=True)
class Rendered:
    """The rendered manifests: ``docs`` as dicts, ``yaml`` as one stream, ``write()`` to a file or folder."""

    docs: list[dict[str, Any]]
    definition: Definition
    pipeline_name: str
    run_id: str | None = None
    artifacts: Mapping[str, str] = field(default_factory=dict)
    provenance: manifests.Provenance | None = None  # None: not pinned to a publication

    @property
    def yaml(self) -> str:
        return manifests.dump_yaml(self.docs)

    @property
    def pipeline(self) -> dict[str, Any]:
        return self.docs[0]

    @property
    def execution(self) -> dict[str, Any] | None:
        return self.docs[1] if len(self.docs) > 1 else None

    def write(self, target: str | os.PathLike[str]) -> list[Path]:
        """Write ``file.yaml`` (one stream) or, for any other path, a folder with a kustomization.

        Whole or not at all: a file is written beside its target and renamed over it; a folder's files
        are staged in a temporary folder and moved in only once all of them are written. A path that
        cannot be written is a :class:`UserError` and leaves the target as it was.
        """
        path = Path(target)
        try:
            if path.suffix in (".yaml", ".yml"):
                if path.is_dir():
                    raise file_problem(str(path), "it is a folder, not a .yaml file", errno.EISDIR, "write")
                _make_folder(path.parent)
                _write_atomic(path, self.yaml)
                return [path]
            if path.exists() and not path.is_dir():
                raise UserError(
                    f"{path} exists and is not a folder.",
                    "Give a folder for pipeline.yaml + kustomization.yaml, or a path ending in .yaml.",
                )
            return _write_folder(path, manifests.render_folder(self.docs))
        except OSError as exc:
            where = exc.filename if exc.filename is not None else path
            error = file_problem(str(where), exc.strerror or type(exc).__name__, exc.errno, "write")
            raise UserError(error.problem, f"{error.fix} Nothing was written.") from None


def _make_folder(folder: Path) -> None:
    """``folder`` and its parents; a file or a symbolic link loop in the way is named as such."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # mkdir says "exists" for a file or a looping link where a folder is needed
        for part in (folder, *folder.parents):
            try:
                part.stat()
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(part)) from None
                continue
            if not part.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder", str(part)) from None
        raise


def _umask() -> int:
    """The process umask, read without changing it where the system says it (Linux), else set back at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _file_mode(path: Path) -> int:
    """The mode a plain write would give: the file's own when it exists, else 0666 less the umask.

    ``mkstemp`` makes its file 0600, which a YAML file for review and ``kubectl`` must not keep.
    """
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def _write_atomic(path: Path, text: str) -> None:
    mode = _file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            os.fchmod(handle.fileno(), mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_folder(path: Path, files: Mapping[str, str]) -> list[Path]:
    """All of ``files`` in folder ``path``, or none of them (the folder as it was)."""
    if not path.exists():
        _make_folder(path.parent)
        staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
        try:
            for name, text in files.items():
                (staging / name).write_text(text, encoding="utf-8")
            staging.chmod(0o777 & ~_umask())  # as mkdir would have made it, not mkdtemp's 0700
            staging.rename(path)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return [path / name for name in files]
    for name in files:
        if (path / name).is_dir():
            raise UserError(
                f"{path / name} is a folder; render writes a file of that name.",
                "Remove or rename it, or render into another folder.",
            )
    # An existing folder may hold files of the user's: stage inside it, then swap file by file, keeping
    # the old files until every new one is in place.
    staging = Path(tempfile.mkdtemp(dir=path, prefix=".sagemaker-ack-render."))
    moved: list[str] = []
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        (staging / "old").mkdir()
        for name in files:
            if (path / name).exists():
                os.replace(path / name, staging / "old" / name)
            moved.append(name)
            os.replace(staging / name, path / name)
    except BaseException:
        for name in reversed(moved):
            try:
                if (staging / "old" / name).exists():
                    os.replace(staging / "old" / name, path / name)
                else:
                    (path / name).unlink(missing_ok=True)
            except OSError:
                pass  # put back what can be put back; the first error is the one to report
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [path / name for name in files]


def new_run_id() -> str:
    return names.new_run_id(datetime.now(timezone.utc), os.urandom(2))


def render(
    pipeline: Any,
    settings: Settings | None = None,
    *,
    pipeline_name: str | None = None,
    role_arn: str | None = None,
    namespace: str | None = None,
    region: str | None = None,
    execution: bool = False,
    params: Mapping[str, Any] | None = None,
    run_id: str | None = None,
    description: str | None = None,
    display_name: str | None = None,
    max_parallel_steps: int | None = None,
    tags: Mapping[str, str] | None = None,
    deletion_policy: str | None = None,
    adopt: str | None = None,
    selective_source_arn: str | None = None,
    selected_steps: Sequence[str] = (),
    provenance: manifests.Provenance | None = None,
    find_provenance: Callable[[str], manifests.Provenance | None] | None = None,
    allow_online: bool = False,
    force: bool = False,
    policies: Sequence[PipelinePolicy] | None = None,
) -> Rendered:
    """Render the ACK ``Pipeline`` (and a ``PipelineExecution`` when ``execution`` or ``params``).

    Provenance is ``provenance``, else ``find_provenance(digest)`` for the digest of the definition being
    rendered (a publication of exactly these bytes), else none; the core refuses a mismatched digest.
    Lint's rules gate the result: an error finding raises :class:`~.gate.GateRefused` unless ``force``.
    """
    settings = settings or Settings()
    definition, captured_name, extras, artifacts = _definition_of(pipeline, allow_online, settings.bucket)
    if provenance is None and find_provenance is not None:
        provenance = find_provenance(definition.digest)
    name = pipeline_name or captured_name
    if not name:
        raise UserError(
            "The pipeline has no name to render it under.",
            "Pass --pipeline-name NAME (the SageMaker pipeline name).",
        )
    role = role_arn or settings.role_arn or extras.get("role_arn")
    if not role:
        raise UserError(
            "No IAM role ARN for the pipeline.",
            "Pass --role-arn arn:aws:iam::<account>:role/<role> or set SAGEMAKER_ACK_ROLE_ARN.",
        )
    namespace = namespace or settings.namespace
    region = region or settings.region
    docs = [
        manifests.render_pipeline(
            definition,
            manifests.PipelineOptions(
                pipeline_name=name,
                role_arn=role,
                namespace=namespace,
                description=description or extras.get("description"),
                display_name=display_name or extras.get("display_name"),
                max_parallel_steps=max_parallel_steps or extras.get("max_parallel_execution_steps"),
                tags=dict(tags or {}),
                region=region,
                deletion_policy=deletion_policy,
                adopt=adopt,
                provenance=provenance,
            ),
        )
    ]
    rid = None
    if execution or params or selected_steps:
        rid = run_id or new_run_id()
        docs.append(
            manifests.render_execution(
                manifests.ExecutionOptions(
                    pipeline_name=name,
                    run_id=rid,
                    namespace=namespace,
                    parameters=dict(params or {}),
                    region=region,
                    selective_source_arn=selective_source_arn,
                    selected_steps=tuple(selected_steps),
                    provenance=provenance,
                ),
                definition,
            )
        )
    filename = str(pipeline) if isinstance(pipeline, os.PathLike) else None
    chosen = load_policies(settings.policy_paths) if policies is None else tuple(policies)
    require_clean(
        check_rendered(definition, docs, filename, policies=chosen, params=params), force=force, what="render"
    )
    return Rendered(
        docs=docs,
        definition=definition,
        pipeline_name=name,
        run_id=rid,
        artifacts=artifacts,
        provenance=provenance,
    )


def _definition_of(
    pipeline: Any, allow_online: bool, bucket: str | None
) -> tuple[Definition, str | None, dict[str, Any], dict[str, str]]:
    if isinstance(pipeline, Definition):
        return pipeline, None, {}, {}
    from ..adapters.sdk_capture import capture
    from ..core.definition import parse_definition

    # Code artifact URIs name the bucket: capture as publish does, so that both see the same definition.
    captured = (
        capture(pipeline, allow_online=allow_online, bucket=bucket)
        if bucket
        else capture(pipeline, allow_online=allow_online)
    )

    extras = {
        key: getattr(captured, key, None)
        for key in ("role_arn", "description", "display_name", "max_parallel_execution_steps")
        if getattr(captured, key, None) is not None
    }
    return (
        parse_definition(captured.text),
        captured.pipeline_name,
        extras,
        dict(getattr(captured, "artifacts", {}) or {}),
    )
