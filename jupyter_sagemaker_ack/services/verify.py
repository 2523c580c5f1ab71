"""``sagemaker-ack verify``: prove that the YAML about to be applied is exactly what was published.

For each ACK Pipeline document: the inline definition, the digest annotation and the S3 object at the
pinned VersionId must all agree; the object must be SSE-KMS under the recorded key; the bucket must be
versioned; and the pinned version must still be the current one (an overwrite, by a newer publish or by
someone else, is reported). When definitions disagree, the steps that differ are named.

Verification talks only to trusted buckets: the configured one (``Settings.bucket``) and those named
explicitly (``--trust-bucket``). A YAML under review chooses its annotations, so a pinned URI in any other
bucket is a failed check naming that bucket, and no request is sent to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..adapters import s3_store
from ..adapters.aws_session import AwsClients
from ..adapters.local_files import missing, read_text
from ..adapters.s3_store import S3Location
from ..config import Settings
from ..core import ack
from ..core.definition import Definition, digest, parse_definition
from ..core.diff import DefinitionDiff, diff_definitions
from ..core.errors import UserError
from ..core.lint import has_errors, read_documents
from ..core.manifests import Provenance, definition_from_manifest
from .gate import require_readable
from .signature_check import Signer, check_signature

OK, FAIL, SKIP = "ok", "fail", "skip"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Check:
    document: str
    name: str
    status: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"document": self.document, "check": self.name, "status": self.status, "detail": self.detail}


@dataclass
class VerifyReport:
    checks: list[Check] = field(default_factory=list)
    differences: dict[str, DefinitionDiff] = field(default_factory=dict)
    untrusted: list[str] = field(default_factory=list)
    """Buckets a document pinned that are not trusted (nothing was asked of them)."""

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.status != FAIL for c in self.checks)

    def add(self, document: str, name: str, passed: bool, detail: str = "") -> bool:
        self.checks.append(Check(document, name, OK if passed else FAIL, detail))
        return passed

    def skip(self, document: str, name: str, detail: str) -> None:
        self.checks.append(Check(document, name, SKIP, detail))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
            "differences": {doc: d.to_dict() for doc, d in self.differences.items()},
        }
        if self.untrusted:
            out["untrusted_buckets"] = list(self.untrusted)
        return out

    def extend(self, other: VerifyReport) -> None:
        self.checks.extend(other.checks)
        self.differences.update(other.differences)
        self.untrusted.extend(b for b in other.untrusted if b not in self.untrusted)

    def table(self) -> str:
        rows = [("DOCUMENT", "CHECK", "RESULT", "DETAIL")]
        rows += [(c.document, c.name, c.status.upper(), c.detail) for c in self.checks]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join(
            "  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip()
            for row in rows
        )


def load_documents(path: str | Path) -> list[tuple[str, dict[str, Any]]]:
    """(label, document) for every YAML document in a file or in the YAML files of a folder.

    Read with the linter's reader (bounded, with positions); a file it finds broken is refused with the
    first problem, since verifying a document kubectl would not read proves nothing.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in YAML_SUFFIXES and p.is_file())
    elif root.is_file():
        files = [root]
    elif root.exists():
        raise UserError(f"'{path}' is not a file or a folder.", "Pass an ACK YAML file or a folder of them.")
    else:
        raise UserError(missing(path), "Pass an ACK YAML file or a folder of them.")
    documents = []
    for file in files:
        documents += [(str(file), doc) for doc in _read_manifests(file)]
    return documents


def _read_manifests(file: Path) -> list[dict[str, Any]]:
    text = read_text(file)
    read, findings = read_documents(text, str(file))
    require_readable(findings, str(file))
    if has_errors(findings):
        first = next(f for f in findings if f.severity == "error")
        raise UserError(
            f"{first.location()}: {first.message}",
            f"Run `sagemaker-ack lint {file}` for every problem and its fix.",
        )
    documents = []
    for document in read:
        if document.value is None:
            continue
        if not isinstance(document.value, Mapping):
            raise UserError(
                f"{file}: a YAML document is not a Kubernetes object (a mapping with apiVersion and kind).",
                "Check the file; each document between '---' lines must be one object.",
            )
        documents.append(dict(document.value))
    return documents


def trusted_buckets(settings: Settings, extra: Iterable[str] = ()) -> frozenset[str]:
    """The buckets verification may talk to: the configured one, the ``trusted_buckets`` setting's and those
    trusted explicitly (``--trust-bucket``)."""
    named = (*settings.trusted_bucket_names, *extra)
    return frozenset(b for b in (settings.bucket, *check_trust_buckets(named)) if b)


