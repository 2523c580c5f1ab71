"""Findings as text for a terminal, JSON for scripts and SARIF 2.1.0 for code-review tools.

Pure functions over findings, shared by the CLI, the magics and the server extension.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .findings import CODES, Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "sagemaker-ack lint"
TOOL_URI = "https://github.com/jupyter-sagemaker-ack/jupyter-sagemaker-ack"


def summary(findings: Sequence[Finding], files: int | None = None) -> str:
    counts = Counter(f.severity for f in findings)
    errors, warnings = counts.get("error", 0), counts.get("warning", 0)
    checked = f" in {files} file{'s' if files != 1 else ''}" if files is not None else ""
    if not findings:
        return f"no problems found{checked}"
    plural = ("s" if errors != 1 else "", "s" if warnings != 1 else "")
    return f"{errors} error{plural[0]}, {warnings} warning{plural[1]}{checked}"


def to_text(findings: Sequence[Finding], files: int | None = None) -> str:
    """``file:line:col: severity CODE message`` and an indented hint per finding, then a summary line."""
    lines: list[str] = []
    for f in findings:
        lines.append(f"{f.location()}: {f.severity} {f.code} {f.message}")
        if f.hint:
            lines.append(f"  hint: {f.hint}")
    lines.append(summary(findings, files))
    return "\n".join(lines)


def to_json(findings: Sequence[Finding], files: int | None = None) -> str:
    counts = Counter(f.severity for f in findings)
    payload: dict[str, Any] = {
        "findings": [f.to_dict() for f in findings],
        "summary": {"errors": counts.get("error", 0), "warnings": counts.get("warning", 0), "files": files},
    }
    return json.dumps(payload, indent=2)


def _rule_name(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def to_sarif(findings: Sequence[Finding], version: str = "0") -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: every code as a rule, every finding as a result."""
    codes = sorted(CODES)
    rule_index = {code: i for i, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "name": _rule_name(CODES[code].title),
            "shortDescription": {"text": CODES[code].title},
            "help": {"text": CODES[code].hint},
            "defaultConfiguration": {"level": CODES[code].severity},
        }
        for code in codes
    ]
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": rule_index.get(f.code, -1),
            "level": f.severity,
            "message": {"text": f.message + (f" Fix: {f.hint}" if f.hint else "")},
        }
        location: dict[str, Any] = {}
        if f.file:
            physical: dict[str, Any] = {"artifactLocation": {"uri": f.file.replace("\\", "/")}}
            if f.line is not None:
                region: dict[str, Any] = {"startLine": f.line}
                if f.column is not None:
                    region["startColumn"] = f.column
                physical["region"] = region
            location["physicalLocation"] = physical
        logical = [
            {"name": name, "kind": kind}
            for name, kind in ((f.step, "step"), (f.parameter, "parameter"))
            if name is not None
        ]
        if logical:
            location["logicalLocations"] = logical
        if location:
            result["locations"] = [location]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "informationUri": TOOL_URI,
                        "version": version,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
