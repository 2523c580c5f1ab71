"""``sagemaker-ack verify``: prove that the YAML about to be applied is exactly what was published.

For each ACK Pipeline document: the inline definition, the digest annotation and the S3 object at the
pinned VersionId must all agree; the object must be SSE-KMS under the recorded key; the bucket must be
versioned; and the pinned version must still be the current one (an overwrite, by a newer publish or by
someone else, is reported). When definitions disagree, the steps that differ are named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..adapters import s3_store
from ..adapters.aws_session import AwsClients
from ..adapters.local_files import read_text
from ..adapters.s3_store import S3Location
from ..config import Settings
from ..core import ack
from ..core.definition import Definition, digest, parse_definition
from ..core.diff import DefinitionDiff, diff_definitions
from ..core.errors import UserError
from ..core.manifests import Provenance, definition_from_manifest, load_manifests

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

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.status != FAIL for c in self.checks)

    def add(self, document: str, name: str, passed: bool, detail: str = "") -> bool:
        self.checks.append(Check(document, name, OK if passed else FAIL, detail))
        return passed

    def skip(self, document: str, name: str, detail: str) -> None:
        self.checks.append(Check(document, name, SKIP, detail))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
            "differences": {doc: d.to_dict() for doc, d in self.differences.items()},
        }

    def table(self) -> str:
        rows = [("DOCUMENT", "CHECK", "RESULT", "DETAIL")]
        rows += [(c.document, c.name, c.status.upper(), c.detail) for c in self.checks]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join(
            "  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip()
            for row in rows
        )


def load_documents(path: str | Path) -> list[tuple[str, dict[str, Any]]]:
    """(label, document) for every YAML document in a file or in the YAML files of a folder."""
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
    elif root.is_file():
        files = [root]
    else:
        raise UserError(f"'{path}' does not exist.", "Pass an ACK YAML file or a folder of them.")
    documents = []
    for file in files:
        try:
            docs = load_manifests(read_text(file))
        except UserError as exc:
            raise UserError(f"{file}: {exc.problem}", exc.fix) from None
        documents += [(str(file), doc) for doc in docs]
    return documents


def verify(
    source: str | Path | Sequence[Mapping[str, Any]],
    settings: Settings,
    *,
    clients: AwsClients | None = None,
) -> VerifyReport:
    """Check every ACK Pipeline in ``source`` (a path, or already loaded documents) against S3."""
    if isinstance(source, (str, Path)):
        documents = load_documents(source)
    else:
        documents = [("<input>", dict(doc)) for doc in source]
    pipelines = [(label, doc) for label, doc in documents if doc.get("kind") == ack.PIPELINE_KIND]
    if not pipelines:
        raise UserError(
            f"No ACK Pipeline document in {source if isinstance(source, (str, Path)) else 'the input'}.",
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
        _verify_pipeline(report, _document_name(label, doc), doc, clients_for)
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

    location = s3_store.parse_s3_uri(provenance.definition_uri)
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
