"""``--policy FILE`` (repeatable), shared by lint, publish, render and apply.

The files given add to those of the ``policy`` setting (``SAGEMAKER_ACK_POLICY``): every rule of every
policy applies. They are read and validated before anything else runs, so a bad policy file is a usage
mistake (exit 2) and never a silently skipped check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from ...config import Settings
from ...core.policy import PipelinePolicy
from ...services.policy import load_policies

F = TypeVar("F", bound=Callable[..., Any])

HELP = (
    "PipelinePolicy YAML file (repeatable; adds to the policy setting, SAGEMAKER_ACK_POLICY). Every rule "
    "of every policy applies; violations are error findings. See docs/policy.md."
)


def policy_option(func: F) -> F:
    return click.option(
        "--policy",
        "policy_files",
        multiple=True,
        metavar="FILE",
        type=click.Path(path_type=Path),
        help=HELP,
    )(func)


def chosen_policies(files: Iterable[Path], settings: Settings | None) -> tuple[PipelinePolicy, ...]:
    """The setting's policies, then those given on the command line (each file read once)."""
    paths: list[str] = list(settings.policy_paths) if settings is not None else []
    for file in files:
        if str(file) not in paths:
            paths.append(str(file))
    return load_policies(paths)
