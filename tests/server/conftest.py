"""Fixtures for the server-extension tests: a real Jupyter Server (pytest-jupyter) with the extension loaded.

pytest-jupyter registers no entry point, and ``pytest_plugins`` is only allowed in the root conftest, so its
fixtures and hooks are brought into this directory by import.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pytest_jupyter", reason="needs pytest-jupyter[server] (the project's `test` extra)")

from pytest_jupyter.jupyter_server import *  # noqa: F403

from jupyter_sagemaker_ack.core import manifests
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import ROLE, abalone_definition


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"jpserver_extensions": {"jupyter_sagemaker_ack": True}}}


def ack_pipeline_yaml(provenance: manifests.Provenance | None = None) -> str:
    """A rendered ACK Pipeline manifest of the synthetic Abalone pipeline."""
    definition = parse_definition(abalone_definition())
    doc = manifests.render_pipeline(
        definition, manifests.PipelineOptions("abalone", ROLE, namespace="default", provenance=provenance)
    )
    return manifests.dump_yaml([doc])


@pytest.fixture
def pipeline_yaml(jp_root_dir: Path) -> Path:
    """``manifests/pipeline.yaml`` in the Jupyter contents root."""
    path = jp_root_dir / "manifests" / "pipeline.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ack_pipeline_yaml())
    return path


@pytest.fixture
def sandbox_ready(request: pytest.FixtureRequest) -> Any:
    """The session's sandbox, with this test's environment (so the server's settings) pointed at it."""
    request.getfixturevalue("sandbox_env")
    return request.getfixturevalue("sandbox")
