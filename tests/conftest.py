"""Shared test fixtures: where the project's oracles in ../shared live, and the service fixtures' plugins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SAGEMAKER_ACK_SHARED", ROOT.parent / "shared"))

# Set in CI (.ci/run): the oracles must be there, so their absence fails instead of skipping.
REQUIRE_SHARED = os.environ.get("SAGEMAKER_ACK_REQUIRE_SHARED", "") not in ("", "0")

# Each service fixture lives in its own plugin module under tests/fixtures/.
pytest_plugins = [
    "tests.fixtures.moto_server",
    "tests.fixtures.kubeapi",
    "tests.fixtures.sagemaker_emulator",
    "tests.fixtures.sandbox",
]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's oracles (upstream ACK CRDs, samples, schema, seed article).

    A fresh clone has none, so the tests that read them skip with the reason; in CI
    (``SAGEMAKER_ACK_REQUIRE_SHARED=1``) their absence is a failure.
    """
    if not (SHARED / "ack" / "crds").is_dir():
        reason = (
            f"needs the shared oracles beside the clone ({SHARED}); a fresh clone has none, "
            "CI has them. Set SAGEMAKER_ACK_SHARED to point elsewhere."
        )
        if REQUIRE_SHARED:
            pytest.fail(f"SAGEMAKER_ACK_REQUIRE_SHARED is set: {reason}")
        pytest.skip(reason)
    return SHARED
