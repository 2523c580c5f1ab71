"""Fixtures for the notebook experience: a real IPython shell with the extension loaded, and skip helpers."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest


def require(module: str, *names: str) -> Any:
    """Import ``module`` of the project and check ``names`` in it: a missing piece of our own is a failure."""
    try:
        loaded = importlib.import_module(module)
    except ImportError as exc:
        pytest.fail(f"{module} cannot be imported: {exc}")
    missing = [n for n in names if not hasattr(loaded, n)]
    if missing:
        pytest.fail(f"{module} has no {', '.join(missing)}")
    return loaded


@pytest.fixture
def ip() -> Iterator[Any]:
    """The global IPython test shell with ``%load_ext jupyter_sagemaker_ack`` done (undone afterwards)."""
    from IPython.testing.globalipapp import get_ipython, start_ipython

    shell = start_ipython() or get_ipython()
    shell.run_line_magic("load_ext", "jupyter_sagemaker_ack")
    try:
        yield shell
    finally:
        shell.run_line_magic("unload_ext", "jupyter_sagemaker_ack")
        shell.config.pop("SageMakerAck", None)  # what %config set would reach the next test's configurable
        for name in ("pipeline", "n", "broken"):
            shell.user_ns.pop(name, None)


def rich(shell: Any, line: str) -> tuple[Any, list[dict[str, Any]], str]:
    """Run ``%sagemaker_ack line``; return its value, the rich displays it made and what it printed."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        value = shell.run_line_magic("sagemaker_ack", line)
    return value, [output.data for output in captured.outputs], captured.stdout


def pictures(html: str) -> list[str]:
    """The SVG documents of the ``<img src="data:image/svg+xml;base64,...">`` pictures in ``html``."""
    import base64
    import re

    found = re.findall(r'<img [^>]*src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    return [base64.b64decode(data).decode("utf-8") for data in found]
