"""Reading policy files for every face: the CLI's ``--policy``, the magics' and the settings' ``policy``.

The rules are pure (``core.policy``); this module only reads the files, once per call, and turns a
missing or unreadable file into a :class:`UserError` before anything is linted or written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..core.errors import UserError
from ..core.policy import PipelinePolicy, read_policy

__all__ = ["MAX_POLICY_BYTES", "load_policies", "split_setting"]

MAX_POLICY_BYTES = 1_000_000
"""A policy is a few lines; a larger file is a mistake (or an attack), refused before reading it."""


def split_setting(value: str | None) -> tuple[str, ...]:
    """The paths of the ``policy`` setting: comma-separated, blanks dropped."""
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def load_policies(paths: Iterable[str | os.PathLike[str]]) -> tuple[PipelinePolicy, ...]:
    """Every policy file, read and validated; a :class:`UserError` naming the first bad one."""
    out: list[PipelinePolicy] = []
    for raw in paths:
        path = Path(raw)
        fix = "Pass --policy with the path of a PipelinePolicy YAML file (docs/policy.md shows one)."
        if not path.is_file():
            problem = "is a folder" if path.is_dir() else "does not exist"
            raise UserError(f"The policy file {path} {problem}.", fix)
        try:
            size = path.stat().st_size
            if size > MAX_POLICY_BYTES:
                raise UserError(
                    f"The policy file {path} is {size} bytes; a policy is at most {MAX_POLICY_BYTES}.",
                    "Pass the policy file itself, a few lines of YAML.",
                )
            data = path.read_bytes()
        except OSError as error:
            raise UserError(f"Cannot read the policy file {path}: {error.strerror or error}.", fix) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UserError(
                f"The policy {path} is not UTF-8 text.", "Save the policy as UTF-8 YAML."
            ) from None
        out.append(read_policy(text, str(path)))
    return tuple(out)
