"""The settings in effect in this kernel, shared by the magics and the panel.

Settings come from :func:`jupyter_sagemaker_ack.config.resolve_settings` with the ``SageMakerAck``
configurable of the running IPython shell (``%config SageMakerAck.bucket = "..."``) as the traitlets layer,
so the notebook, the CLI and the server extension agree on one precedence order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from ...config import SageMakerAck, Settings, resolve_settings


def _shell() -> Any:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    return ipython.get_ipython()


def configurable(shell: Any = None) -> SageMakerAck | None:
    """The ``SageMakerAck`` configurable registered with ``shell`` (default: the running shell), if any."""
    shell = shell if shell is not None else _shell()
    for item in getattr(shell, "configurables", None) or ():
        if isinstance(item, SageMakerAck):
            return item
    return None


def ensure_configurable(shell: Any) -> SageMakerAck:
    """Register one ``SageMakerAck`` with the shell so ``%config SageMakerAck.x = ...`` reaches it."""
    found = configurable(shell)
    if found is not None:
        return found
    created = SageMakerAck(parent=shell)
    shell.configurables.append(created)
    return created


def remove_configurable(shell: Any) -> None:
    found = configurable(shell)
    if found is not None:
        shell.configurables.remove(found)


def current_settings(explicit: Mapping[str, Any] | None = None, shell: Any = None) -> Settings:
    """Settings in precedence order: ``explicit`` > ``%config SageMakerAck`` > environment > defaults."""
    found = configurable(shell)
    return resolve_settings(explicit, found.configured() if found is not None else None, os.environ)
