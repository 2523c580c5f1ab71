"""Find the publication of a definition in S3 by its digest, when this kernel did not publish it.

Provenance is bound to bytes: a published version is a match only if its recorded digest is the digest of
the definition being rendered, and the object's bytes are read back and checked before its provenance is
used. It costs a version listing, a HEAD per version and one GET, so a face calls it only when the user
asked to wait for S3.
"""

from __future__ import annotations

from ..config import Settings
from ..core.errors import UserError
from ..core.manifests import Provenance
from .history import history
from .s3_source import fetch_published


def published_provenance(pipeline_name: str, digest: str, settings: Settings) -> Provenance | None:
    """The provenance of the newest S3 version of ``pipeline_name`` holding exactly ``digest``, or None."""
    try:
        versions = history(pipeline_name, settings)
    except UserError as exc:
        if exc.problem.startswith("Nothing has been published"):
            return None
        raise
    for version in versions:
        if not version.delete_marker and version.digest == digest:
            provenance = fetch_published(version.pinned_uri, settings).provenance
            return provenance if provenance.digest == digest else None
    return None
