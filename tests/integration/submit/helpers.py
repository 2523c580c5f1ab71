"""Small builders shared by the submit/status/stop tests."""

from __future__ import annotations

import itertools
import os
from typing import Any

from jupyter_sagemaker_ack.config import Settings
from jupyter_sagemaker_ack.core import ack
from jupyter_sagemaker_ack.core.definition import parse_definition
from jupyter_sagemaker_ack.examples.synthetic import chain_definition
from jupyter_sagemaker_ack.services.render import Rendered, render

from .conftest import ROLE

_names = itertools.count(1)


def pipeline_name(prefix: str = "chain") -> str:
    return f"{prefix}-{os.getpid()}-{next(_names)}"


def rendered_run(settings: Settings, steps: int = 3, name: str | None = None, **options: Any) -> Rendered:
    """A Pipeline of ``steps`` chained processing steps and one PipelineExecution of it."""
    return render(
        parse_definition(chain_definition(steps)),
        settings,
        pipeline_name=name or pipeline_name(),
        role_arn=ROLE,
        execution=True,
        **options,
    )


def step_names(steps: int) -> list[str]:
    return [f"Step-{i:05d}" for i in range(steps)]


def cluster_objects(kubeconfig: str, kind: str, namespace: str) -> list[dict[str, Any]]:
    """What the API server holds, read with the official client (not the code under test)."""
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=kubeconfig)
    try:
        answer = client.CustomObjectsApi(api).list_namespaced_custom_object(
            ack.GROUP, ack.VERSION, namespace, ack.PLURALS[kind]
        )
    finally:
        api.close()
    return list(answer["items"])
