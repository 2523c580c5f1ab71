"""The panel's DAG as an ipywidget drawn by the JupyterLab extension's own DAG view (labextension/src/widget.ts).

One renderer for every live view: in JupyterLab (and Notebook 7) with this package's extension, the DAG
in the panel is the same TypeScript picture as in the run view and the review. Other front ends (VS Code,
Colab, a notebook server without the extension) cannot create this model, so the panel shows the Python
SVG there. How the panel knows which: the front-end model sends ``{"event": "ready"}`` as soon as it
exists; until that message comes, and forever where it never does, the SVG stays. Front ends known never
to have the extension (VS Code, Colab) are not even offered the model: VS Code would try to fetch the
unknown widget module from a CDN and warn about it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
from traitlets import Dict, Unicode

# Must match WIDGET_MODULE / WIDGET_VERSION in labextension/src/widget.ts and the npm package's version.
MODULE_NAME = "jupyter-sagemaker-ack"
MODULE_VERSION = "^0.1.0"


def extension_may_be_present(
    environ: Mapping[str, str] | None = None, modules: Mapping[str, Any] | None = None
) -> bool:
    """False in a kernel of a front end that cannot have the JupyterLab extension (VS Code, Colab).

    A kernel started by a Jupyter server (JupyterLab, Notebook 7: ``JPY_SESSION_NAME``) may be drawn by the
    extension; one that VS Code started itself, or Colab's, cannot.
    """
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    if "JPY_SESSION_NAME" in environ:
        return True
    return not ("VSCODE_PID" in environ or "google.colab" in modules)


class DagWidget(widgets.DOMWidget):  # type: ignore[misc]
    """``dag`` (the DAG wire shape) and ``run`` (the last run snapshot, or ``{}``), drawn by the front end."""

    _model_name = Unicode("DagModel").tag(sync=True)
    _view_name = Unicode("DagView").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _view_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)
    _view_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    dag = Dict().tag(sync=True)
    run = Dict(allow_none=True, default_value=None).tag(sync=True)
    mode = Unicode("picture").tag(sync=True)  # "picture": the DAG alone; "full": with summary and steps
    renderer = Unicode("").tag(sync=False)  # what the front end said it draws with, once it is ready

    def __init__(self, on_ready: Callable[[DagWidget], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_ready = on_ready
        self.on_msg(self._message)

    @property
    def ready(self) -> bool:
        return bool(self.renderer)

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "ready":
            first = not self.renderer
            self.renderer = str(content.get("renderer") or "jupyterlab")
            if first and self._on_ready is not None:
                self._on_ready(self)
