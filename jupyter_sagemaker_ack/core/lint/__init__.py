"""Lint: what breaks a hand-off, found before anyone runs ``kubectl apply``.

Pure rules over texts and parsed values (no I/O); reading files and verifying against S3 belong to
``services.lint``. Each :class:`Finding` has a stable code from :data:`CODES`, a severity, a position and a
fix hint. The rules live by family in ``rules/`` (``CODES[code].module`` names the module that raises a
code); the machinery they share (findings, sink, positions, walk, scan, the YAML reader) lives here.
"""

from __future__ import annotations

from .api import lint_definition, lint_documents, lint_text, read_documents, text_kind
from .findings import CODES, Code, Finding, finding, has_errors, sort_key, unreadable

__all__ = [
    "CODES",
    "Code",
    "Finding",
    "finding",
    "has_errors",
    "lint_definition",
    "lint_documents",
    "lint_text",
    "read_documents",
    "sort_key",
    "text_kind",
    "unreadable",
]
