"""The gate before every write: lint's own rule set, run by publish, render and submit, refusing on errors.

There is one rule set (``core.lint``); this module only runs it on what is about to be written and turns
error findings into one :class:`GateRefused`, which names the first few (code, location, message) and how
to override. ``force=True`` lets a write through anyway. The faces re-word the override for their users
(``--force`` on the command line and in the magics, ``force=True`` from Python).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..core import policy
from ..core.definition import Definition
from ..core.errors import UserError
from ..core.lint import CODES, Finding, has_errors, lint_definition, lint_documents, sort_key, unreadable
from ..core.lint.documents import Document, PlainDocument
from ..core.policy import PipelineContext, PipelinePolicy

PYTHON_OVERRIDE = "force=True"
CLI_OVERRIDE = "--force"
SHOWN = 3
UNNAMED = "definition"


class GateRefused(UserError):
    """The lint rules found errors in what was about to be written; nothing was written."""

    def __init__(self, what: str, findings: Sequence[Finding], override: str = PYTHON_OVERRIDE) -> None:
        self.what = what
        self.findings: tuple[Finding, ...] = tuple(findings)
        self.override = override
        errors = self.errors
        shown = "; ".join(
            _one_line(f"{f.code} at {where(f)}: {f.message.rstrip('.')}") for f in errors[:SHOWN]
        )
        more = f"; and {len(errors) - SHOWN} more" if len(errors) > SHOWN else ""
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        super().__init__(
            f"Refused to {what}: {_who(errors)} found {count} ({shown}{more}). Nothing was written.",
            " ".join(
                part
                for part in (
                    _one_line(errors[0].hint) if errors else "",
                    "`sagemaker-ack lint` lists every finding with its fix;",
                    f"to {what} anyway, pass {override}.",
                )
                if part
            ),
        )

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def naming(self, override: str) -> GateRefused:
        """The same refusal, its fix naming the override of another face (e.g. ``--force``)."""
        return GateRefused(self.what, self.findings, override)


def _who(errors: Sequence[Finding]) -> str:
    from_policy = any(_is_policy(f) for f in errors)
    from_lint = any(not _is_policy(f) for f in errors)
    if from_policy and from_lint:
        return "the lint rules and policies"
    return "the policies" if from_policy else "the lint rules"


def _is_policy(f: Finding) -> bool:
    entry = CODES.get(f.code)
    return entry is not None and entry.module.startswith("policy.")


def where(f: Finding) -> str:
    """The finding's place: file:line:column and step/parameter when known, else its path in the object."""
    location = f.location()
    if location == "-" and f.path:
        return f.path
    return location


def check_definition(
    definition_or_text: Definition | str | bytes | Mapping[str, Any],
    filename: str | None = None,
    *,
    policies: Sequence[PipelinePolicy] = (),
    context: PipelineContext | None = None,
) -> list[Finding]:
    """Lint's findings for one pipeline definition (with line and column when given as text), and every
    policy's (``context``: the role, tags and region it will run with, when known).

    Without a file name the lines are those of the definition's JSON text, placed as ``definition:L:C``.
    """
    where = filename or UNNAMED
    found = lint_definition(definition_or_text, where)
    if not policies:
        return found
    if isinstance(definition_or_text, bytes):
        definition_or_text = definition_or_text.decode("utf-8", "replace")
    if isinstance(definition_or_text, str):
        found += policy.check_definition_text(policies, definition_or_text, where, context=context)
    else:
        found += policy.check_definition_value(policies, definition_or_text, where, context=context)
    return sorted(found, key=sort_key)


def check_documents(
    documents: Iterable[Mapping[str, Any] | Document],
    filename: str | None = None,
    *,
    policies: Sequence[PipelinePolicy] = (),
    params: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Lint's findings for a set of manifest documents, executions checked against their pipelines, and
    every policy's for each Pipeline.

    Documents given as mappings (no file) are placed by their kind and name, e.g. ``pipelines/abalone``.
    """
    wrapped: list[Document] = [
        PlainDocument(d, filename or _label(d)) if isinstance(d, Mapping) else d for d in documents
    ]
    found = lint_documents(wrapped)
    if policies:
        found = sorted(found + policy.check_documents(policies, wrapped, params=params), key=sort_key)
    return found


def check_rendered(
    definition: Definition | str,
    documents: Iterable[Mapping[str, Any]],
    filename: str | None = None,
    *,
    policies: Sequence[PipelinePolicy] = (),
    params: Mapping[str, Any] | None = None,
) -> list[Finding]:
    """Findings of a render: the definition's at their place in its file, plus what only the manifests show.

    The inline definition of the rendered Pipeline is linted again as part of the documents; a finding
    already reported for the definition file is not repeated. Policies judge the rendered Pipeline (its
    definition, role, tags and region).
    """
    own = check_definition(definition, filename)
    seen = {_identity(f) for f in own}
    return own + [
        f for f in check_documents(documents, policies=policies, params=params) if _identity(f) not in seen
    ]


def require_readable(findings: Sequence[Finding], source: str | None = None) -> None:
    """Raise a plain :class:`UserError` (a bad input, not a rule's refusal: ``--force`` cannot help) when
    reading found that the file itself cannot be read: a syntax error, a reader limit, a duplicate key,
    NaN. The reader's own words come first; the rules never ran on it."""
    first = unreadable(list(findings))
    if first is None:
        return
    where = first.location()
    lint = f"`sagemaker-ack lint {source or first.file or 'FILE'}`"
    message = f"{first.message.rstrip('.')} ({first.code})."
    raise UserError(
        _one_line(f"{where}: {message}" if where != "-" else message),
        _one_line(f"{first.hint} {lint} lists every problem of the file."),
    )


def require_clean(findings: Sequence[Finding], *, force: bool, what: str) -> list[Finding]:
    """Raise :class:`GateRefused` when ``findings`` hold an error (unless ``force``); else return them."""
    if has_errors(list(findings)) and not force:
        raise GateRefused(what, findings)
    return list(findings)


def _label(document: Mapping[str, Any]) -> str | None:
    kind, metadata = document.get("kind"), document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(kind, str) or not isinstance(name, str):
        return None
    return f"{kind.lower()}s/{name}"


def _one_line(text: str) -> str:
    """A hostile file's names may hold line breaks; a refusal stays one line."""
    return " ".join(text.split())


def _identity(f: Finding) -> tuple[Any, ...]:
    return (f.code, f.message, f.step, f.parameter)
