"""jupyter-sagemaker-ack: from a SageMaker SDK pipeline in a notebook to reviewed ACK YAML on Kubernetes.

This module is the public entry point and the Jupyter hook. It must stay light: importing it (or
``%load_ext jupyter_sagemaker_ack``) imports neither the SageMaker SDK, boto3 nor the Kubernetes client.
Everything heavy is imported lazily by the function that needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = [
    "SageMakerAckPanel",
    "__version__",
    "load_ipython_extension",
    "unload_ipython_extension",
]


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register the ``%sagemaker_ack`` magic (``%load_ext jupyter_sagemaker_ack``), its panel wired in."""
    from .faces.magics import register

    register(ipython, open_panel=_open_panel)


def _open_panel(source: Any) -> Any:
    from .faces.panel import SageMakerAckPanel

    return SageMakerAckPanel(_source=source)


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    from .faces.magics import unregister

    unregister(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-sagemaker-ack"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .faces.server.app import SageMakerAckServerApp

    return [{"module": "jupyter_sagemaker_ack.faces.server.app", "app": SageMakerAckServerApp}]


def __getattr__(name: str) -> Any:
    if name == "SageMakerAckPanel":
        from .faces.panel import SageMakerAckPanel

        return SageMakerAckPanel
    raise AttributeError(f"module 'jupyter_sagemaker_ack' has no attribute {name!r}")
