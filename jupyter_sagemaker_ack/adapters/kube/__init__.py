"""The Kubernetes side of submit, status and stop: the ACK ``Pipeline`` and ``PipelineExecution`` CRs.

``connect`` builds the official client from kubeconfig (context, namespace) or the in-cluster service account,
``preflight`` checks everything a write needs before the first write, ``objects`` applies (server-side),
gets, lists and deletes, and ``watching`` follows one object through drops and ``410 Gone``. The
``kubernetes`` package is imported only when one of these runs.
"""

from __future__ import annotations

from .connect import KubeCluster, cluster_configured, connect
from .objects import FIELD_MANAGER, ApplyConflict, KubeObjects
from .preflight import ALL_VERBS, Preflight, preflight
from .watching import WatchEvent, follow, watch_object

__all__ = [
    "ALL_VERBS",
    "FIELD_MANAGER",
    "ApplyConflict",
    "KubeCluster",
    "KubeObjects",
    "Preflight",
    "WatchEvent",
    "cluster_configured",
    "connect",
    "follow",
    "preflight",
    "watch_object",
]