def check_trust_buckets(names: Iterable[str]) -> tuple[str, ...]:
    """The bucket names given to trust, refused when one is a URI or a path rather than a bucket name."""
    out = []
    for name in names:
        bucket = name.strip()
        if not bucket or "/" in bucket or ":" in bucket:
            raise UserError(
                f"--trust-bucket takes a bucket name; {name!r} is not one.",
                "Pass the bare name, e.g. --trust-bucket my-handoff-bucket (no s3:// and no key).",
            )
        out.append(bucket)
    return tuple(out)


def verify(
    source: str | Path | Sequence[Mapping[str, Any]],
    settings: Settings,
    *,
    clients: AwsClients | None = None,
    trust_buckets: Iterable[str] = (),
    signer: Signer | None = None,
) -> VerifyReport:
    """Check every ACK Pipeline in ``source`` (a path, or already loaded documents) against S3.

    Only the configured bucket and ``trust_buckets`` are asked; see :func:`trusted_buckets`. With
    ``signer``, each pinned version's hand-off record must be signed by it (:mod:`.signature_check`).
    """
    if isinstance(source, (str, Path)):
        documents = load_documents(source)
    else:
        documents = [("<input>", dict(doc)) for doc in source]
    return verify_documents(
        documents,
        settings,
        clients=clients,
        trust_buckets=trust_buckets,
        where=str(source) if isinstance(source, (str, Path)) else "the input",
        signer=signer,
    )


def verify_documents(
    documents: Sequence[tuple[str, Mapping[str, Any]]],
    settings: Settings,
    *,
    clients: AwsClients | None = None,
    trust_buckets: Iterable[str] = (),
    where: str = "the input",
    signer: Signer | None = None,
) -> VerifyReport:
    """Like :func:`verify`, for documents labelled with the file they came from."""
    trusted = trusted_buckets(settings, trust_buckets)
    pipelines = [(label, doc) for label, doc in documents if doc.get("kind") == ack.PIPELINE_KIND]
    if not pipelines:
        raise UserError(
            f"No ACK Pipeline document in {where}.",
            "Pass the pipeline.yaml rendered by `sagemaker-ack render` or the folder holding it.",
        )
    report = VerifyReport()
    made: dict[str | None, AwsClients] = {}

    def clients_for(provenance: Provenance) -> AwsClients:
        # Without a configured region, the region of the recorded KMS key (the bucket's own) is used.
        region = settings.region or _arn_region(provenance.kms_key_arn)
        if clients is not None:
            return clients
        if region not in made:
            made[region] = AwsClients.from_settings(settings.with_values(region=region))
        return made[region]

    for label, doc in pipelines:
        _verify_pipeline(report, _document_name(label, doc), doc, clients_for, trusted, signer)
    return report


def _arn_region(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[3] if len(parts) > 5 and parts[3] else None


def _document_name(label: str, doc: Mapping[str, Any]) -> str:
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), Mapping) else {}
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    return f"{Path(label).name}:{name}" if name else Path(label).name


