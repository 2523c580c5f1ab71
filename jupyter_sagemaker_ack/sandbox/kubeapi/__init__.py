"""A local Kubernetes API emulator for the ACK SageMaker CRDs, accepted by the real kubectl and clients.

Like moto for AWS, it is a faithful stand-in for development, demos and tests: discovery, CRDs with schema
validation and printer columns, real object metadata, patches and server-side apply, the status
subresource, finalizers, watches, OpenAPI, SelfSubjectAccessReview and runtime fault injection.
"""

from __future__ import annotations

from .kubeconfig import write_kubeconfig
from .server import KubeApiServer

__all__ = ["KubeApiServer", "write_kubeconfig"]
