"""Publish a pipeline definition and its code to versioned, KMS-encrypted S3, all or nothing.

Order: preflight, then the code artifacts, then the definition (the SDK's exact bytes at a stable key),
then the hand-off record that points at both. If any step fails, every version this attempt wrote is
deleted again, so no record ever points at something missing. An unchanged definition writes nothing
and costs two S3 requests: a HEAD of the definition and a GET of the record.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._version import __version__
from ..adapters import s3_store
from ..adapters.aws_session import AwsClients
from ..adapters.s3_store import S3Location, StoredObject
from ..config import Settings
from ..core import names
from ..core.definition import Definition, parse_definition
from ..core.errors import UserError
from ..core.manifests import Provenance
from .gate import check_definition, require_clean

DEFINITION_FILE = "definition.json"
RECORD_FILE = "handoff-record.json"
RECORD_SCHEMA = "sagemaker-ack.io/handoff-record/v1"
_ARTIFACT_WORKERS = 8


@dataclass(frozen=True)
class PublishInput:
    """What gets published: the definition text exactly as produced, and the code it references."""

    text: str
    pipeline_name: str | None = None
    artifacts: Mapping[str, str] = field(default_factory=dict)
    inline_artifacts: Mapping[str, str] = field(default_factory=dict)
    sdk_version: str | None = None
    placeholder_bucket: str | None = None


@dataclass(frozen=True)
class PublishedArtifact:
    uri: str
    version_id: str
    sha256: str
    reused: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"uri": self.uri, "versionId": self.version_id, "sha256": self.sha256}


@dataclass(frozen=True)
class Publication:
    """Where a publish landed. ``unchanged``: nothing was written, the same bytes were already published."""

    pipeline_name: str
    definition_uri: str
    version_id: str
    digest: str
    sha256: str
    kms_key_arn: str
    record_uri: str
    record_version_id: str
    published_by: str
    published_at: str
    unchanged: bool
    artifacts: tuple[PublishedArtifact, ...] = ()
    versioning: str = "Enabled"
    region: str | None = None
    tool_version: str = __version__
    sdk_version: str | None = None
    source_notebook: str | None = None
    git_commit: str | None = None
    preflight: s3_store.Preflight | None = field(default=None, compare=False)

    @property
    def pinned_uri(self) -> str:
        return S3Location(*_split(self.definition_uri), version_id=self.version_id).pinned_uri

    def provenance(self) -> Provenance:
        return Provenance(
            digest=self.digest,
            definition_uri=self.definition_uri,
            version_id=self.version_id,
            kms_key_arn=self.kms_key_arn,
            published_by=self.published_by,
            published_at=self.published_at,
            source_notebook=self.source_notebook,
            record_uri=self.record_uri,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pipelineName": self.pipeline_name,
            "unchanged": self.unchanged,
            "definition": {
                "uri": self.definition_uri,
                "versionId": self.version_id,
                "digest": self.digest,
                "sha256": self.sha256,
            },
            "artifacts": [a.to_dict() for a in self.artifacts],
            "kmsKeyArn": self.kms_key_arn,
            "versioning": self.versioning,
            "record": {"uri": self.record_uri, "versionId": self.record_version_id},
            "publishedBy": self.published_by,
            "publishedAt": self.published_at,
            "region": self.region,
            "toolVersion": self.tool_version,
            "sdkVersion": self.sdk_version,
            "sourceNotebook": self.source_notebook,
            "gitCommit": self.git_commit,
        }
        if self.preflight is not None:
            out["preflight"] = self.preflight.to_dict()
        return out


def _split(uri: str) -> tuple[str, str]:
    location = s3_store.parse_s3_uri(uri)
    return location.bucket, location.key


def publish_input(source: Any, *, bucket: str | None = None) -> PublishInput:
    """Accept a captured definition, a Definition, JSON text/bytes/file, a mapping or an SDK pipeline."""
    if isinstance(source, PublishInput):
        return source
    if isinstance(source, Definition):
        return PublishInput(text=source.text())
    if isinstance(source, bytes):
        return PublishInput(text=source.decode("utf-8"))
    if isinstance(source, os.PathLike):
        return PublishInput(text=_read_json_file(Path(source)))
    if isinstance(source, str):
        return PublishInput(text=source)
    if isinstance(source, Mapping):
        return PublishInput(text=json.dumps(source, ensure_ascii=False, separators=(",", ":")))
    text = getattr(source, "text", None)
    if isinstance(text, str):
        return PublishInput(
            text=text,
            pipeline_name=getattr(source, "pipeline_name", None),
            artifacts=dict(getattr(source, "artifacts", None) or {}),
            inline_artifacts=dict(getattr(source, "inline_artifacts", None) or {}),
            sdk_version=getattr(source, "sdk_version", None),
            placeholder_bucket=getattr(source, "placeholder_bucket", None),
        )
    if callable(getattr(source, "definition", None)):
        from ..adapters.sdk_capture import capture  # imported only for SDK objects: it is heavy

        return publish_input(capture(source, bucket=bucket) if bucket else capture(source))
    raise UserError(
        f"Cannot publish a {type(source).__name__}.",
        "Pass a SageMaker Pipeline, a captured definition, a Definition or the definition JSON.",
    )


def _read_json_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror}.", "Check the path.") from None


def definition_key(prefix: str | None, pipeline_name: str) -> str:
    return "/".join(p for p in ((prefix or "").strip("/"), pipeline_name, DEFINITION_FILE) if p)


def record_key(prefix: str | None, pipeline_name: str) -> str:
    return "/".join(p for p in ((prefix or "").strip("/"), pipeline_name, RECORD_FILE) if p)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Artifact:
    location: S3Location
    body: bytes
    source_name: str


def _check_placeholder(given: PublishInput, bucket: str) -> None:
    placeholder = given.placeholder_bucket
    if placeholder and placeholder != bucket and f"s3://{placeholder}/" in given.text:
        raise UserError(
            f"The pipeline was captured before a bucket was known, so its definition points at the "
            f"placeholder bucket '{placeholder}' instead of '{bucket}'.",
            "Capture it with the publish bucket: publish the Pipeline object itself, or pass "
            "bucket=BUCKET to publish_input()/capture(), then publish again.",
        )


def _load_artifacts(given: PublishInput, bucket: str) -> list[_Artifact]:
    _check_placeholder(given, bucket)
    loaded = []
    for uri in sorted({*given.artifacts, *given.inline_artifacts}):
        location = s3_store.parse_s3_uri(uri)
        if location.bucket != bucket:
            raise UserError(
                f"The definition references code at {uri}, outside the publish bucket '{bucket}'.",
                "Capture the pipeline with the publish bucket as its default bucket "
                "(publish_input(pipeline, bucket=BUCKET)), then publish again.",
            )
        if uri in given.inline_artifacts:
            body = given.inline_artifacts[uri].encode("utf-8")
            loaded.append(
                _Artifact(location=location, body=body, source_name=location.key.rsplit("/", 1)[-1])
            )
            continue
        local = given.artifacts[uri]
        try:
            body = Path(local).read_bytes()
        except OSError as exc:
            raise UserError(
                f"Code file {local} (for {uri}) cannot be read: {exc.strerror}.",
                "Keep the code files the pipeline uses where they were when it was captured.",
            ) from None
        loaded.append(_Artifact(location=location, body=body, source_name=Path(local).name))
    return loaded


def publish(
    source: Any,
    settings: Settings,
    *,
    pipeline_name: str | None = None,
    enable_versioning: bool = False,
    source_notebook: str | None = None,
    git_commit: str | None = None,
    clients: AwsClients | None = None,
    preflight: s3_store.Preflight | None = None,
    force: bool = False,
) -> Publication:
    """Publish ``source`` (see :func:`publish_input`) and return where it landed.

    ``clients`` and ``preflight`` let a caller reuse connections and a preflight already done. Lint's
    rules run before anything else: an error finding raises :class:`~.gate.GateRefused` unless ``force``.
    """
    given = publish_input(source, bucket=settings.bucket)
    filename = str(source) if isinstance(source, os.PathLike) else None
    require_clean(check_definition(given.text, filename), force=force, what="publish")
    name = pipeline_name or given.pipeline_name
    if not name:
        raise UserError(
            "The pipeline name is not known.",
            "Pass --pipeline-name (the SageMaker pipeline name) or publish the Pipeline object itself.",
        )
    if not names.is_sagemaker_pipeline_name(name):
        raise UserError(
            f"'{name}' is not a valid SageMaker pipeline name.",
            "Use 1-256 letters, digits and hyphens, starting with a letter or digit (no '_' or '.').",
        )
    definition = parse_definition(given.text)
    body = given.text.encode("utf-8")
    clients = clients or AwsClients.from_settings(settings)
    checked = preflight or s3_store.preflight(
        clients, settings.bucket, settings.kms_key, enable_versioning=enable_versioning
    )
    artifacts = _load_artifacts(given, checked.bucket)
    attempt = _Attempt(
        clients=clients,
        preflight=checked,
        name=name,
        definition=definition,
        body=body,
        artifacts=artifacts,
        definition_location=S3Location(checked.bucket, definition_key(settings.prefix, name)),
        record_location=S3Location(checked.bucket, record_key(settings.prefix, name)),
        sdk_version=given.sdk_version,
        source_notebook=source_notebook,
        git_commit=git_commit,
    )
    return attempt.run()


@dataclass
class _Attempt:
    """One publish attempt: remembers every version it wrote, so a failure can take them all back."""

    clients: AwsClients
    preflight: s3_store.Preflight
    name: str
    definition: Definition
    body: bytes
    artifacts: list[_Artifact]
    definition_location: S3Location
    record_location: S3Location
    sdk_version: str | None
    source_notebook: str | None
    git_commit: str | None
    created: list[S3Location] = field(default_factory=list)

    @property
    def key_arn(self) -> str:
        return self.preflight.kms_key.arn

    def run(self) -> Publication:
        digest = self.definition.digest
        checksum = s3_store.sha256_b64(self.body)
        current = s3_store.head(self.clients, self.definition_location)
        reuse: StoredObject | None = None
        if current is not None and self._is_same_definition(current, digest, checksum):
            record = self._current_record()
            if record is not None and self._record_matches(record, current):
                return self._from_record(record, current)
            reuse = current
        try:
            published = self._write(digest, checksum, reuse)
        except BaseException as exc:
            leftovers = self._rollback()
            if not isinstance(exc, UserError):
                raise
            undone = (
                "Nothing was published: every version this attempt wrote was removed."
                if not leftovers
                else "These versions could not be removed and are referenced by no record: "
                + ", ".join(loc.pinned_uri for loc in leftovers)
                + "."
            )
            raise UserError(f"Publishing failed: {exc.problem} {undone}", exc.fix) from None
        return published

    def _is_same_definition(self, current: StoredObject, digest: str, checksum: str) -> bool:
        """The current object holds these very bytes (S3's checksum), published by us under this key."""
        return (
            current.meta("definition-digest") == digest
            and current.checksum_sha256 == checksum
            and current.sse == s3_store.SSE_KMS
            and current.kms_key_arn == self.key_arn
        )

    def _current_record(self) -> dict[str, Any] | None:
        stored = s3_store.get_optional(self.clients, self.record_location)
        if stored is None or stored.body is None:
            return None
        try:
            record = json.loads(stored.body)
        except ValueError:
            return None
        if not isinstance(record, dict) or record.get("schema") != RECORD_SCHEMA:
            return None
        record["_versionId"] = stored.version_id
        return record

    def _record_matches(self, record: Mapping[str, Any], current: StoredObject) -> bool:
        definition = record.get("definition") or {}
        recorded = {
            a.get("uri"): a.get("sha256") for a in record.get("artifacts") or [] if isinstance(a, Mapping)
        }
        # Code at a fixed URI can change while the definition stays the same: compare contents too.
        local = {a.location.uri: s3_store.sha256_b64(a.body) for a in self.artifacts}
        return (
            definition.get("uri") == self.definition_location.uri
            and definition.get("versionId") == current.version_id
            and record.get("kmsKeyArn") == self.key_arn
            and recorded == local
        )

    def _from_record(self, record: Mapping[str, Any], current: StoredObject) -> Publication:
        definition = record["definition"]
        return Publication(
            pipeline_name=self.name,
            definition_uri=self.definition_location.uri,
            version_id=str(current.version_id),
            digest=str(definition.get("digest")),
            sha256=str(definition.get("sha256")),
            kms_key_arn=self.key_arn,
            record_uri=self.record_location.uri,
            record_version_id=str(record.get("_versionId")),
            published_by=str(record.get("publishedBy")),
            published_at=str(record.get("publishedAt")),
            unchanged=True,
            artifacts=tuple(
                PublishedArtifact(
                    uri=a["uri"], version_id=a["versionId"], sha256=a.get("sha256", ""), reused=True
                )
                for a in record.get("artifacts") or []
            ),
            versioning=self.preflight.versioning,
            region=self.preflight.region,
            sdk_version=record.get("sdkVersion"),
            source_notebook=record.get("sourceNotebook"),
            git_commit=record.get("gitCommit"),
            preflight=self.preflight,
        )

    def _write(self, digest: str, checksum: str, reuse: StoredObject | None) -> Publication:
        published_at = _now()
        artifacts = self._upload_artifacts()
        if reuse is None:
            stored = s3_store.put_encrypted(
                self.clients,
                self.definition_location,
                self.body,
                kms_key_arn=self.key_arn,
                metadata={
                    "definition-digest": digest,
                    "pipeline-name": self.name,
                    "tool-version": __version__,
                    "sdk-version": self.sdk_version or "",
                    "published-by": self.preflight.caller_arn,
                    "published-at": published_at,
                },
            )
            self.created.append(stored.location)
        else:
            stored = reuse
        version_id = str(stored.version_id)
        record = {
            "schema": RECORD_SCHEMA,
            "pipelineName": self.name,
            "definition": {
                "uri": self.definition_location.uri,
                "versionId": version_id,
                "digest": digest,
                "sha256": checksum,
                "bytes": len(self.body),
            },
            "artifacts": [a.to_dict() for a in artifacts],
            "kmsKeyArn": self.key_arn,
            "versioning": self.preflight.versioning,
            "region": self.preflight.region,
            "publishedBy": self.preflight.caller_arn,
            "publishedAt": published_at,
            "sourceNotebook": self.source_notebook,
            "gitCommit": self.git_commit,
            "toolVersion": __version__,
            "sdkVersion": self.sdk_version,
        }
        record_body = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8")
        # The HEAD that confirms the definition runs beside the record PUT: a failed confirmation
        # still undoes the record, because the record's version is remembered before raising.
        with ThreadPoolExecutor(max_workers=2) as pool:
            confirming = pool.submit(s3_store.head, self.clients, stored.location)
            recording = pool.submit(
                s3_store.put_encrypted,
                self.clients,
                self.record_location,
                record_body,
                kms_key_arn=self.key_arn,
                metadata={
                    "pipeline-name": self.name,
                    "definition-version-id": version_id,
                    "definition-digest": digest,
                    "tool-version": __version__,
                },
            )
            record_error = recording.exception()
            if record_error is None:
                self.created.append(recording.result().location)
            self._confirm(confirming.result(), checksum, version_id)
            if record_error is not None:
                raise record_error
        record_stored = recording.result()
        self._confirm(record_stored, s3_store.sha256_b64(record_body), str(record_stored.version_id))
        return Publication(
            pipeline_name=self.name,
            definition_uri=self.definition_location.uri,
            version_id=version_id,
            digest=digest,
            sha256=checksum,
            kms_key_arn=self.key_arn,
            record_uri=self.record_location.uri,
            record_version_id=str(record_stored.version_id),
            published_by=self.preflight.caller_arn,
            published_at=published_at,
            unchanged=False,
            artifacts=tuple(artifacts),
            versioning=self.preflight.versioning,
            region=self.preflight.region,
            sdk_version=self.sdk_version,
            source_notebook=self.source_notebook,
            git_commit=self.git_commit,
            preflight=self.preflight,
        )

    def _upload_artifacts(self) -> list[PublishedArtifact]:
        if not self.artifacts:
            return []
        self.clients.s3  # noqa: B018  (make the client here, not in racing threads)
        with ThreadPoolExecutor(max_workers=min(_ARTIFACT_WORKERS, len(self.artifacts))) as pool:
            futures = [pool.submit(self._upload_artifact, artifact) for artifact in self.artifacts]
            errors = [f.exception() for f in futures]
        for error in errors:
            if error is not None:
                raise error
        return [f.result() for f in futures]

    def _upload_artifact(self, artifact: _Artifact) -> PublishedArtifact:
        checksum = s3_store.sha256_b64(artifact.body)
        current = s3_store.head(self.clients, artifact.location)
        if (
            current is not None
            and current.checksum_sha256 == checksum
            and current.sse == s3_store.SSE_KMS
            and current.kms_key_arn == self.key_arn
            and current.version_id
        ):
            return PublishedArtifact(artifact.location.uri, current.version_id, checksum, reused=True)
        stored = s3_store.put_encrypted(
            self.clients,
            artifact.location,
            artifact.body,
            kms_key_arn=self.key_arn,
            metadata={
                "pipeline-name": self.name,
                "source-file": artifact.source_name,
                "tool-version": __version__,
            },
            content_type="application/octet-stream",
        )
        self.created.append(stored.location)
        self._confirm(stored, checksum, str(stored.version_id))
        return PublishedArtifact(artifact.location.uri, str(stored.version_id), checksum)

    def _confirm(self, stored: StoredObject | None, checksum: str, version_id: str) -> None:
        """S3 must report exactly what was asked: SSE-KMS, our key ARN, our checksum, the version written."""
        if stored is None:
            raise UserError(
                f"The version {version_id} just written is gone.",
                "Something deletes objects in the bucket (a lifecycle rule?); check it and publish again.",
            )
        problems = []
        if stored.sse != s3_store.SSE_KMS:
            problems.append(f"encryption is {stored.sse or 'none'}, not aws:kms")
        if stored.kms_key_arn != self.key_arn:
            problems.append(f"the KMS key is {stored.kms_key_arn or 'none'}, not {self.key_arn}")
        if stored.checksum_sha256 and stored.checksum_sha256 != checksum:
            problems.append("the SHA-256 checksum differs from the bytes sent")
        if stored.version_id != version_id:
            problems.append(f"the VersionId is {stored.version_id}, not {version_id}")
        if problems:
            raise UserError(
                f"S3 did not store {stored.location.uri} as asked: {'; '.join(problems)}.",
                "Check the bucket's default encryption and policies, then publish again.",
            )

    def _rollback(self) -> list[S3Location]:
        leftovers = []
        for location in reversed(self.created):
            try:
                s3_store.delete_version(self.clients, location)
            except Exception:  # report every version that could not be removed
                leftovers.append(location)
        self.created.clear()
        return leftovers
