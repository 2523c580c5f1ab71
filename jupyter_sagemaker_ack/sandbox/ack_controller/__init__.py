"""An ACK SageMaker controller stand-in: Pipeline and PipelineExecution CRs reconciled into SageMaker.

It watches a Kubernetes API (the sandbox's emulator or any cluster) with the official client and calls the
SageMaker API (the sandbox's emulator) with boto3, writing back finalizers, ARNs, statuses and the ACK
conditions exactly as the real controller (v1.9.1, ACK runtime v0.62) would.
"""

from __future__ import annotations

from .controller import AckControllerEmulator

__all__ = ["AckControllerEmulator"]
