"""IPython entry points: ``%load_ext jupyter_sagemaker_ack`` adds ``%sagemaker_ack`` and ``SageMakerAck``.

Loading stays light: the services (and through them boto3, kubernetes, the SDK) are imported only when a
subcommand runs. The magics never import the panel: whoever registers them passes ``open_panel``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["register", "unregister"]


def register(ipython: Any, open_panel: Callable[[Any], Any] | None = None) -> None:
    """Register the magic and the ``SageMakerAck`` configurable (``%config SageMakerAck.bucket = ...``).

    ``open_panel(source)`` opens the panel of a captured pipeline for ``%sagemaker_ack panel``.
    """
    from ..kernel.settings import ensure_configurable
    from .commands import SageMakerAckMagics

    ensure_configurable(ipython)
    ipython.register_magics(SageMakerAckMagics(ipython, open_panel=open_panel))


def unregister(ipython: Any) -> None:
    from ..kernel.settings import remove_configurable
    from .commands import MAGIC

    remove_configurable(ipython)
    ipython.magics_manager.magics["line"].pop(MAGIC, None)
    for registered in list(ipython.magics_manager.registry):
        if registered == "SageMakerAckMagics":
            ipython.magics_manager.registry.pop(registered, None)
