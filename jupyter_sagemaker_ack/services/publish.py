"""Publish a pipeline definition and its code to versioned, KMS-encrypted S3, all or nothing.

Three round trips in sequence, and only the last two write:
1. the preflight's checks, side by side with the reads of what is published now (HEAD of the definition,
   GET of the hand-off record);
2. the code artifacts and the definition (the SDK's exact bytes at a stable key), side by side;
3. the hand-off record that points at the versions step 2 wrote.
S3's PUT answers carry the VersionId, encryption, key ARN and checksum stored, so nothing is read back. If any
step fails, every version this attempt wrote is deleted again, so no record ever points at something
missing. An unchanged definition writes nothing: its round trip is step 1 alone (two object requests).
The key layout and the record's schema are core rules (:mod:`..core.handoff`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from .._version import __version__
from ..adapters import kms, s3_store
from ..adapters.aws_session import AwsClients
from ..adapters.s3_store import Preflight, S3Location, StoredObject
from ..config import Settings
from ..core import names
from ..core.definition import Definition, parse_definition
from ..core.errors import UserError
from ..core.handoff import (
    HandoffRecord,
    RecordedDefinition,
    RecordedObject,
    RecordSignature,
    definition_key,
    parse_record,
    record_key,
)
from ..core.manifests import Provenance
from ..core.policy import PipelineContext, PipelinePolicy
from ..core.signing import SIGNED_FIELDS, statement
from .gate import check_definition, require_clean
from .policy import load_policies
from .publish_input import CodeFile, load_code
from .publish_input import PublishInput as PublishInput  # re-exported: callers import them from here
from .publish_input import publish_input as publish_input

_WORKERS = 8


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
    signature_key_arn: str | None = None
    signature_algorithm: str | None = None

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
            signature_key_arn=self.signature_key_arn,
            signature_algorithm=self.signature_algorithm,
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
        if self.signature_key_arn:
            out["signature"] = {"keyArn": self.signature_key_arn, "algorithm": self.signature_algorithm}
        if self.preflight is not None:
            out["preflight"] = self.preflight.to_dict()
        return out


def _split(uri: str) -> tuple[str, str]:
    location = s3_store.parse_s3_uri(uri)
    return location.bucket, location.key


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parsed(text: str, filename: str | None) -> Definition:
    """The definition, or the parser's :class:`UserError` (exit 2, as render says it): a text that is not
    JSON or not a definition is a bad input for every command, not a lint finding ``--force`` could pass."""
    try:
        return parse_definition(text)
    except UserError as exc:
        if filename is None:
            raise
        raise type(exc)(f"{exc.problem.rstrip('.')} (in {filename!r}).", exc.fix) from None


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
    policies: Sequence[PipelinePolicy] | None = None,
    sign_key: str | None = None,
) -> Publication:
    """Publish ``source`` (see :func:`publish_input`) and return where it landed.

    ``clients`` and ``preflight`` let a caller reuse connections and a preflight already done. Lint's
    rules run before anything else: an error finding raises :class:`~.gate.GateRefused` unless ``force``.
    ``policies`` (default: the files of the ``policy`` setting) gate it the same way. ``sign_key``
    (default: the ``sign_key`` setting) signs the hand-off record with that KMS asymmetric key.
    """
    chosen = load_policies(settings.policy_paths) if policies is None else tuple(policies)
    given = publish_input(source, bucket=settings.bucket)
    filename = str(source) if isinstance(source, os.PathLike) else None
    definition = _parsed(given.text, filename)
    context = PipelineContext(region=settings.region) if settings.region else None
    require_clean(
        check_definition(given.text, filename, policies=chosen, context=context), force=force, what="publish"
    )
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
    bucket = preflight.bucket if preflight is not None else settings.bucket
    if not bucket:
        raise UserError(
            "No S3 bucket is configured to publish to.", "Pass --bucket or set SAGEMAKER_ACK_BUCKET."
        )
    artifacts = load_code(given, bucket)  # local files are read before any request
    clients = clients or AwsClients.from_settings(settings)
    attempt = _Attempt(
        clients=clients,
        name=name,
        definition=definition,
        body=given.text.encode("utf-8"),
        artifacts=artifacts,
        definition_location=S3Location(bucket, definition_key(settings.prefix, name)),
        record_location=S3Location(bucket, record_key(settings.prefix, name)),
        sdk_version=given.sdk_version,
        source_notebook=source_notebook,
        git_commit=git_commit,
        sign_key=sign_key or settings.sign_key,
    )
    attempt.check_and_read(settings.kms_key, enable_versioning=enable_versioning, preflight=preflight)
    return attempt.run()


@dataclass(frozen=True)
class _CurrentRecord:
    record: HandoffRecord
    version_id: str


@dataclass
class _Attempt:
    """One publish attempt: remembers every version it wrote, so a failure can take them all back."""

    clients: AwsClients
    name: str
    definition: Definition
    body: bytes
    artifacts: list[CodeFile]
    definition_location: S3Location
    record_location: S3Location
    sdk_version: str | None
    source_notebook: str | None
    git_commit: str | None
    sign_key: str | None = None
    signing: kms.SigningKey | None = None
    preflight: Preflight | None = None
    current: StoredObject | None = None
    recorded: _CurrentRecord | None = None
    created: list[S3Location] = field(default_factory=list)

    @property
    def checked(self) -> Preflight:
        assert self.preflight is not None, "check_and_read() runs first"
        return self.preflight

    @property
    def key_arn(self) -> str:
        return self.checked.kms_key.arn

    def check_and_read(
        self, kms_key: str | None, *, enable_versioning: bool, preflight: Preflight | None
    ) -> None:
        """Round trip 1: the preflight's checks beside the reads of the current definition and record.

        The checks' verdict comes first, so a refused publish reports the check, not a read it caused.
        """
        self.clients.s3  # noqa: B018  (make the client here, not in racing threads)
        with ThreadPoolExecutor(max_workers=3) as pool:
            checking: Future[Preflight] | None = None
            if preflight is None:
                checking = pool.submit(
                    s3_store.preflight,
                    self.clients,
                    self.definition_location.bucket,
                    kms_key,
                    enable_versioning=enable_versioning,
                )
            signing = (
                pool.submit(kms.resolve_signing_key, self.clients, self.sign_key) if self.sign_key else None
            )
            current = pool.submit(s3_store.head, self.clients, self.definition_location)
            recorded = pool.submit(self._read_record)
        self.preflight = preflight if checking is None else checking.result()
        self.signing = signing.result() if signing is not None else None
        self.current, self.recorded = current.result(), recorded.result()

    def _read_record(self) -> _CurrentRecord | None:
        """The current record, or None when there is none to build on (then a new one is written)."""
        try:
            stored = s3_store.get_optional(self.clients, self.record_location)
        except UserError:  # e.g. encrypted under a key no longer usable: the publish replaces it
            return None
        if stored is None or stored.body is None or not stored.version_id:
            return None
        record = parse_record(stored.body)
        return None if record is None else _CurrentRecord(record, stored.version_id)

    def run(self) -> Publication:
        digest = self.definition.digest
        checksum = s3_store.sha256_b64(self.body)
        current = self.current
        reuse = (
            current if current is not None and self._is_same_definition(current, digest, checksum) else None
        )
        local = {a.location.uri: s3_store.sha256_b64(a.body) for a in self.artifacts}
        if (
            reuse is not None
            and self.recorded is not None
            and self.recorded.record.pins(self.definition_location.uri, reuse.version_id, self.key_arn, local)
            and self._signed_as_asked(self.recorded.record)
        ):
            return self._from_record(self.recorded, reuse)
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

    def _signed_as_asked(self, record: HandoffRecord) -> bool:
        """Without a signing key any record will do; with one, only a record that key signed."""
        if self.signing is None:
            return True
        return record.signature is not None and record.signature.key_arn == self.signing.arn

    def _is_same_definition(self, current: StoredObject, digest: str, checksum: str) -> bool:
        """The current object holds these very bytes (S3's checksum), published by us under this key."""
        return (
            current.meta("definition-digest") == digest
            and current.checksum_sha256 == checksum
            and current.sse == s3_store.SSE_KMS
            and current.kms_key_arn == self.key_arn
        )

    def _from_record(self, recorded: _CurrentRecord, current: StoredObject) -> Publication:
        record = recorded.record
        return Publication(
            pipeline_name=self.name,
            definition_uri=self.definition_location.uri,
            version_id=str(current.version_id),
            digest=record.definition.digest,
            sha256=record.definition.sha256,
            kms_key_arn=self.key_arn,
            record_uri=self.record_location.uri,
            record_version_id=recorded.version_id,
            published_by=record.published_by,
            published_at=record.published_at,
            unchanged=True,
            artifacts=tuple(
                PublishedArtifact(uri=a.uri, version_id=a.version_id, sha256=a.sha256, reused=True)
                for a in record.artifacts
            ),
            versioning=self.checked.versioning,
            region=self.checked.region,
            sdk_version=record.sdk_version,
            source_notebook=record.source_notebook,
            git_commit=record.git_commit,
            preflight=self.checked,
            signature_key_arn=record.signature.key_arn if record.signature else None,
            signature_algorithm=record.signature.algorithm if record.signature else None,
        )

    def _write(self, digest: str, checksum: str, reuse: StoredObject | None) -> Publication:
        """Round trip 2 (the code and the definition, side by side), then 3 (the record)."""
        published_at = _now()
        with ThreadPoolExecutor(max_workers=min(_WORKERS, 1 + len(self.artifacts))) as pool:
            artifact_futures = [pool.submit(self._publish_artifact, a) for a in self.artifacts]
            definition_future = None if reuse else pool.submit(self._put_definition, digest, published_at)
        for future in artifact_futures:
            error = future.exception()
            if error is not None:
                raise error
        if definition_future is None:
            assert reuse is not None
            stored = reuse
        else:
            stored = definition_future.result()
            self._confirm(stored, checksum)
        artifacts = [f.result() for f in artifact_futures]
        version_id = str(stored.version_id)
        record = HandoffRecord(
            pipeline_name=self.name,
            definition=RecordedDefinition(
                uri=self.definition_location.uri,
                version_id=version_id,
                sha256=checksum,
                digest=digest,
                size=len(self.body),
            ),
            artifacts=tuple(RecordedObject(a.uri, a.version_id, a.sha256) for a in artifacts),
            kms_key_arn=self.key_arn,
            versioning=self.checked.versioning,
            region=self.checked.region,
            published_by=self.checked.caller_arn,
            published_at=published_at,
            tool_version=__version__,
            source_notebook=self.source_notebook,
            git_commit=self.git_commit,
            sdk_version=self.sdk_version,
        )
        if self.signing is not None:  # one KMS call: the record is signed before it is written
            value = kms.sign(self.clients, self.signing, statement(record.unsigned_dict()))
            signature = RecordSignature(self.signing.arn, self.signing.algorithm, value, SIGNED_FIELDS)
            record = replace(record, signature=signature)
        record_body = record.to_json()
        record_stored = s3_store.put_encrypted(
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
        self.created.append(record_stored.location)
        self._confirm(record_stored, s3_store.sha256_b64(record_body))
        return Publication(
            pipeline_name=self.name,
            definition_uri=self.definition_location.uri,
            version_id=version_id,
            digest=digest,
            sha256=checksum,
            kms_key_arn=self.key_arn,
            record_uri=self.record_location.uri,
            record_version_id=str(record_stored.version_id),
            published_by=self.checked.caller_arn,
            published_at=published_at,
            unchanged=False,
            artifacts=tuple(artifacts),
            versioning=self.checked.versioning,
            region=self.checked.region,
            sdk_version=self.sdk_version,
            source_notebook=self.source_notebook,
            git_commit=self.git_commit,
            preflight=self.checked,
            signature_key_arn=self.signing.arn if self.signing else None,
            signature_algorithm=self.signing.algorithm if self.signing else None,
        )

    def _put_definition(self, digest: str, published_at: str) -> StoredObject:
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
                "published-by": self.checked.caller_arn,
                "published-at": published_at,
                **(
                    {"signature-key": self.signing.arn, "signature-algorithm": self.signing.algorithm}
                    if self.signing
                    else {}
                ),
            },
        )
        self.created.append(stored.location)
        return stored

    def _publish_artifact(self, artifact: CodeFile) -> PublishedArtifact:
        """Reuse the code version the record pins when it still holds these bytes; else write a new one.

        Code the record does not pin is written only if its key is free (``If-None-Match``): a new key,
        the usual case, costs one request; a taken key is read, and reused when it holds these bytes.
        """
        checksum = s3_store.sha256_b64(artifact.body)
        location = artifact.location
        pinned = self._pinned_version(location.uri, checksum)
        if pinned is not None:
            at_version = S3Location(location.bucket, location.key, pinned)
            if self._holds(s3_store.head(self.clients, at_version), checksum):
                return PublishedArtifact(location.uri, pinned, checksum, reused=True)
        else:
            stored = s3_store.put_encrypted_if_absent(
                self.clients,
                location,
                artifact.body,
                kms_key_arn=self.key_arn,
                **self._artifact_meta(artifact),
            )
            if stored is not None:
                return self._written(stored, checksum)
            current = s3_store.head(self.clients, location)
            if current is not None and current.version_id and self._holds(current, checksum):
                return PublishedArtifact(location.uri, current.version_id, checksum, reused=True)
        stored = s3_store.put_encrypted(
            self.clients, location, artifact.body, kms_key_arn=self.key_arn, **self._artifact_meta(artifact)
        )
        return self._written(stored, checksum)

    def _pinned_version(self, uri: str, checksum: str) -> str | None:
        if self.recorded is None or self.recorded.record.kms_key_arn != self.key_arn:
            return None
        for recorded in self.recorded.record.artifacts:
            if recorded.uri == uri and recorded.sha256 == checksum:
                return recorded.version_id
        return None

    def _artifact_meta(self, artifact: CodeFile) -> dict[str, Any]:
        return {
            "metadata": {
                "pipeline-name": self.name,
                "source-file": artifact.source_name,
                "tool-version": __version__,
            },
            "content_type": "application/octet-stream",
        }

    def _written(self, stored: StoredObject, checksum: str) -> PublishedArtifact:
        self.created.append(stored.location)
        self._confirm(stored, checksum)
        return PublishedArtifact(stored.location.uri, str(stored.version_id), checksum)

    def _holds(self, stored: StoredObject | None, checksum: str) -> bool:
        """``stored`` is a version of these bytes, SSE-KMS under our key."""
        return (
            stored is not None
            and stored.checksum_sha256 == checksum
            and stored.sse == s3_store.SSE_KMS
            and stored.kms_key_arn == self.key_arn
        )

    def _confirm(self, stored: StoredObject, checksum: str) -> None:
        """S3's PUT answer must report exactly what was asked: SSE-KMS, our key ARN, our checksum."""
        problems = []
        if stored.sse != s3_store.SSE_KMS:
            problems.append(f"encryption is {stored.sse or 'none'}, not aws:kms")
        if stored.kms_key_arn != self.key_arn:
            problems.append(f"the KMS key is {stored.kms_key_arn or 'none'}, not {self.key_arn}")
        if stored.checksum_sha256 and stored.checksum_sha256 != checksum:
            problems.append("the SHA-256 checksum differs from the bytes sent")
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
