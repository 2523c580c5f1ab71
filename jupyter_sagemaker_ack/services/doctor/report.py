"""One line of the readiness checklist and the checklist itself: ok / warning / error, each with its fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

OK, WARNING, ERROR = "ok", "warning", "error"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ok(name: str, detail: str) -> Check:
    return Check(name, OK, detail)


def warning(name: str, detail: str, fix: str) -> Check:
    return Check(name, WARNING, detail, fix)


def error(name: str, detail: str, fix: str) -> Check:
    return Check(name, ERROR, detail, fix)


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]
    seconds: float

    @property
    def failed(self) -> bool:
        return any(c.status == ERROR for c in self.checks)

    def count(self, status: str) -> int:
        return sum(1 for c in self.checks if c.status == status)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)

    def summary(self) -> str:
        counts = [
            f"{self.count(s)} {s}{'s' if s != OK and self.count(s) != 1 else ''}"
            for s in (OK, WARNING, ERROR)
        ]
        return f"{', '.join(counts)} in {self.seconds:.1f}s"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.failed,
            "summary": {s: self.count(s) for s in (OK, WARNING, ERROR)},
            "seconds": round(self.seconds, 3),
            "checks": [c.to_dict() for c in self.checks],
        }

    def text(self) -> str:
        width = max((len(c.name) for c in self.checks), default=0)
        lines = []
        for c in self.checks:
            lines.append(f"{c.status:<8} {c.name:<{width}}  {c.detail}")
            if c.fix:
                lines.append(f"{'':<8} {'':<{width}}  fix: {c.fix}")
        lines.append(f"doctor: {self.summary()}")
        return "\n".join(lines)