def _verify_pipeline(
    report: VerifyReport,
    document: str,
    doc: Mapping[str, Any],
    clients_for: Callable[[Provenance], AwsClients],
    trusted: frozenset[str],
    signer: Signer | None = None,
) -> None:
    metadata = doc.get("metadata") if isinstance(doc.get("metadata"), Mapping) else {}
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    provenance = Provenance.from_annotations(annotations if isinstance(annotations, Mapping) else {})
    try:
        inline = definition_from_manifest(doc)
    except UserError as exc:
        report.add(document, "inline definition readable", False, exc.problem)
        return
    if provenance is None or not provenance.definition_uri or not provenance.version_id:
        report.add(
            document,
            "provenance annotations",
            False,
            f"no {ack.ANNOTATION_PREFIX}definition-uri / definition-version-id: this YAML was not rendered "
            "from a publish (run `sagemaker-ack publish`, then render with its provenance)",
        )
        return
    report.add(
        document, "provenance annotations", True, f"{provenance.definition_uri} @ {provenance.version_id}"
    )
    report.add(
        document,
        "inline definition = annotated digest",
        inline.digest == provenance.digest,
        inline.digest if inline.digest == provenance.digest else f"inline is {inline.digest}",
    )

    try:
        location = s3_store.parse_s3_uri(provenance.definition_uri)
    except UserError as exc:
        report.add(document, "definition-uri is an S3 URI", False, exc.problem)
        return
    if not _trusted(report, document, location.bucket, trusted):
        return
    pinned = S3Location(location.bucket, location.key, provenance.version_id)
    clients = clients_for(provenance)
    stored = s3_store.get_optional(clients, pinned)
    if not report.add(
        document, "S3 version exists", stored is not None, pinned.pinned_uri if stored else "not found"
    ):
        return
    assert stored is not None
    body = stored.body or b""
    actual = s3_store.sha256_b64(body)
    report.add(
        document,
        "S3 checksum (SHA-256)",
        stored.checksum_sha256 == actual,
        "matches the bytes"
        if stored.checksum_sha256 == actual
        else f"stored {stored.checksum_sha256}, bytes {actual}"
        if stored.checksum_sha256
        else "the object has no SHA-256 checksum (not written by sagemaker-ack publish)",
    )
    published = _parse_or_none(body)
    published_digest = digest(published.raw) if published is not None else "unreadable JSON"
    report.add(
        document,
        "S3 object = annotated digest",
        published_digest == provenance.digest,
        published_digest if published_digest == provenance.digest else f"S3 object is {published_digest}",
    )
    if published is not None:
        differences = diff_definitions(published, inline)
        if not differences.identical:
            report.differences[document] = differences
        report.add(
            document,
            "inline definition = S3 object",
            differences.identical,
            "same steps, parameters and edges"
            if differences.identical
            else "steps that differ: " + (", ".join(_describe_steps(differences)) or "none (other fields)"),
        )
    recorded_key = provenance.kms_key_arn
    encrypted = stored.sse == s3_store.SSE_KMS and (
        recorded_key is None or stored.kms_key_arn == recorded_key
    )
    report.add(
        document,
        "SSE-KMS with recorded key",
        encrypted and recorded_key is not None,
        f"{stored.sse or 'no encryption'} {stored.kms_key_arn or ''}".strip()
        + ("" if recorded_key else f" (no {ack.ANNOTATION_PREFIX}kms-key-arn annotation)")
        + ("" if encrypted or not recorded_key else f"; recorded {recorded_key}"),
    )
    versioning = s3_store.bucket_versioning(clients, location.bucket)
    report.add(document, "bucket versioning Enabled", versioning == "Enabled", versioning)
    _check_current(report, document, clients, location, provenance)
    if signer is not None:
        check_signature(report, document, clients, provenance, location, signer)


def _trusted(report: VerifyReport, document: str, bucket: str, trusted: frozenset[str]) -> bool:
    if bucket in trusted:
        return report.add(document, "bucket trusted", True, bucket)
    if bucket not in report.untrusted:
        report.untrusted.append(bucket)
    known = ", ".join(sorted(trusted)) or "none: no bucket is configured"
    report.add(
        document,
        "bucket trusted",
        False,
        f"'{bucket}' is not a trusted bucket (trusted: {known}); nothing was asked of it. If it is your "
        f"hand-off bucket, pass --trust-bucket {bucket} (or configure SAGEMAKER_ACK_BUCKET={bucket}).",
    )
    return False


def _check_current(
    report: VerifyReport, document: str, clients: AwsClients, location: S3Location, provenance: Provenance
) -> None:
    current = s3_store.head(clients, S3Location(location.bucket, location.key))
    if current is not None and current.version_id == provenance.version_id:
        report.add(document, "pinned version is current", True, str(current.version_id))
        return
    if current is None:
        detail = "the object was deleted after this version was published"
    elif current.meta("definition-digest") and current.meta("published-by"):
        detail = (
            f"superseded by a newer publish ({current.version_id} by {current.meta('published-by')} at "
            f"{current.meta('published-at')}): render again with `sagemaker-ack render --from "
            f"{current.location.pinned_uri}`"
        )
    else:
        detail = (
            f"overwritten outside sagemaker-ack (version {current.version_id} carries no publish metadata)"
        )
    report.add(document, "pinned version is current", False, detail)


def _describe_steps(differences: DefinitionDiff) -> list[str]:
    out = [f"{name} (only in the YAML)" for name in differences.steps_added]
    out += [f"{name} (missing from the YAML)" for name in differences.steps_removed]
    out += [f"{c.name} ({', '.join(c.fields)})" for c in differences.steps_changed]
    return out


def _parse_or_none(body: bytes) -> Definition | None:
    try:
        return parse_definition(body)
    except UserError:
        return None
