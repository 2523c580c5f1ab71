"""Fixtures of the lint tests: the seed article's samples, cut from the shared oracle."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._helpers import SEED, SeedSamples


@pytest.fixture(scope="session")
def seed(shared_dir: Path) -> SeedSamples:
    return SeedSamples((shared_dir / SEED).read_text(encoding="utf-8"))
