"""The ipywidgets panel of a pipeline: ``SageMakerAckPanel(pipeline)``.

ipywidgets is imported only when the panel is first used, so ``%load_ext jupyter_sagemaker_ack`` stays light.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SageMakerAckPanel"]


def __getattr__(name: str) -> Any:
    if name == "SageMakerAckPanel":
        from .widget import SageMakerAckPanel

        return SageMakerAckPanel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
