"""One pass over every string of a definition or manifest, for all the rules that look at strings.

Placeholders, secrets, role ARNs and S3 URIs are checked per string; a 1 MB definition holds tens of
thousands of them, so they share one walk instead of each walking the document again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .positions import PathKey
from .rules import placeholders, secrets, values
from .sink import Sink
from .step_index import Owner
from .walk import visit_strings

StringRule = Callable[[Sink, str, list[PathKey], Owner], None]
STRING_RULES: tuple[StringRule, ...] = (placeholders.check_string, secrets.check_string, values.check_string)


def _nobody(path: Any) -> tuple[str | None, str | None]:
    return None, None


def scan_strings(
    sink: Sink,
    value: Any,
    *,
    owner: Owner = _nobody,
    extra: tuple[StringRule, ...] = (),
) -> None:
    rules = STRING_RULES + extra

    def visit(text: str, path: list[PathKey]) -> None:
        for rule in rules:
            rule(sink, text, path, owner)

    visit_strings(value, visit)
