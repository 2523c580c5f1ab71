"""Make one step of the sandbox's SageMaker emulator take longer, so a test can stop a run while it runs."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def _config(url: str, update: dict[str, Any] | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{url}/_emulator/config",
        data=None if update is None else json.dumps(update).encode(),
        method="GET" if update is None else "POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


@contextmanager
def slow_step(sandbox: Any, step: str, step_type: str, seconds: float) -> Iterator[None]:
    """Step ``step`` lasts ``seconds`` inside the block; afterwards it lasts as long as before again."""
    url = sandbox.endpoints["sagemaker"]
    durations = _config(url)["durations"]
    before = durations["byStep"].get(step, durations["byType"].get(step_type, durations["default"]))
    _config(url, {"durations": {"byStep": {step: seconds}}})
    try:
        yield
    finally:
        _config(url, {"durations": {"byStep": {step: before}}})
