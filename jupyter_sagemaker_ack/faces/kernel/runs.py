"""The runs this kernel has seen, by name: their SageMaker ARNs outlive their CRs (a stop deletes the CR)."""

from __future__ import annotations

import threading

_lock = threading.Lock()
_run_arns: dict[str, str] = {}


def remember_run(name: str | None, execution_arn: str | None) -> None:
    """Keep a run's SageMaker ARN, so the run can still be shown after its CR is deleted (a stop)."""
    if name and execution_arn:
        with _lock:
            _run_arns[name] = execution_arn


def run_arn(name: str) -> str | None:
    with _lock:
        return _run_arns.get(name)
