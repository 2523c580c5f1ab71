"""A local Kubernetes API emulator for the ACK SageMaker CRDs, accepted by the real kubectl and clients.

Like moto for AWS, it is a faithful stand-in for development, demos and tests (one process, state in
memory, no authentication): discovery, CRDs with schema validation, pruning and printer columns, real
object metadata, merge/JSON patches and server-side apply with field ownership, the status subresource,
finalizers, list paging with limit/continue (one consistent view across pages, 410 Gone once compacted),
watches with resume and 410 Gone, OpenAPI for `kubectl explain`, SelfSubjectAccessReview.

    srv = KubeApiServer(port=0).start()      # serves core.ack.crd_documents() unless crds=[...] is given
    write_kubeconfig(path, srv.url)          # for kubectl and the official client
    srv.faults.fail("/pipelines", status=503, count=2)  # or 429 with retry_after; srv.faults.delay(...)
    srv.faults.drop_watches(abrupt=True)     # cut every open watch connection
    srv.access.deny(verb="delete", resource="pipelines")  # SelfSubjectAccessReview, kubectl auth can-i
    srv.compact(); srv.set_watch_window(10)  # make older resourceVersions 410 Gone
    srv.stop()

The same knobs are at `POST /_emulator/{faults,access,reset,compact,watch-window}` and `GET /_emulator/state`;
`python -m jupyter_sagemaker_ack.sandbox.kubeapi --ready-file F [--crd FILE ...]` runs it as a process.
"""

from __future__ import annotations

from .kubeconfig import write_kubeconfig
from .server import KubeApiServer

__all__ = ["KubeApiServer", "write_kubeconfig"]
