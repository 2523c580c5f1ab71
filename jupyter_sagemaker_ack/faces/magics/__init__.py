"""IPython entry points: ``%load_ext jupyter_sagemaker_ack`` adds ``%sagemaker_ack`` and ``SageMakerAck``.

Loading stays light: the services (and through them boto3, kubernetes, the SDK) are imported only when a
subcommand runs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["register", "unregister"]


def register(ipython: Any) -> None:
    """Register the magic and the ``SageMakerAck`` configurable (``%config SageMakerAck.bucket = ...``)."""
    from ..panel.session import ensure_configurable
    from .commands import SageMakerAckMagics

    ensure_configurable(ipython)
    ipython.register_magics(SageMakerAckMagics)


def unregister(ipython: Any) -> None:
    from ..panel.session import remove_configurable
    from .commands import MAGIC

    remove_configurable(ipython)
    ipython.magics_manager.magics["line"].pop(MAGIC, None)
    for registered in list(ipython.magics_manager.registry):
        if registered == "SageMakerAckMagics":
            ipython.magics_manager.registry.pop(registered, None)
