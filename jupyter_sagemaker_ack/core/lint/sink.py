"""Collects findings by path while rules run, then places them at a line and column.

Rules name what they found by its path in the parsed value; only at the end, and only when there is a
finding, does a locator turn paths into positions (the costly part for a large definition).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .findings import Finding, Severity, finding
from .positions import JsonPath, Locator, NoLocator, path_text


@dataclass
class _Item:
    finding: Finding
    path: JsonPath | None
    key: bool
    within: int | None = None


@dataclass
class Sink:
    file: str | None = None
    items: list[_Item] = field(default_factory=list)

    def add(
        self,
        code: str,
        message: str,
        *,
        path: JsonPath | None = None,
        key: bool = False,
        step: str | None = None,
        parameter: str | None = None,
        hint: str | None = None,
        within: int | None = None,
        severity: Severity | None = None,
    ) -> None:
        item = finding(
            code,
            message,
            hint=hint,
            severity=severity,
            file=self.file,
            step=step,
            parameter=parameter,
            path=path_text(path) if path else None,
        )
        self.items.append(_Item(item, path, key, within))

    def extend(self, findings: list[Finding]) -> None:
        self.items.extend(_Item(f, None, False) for f in findings)

    def resolve(self, locator: Locator | None = None, prefix: JsonPath = ()) -> list[Finding]:
        """The findings, placed by ``locator``; ``prefix`` is prepended to paths shown to the user."""
        where = locator or NoLocator()
        out: list[Finding] = []
        for item in self.items:
            f = item.finding
            if item.path is not None and f.line is None:
                position = where.position(item.path, key=item.key, within=item.within)
                if position is not None:
                    f = replace(f, line=position[0], column=position[1])
            if prefix and item.path is not None:
                f = replace(f, path=path_text((*prefix, *item.path)))
            out.append(f)
        return out
