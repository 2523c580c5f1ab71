"""What this kernel published, found by the digest of the definition's bytes.

Provenance is bound to bytes, not names: YAML rendered from a definition pins the publication of that
very definition (same pipeline name, same digest), never "the last publication of this name". A changed
definition has no publication until it is published.
"""

from __future__ import annotations

import threading
from typing import Any

from ...core.manifests import Provenance

_lock = threading.Lock()
_by_digest: dict[tuple[str, str], Any] = {}


def remember_publication(publication: Any) -> None:
    """Keep a ``services.publish.Publication`` under its pipeline name and definition digest."""
    with _lock:
        _by_digest[(str(publication.pipeline_name), str(publication.digest))] = publication


def publication_of(pipeline_name: str, digest: str) -> Any:
    """The publication of exactly this definition (``digest``) under ``pipeline_name``, or None."""
    with _lock:
        return _by_digest.get((pipeline_name, digest))


def provenance_of(pipeline_name: str, digest: str) -> Provenance | None:
    """The provenance to pin YAML of this definition to, or None when this kernel has not published it."""
    publication = publication_of(pipeline_name, digest)
    return publication.provenance() if publication is not None else None


def forget_publications() -> None:
    """Forget every publication (a test's clean slate; a new kernel starts with none)."""
    with _lock:
        _by_digest.clear()
