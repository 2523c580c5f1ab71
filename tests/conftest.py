"""Shared test fixtures: where the project's oracles in ../shared live, and the service fixtures' plugins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SAGEMAKER_ACK_SHARED", ROOT.parent / "shared"))

# Each service fixture lives in its own plugin module under tests/fixtures/.
pytest_plugins = [
    name
    for name in (
        "tests.fixtures.moto_server",
        "tests.fixtures.kubeapi",
        "tests.fixtures.sagemaker_emulator",
        "tests.fixtures.sandbox",
    )
    if (ROOT / (name.replace(".", "/") + ".py")).exists()
]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's oracles (upstream ACK CRDs, samples, schema, seed article); skip when absent."""
    if not (SHARED / "ack" / "crds").is_dir():
        pytest.skip(
            f"needs the shared oracles beside the clone ({SHARED}); a fresh clone has none, "
            "CI has them. Set SAGEMAKER_ACK_SHARED to point elsewhere."
        )
    return SHARED
