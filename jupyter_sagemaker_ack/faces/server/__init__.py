"""The Jupyter server extension: REST and websocket endpoints under ``/sagemaker-ack/`` for JupyterLab.

Handlers translate HTTP into service calls (``services.watch``, ``services.stop``, ``services.verify``) and
core calls (lint, manifests, DAG); they never talk to AWS or Kubernetes themselves.
"""

from __future__ import annotations
